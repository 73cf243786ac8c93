#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A long fuzzing campaign, outside CI: runs each fuzzer (tests/fuzz) for a
# given time or number of runs, then merges what it found into the seed
# corpus in tests/fuzz/corpus/<target>/ (only inputs that add coverage the
# seeds lack), leak-checks the merged corpus, and appends one line per
# target to tests/fuzz/campaigns.tsv.  CI's short runs start from that
# corpus, so a campaign's findings are replayed by every later CI run.
#
#   scripts/fuzz-campaign.sh [--runs N | --time S] [--build DIR] [TARGET...]
#
# TARGET is a fuzzer's name without fuzz_ (conf, topoconf, slurmconf, hwinv,
# learn, meter, curtailfile, ctl); all of them by default.  --runs N stops
# each after N inputs (default 10000000), --time S after S seconds,
# whichever is given last.  Needs clang and llvm (scripts/install-deps.sh).
# A crash stops the campaign with libFuzzer's report and the input that
# caused it (crash-*, in the current directory); nothing is merged then.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=10000000
secs=
build=build-fuzz
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs needs a number}; secs=; shift 2 ;;
	--time) secs=${2:?--time needs seconds}; runs=; shift 2 ;;
	--build) build=${2:?--build needs a directory}; shift 2 ;;
	-h | --help) sed -n '4,18p' "$0"; exit 0 ;;
	-*) echo "fuzz-campaign.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
for v in "$runs" "$secs"; do
	[[ -z $v || $v =~ ^[1-9][0-9]*$ ]] ||
		{ echo "fuzz-campaign.sh: '$v' is not a positive whole number" >&2; exit 2; }
done
[ ${#targets[@]} -gt 0 ] ||
	targets=(conf topoconf slurmconf hwinv learn meter curtailfile ctl)
for t in "${targets[@]}"; do
	[ -d "tests/fuzz/corpus/$t" ] ||
		{ echo "fuzz-campaign.sh: no fuzzer '$t' (no tests/fuzz/corpus/$t)" >&2; exit 2; }
done

CC=clang cmake -S . -B "$build" -DPB_WERROR=ON -DPB_FUZZ=ON \
	-DPB_BUILD_PLUGIN=OFF -DPB_CLUSTER_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target pb_fuzz >"$build.log" 2>&1 ||
	{ cat "$build.log"; exit 1; }
symbolizer=$(sed -n 's/^PB_LLVM_SYMBOLIZER:FILEPATH=//p' "$build/CMakeCache.txt")

log=tests/fuzz/campaigns.tsv
[ -f "$log" ] ||
	printf 'date\tcommit\ttarget\truns\tseconds\truns_per_s\tadded_to_corpus\n' >"$log"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/fuzz_$t
	seeds=tests/fuzz/corpus/$t
	supp=topology/test/lsan.supp
	[ "$t" = hwinv ] && supp=tests/fuzz/hwloc-lsan.supp
	mkdir -p "$work/$t"
	cp -r "$seeds/." "$work/$t/"
	rm -f "$work/$t/ORIGIN.md"
	if [ -n "$runs" ]; then stop=(-runs="$runs"); else stop=(-max_total_time="$secs"); fi
	echo "== fuzz_$t: ${runs:+$runs runs}${secs:+$secs s}"
	start=$(date +%s)
	# -entropic=0: see tests/fuzz/CMakeLists.txt (4-5x the runs a second)
	ASAN_OPTIONS=detect_leaks=0 "$bin" -detect_leaks=0 -entropic=0 "${stop[@]}" \
		-print_final_stats=1 "$work/$t" >"$work/$t.out" 2>&1 ||
		{ tail -40 "$work/$t.out"; echo "fuzz-campaign.sh: fuzz_$t failed; see above" >&2; exit 1; }
	took=$(($(date +%s) - start))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.out")
	before=$(find "$seeds" -type f | wc -l)
	ASAN_OPTIONS=detect_leaks=0 "$bin" -detect_leaks=0 -merge=1 "$seeds" "$work/$t" \
		>"$work/$t.merge" 2>&1 ||
		{ tail -20 "$work/$t.merge"; echo "fuzz-campaign.sh: merging fuzz_$t's corpus failed" >&2; exit 1; }
	added=$(($(find "$seeds" -type f | wc -l) - before))
	# The same leak check as CI's fuzz.<t>.leaks, over what is now the seed corpus.
	ASAN_OPTIONS=detect_leaks=1 ASAN_SYMBOLIZER_PATH=$symbolizer \
		LSAN_OPTIONS=suppressions=$supp \
		"$bin" -detect_leaks=1 -runs=0 "$seeds" >"$work/$t.leaks" 2>&1 ||
		{ tail -40 "$work/$t.leaks"; echo "fuzz-campaign.sh: fuzz_$t leaks on its corpus" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" "$t" \
		"$done_runs" "$took" "$((done_runs / (took > 0 ? took : 1)))" "$added" >>"$log"
	echo "   $done_runs runs in $took s, $added inputs added to $seeds"
done
echo "== runs per target over every campaign in $log:"
awk -F'\t' 'NR > 1 { n[$3] += $4 } END { for (t in n) printf "   %-12s %d\n", t, n[t] }' "$log" | sort
