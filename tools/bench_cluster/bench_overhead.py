#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The wrapper's scheduling cost over plain select/cons_tres, side by side.

One invocation runs the same deterministic workload (tests/cluster/
faulttest.py: workload(), submitted in the same bursts at the same pace) on
three fresh real clusters of the same size, one after the other:

  cons_tres        SelectType=select/cons_tres
  power-ample      select/cons_tres_power, caps in MW: power never binds
  power-binding    select/cons_tres_power, facility admits 40 % of the nodes
                   at full draw, racks 5/8 of theirs

and reports slurmctld's own sdiag figures for each (main scheduler and
backfill cycle mean/max in microseconds, cycles, backfill depth), the
backfill cost per job tested (mean cycle / mean depth) and the ratios to
cons_tres; and, for the two power configs, the plugin's own job_test
counters (status file JobTest= records): time per call, the part spent in
cons_tres, and their ratio -- the overhead measured inside one run -- and
where the wall clock runs ahead of the CPU time, with the scheduling
thread's voluntary and involuntary context switches in each part. Not a
ctest: it takes minutes and wants an otherwise idle host.

  tools/bench_cluster/bench_overhead.py --plugin-dir build/plugin \\
      --nodes 300 --jobs 1500 [--json out.json]

PB_LEDGER_VERIFY is removed from the environment of the benchmark clusters
(it recounts the ledger after every change, a debug aid, not the product).
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "cluster"))
from faulttest import (Cluster, rack_conf, read_status, sdiag,  # noqa: E402
                       status_path, submit_bursts, workload)

KEYS = [("main.Total cycles", "main cycles"), ("main.Mean cycle", "main mean us"),
        ("main.Max cycle", "main max us"), ("bf.Total cycles", "bf cycles"),
        ("bf.Mean cycle", "bf mean us"), ("bf.Max cycle", "bf max us"),
        ("bf.Depth Mean", "bf depth mean"),
        ("bf.Total backfilled jobs (since last slurm start)", "backfilled")]


def one(name, select, conf, a, jobs):
    files = {"power_budget.conf": conf} if conf else {}
    t0 = time.monotonic()
    with Cluster(nodes=a.nodes, select_type=select,
                 plugin_dir=a.plugin_dir, memory_mb=64000,
                 start_timeout=max(60, a.nodes // 4),
                 extra_conf={"MinJobAge": "3600", "MaxJobCount": "50000",
                             "SlurmdTimeout": "300"}, files=files) as c:
        up = time.monotonic() - t0
        c.run(["sdiag", "--reset"])
        t1 = time.monotonic()
        ids = submit_bursts(c, jobs, a.burst, a.pause)
        c.wait_jobs(ids, timeout=a.timeout)
        done = time.monotonic() - t1
        d = sdiag(c)
        if conf:
            time.sleep(1.5)  # the status file follows the ledger within 1 s
        st = read_status(status_path(c)) if conf else None
    r = {"config": name, "startup_s": round(up, 1), "makespan_s": round(done, 1)}
    for k, label in KEYS:
        r[label] = d.get(k)
    if r.get("bf depth mean"):
        r["bf us per job tested"] = round(r["bf mean us"] / r["bf depth mean"], 1)
    if st:
        r["facility limit W"] = int(st["domains"]["site"]["LimitW"])
        r["job_test"] = st["jobtest"]
    print(json.dumps(r), flush=True)
    return r


def print_switches(rows):
    """Where job_test's wall clock runs ahead of its CPU time: off the CPU
    per call, and the thread's context switches per call (voluntary: it
    blocked; involuntary: a core was taken from it), the policy's part
    (total minus cons_tres) and cons_tres's apart."""
    print("\njob_test off the CPU (wall minus CPU time) and context switches "
          "per call\n")
    cols = ["config", "mode", "policy off-CPU us", "policy vcsw",
            "policy ivcsw", "cons_tres off-CPU us", "cons_tres vcsw",
            "cons_tres ivcsw"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        for mode, t in sorted((r.get("job_test") or {}).items()):
            n = t.get("Calls")
            if not n or "TotalVcsw" not in t:
                continue
            off = t["TotalUs"] - t["TotalCpuUs"]
            ct_off = t["ConsTresUs"] - t["ConsTresCpuUs"]
            print(f"| {r['config']} | {mode} | {(off - ct_off) / n:.1f} | "
                  f"{(t['TotalVcsw'] - t['ConsTresVcsw']) / n:.3f} | "
                  f"{(t['TotalIvcsw'] - t['ConsTresIvcsw']) / n:.3f} | "
                  f"{ct_off / n:.1f} | {t['ConsTresVcsw'] / n:.3f} | "
                  f"{t['ConsTresIvcsw'] / n:.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--nodes", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=1500)
    ap.add_argument("--burst", type=int, default=250)
    ap.add_argument("--pause", type=float, default=5)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--json")
    a = ap.parse_args()
    os.environ.pop("PB_LEDGER_VERIFY", None)
    jobs = workload(a.jobs, a.nodes)
    allowed = max(8, a.nodes * 2 // 5)
    rows = [one("cons_tres", "select/cons_tres", None, a, jobs),
            one("power-ample", "select/cons_tres_power",
                rack_conf(a.nodes, None), a, jobs),
            one("power-binding", "select/cons_tres_power",
                rack_conf(a.nodes, allowed), a, jobs)]
    base = rows[0]
    print(f"\n{a.nodes} nodes, {a.jobs} jobs in bursts of {a.burst}\n")
    cols = ["config", "makespan_s", "main cycles", "main mean us", "main max us",
            "bf cycles", "bf mean us", "bf max us", "bf depth mean",
            "bf us per job tested"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r.get(k)) for k in cols) + " |")
    print()
    for r in rows[1:]:
        for k in ("main mean us", "main max us", "bf mean us",
                  "bf us per job tested"):
            if base.get(k) and r.get(k) is not None:
                print(f"{r['config']} / cons_tres, {k}: {r[k] / base[k]:.2f}")
    # Inside the same slurmctld: each job_test, and the cons_tres call(s)
    # within it; the rest is the power policy. No other noise in these.
    print("\njob_test inside slurmctld (plugin's own counters)\n")
    cols = ["config", "mode", "calls", "us per call", "cons_tres us per call",
            "policy us per call", "total / cons_tres",
            "policy / cons_tres, CPU time", "answered by power alone",
            "policy per call / one cons_tres call, CPU time"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows[1:]:
        for mode, t in sorted((r.get("job_test") or {}).items()):
            if not t.get("Calls"):
                continue
            n = t["Calls"]
            ratio = (f"{t['TotalUs'] / t['ConsTresUs']:.3f}"
                     if t["ConsTresUs"] else "-")
            # the thread's CPU time: the host's other load is not in it
            cpu = (f"{(t['TotalCpuUs'] - t['ConsTresCpuUs']) / t['ConsTresCpuUs']:.3f}"
                   if t.get("ConsTresCpuUs") else "-")
            # a job held by power before any node is tried costs no
            # cons_tres call at all: per call of cons_tres, what one costs
            ct = t.get("ConsTresCalls")
            vs_one = (f"{(t['TotalCpuUs'] - t['ConsTresCpuUs']) / n / (t['ConsTresCpuUs'] / ct):.3f}"
                   if ct and t.get("ConsTresCpuUs") else "-")
            alone = (f"{t['PowerOnly'] / n:.2f}" if "PowerOnly" in t else "-")
            print(f"| {r['config']} | {mode} | {n} | {t['TotalUs'] / n:.1f} | "
                  f"{t['ConsTresUs'] / n:.1f} | "
                  f"{(t['TotalUs'] - t['ConsTresUs']) / n:.1f} | {ratio} | "
                  f"{cpu} | {alone} | {vs_one} |")
    print_switches(rows[1:])
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"nodes": a.nodes, "jobs": a.jobs, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
