#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-sim on a site's own files: the shipped reference sites as
# power_budget.conf + topology.conf give byte-identical results to the
# built-in generator; a bad file is an error at its file and line (exit
# 2); a setting pb-sim cannot replay is said once; --policy site runs the
# policy the file configures.
# usage: sites.sh PB_SIM TRACE SITES_DIR WORKDIR
set -eu
sim=$1 trace=$2 sites=$3 dir=$4
mkdir -p "$dir"
ref100="--site $sites/reference-100MW/power_budget.conf
	--topology $sites/reference-100MW/topology.conf"
ref500="--site $sites/reference-500MW/power_budget.conf
	--topology $sites/reference-500MW/topology.conf"

# the example files are the built-in sites (every policy at 100 MW)
"$sim" --trace "$trace" --quiet --json "$dir/builtin100.json"
"$sim" --trace "$trace" --quiet --json "$dir/file100.json" $ref100 \
	2>"$dir/file100.err"
cmp "$dir/builtin100.json" "$dir/file100.json"
test ! -s "$dir/file100.err"
"$sim" --trace "$trace" --quiet --site reference-500 \
	--policy static,power,power-learned --json "$dir/builtin500.json"
"$sim" --trace "$trace" --quiet $ref500 \
	--policy static,power,power-learned --json "$dir/file500.json"
cmp "$dir/builtin500.json" "$dir/file500.json"

# --policy site: the file says GpuLimits=no LearnedDraw=no
"$sim" --trace "$trace" --quiet $ref100 --policy site --json "$dir/site.json"
grep -q '"policy": "power"' "$dir/site.json"
test "$(grep -c '"policy": ' "$dir/site.json")" -eq 1
# ... which a built-in site does not have
rc=0
"$sim" --trace "$trace" --quiet --policy site 2>"$dir/pol.err" || rc=$?
test "$rc" -eq 2
grep -q "needs a power_budget.conf" "$dir/pol.err"

# a bad file: topology/'s message at file:line, exit status 2
cat >"$dir/bad.conf" <<'CONF'
Facility=lab Cap=60kW
NodeClass=gpu Gpus=8 GpuModel="H100 SXM" Cores=112 BaseW=3kW Nodes=g[1-8]
Domain=rack1 Cap=40kW Nodes=g[1-8] Breaker=63A
CONF
rc=0
"$sim" --trace "$trace" --quiet --site "$dir/bad.conf" 2>"$dir/bad.err" ||
	rc=$?
test "$rc" -eq 2
grep -q "^pb-sim: $dir/bad.conf:3: .*Breaker" "$dir/bad.err"

# a setting pb-sim cannot replay: one clear message, and the run goes on
cat >"$dir/meter.conf" <<'CONF'
Facility=lab Cap=600kW
MeterFile=/run/powerbudget/meter
NodeClass=gpu Gpus=8 GpuModel="H100 SXM" Cores=112 BaseW=3kW GpuLimitEnforced=yes Nodes=g[1-64]
Domain=rack1 Cap=200kW Nodes=g[1-32]
Domain=rack2 Cap=200kW Nodes=g[33-64]
CONF
cat >"$dir/meter.topo" <<'CONF'
SwitchName=l1 Nodes=g[1-32]
SwitchName=l2 Nodes=g[33-64]
SwitchName=top Switches=l[1-2]
CONF
"$sim" --trace "$trace" --quiet --site "$dir/meter.conf" \
	--topology "$dir/meter.topo" --policy power --json "$dir/meter.json" \
	2>"$dir/meter.err"
test "$(wc -l <"$dir/meter.err")" -eq 1
grep -q "^pb-sim: $dir/meter.conf:2: not modelled: MeterFile=" \
	"$dir/meter.err"
grep -q '"rack_nodes": 32, "rack_cap_w": 200000' "$dir/meter.json"
grep -q '"leaf_nodes": 32, "group_leaves": 2' "$dir/meter.json"

# a site outside pb-sim's model is refused, not approximated
sed 's/g\[1-32\]$/g[1-30]/; s/g\[33-64\]$/g[31-64]/' "$dir/meter.conf" \
	>"$dir/uneven.conf"
rc=0
"$sim" --trace "$trace" --quiet --site "$dir/uneven.conf" \
	2>"$dir/uneven.err" || rc=$?
test "$rc" -eq 2
grep -q "uneven.conf:5: not modelled: Domain=rack2" "$dir/uneven.err"

# --topology belongs to a power_budget.conf
rc=0
"$sim" --trace "$trace" --quiet --topology "$dir/meter.topo" \
	2>"$dir/topo.err" || rc=$?
test "$rc" -eq 2
grep -q -- "--topology" "$dir/topo.err"
echo ok
