#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fresh Debian roots for proving that the project's own scripts install
# everything it needs: a clean clone on a developer's machine still sees
# every package installed there by hand; a new root sees only what
# scripts/install-deps.sh brings.
#
#   debroot.sh make SUITE DIR     debootstrap SUITE (bookworm, trixie, sid, ...)
#                                 into DIR (minbase), from this machine's own
#                                 archive, with apt sources like this machine's
#   debroot.sh run DIR CMD...     run CMD as root inside DIR, in a private mount
#                                 and PID namespace: /proc, /dev, /sys (recursive,
#                                 so slurmd finds its cgroups) are mounted for
#                                 CMD only, and every process CMD leaves behind
#                                 is killed when it returns; exits with CMD's
#                                 status; PB_ROOT_BIND=DIR[:DIR...] binds
#                                 those host directories at the same paths
#                                 inside, for CMD only
#   debroot.sh destroy DIR        remove DIR (refused while anything is
#                                 mounted under it)
#   debroot.sh quickstart SUITE REPO
#                                 README's quick start on a new SUITE root:
#                                 make one, install git and python3 there,
#                                 git clone REPO's committed HEAD into it, run
#                                 scripts/install-deps.sh, scripts/demo.sh
#                                 and the short pass of scripts/test.sh
#                                 (PB_QUICK=1) in it, and destroy it
#                                 (PB_KEEP_ROOT=1 keeps it)
#
# Roots of quickstart are made under PB_ROOT_BASE (default /var/tmp).
#
# Nothing of the host is cached or shared inside a root: only the archive's
# address and how this machine reaches it (apt's proxy and validity
# settings), its DNS resolver and its hostname, as on a new install.
# Every failure names the step that failed; nothing is skipped silently.
set -euo pipefail

prog=debroot
log() { echo "$prog: $*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

# One line per deb entry of this machine's apt sources, deb822 files
# first: URI<TAB>SUITES<TAB>COMPONENTS<TAB>KEYRING (KEYRING may be empty).
host_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && uri != "" && suites != "")
					printf "%s\t%s\t%s\t%s\n", uri, suites, comps, key
				types = uri = suites = comps = key = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); split($0, u, " "); uri = u[1] }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
			/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opts] URI suite components...
		sed -nE 's/^deb[ \t]+(\[[^]]*\][ \t]+)?([^ \t]+)[ \t]+([^ \t]+)[ \t]+(.*)$/\2\t\3\t\4\t/p' "$f"
	done
}

# The release's own suites, not its -security, -updates or -backports.
is_release_suite() { [[ $1 != *-security && $1 != *-updates && $1 != *-backports ]]; }

# The first archive of this machine's apt sources that serves the release
# itself: "URI KEYRING".
host_archive() {
	local uri suites comps key s
	while IFS=$'\t' read -r uri suites comps key; do
		for s in $suites; do
			is_release_suite "$s" && { echo "$uri $key"; return 0; }
		done
	done < <(host_entries)
	return 1
}

# apt sources for SUITE like this machine's: each deb entry of the host
# with the host's codename replaced by SUITE; unstable has no -updates or
# -security suites, so those are dropped there.
write_sources() {
	local suite=$1 root=$2 host out uri suites comps key s keep
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$host" ] || die "sources: /etc/os-release names no codename"
	out="$root/etc/apt/sources.list.d/debian.sources"
	while IFS=$'\t' read -r uri suites comps key; do
		keep=
		for s in $suites; do
			s=${s/#$host/$suite}
			case $suite in
			sid | unstable) is_release_suite "$s" || continue ;;
			esac
			keep+=${keep:+ }$s
		done
		[ -n "$keep" ] || continue
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$keep" "$comps"
		[ -z "$key" ] || printf 'Signed-By: %s\n' "$key"
		echo
	done < <(host_entries) >"$out"
	[ -s "$out" ] || die "sources: found no deb entry in this machine's apt sources"
	rm -f "$root/etc/apt/sources.list"
}

# How this machine reaches its archive, not what it fetched from it.
write_apt_conf() {
	local root=$1
	apt-config dump 2>/dev/null |
		grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' \
			>"$root/etc/apt/apt.conf.d/90debroot-acquire" || true
}

cmd_make() {
	[ $# -eq 2 ] || die "usage: debroot.sh make SUITE DIR"
	local suite=$1 root=$2 archive uri key proxy
	need_root
	if ! command -v debootstrap >/dev/null 2>&1; then
		log "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			-o DPkg::Lock::Timeout=600 --no-install-recommends debootstrap >/dev/null ||
			die "make: apt-get install debootstrap failed"
	fi
	archive=$(host_archive) || die "make: found no archive in this machine's apt sources"
	read -r uri key <<<"$archive"
	[ -e "$root" ] && [ -n "$(ls -A "$root" 2>/dev/null)" ] &&
		die "make: $root exists and is not empty"
	mkdir -p "$root"
	# A root's / is every user's (mktemp -d made it 0700): apt's _apt,
	# munge and slurm run as their own users.
	chmod 755 "$root"
	proxy=$(apt-config shell p Acquire::http::Proxy 2>/dev/null | sed -nE "s/^p='(.*)'$/\1/p")
	log "debootstrap $suite (minbase) into $root"
	local args=(--variant=minbase)
	[ -n "$key" ] && [ -f "$key" ] && args+=(--keyring="$key")
	if ! http_proxy=${proxy:-${http_proxy:-}} debootstrap "${args[@]}" \
		"$suite" "$root" "$uri" >"$root.debootstrap.log" 2>&1; then
		tail -n 20 "$root.debootstrap.log" >&2
		die "make: debootstrap $suite from the machine's archive failed (log: $root.debootstrap.log)"
	fi
	rm -f "$root.debootstrap.log"
	write_sources "$suite" "$root"
	write_apt_conf "$root"
	# A new install has these; minbase does not write them.
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		"$(hostname)" >"$root/etc/hosts"
	# Packages installed in a chroot must not start their daemons there
	# (the tests start their own).
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	log "made $suite root in $root"
}

# Inside the namespaces: mount what CMD needs, run it, return its status.
# Runs as PID 1 of the new PID namespace, so when it returns every process
# CMD started is killed by the kernel, and its mounts go with the namespace.
inner() {
	local root=$1 rc=0
	shift
	mount -t proc proc "$root/proc" || die "run: mounting /proc in $root failed"
	mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" ||
		die "run: binding /dev into $root failed"
	mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" ||
		die "run: binding /sys into $root failed"
	mount -t tmpfs -o mode=755 tmpfs "$root/run" && mkdir -p "$root/run/lock" ||
		die "run: mounting /run in $root failed"
	# PB_ROOT_BIND: host directories (colon-separated) seen at the same
	# path inside, for CMD only (a checkout to build and test there).
	local d
	local IFS=:
	for d in ${PB_ROOT_BIND:-}; do
		[ -d "$d" ] || die "run: PB_ROOT_BIND: $d is not a directory"
		mkdir -p "$root$d" && mount --bind "$d" "$root$d" ||
			die "run: binding $d into $root failed"
	done
	unset IFS
	if [ -f /etc/resolv.conf ]; then
		: >>"$root/etc/resolv.conf"
		mount --bind -o ro "$(readlink -f /etc/resolv.conf)" "$root/etc/resolv.conf" ||
			die "run: binding /etc/resolv.conf into $root failed"
	fi
	chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		${CI:+CI=$CI} "$@" </dev/null || rc=$?
	exit "$rc"
}

cmd_run() {
	[ $# -ge 2 ] || die "usage: debroot.sh run DIR CMD..."
	local root
	need_root
	root=$(readlink -f "$1")
	shift
	[ -x "$root/bin/sh" ] || die "run: $root is not a root made by debroot.sh make"
	# --kill-child: should this script be killed, the namespace goes too.
	exec unshare --mount --propagation private --pid --fork --kill-child \
		bash "$(readlink -f "$0")" __inner "$root" "$@"
}

cmd_destroy() {
	[ $# -eq 1 ] || die "usage: debroot.sh destroy DIR"
	local root mounted
	need_root
	[ -e "$1" ] || return 0
	root=$(readlink -f "$1")
	[ "$root" != / ] || die "destroy: refusing /"
	mounted=$(findmnt -rn -o TARGET |
		awk -v r="$root" '$0 == r || index($0, r "/") == 1' | tr '\n' ' ')
	[ -z "$mounted" ] || die "destroy: still mounted under $root: $mounted"
	rm -rf --one-file-system "$root"
	log "destroyed $root"
}

# Minutes since $1 (epoch seconds), one decimal.
minutes() { awk -v s="$1" -v e="$(date +%s)" 'BEGIN { printf "%.1f", (e - s) / 60 }'; }

cmd_quickstart() {
	[ $# -eq 2 ] || die "usage: debroot.sh quickstart SUITE REPO"
	local suite=$1 repo=$2 root head t0 t q
	need_root
	head=$(git -C "$repo" rev-parse --verify HEAD) ||
		die "quickstart: $repo is not a git checkout with a commit"
	mkdir -p "${PB_ROOT_BASE:-/var/tmp}"
	root=$(mktemp -d "${PB_ROOT_BASE:-/var/tmp}/pb-root-$suite.XXXXXX")
	# The trap runs after this function has returned: the path is
	# expanded into it now.
	printf -v q '%q' "$root"
	if [ "${PB_KEEP_ROOT:-0}" = 1 ]; then
		trap "log kept $q" EXIT
	else
		trap "cmd_destroy $q >/dev/null" EXIT
	fi
	t0=$(date +%s)

	t=$(date +%s)
	cmd_make "$suite" "$root"
	log "step make: $(minutes "$t") min"

	t=$(date +%s)
	cmd_run_sub "$root" sh -c 'export DEBIAN_FRONTEND=noninteractive &&
		apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		git python3 >/dev/null' ||
		die "quickstart: installing git and python3 in the $suite root failed"
	log "step git and python3: $(minutes "$t") min"

	# Exactly what is committed, as a user's clone would have it: a
	# bundle of HEAD, cloned by the root's own git.
	git -C "$repo" bundle create -q "$root/root/under-test.bundle" HEAD ||
		die "quickstart: git bundle of $repo's HEAD failed"
	cmd_run_sub "$root" git -c advice.detachedHead=false clone -q \
		/root/under-test.bundle /root/powerbudget ||
		die "quickstart: git clone in the $suite root failed"
	rm -f "$root/root/under-test.bundle"
	log "cloned $head into $root/root/powerbudget"

	t=$(date +%s)
	cmd_run_sub "$root" bash /root/powerbudget/scripts/install-deps.sh ||
		die "quickstart: scripts/install-deps.sh failed in the $suite root"
	log "step install-deps: $(minutes "$t") min"

	t=$(date +%s)
	# A smaller job mix than the default: the install and the build
	# are what is proven here, the demo's cluster and its plot too.
	cmd_run_sub "$root" sh -c 'cd /root/powerbudget && bash scripts/demo.sh --jobs 6' ||
		die "quickstart: scripts/demo.sh failed in the $suite root"
	log "step demo.sh: $(minutes "$t") min"

	t=$(date +%s)
	cmd_run_sub "$root" env PB_QUICK=1 bash /root/powerbudget/scripts/test.sh ||
		die "quickstart: PB_QUICK=1 scripts/test.sh failed in the $suite root"
	log "step PB_QUICK=1 test.sh: $(minutes "$t") min"

	log "quick start passed on a new $suite root in $(minutes "$t0") min"
}

# cmd_run, but returning instead of exec'ing.
cmd_run_sub() { (cmd_run "$@"); }

case ${1:-} in
make) shift; cmd_make "$@" ;;
run) shift; cmd_run "$@" ;;
destroy) shift; cmd_destroy "$@" ;;
quickstart) shift; cmd_quickstart "$@" ;;
__inner) shift; inner "$@" ;;
*) die "usage: debroot.sh make SUITE DIR | run DIR CMD... | destroy DIR | quickstart SUITE REPO" ;;
esac
