#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prints the path of a configured Slurm source tree whose version is exactly
# the installed slurmctld's, fetching and configuring it on first use.
#
# A select plugin needs Slurm's internal headers and the config.h of the build
# it is loaded into; Debian ships neither, so we take the distribution's own
# source package (apt-get source) and run its ./configure with the flags from
# its debian/rules. The configured tree is cached outside the repository,
# keyed by the package version, so later builds skip all of this.
#
# Environment:
#   PB_SLURM_CACHE  cache root (default /var/cache/powerbudget)
# Progress goes to stderr; stdout carries only the tree's path.
set -euo pipefail

log() { echo "slurm-source: $*" >&2; }
die() { log "error: $*"; exit 1; }

cache_root=${PB_SLURM_CACHE:-/var/cache/powerbudget}

pkg_version=$(dpkg-query -W -f='${Version}' slurmctld 2>/dev/null) ||
	die "slurmctld is not installed (dpkg-query found no package); install it first"
upstream=${pkg_version#*:}
upstream=${upstream%%-*}
tree_key="slurm-${pkg_version//[:+~]/_}"
work="$cache_root/$tree_key"
stamp="$work/.configured"

if [ -f "$stamp" ]; then
	cat "$stamp"
	exit 0
fi

mkdir -p "$work"
cd "$work"
# One configure at a time: parallel builds would otherwise race on the tree.
exec 9>"$work/.lock"
flock 9
if [ -f "$stamp" ]; then
	cat "$stamp"
	exit 0
fi

# deb-src entry derived from this machine's own apt sources, so the source
# comes from the same archive the binaries came from.
ensure_deb_src() {
	local src=/etc/apt/sources.list.d/debian.sources
	local dst=/etc/apt/sources.list.d/powerbudget-deb-src.sources
	if apt-get source --print-uris "slurm-wlm=$pkg_version" >/dev/null 2>&1; then
		return 0
	fi
	[ "$(id -u)" -eq 0 ] || die "no deb-src entry for slurm-wlm and not root to add one"
	if [ -f "$src" ]; then
		sed -e 's/^Types:.*/Types: deb-src/' "$src" >"$dst"
	elif [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' \
			>/etc/apt/sources.list.d/powerbudget-deb-src.list
	else
		die "cannot find the machine's apt sources to derive a deb-src entry"
	fi
	log "added a deb-src entry derived from the machine's apt sources"
	apt-get update -qq
}

# The source package's files into the current directory. An archive may
# serve a version's files from more than one pool (a security update's
# .debian.tar from debian-security, its .orig.tar from the main archive),
# and a partial mirror may lack the .dsc itself: so try every deb-src entry
# on its own (apt keeps what it already fetched and checked), and if the
# .dsc is still missing, write it from the archive's Sources index, which
# apt verified against the signed Release file. dpkg-source then checks
# every tarball against the checksums in it.
fetch_source() {
	local parts d f dsc="slurm-wlm_${pkg_version#*:}.dsc"
	if apt-get source -qq --download-only "slurm-wlm=$pkg_version" >&2; then
		return 0
	fi
	log "some files of slurm-wlm=$pkg_version are not where apt looked first; trying each deb-src entry"
	parts=$(mktemp -d)
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk -v dir="$parts" 'BEGIN { RS = ""; ORS = "\n\n" }
			/(^|\n)Types:[^\n]*deb-src/ { print > (dir "/" ++n ".sources") }'
	for f in "$parts"/*.sources; do
		[ -f "$f" ] || continue
		d=$(mktemp -d -p "$parts")
		mv "$f" "$d/"
		apt-get -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$d" \
			source -qq --download-only "slurm-wlm=$pkg_version" >&2 2>/dev/null && break
	done
	rm -rf "$parts"
	if [ ! -f "$dsc" ]; then
		log "no $dsc in the archive; writing it from the archive's Sources index"
		apt-cache showsrc --only-source slurm-wlm |
			awk -v v="$pkg_version" 'BEGIN { RS = "" }
				index("\n" $0 "\n", "\nVersion: " v "\n") { print; exit }' |
			sed -e 's/^Package:/Source:/' -e '/^ .*\.dsc$/d' >"$dsc"
		grep -q '^Checksums-Sha256:' "$dsc" ||
			die "the Sources index has no record of slurm-wlm $pkg_version"
	fi
	ls ./*.orig.tar.* >/dev/null 2>&1 ||
		die "could not fetch the source of slurm-wlm=$pkg_version from any deb-src entry"
}

tree="$work/src"
if [ ! -x "$tree/configure" ]; then
	ensure_deb_src
	log "fetching source of slurm-wlm=$pkg_version"
	rm -rf "$tree" "$work/src.tmp" "$work"/*.dsc "$work"/*.tar.*
	fetch_source
	dsc=$(ls "$work"/*.dsc | head -n1)
	dpkg-source --no-check -x "$dsc" "$work/src.tmp" >&2
	mv "$work/src.tmp" "$tree"
fi

[ -x "$tree/configure" ] || die "unpacked source has no configure script in $tree"

# Debian's configure flags, as its debian/rules passes them to
# dh_auto_configure in this release (make -n expands its variables), plus
# the paths dh_auto_configure itself adds. Only config.h is needed, so the
# tree is never built; --with-pmix= is left out (it only affects the
# mpi/pmix plugin, and would need libpmix-dev).
if [ -f "$tree/config.h" ] && grep -q "SLURM_VERSION_STRING \"$upstream\"" "$tree/config.h"; then
	echo "$tree" >"$stamp"
	echo "$tree"
	exit 0
fi
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
rules_line=$(cd "$tree" && make -s -n -f debian/rules override_dh_auto_configure 2>/dev/null |
	grep -m1 '^dh_auto_configure -- ') ||
	die "cannot read the configure flags from $tree/debian/rules"
read -r -a flags <<<"${rules_line#dh_auto_configure -- }"
configure_args=(--prefix=/usr --localstatedir=/var --runstatedir=/run
	--libdir="/usr/lib/$multiarch")
for f in "${flags[@]}"; do
	case $f in --with-pmix*) continue ;; esac
	configure_args+=("$f")
done
log "configuring $tree (one time, about a minute and a half): ${configure_args[*]}"
(cd "$tree" && ./configure "${configure_args[@]}" >"$work/configure.log" 2>&1) ||
	die "configure failed; see $work/configure.log"

grep -q "SLURM_VERSION_STRING \"$upstream\"" "$tree/config.h" ||
	die "configured tree is not version $upstream: $(grep SLURM_VERSION_STRING "$tree/config.h")"

echo "$tree" >"$stamp"
echo "$tree"
