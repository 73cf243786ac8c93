#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The RPM spec parses (rpmspec -P), carries the project's version, and
# pins slurm-devel and slurm-slurmctld to one Slurm release.
# usage: rpmspec.sh RPMSPEC SPEC PROJECT_VERSION
set -u
rpmspec=$1
spec=$2
version=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0

if ! "$rpmspec" -P "$spec" >"$out" 2>&1; then
	echo "FAIL: rpmspec -P $spec:"
	cat "$out"
	exit 1
fi
grep -q "^Version: *$version\$" "$out" ||
	{ echo "FAIL: spec Version is not $version (CMake's project version)"; fail=1; }
slurm=$(sed -n 's/^%{!?slurm_version:%global slurm_version \([^}]*\)}/\1/p' "$spec")
[ -n "$slurm" ] || { echo "FAIL: no slurm_version"; fail=1; }
"$rpmspec" -q --buildrequires "$spec" 2>/dev/null | grep -qx "slurm-devel = $slurm" ||
	{ echo "FAIL: BuildRequires slurm-devel = $slurm"; fail=1; }
"$rpmspec" -q --requires "$spec" 2>/dev/null | grep -qx "slurm-slurmctld = $slurm" ||
	{ echo "FAIL: Requires slurm-slurmctld = $slurm"; fail=1; }
# Another release parses too (what a site building for its own Slurm does).
"$rpmspec" -P --define 'slurm_version 23.02.7' "$spec" 2>/dev/null |
	grep -q '^BuildRequires: *slurm-devel = 23.02.7' ||
	{ echo "FAIL: --define slurm_version"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: $spec (Slurm $slurm)"
exit $fail
