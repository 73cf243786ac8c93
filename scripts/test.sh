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
#   3. every libFuzzer target for PB_FUZZ_SECONDS (default 60) each.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/install-deps.sh
slurm_tree=$(bash scripts/slurm-source.sh)

build() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DPB_WERROR=ON -DSLURM_SRC_DIR="$slurm_tree" "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" -- --no-print-directory >"$dir.log" 2>&1 ||
		{ cat "$dir.log"; exit 1; }
}

echo "== build (-Werror) and all tests"
build build-test -DPB_VALGRIND=ON
ctest --test-dir build-test --output-on-failure -j"$jobs"

echo "== unit tests under ASan+UBSan"
build build-asan -DPB_SANITIZE=ON -DPB_CLUSTER_TESTS=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit

echo "== cluster tests with the plugin built with ASan+UBSan, preloaded into slurmctld"
# The runtime is preloaded into every process (slurmctld, slurmd and the
# clients all load select plugins); any report fails the stage.
asan_logs=$(mktemp -d)
for t in passthrough power_cap power_domains power_restart power_preempt power_hints \
	power_saving fault_reconfig; do
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

echo "== fuzzing, ${PB_FUZZ_SECONDS:-60} s per target"
CC=clang cmake -S . -B build-fuzz -DPB_WERROR=ON -DPB_FUZZ=ON \
	-DPB_BUILD_PLUGIN=OFF -DPB_CLUSTER_TESTS=OFF \
	-DPB_FUZZ_SECONDS="${PB_FUZZ_SECONDS:-60}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_conf fuzz_topoconf \
	fuzz_slurmconf fuzz_hwinv >build-fuzz.log 2>&1 || { cat build-fuzz.log; exit 1; }
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -L fuzz
