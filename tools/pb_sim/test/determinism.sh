#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-sim's JSON must be byte-identical for the same inputs and seed, and
# the wall-clock figures must appear only with --timing.
# usage: determinism.sh PB_SIM TRACE WORKDIR
set -eu
sim=$1 trace=$2 dir=$3
mkdir -p "$dir"
run() {
	"$sim" --trace "$trace" --nodes 512 --cap-mw 4.1 --cooling-mw 5.3 \
		--seed 7 --quiet "$@"
}
run --json "$dir/a.json"
run --json "$dir/b.json"
cmp "$dir/a.json" "$dir/b.json"
if grep -q '"timing"' "$dir/a.json"; then
	echo "timing data in the default JSON" >&2
	exit 1
fi
run --json "$dir/c.json" --timing
grep -q '"timing"' "$dir/c.json"
# the deterministic part is unchanged by --timing
sed -n '1,/^  \]/p' "$dir/a.json" >"$dir/a.part"
sed -n '1,/^  \]/p' "$dir/c.json" | sed '$s/,$//' >"$dir/c.part"
cmp "$dir/a.part" "$dir/c.part"
# a bad trace is a clear error, exit status 2
if "$sim" --trace /nonexistent.csv --quiet 2>"$dir/err"; then
	exit 1
fi
grep -q '/nonexistent.csv' "$dir/err"
echo ok
