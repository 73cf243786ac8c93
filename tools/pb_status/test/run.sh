#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-status on fixture status files: the table and the JSON of the lab
# fixture match the expected files byte for byte, --domain focuses, and a
# stale, missing or malformed file fails with a message naming it.
# usage: run.sh PB_STATUS DATA_DIR
set -u
# cap changes are shown in local time
export TZ=UTC
bin=$1
data=$2
now=1764080012 # 12 s after the fixture was written
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail=0

# run EXPECTED_RC ARGS...: output in $out, stderr in $err
run() {
	want=$1
	shift
	"$bin" "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: pb-status $* gave exit $rc, want $want"
		cat "$out" "$err"
		fail=1
	fi
}
# the expected files say DATA for the fixture directory
same() {
	if ! sed "s|$data|DATA|g" "$out" | diff -u "$1" -; then
		echo "FAIL: output differs from $1"
		fail=1
	fi
}
has() {
	grep -qF -- "$2" "$1" || { echo "FAIL: missing in $1: $2"; cat "$1"; fail=1; }
}

run 0 --file "$data/lab.status" --now $now
same "$data/lab.table"
run 0 --file "$data/lab.status" --now $now --json
same "$data/lab.json"
if command -v python3 >/dev/null; then
	python3 -m json.tool "$out" >/dev/null || { echo "FAIL: invalid JSON"; fail=1; }
fi
run 0 --file "$data/lab.status" --now $now --prometheus
same "$data/lab.prom"
run 0 --file "$data/lab.status" --now $now --domain rack2 --top 1
same "$data/lab-rack2.table"

# Found through SLURM_CONF: StatusFile= of the power_budget.conf beside it.
dir=$(mktemp -d)
printf 'StateSaveLocation=/nonexistent\n' >"$dir/slurm.conf"
printf 'StatusFile=%s\n' "$data/lab.status" >"$dir/power_budget.conf"
SLURM_CONF=$dir/slurm.conf run 0 --now $now
same "$data/lab.table"
rm -f "$dir/power_budget.conf"
SLURM_CONF=$dir/slurm.conf run 1
has "$err" "pb-status: /nonexistent/power_budget.status: cannot open: No such file or directory"
has "$err" "status file from StateSaveLocation= in $dir/slurm.conf"
rm -rf "$dir"

# Stale: still shown, but exit 1 and a warning with the age.
run 1 --file "$data/lab.status" --now $((now + 600))
has "$err" "pb-status: $data/lab.status is stale: written 10 min ago, more than the 300 s allowed"
has "$out" "(10 min ago) STALE"
run 0 --file "$data/lab.status" --now $((now + 600)) --max-age 0

# A file written by the plugin in a cluster run (tests/cluster), verbatim.
run 0 --file "$data/cluster.status" --max-age 0
has "$out" "Jobs held by power: $(grep -c '^Held=' "$data/cluster.status")"
has "$out" "PowerNotAvail: demo short"

# A curtailment (pb-ctl(8)): its record and the shed jobs.
cur=$(mktemp)
cat "$data/lab.status" >"$cur"
printf '%s\n' 'Curtail=lab TargetW=30000 Issued=1764079000 Deadline=1764079600 Until=never State=shedding CommittedW=31265 AllowedW=20357 By=root' \
	'Shed=101 How=suspend' 'Shed=103 How=requeue' >>"$cur"
run 0 --file "$cur" --now $now
has "$out" "Curtailment: lab to 30 kW by 2025-11-25 14:06 UTC, until pb-ctl restore (asked by root)"
has "$out" "  shedding: 31.3 kW IT committed of 20.4 kW allowed; 2 job(s) shed"
run 0 --file "$cur" --now $now --json
has "$out" '"curtail": {"domain": "lab", "state": "shedding", "target_w": 30000, "deadline": 1764079600, "until": null, "committed_w": 31265, "allowed_w": 20357, "shed_jobs": 2}'
if command -v python3 >/dev/null; then
	python3 -m json.tool "$out" >/dev/null || { echo "FAIL: invalid JSON with a curtailment"; fail=1; }
fi
printf '%s\n' 'Curtail=lab TargetW=1 Deadline=1 Until=2 State=met CommittedW=0 AllowedW=0' >>"$cur"
run 1 --file "$cur" --now $now
has "$err" "second Curtail record"
rm -f "$cur"

run 1 --file "$data/malformed.status"
has "$err" "pb-status: $data/malformed.status:5: CapW=24kW: not a whole number in range"
has "$err" "pb-status: $data/malformed.status:7: unterminated quote in value of Reason"
run 2 --file "$data/lab.status" --domain nosuch
has "$err" "pb-status: no domain 'nosuch' in $data/lab.status"
run 2 --top x
exit $fail
