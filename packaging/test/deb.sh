#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the .deb with CPack and checks what an admin relies on: the plugin
# in Slurm's plugin directory, the tools in the path, every man page
# gzipped, the examples, and a Depends line pinning the exact slurmctld.
# Leaves the package in the build directory (and build/powerbudget.deb) for
# the cluster test that installs it.
# usage: deb.sh CPACK BUILD_DIR DEB_FILE PLUGIN_DIR SLURMCTLD_VERSION MAN_DIR
set -u
cpack=$1
build=$2
deb=$3
plugdir=$4
ctld=$5
mandir=$6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

cd "$build" || exit 1
rm -f "$deb"
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
	echo "FAIL: cpack"
	cat "$tmp/cpack.log"
	exit 1
fi
[ -f "$deb" ] || { echo "FAIL: no $deb"; cat "$tmp/cpack.log"; exit 1; }
ln -sf "$(basename "$deb")" "$build/powerbudget.deb"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/files"
has_file() {
	grep -qx -- "$1" "$tmp/files" || { echo "FAIL: not in the package: $1"; fail=1; }
}
has_file "$plugdir/select_cons_tres_power.so"
has_file /usr/bin/pb-status
has_file /usr/sbin/pb-check
has_file /usr/sbin/pb-ctl
has_file /usr/sbin/pb-gpu-limit
has_file /usr/share/man/man1/pb-status.1.gz
has_file /usr/share/doc/powerbudget/copyright
has_file /usr/share/doc/powerbudget/changelog.Debian.gz
has_file /usr/share/doc/powerbudget/examples/lab/power_budget.conf
has_file /usr/share/doc/powerbudget/examples/reference/power_budget.conf
for page in "$mandir"/*.[158]; do
	name=$(basename "$page")
	has_file "/usr/share/man/man${name##*.}/$name.gz"
done
if grep -q '^/usr/local' "$tmp/files"; then
	echo "FAIL: files under /usr/local:"
	grep '^/usr/local' "$tmp/files"
	fail=1
fi

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
case ", $depends," in
*", slurmctld (= $ctld),"*) ;;
*) echo "FAIL: Depends does not pin slurmctld (= $ctld)"; fail=1 ;;
esac
echo "$depends" | grep -q 'libhwloc15' ||
	{ echo "FAIL: Depends lacks libhwloc (shlibs)"; fail=1; }
[ "$(dpkg-deb -f "$deb" Package)" = powerbudget ] ||
	{ echo "FAIL: Package field"; fail=1; }
[ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] ||
	{ echo "FAIL: Architecture field"; fail=1; }

# The payload itself: man pages decompress, the plugin exports its API.
dpkg-deb -x "$deb" "$tmp/root"
for gz in "$tmp"/root/usr/share/man/man*/*.gz; do
	gzip -t "$gz" || { echo "FAIL: bad gzip $gz"; fail=1; }
done
nm -D --defined-only "$tmp/root$plugdir/select_cons_tres_power.so" |
	grep -q ' select_p_job_test$' ||
	{ echo "FAIL: plugin does not export select_p_job_test"; fail=1; }
"$tmp/root/usr/bin/pb-status" --help >/dev/null ||
	{ echo "FAIL: packaged pb-status does not run"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: $deb"
exit $fail
