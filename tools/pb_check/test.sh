#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-check on the lab fixtures: the consistent set passes, and every
# inconsistency seeded in tests/data/check/bad is found at its file:line.
# usage: test.sh PB_CHECK TESTS_DATA_DIR
# $PB_WRAP, if set, runs pb-check under a checker (valgrind).
set -u
bin=$1
data=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0

${PB_WRAP:-} "$bin" -s "$data/slurm/lab.slurm.conf" -p "$data/conf/lab.conf" \
	-t "$data/topo/lab.topology.conf" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL: the consistent lab set gave exit $rc:"
	cat "$out"
	fail=1
fi
grep -qF 'pb-check: 0 errors, 1 notice' "$out" ||
	{ echo "FAIL: summary of the consistent set"; cat "$out"; fail=1; }

bad=$data/check/bad
${PB_WRAP:-} "$bin" -s "$bad/slurm.conf" -p "$bad/power_budget.conf" \
	-t "$bad/topology.conf" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 1 ]; then
	echo "FAIL: the seeded set gave exit $rc, want 1"
	fail=1
fi
expect() {
	grep -qF -- "$1" "$out" || { echo "FAIL: missing: $1"; fail=1; }
}
expect "$bad/slurm.conf:6: Gres=gpu:8 for dgx[01-03] but NodeClass 'dgx2' ($bad/power_budget.conf:4, ../../hwloc/nvidiaDGX2.xml) has 16 GPUs"
expect "$bad/slurm.conf:8: 1 node in no power domain of $bad/power_budget.conf: dgx04"
expect "$bad/slurm.conf:8: 1 node in no leaf switch of $bad/topology.conf: dgx04"
expect "$bad/slurm.conf:10: Sockets=4 for cn[1-3] but NodeClass 'cpu' ($bad/power_budget.conf:5, ../../hwloc/96em64t-4n4d3ca2co-pci.xml) has 16 packages"
expect "$bad/slurm.conf:10: 24 cores (Sockets x CoresPerSocket) for cn[1-3] but NodeClass 'cpu'"
expect "$bad/power_budget.conf:8: 1 node of domain 'rack2' not defined in $bad/slurm.conf: cn4"
expect "$bad/topology.conf:2: switch 'leaf2' lists 2 nodes not defined in $bad/slurm.conf: cn4,gx9"
expect "pb-check: 7 errors"

# power sanity: notices only, so the exit status stays 0
tight=$data/check/tight/power_budget.conf
${PB_WRAP:-} "$bin" -s "$data/slurm/lab.slurm.conf" -p "$tight" \
	-t "$data/topo/lab.topology.conf" >"$out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: the tight set gave exit $rc, want 0"; fail=1; }
expect "$tight:22: notice: 2 nodes (e.g. dgx01, 9.01 kW at full load) draw more than the 7.6 kW domain 'rack1' allows"
expect "$tight:22: notice: the nodes of domain 'rack1' draw 7.84 kW idle, more than its limit of 7.6 kW"
expect "pb-check: 0 errors, 2 notices"
# UserWattHints=enforced: fine with the limit prolog at allocation...
enf=$data/check/enforced
${PB_WRAP:-} "$bin" -s "$enf/slurm.conf" -p "$enf/power_budget.conf" \
	-t "$data/topo/lab.topology.conf" >"$out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: the enforced set gave exit $rc, want 0"; fail=1; }
expect "pb-check: 0 errors"
# ... an error at the lines to fix without it
${PB_WRAP:-} "$bin" -s "$data/slurm/lab.slurm.conf" -p "$enf/power_budget.conf" \
	-t "$data/topo/lab.topology.conf" >"$out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: enforced without a prolog gave exit $rc, want 1"; fail=1; }
expect "$enf/power_budget.conf:3: UserWattHints=enforced, but $data/slurm/lab.slurm.conf has no Prolog="
expect "$data/slurm/lab.slurm.conf: UserWattHints=enforced ($enf/power_budget.conf:3) needs PrologFlags=Alloc"
expect "pb-check: 2 errors"
if [ "$fail" -ne 0 ]; then
	echo "--- pb-check output:"
	cat "$out"
fi
exit $fail
