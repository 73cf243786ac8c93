#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs every test powerbudget has, from a clean clone, as root on Debian 12:
# installs the packages, fetches and configures the matching Slurm tree
# (cached), builds with -Werror and runs, with ctest:
#   1. the unit tests, plain and under valgrind, and the cluster tests that
#      start real munge/slurmctld/slurmd on loopback;
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
# PB_QUICK=1 is the short pass: the build, every test but the cluster tests,
# one cluster test, and each fuzz target for PB_FUZZ_SECONDS (default 5);
# no ASan stages, no fresh root.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
quick=${PB_QUICK:-0}
if [ "$quick" = 1 ]; then
	fuzz_seconds=${PB_FUZZ_SECONDS:-5}
else
	fuzz_seconds=${PB_FUZZ_SECONDS:-60}
fi

bash scripts/install-deps.sh
slurm_tree=$(bash scripts/slurm-source.sh)

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

echo "== build (-Werror) and all tests"
build build-test -DPB_VALGRIND=ON
require_tests build-test package.lintian package.rpmspec
if [ "$quick" = 1 ]; then
	echo "-- short pass: all but the cluster tests, and cluster.power_cap"
	ctest --test-dir build-test --output-on-failure -j"$jobs" -LE cluster
	ctest --test-dir build-test --output-on-failure -R '^cluster\.power_cap$'
else
	ctest --test-dir build-test --output-on-failure -j"$jobs"
fi

fuzz() {
	echo "== fuzzing, $fuzz_seconds s per target, then a leak check over each corpus"
	CC=clang cmake -S . -B build-fuzz -DPB_WERROR=ON -DPB_FUZZ=ON \
		-DPB_BUILD_PLUGIN=OFF -DPB_CLUSTER_TESTS=OFF \
		-DPB_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
	cmake --build build-fuzz -j"$jobs" --target pb_fuzz >build-fuzz.log 2>&1 ||
		{ cat build-fuzz.log; exit 1; }
	ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
}

if [ "$quick" = 1 ]; then
	fuzz
	exit 0
fi

echo "== unit tests under ASan+UBSan"
build build-asan -DPB_SANITIZE=ON -DPB_CLUSTER_TESTS=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit

echo "== cluster tests with the plugin built with ASan+UBSan, preloaded into slurmctld"
# The runtime is preloaded into every process (slurmctld, slurmd and the
# clients all load select plugins); any report fails the stage.
asan_logs=$(mktemp -d)
for t in passthrough power_cap power_domains power_restart power_preempt power_hints \
	power_limits power_measured power_learned power_saving fault_reconfig; do
	[ -f "tests/cluster/test_$t.py" ] || continue
	echo "-- asan: $t"
	LD_PRELOAD=$(gcc -print-file-name=libasan.so) \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$asan_logs/report \
	UBSAN_OPTIONS=print_stacktrace=1:log_path=$asan_logs/report \
	PB_LEDGER_VERIFY=1 PB_PLUGIN_DIR="$PWD/build-asan/plugin" \
		/usr/bin/python3 "tests/cluster/test_$t.py"
done
if ls "$asan_logs"/report* >/dev/null 2>&1; then
	cat "$asan_logs"/report*
	echo "sanitizer reports above" >&2
	exit 1
fi
rm -rf "$asan_logs"

fuzz

if [ "${PB_FRESH_ROOT:-1}" != 0 ]; then
	echo "== README's quick start on a new Debian 12 root (PB_FRESH_ROOT=0 leaves it out)"
	bash scripts/debroot.sh quickstart bookworm .
fi
