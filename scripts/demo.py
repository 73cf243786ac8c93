#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A live demonstration of select/cons_tres_power on a real Slurm cluster.

Starts munge, slurmctld and eight slurmd (8 GPUs each) on 127.0.0.1 with
the freshly built plugin and a power budget that can feed only about half
of the nodes at full draw, submits a mix of training jobs derived from the
Alibaba OpenB GPU-cluster trace, shows the ledger and the jobs held by power
while they run, then prints a summary and plots the modelled facility power
against its limit. Everything it starts is torn down at the end.

Job mapping ("openb-demo", from tests/data/traces/openb_pod_list_head400.csv):
the first pods with a GPU and a known run time, in creation order; a pod
sharing one GPU becomes a 1-node job, a pod with g whole GPUs a
min(4, 2g)-node job with all 8 GPUs of each node; run times are mapped
logarithmically from the shortest..longest of those pods onto 6-30 s; one job is submitted every 0.7 s.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "cluster"))
from pbcluster import Cluster  # noqa: E402
from pbstatus import read_status  # noqa: E402

TRACE = os.path.join(ROOT, "tests", "data", "traces",
                     "openb_pod_list_head400.csv")

# H100 SXM nodes as the power model sees them (policy/power.c tables):
# idle 2000 base + 8 x 75 GPU + 2 x 100 CPU = 2.8 kW, full 8.3 kW.
POWER_BUDGET = """\
# Demo site: 8 H100 nodes in two racks under a 45 kW facility feed.
Facility=demo Cap=45kW PUE=1.0 Reserve=0%
NodeClass=h100 Gpus=8 GpuModel="H100 SXM" Packages=2 Cores=32 BaseW=2000 \
StandbyW=50 CpuIdleW=100 CpuMaxW=350 Nodes=n[1-8]
Domain=hall Parent=demo Cap=60kW
Domain=rackA Parent=hall Cap=28kW Nodes=n[1-4]
Domain=rackB Parent=hall Cap=28kW Nodes=n[5-8]
DebugTrace=yes
"""
TOPOLOGY = "SwitchName=leaf1 Nodes=n[1-4]\nSwitchName=leaf2 Nodes=n[5-8]\n" \
           "SwitchName=spine Switches=leaf[1-2]\n"


def load_jobs(count):
    jobs = []
    with open(TRACE, newline="") as f:
        rows = list(csv.DictReader(f))
    durations = []
    for r in rows:
        if int(r["num_gpu"]) < 1 or not r["deletion_time"] or \
           not r["scheduled_time"]:
            continue
        d = max(1, int(r["deletion_time"]) - int(r["scheduled_time"]))
        g = int(r["num_gpu"])
        nodes = 1 if int(r["gpu_milli"]) < 1000 else min(4, 2 * g)
        jobs.append((r["name"], nodes, d))
        durations.append(d)
        if len(jobs) == count:
            break
    lo, hi = math.log(min(durations)), math.log(max(durations))
    span = (hi - lo) or 1.0
    return [(name, nodes, 6 + round(24 * (math.log(d) - lo) / span))
            for name, nodes, d in jobs]


def show(c, status, t0):
    print(f"\n--- t = {time.time() - t0:5.1f} s " + "-" * 50)
    if status:
        print(f"{'domain':8} {'limit':>9} {'committed':>10} {'headroom':>9}")
        for name, d in status["domains"].items():
            print(f"{name:8} {int(d['LimitW']) / 1e3:8.1f}k "
                  f"{int(d['CommittedW']) / 1e3:9.1f}k "
                  f"{int(d['HeadroomW']) / 1e3:8.1f}k")
    q = c.run(["squeue", "-h", "-t", "R,PD", "-o", "%i %j %D %T %R"],
              check=False).stdout.splitlines()
    running = [ln for ln in q if " RUNNING " in ln]
    pending = [ln for ln in q if " PENDING " in ln]
    for line in running + pending[:4]:
        print("  " + line)
    if len(pending) > 4:
        print(f"  ... and {len(pending) - 4} more pending")


def plot(samples, limit_w, out_png, out_tsv):
    with open(out_tsv, "w") as f:
        f.write("# seconds\tfacility_committed_w\tlimit_w\trunning\theld\n")
        for s in samples:
            f.write("\t".join(str(x) for x in s) + "\n")
    script = f"""
set terminal pngcairo size 1000,500
set output '{out_png}'
set title 'powerbudget demo: modelled facility power vs limit (real slurmctld, 8 H100 nodes)'
set xlabel 'time (s)'
set ylabel 'facility IT power (kW)'
set yrange [0:{limit_w / 1e3 * 1.3:.1f}]
set grid
set key bottom right
plot '{out_tsv}' using 1:($2/1000) with steps lw 2 title 'committed', \\
     '{out_tsv}' using 1:($3/1000) with lines dt 2 lw 2 title 'limit'
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--out", default="powerbudget-demo")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    jobs = load_jobs(args.jobs)
    print("Jobs (mapping openb-demo, see scripts/demo.py):")
    for name, nodes, secs in jobs:
        print(f"  {name}: {nodes} node(s) x 8 GPUs, {secs} s")

    with Cluster(nodes=8, select_type="select/cons_tres_power",
                 plugin_dir=args.plugin_dir, topology=TOPOLOGY,
                 extra_conf={"MinJobAge": "3600"},
                 files={"power_budget.conf": POWER_BUDGET}) as c:
        status_file = c.path("state", "power_budget.status")
        t0 = time.time()
        ids, samples, peak, held_ever = [], [], 0, set()
        pending = list(jobs)
        last_show = 0
        limit_w = None
        while True:
            now = time.time() - t0
            if pending and now >= 0.7 * len(ids):
                name, nodes, secs = pending.pop(0)
                ids.append(c.sbatch([f"-N{nodes}", "--gpus-per-node=8",
                                     "--exclusive", f"-J{name[-4:]}",
                                     "-t", "2"], f"sleep {secs}"))
            st = read_status(status_file)
            if st and "demo" in st["domains"]:
                fac = st["domains"]["demo"]
                limit_w = int(fac["LimitW"])
                committed = int(fac["CommittedW"])
                peak = max(peak, committed)
                held_ever.update(st["held"])
                samples.append((round(now, 1), committed, limit_w,
                                len(st["jobs"]), len(st["held"])))
            if now - last_show >= 10:
                show(c, st, t0)
                last_show = now
            if not pending:
                q = c.run(["squeue", "-h", "-o", "%i"], check=False).stdout
                if not q.strip():
                    break
            if now > 600:
                print("demo: jobs did not finish within 10 minutes")
                return 1
            time.sleep(0.25)
        states = [(c.job(j) or {}).get("JobState") for j in ids]
        log = c.path("log", "slurmctld.log")
        with open(log) as f:
            reasons = [ln.strip() for ln in f if " held: " in ln]

    png = os.path.join(args.out, "demo-power.png")
    tsv = os.path.join(args.out, "demo-samples.tsv")
    plot(samples, limit_w, png, tsv)
    done = sum(1 for s in states if s == "COMPLETED")
    over = sum(1 for s in samples if s[1] > s[2])
    print("\n=== summary " + "=" * 56)
    print(f"jobs completed:              {done} of {len(ids)}")
    print(f"facility limit:              {limit_w / 1e3:.1f} kW (IT)")
    print(f"peak committed:              {peak / 1e3:.1f} kW")
    print(f"samples over the limit:      {over} of {len(samples)}")
    print(f"jobs held by power:          {len(held_ever)}")
    if reasons:
        print(f"a held reason, from the log: {reasons[0].split('power: ', 1)[-1]}")
    print(f"plot:                        {png}")
    return 0 if done == len(ids) and over == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
