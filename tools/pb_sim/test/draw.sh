#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-sim with jobs' true draw from a measured CDF: the JSON is
# byte-identical for the same seed and changes with it; the whole-CDF
# rule draws less than the busy-only one; no power policy goes over a cap
# on the true draw; a bad CDF is an error with exit status 2.
# usage: draw.sh PB_SIM TRACE CDF WORKDIR
set -eu
sim=$1 trace=$2 cdf=$3 dir=$4
mkdir -p "$dir"
run() {
	"$sim" --trace "$trace" --nodes 512 --cap-mw 4.1 --cooling-mw 5.3 \
		--draw-cdf "$cdf" --quiet "$@"
}
pols=static,power,power-limits,power-efficient,power-learned,power-both
run --seed 3 --policy $pols --json "$dir/a.json"
run --seed 3 --policy $pols --json "$dir/b.json"
cmp "$dir/a.json" "$dir/b.json"
run --seed 4 --policy $pols --json "$dir/c.json"
if cmp -s "$dir/a.json" "$dir/c.json"; then
	echo "the seed changes nothing" >&2
	exit 1
fi
run --seed 3 --policy static --draw-rule all --json "$dir/all.json"
busy=$(sed -n 's/.*"mean_gpu_w": \([0-9.]*\).*/\1/p' "$dir/a.json")
all=$(sed -n 's/.*"mean_gpu_w": \([0-9.]*\).*/\1/p' "$dir/all.json")
awk -v b="$busy" -v a="$all" 'BEGIN { exit !(a < b) }'
# every power policy: no true violation, facility or domain
if grep '"true_violations"' "$dir/a.json" |
	grep -v '"facility": 0, "facility_worst_over_w": 0, "domains": 0,'; then
	echo "a power policy went over a cap on the true draw" >&2
	exit 1
fi
test "$(grep -c '"true_violations"' "$dir/a.json")" -eq 6
printf 'percentile,watts\n0,10\n50,5\n' >"$dir/bad.csv"
if run --draw-cdf "$dir/bad.csv" 2>"$dir/err"; then
	exit 1
else
	test $? -eq 2
fi
grep -q 'bad.csv:3:' "$dir/err"
