#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pb-sim replays a site's own sacct export (-P: '|'-separated, sacct's
# time formats) on a site described by a site file, end to end.
# usage: generic.sh PB_SIM WORKDIR
set -eu
sim=$1 dir=$2
mkdir -p "$dir"
cat >"$dir/jobs.txt" <<'JOBS'
Submit|Elapsed|NNodes
2026-01-05T08:00:00|02:00:00|16
2026-01-05T08:30:00|1-00:00:00|48
2026-01-05T09:00:00|45:00|8
JOBS
cat >"$dir/site.conf" <<'SITE'
# a 64-node trial site
Name=trial Nodes=64 FacilityCapMW=0.6 CoolingMW=0.8
SITE
"$sim" --trace "$dir/jobs.txt" --site "$dir/site.conf" --quiet \
	--json "$dir/out.json" --plot "$dir/out.png"
grep -q '"name": "generic-v1"' "$dir/out.json"
grep -q '"jobs": 3,' "$dir/out.json"
grep -q '"name": "trial", "nodes": 64' "$dir/out.json"
test -s "$dir/out.png"
# the power policies never go over the cap
test "$(grep -c '"facility": {"violations": 0' "$dir/out.json")" -ge 3
echo ok
