#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs every test powerbudget has, from a clean clone, as root on Debian 12,
# for the Slurm releases Debian ships (PB_RELEASES, e.g. PB_RELEASES=24.11
# for one; default: those that can be built here, "22.05 24.11"). A
# release left out of the default because the archive does not serve its
# source is named in every run, with the step and the reason (left_out
# below); PB_RELEASES=26.05 still tries it, and fails naming the step.
#
# 22.05 (Debian 12, this machine): installs the packages, fetches and
# configures the matching Slurm tree (cached), builds with -Werror and runs,
# with ctest:
#   1. the unit tests, plain and under valgrind, and the cluster tests that
#      start real munge/slurmctld/slurmd on loopback; then, once, the
#      300 s chaos soak (tests/soak: 32 slurmd, kill -9 of the daemons,
#      reconfigures, every cap checked; label soak, here only);
#   2. the unit tests again in an ASan+UBSan build, and the main cluster
#      scenarios with that build's plugin preloaded into slurmctld;
#   3. every libFuzzer target for PB_FUZZ_SECONDS (default 60) each, then
#      once more over the corpus it made with leak checking on;
#   4. README's quick start on a new Debian 12 root (scripts/debroot.sh
#      quickstart): install-deps.sh, demo.sh and the short pass below, from
#      a clone of this checkout's committed HEAD, so a missing install step
#      fails here and not only on a new machine. PB_FRESH_ROOT=0 leaves it
#      out.
#
# 24.11 (Debian 13) and 26.05 (Debian unstable): in a new root of that
# release (scripts/debroot.sh make, under PB_ROOT_BASE, default /var/tmp),
# this script again (PB_STAGES=<release>): install-deps.sh, the Slurm
# tree of that release (configured once and cached on this machine under
# /var/cache/powerbudget, behind slurm-source.sh's lock), a -Werror build,
# every unit, package and cluster test; on 26.05 also stage 2 above. The
# checkout and the cache are bound into the root; the root is destroyed
# afterwards, and every process started in it is gone with it.
#
# A release that fails does not stop the others; the script fails at the
# end, naming each release and the step that failed, with minutes per
# release.
#
# PB_QUICK=1 is the short pass (22.05 only): the build, every test but the
# cluster tests, one cluster test, and each fuzz target for PB_FUZZ_SECONDS
# (default 5); no ASan stages, no fresh root.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
quick=${PB_QUICK:-0}
if [ "$quick" = 1 ]; then
	fuzz_seconds=${PB_FUZZ_SECONDS:-5}
else
	fuzz_seconds=${PB_FUZZ_SECONDS:-60}
fi

build() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DPB_WERROR=ON -DSLURM_SRC_DIR="$slurm_tree" "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" -- --no-print-directory >"$dir.log" 2>&1 ||
		{ cat "$dir.log"; exit 1; }
}

# Tests that CMake registers only where their tool is found: each must be
# there, or a missing package would pass as a test that never ran.
require_tests() {
	local dir=$1 t listed
	shift
	listed=$(ctest --test-dir "$dir" -N)
	for t in "$@"; do
		grep -qE "Test +#[0-9]+: $t\$" <<<"$listed" ||
			{ echo "test.sh: $dir has no test $t (is its package installed?)" >&2; exit 1; }
	done
}

fuzz() {
	echo "== fuzzing, $fuzz_seconds s per target, then a leak check over each corpus"
	CC=clang cmake -S . -B build-fuzz -DPB_WERROR=ON -DPB_FUZZ=ON \
		-DPB_BUILD_PLUGIN=OFF -DPB_CLUSTER_TESTS=OFF \
		-DPB_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
	cmake --build build-fuzz -j"$jobs" --target pb_fuzz >build-fuzz.log 2>&1 ||
		{ cat build-fuzz.log; exit 1; }
	ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
}

# ASan+UBSan build $1: its unit tests, and the main cluster scenarios with
# its plugin preloaded into slurmctld.
asan_stage() {
	echo "== unit tests under ASan+UBSan"
	build "$1" -DPB_SANITIZE=ON -DPB_CLUSTER_TESTS=OFF
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$1" --output-on-failure -j"$jobs" -L unit

	echo "== cluster tests with the plugin built with ASan+UBSan, preloaded into slurmctld"
	# The runtime is preloaded into every process (slurmctld, slurmd and the
	# clients all load select plugins); any report fails the stage.
	asan_logs=$(mktemp -d)
	for t in passthrough power_cap power_domains power_restart power_preempt power_hints \
		power_limits power_measured power_learned power_energy power_saving fault_reconfig \
		power_capwindow power_ramp power_curtail; do
		[ -f "tests/cluster/test_$t.py" ] || continue
		echo "-- asan: $t"
		LD_PRELOAD=$(gcc -print-file-name=libasan.so) \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$asan_logs/report \
		UBSAN_OPTIONS=print_stacktrace=1:log_path=$asan_logs/report \
		PB_LEDGER_VERIFY=1 PB_PLUGIN_DIR="$PWD/$1/plugin" \
		PB_CTL="$PWD/$1/tools/pb_ctl/pb-ctl" \
			/usr/bin/python3 "tests/cluster/test_$t.py"
	done
	if ls "$asan_logs"/report* >/dev/null 2>&1; then
		cat "$asan_logs"/report*
		echo "sanitizer reports above" >&2
		exit 1
	fi
	rm -rf "$asan_logs"
}

# The Slurm release (major.minor) of the installed slurmctld.
installed_release() {
	slurmctld -V | sed -nE 's/^[^0-9]*([0-9]+)\.([0-9]+)\..*/\1.\2/p'
}

# This release's tree, checked to be the release asked for.
setup_release() {
	local want=$1 got
	bash scripts/install-deps.sh ||
		{ echo "test.sh: $want: step install-deps.sh failed" >&2; exit 1; }
	slurm_tree=$(bash scripts/slurm-source.sh) ||
		{ echo "test.sh: $want: step slurm-source.sh (the Slurm tree) failed" >&2; exit 1; }
	got=$(installed_release)
	[ "$got" = "$want" ] ||
		{ echo "test.sh: slurmctld here is $got, not $want" >&2; exit 1; }
}

# 22.05, on this machine: everything, as at the top.
host_stages() {
	setup_release 22.05
	echo "== build (-Werror) and all tests"
	build build-test -DPB_VALGRIND=ON
	require_tests build-test package.lintian package.rpmspec style.format soak.short
	if [ "$quick" = 1 ]; then
		echo "-- short pass: all but the cluster tests and the soak, and cluster.power_cap"
		ctest --test-dir build-test --output-on-failure -j"$jobs" -LE 'cluster|soak'
		ctest --test-dir build-test --output-on-failure -R '^cluster\.power_cap$'
	else
		ctest --test-dir build-test --output-on-failure -j"$jobs" -LE '^soak$'
		echo "== chaos soak, 300 s (tests/soak/README.md)"
		ctest --test-dir build-test --output-on-failure --no-tests=error -L '^soak$'
	fi
	if [ "$quick" = 1 ]; then
		fuzz
		return 0
	fi
	asan_stage build-asan
	fuzz
	if [ "${PB_FRESH_ROOT:-1}" != 0 ]; then
		echo "== README's quick start on a new Debian 12 root (PB_FRESH_ROOT=0 leaves it out)"
		bash scripts/debroot.sh quickstart bookworm .
	fi
}

# Inside a root of release $1 (PB_STAGES=$1): every unit, package and
# cluster test of a -Werror build; on 26.05 the ASan stage too.
root_stages() {
	local rel=$1 dir="build-$1"
	setup_release "$rel"
	echo "== $rel: build (-Werror), unit, package and cluster tests"
	build "$dir"
	require_tests "$dir" package.deb package.lintian cluster.package
	# the soak runs on the host stage only
	ctest --test-dir "$dir" --output-on-failure -j"$jobs" -LE '^soak$'
	if [ "$rel" = 26.05 ]; then
		asan_stage "build-$rel-asan"
	fi
}

# The Debian suite that ships Slurm release $1.
suite_of() {
	case $1 in
	22.05) echo bookworm ;;
	24.11) echo trixie ;;
	26.05) echo sid ;;
	*) return 1 ;;
	esac
}

# Release $1 in a new root of its suite; the root goes afterwards.
in_root() {
	local rel=$1 suite root rc=0
	suite=$(suite_of "$rel") || { echo "test.sh: no Debian suite known for Slurm $rel" >&2; return 1; }
	mkdir -p "${PB_ROOT_BASE:-/var/tmp}" /var/cache/powerbudget
	root=$(mktemp -d "${PB_ROOT_BASE:-/var/tmp}/pb-$rel.XXXXXX")
	if ! bash scripts/debroot.sh make "$suite" "$root"; then
		echo "test.sh: $rel: making the $suite root failed (debroot.sh make)" >&2
		rm -rf --one-file-system "$root"
		return 1
	fi
	PB_ROOT_BIND="$PWD:/var/cache/powerbudget" bash scripts/debroot.sh run "$root" \
		env PB_STAGES="$rel" bash "$PWD/scripts/test.sh" || rc=$?
	bash scripts/debroot.sh destroy "$root" >/dev/null || rc=1
	return "$rc"
}

# One release's stages run as a process of their own, so that set -e
# holds in them (it does not in a function called with ||).
case ${PB_STAGES:-} in
'') ;;
host) host_stages; exit 0 ;;
*) root_stages "$PB_STAGES"; exit 0 ;;
esac

# Releases left out of the default: release|step|reason. Each is
# printed at the start and the end of every run that does not test it.
left_out=(
	"26.05|slurm-source.sh (the Slurm tree)|the archive serves no file of the source package slurm-wlm 26.05.5-1 (.dsc, .orig.tar.gz, .debian.tar.xz: 404 Not Found), although the Sources index of sid lists it, so its headers and config.h cannot be had (docs/slurm-behaviour.md, Releases)"
)
releases=${PB_RELEASES:-22.05 24.11}
[ "$quick" = 1 ] && releases=22.05
say_left_out() {
	local entry rel step reason
	for entry in "${left_out[@]}"; do
		IFS='|' read -r rel step reason <<<"$entry"
		case " $releases " in *" $rel "*) continue ;; esac
		echo "test.sh: NOT TESTED: Slurm $rel: step $step cannot be done here: $reason; PB_RELEASES=$rel tries it" >&2
	done
}
say_left_out
failed=()
summary=()
for rel in $releases; do
	t0=$(date +%s)
	echo "==== Slurm $rel"
	if [ "$rel" = 22.05 ]; then
		PB_STAGES=host bash "$PWD/scripts/test.sh" || failed+=("$rel")
	else
		in_root "$rel" || failed+=("$rel (in its $(suite_of "$rel" || echo unknown) root; the step is named above)")
	fi
	summary+=("$rel: $(awk -v s="$t0" -v e="$(date +%s)" 'BEGIN { printf "%.1f", (e - s) / 60 }') min")
done
echo "==== minutes per release: ${summary[*]}"
say_left_out
if ((${#failed[@]})); then
	printf 'test.sh: FAILED: Slurm %s\n' "${failed[@]}" >&2
	exit 1
fi
