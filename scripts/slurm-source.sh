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

tree="$work/src"
if [ ! -x "$tree/configure" ]; then
	ensure_deb_src
	log "fetching source of slurm-wlm=$pkg_version"
	rm -rf "$tree" "$work/src.tmp" "$work"/*.dsc "$work"/*.tar.*
	apt-get source -qq --download-only "slurm-wlm=$pkg_version" >&2
	dsc=$(ls "$work"/*.dsc | head -n1)
	dpkg-source --no-check -x "$dsc" "$work/src.tmp" >&2
	mv "$work/src.tmp" "$tree"
fi

[ -x "$tree/configure" ] || die "unpacked source has no configure script in $tree"

# Debian's configure flags (debian/rules); only config.h is needed, so the
# tree is never built.
if [ -f "$tree/config.h" ] && grep -q "SLURM_VERSION_STRING \"$upstream\"" "$tree/config.h"; then
	echo "$tree" >"$stamp"
	echo "$tree"
	exit 0
fi
log "configuring $tree (one time, about a minute and a half)"
(cd "$tree" && ./configure --prefix=/usr --sysconfdir=/etc/slurm \
	--libdir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu) \
	--with-munge --enable-multiple-slurmd --enable-deprecated \
	--without-rpath --disable-debug >"$work/configure.log" 2>&1) ||
	die "configure failed; see $work/configure.log"

grep -q "SLURM_VERSION_STRING \"$upstream\"" "$tree/config.h" ||
	die "configured tree is not version $upstream: $(grep SLURM_VERSION_STRING "$tree/config.h")"

echo "$tree" >"$stamp"
echo "$tree"
