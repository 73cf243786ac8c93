#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fit the throughput-vs-power-limit curve of policy/gpulimit.h.

Reads the measured training runs in the shared power data (never edited):
  Zeus (NSDI'23): zeus_summary_power_{v100,a40}.csv, time per epoch and
    average power of single-GPU training at each power limit;
  Perseus (SOSP'24): perseus_gpt3-175b_a100_sxm_bf16.csv, time and energy
    of GPT-3 175B pipeline stages at each locked SM clock.
For every run, r = its average power over the same workload's power at the
highest limit (clock), s = its speed over the speed there.  NCF is left
out: it is not power-bound (its speed is noise around 1 at every limit).
Fits s(r) = 1 - k (1 - r)^2 on 0.5 <= r <= 1 by least squares, each source
weighted equally, and prints k, the error per source and the curve's
points every 0.1, in thousandths, as policy/gpulimit.c ships them.

usage: fit_speed_curve.py [DATA_DIR]   (default ../shared/data/power)
"""
import collections
import csv
import math
import os
import sys


def zeus(path, tag, pts):
    runs = collections.defaultdict(dict)
    with open(path) as f:
        for r in csv.DictReader(f):
            if r["network"] == "ncf":
                continue
            key = (r["dataset"], r["network"], r["batch_size"], r["optimizer"])
            runs[key][int(r["power_limit"])] = (
                float(r["time_per_epoch"]), float(r["average_power"]))
    for d in runs.values():
        t0, p0 = d[max(d)]
        for t, p in d.values():
            pts.append((p / p0, t0 / t, tag))


def perseus(path, pts):
    stages = collections.defaultdict(lambda: collections.defaultdict(
        lambda: [0.0, 0.0]))
    with open(path) as f:
        for r in csv.DictReader(f):
            acc = stages[r["stage"]][int(r["frequency"])]
            acc[0] += float(r["time"])
            acc[1] += float(r["energy"])
    for d in stages.values():
        t0, e0 = d[max(d)]
        for t, e in d.values():
            pts.append(((e / t) / (e0 / t0), t0 / t, "perseus"))


def main():
    top = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        top, "..", "..", "..", "..", "shared", "data", "power")
    pts = []
    zeus(os.path.join(data, "zeus_summary_power_v100.csv"), "zeus-v100", pts)
    zeus(os.path.join(data, "zeus_summary_power_a40.csv"), "zeus-a40", pts)
    perseus(os.path.join(data, "perseus_gpt3-175b_a100_sxm_bf16.csv"), pts)
    pts = [p for p in pts if 0.5 <= p[0] <= 1.0]
    tags = sorted({p[2] for p in pts})
    weight = {t: 1.0 / sum(1 for p in pts if p[2] == t) for t in tags}
    num = sum(weight[t] * (1 - r) ** 2 * (1 - s) for r, s, t in pts)
    den = sum(weight[t] * (1 - r) ** 4 for r, s, t in pts)
    k = num / den

    def model(r):
        return 1 - k * (1 - r) ** 2

    print(f"s(r) = 1 - {k:.3f} (1 - r)^2, 0.5 <= r <= 1, {len(pts)} points")
    for t in tags + ["all"]:
        err = [s - model(r) for r, s, tt in pts if t in ("all", tt)]
        rmse = math.sqrt(sum(e * e for e in err) / len(err))
        print(f"  {t:10s} n={len(err):4d} rmse={rmse:.3f} "
              f"max|err|={max(abs(e) for e in err):.3f} "
              f"measured-fit={sum(err) / len(err):+.3f}")
    rs = [500, 600, 700, 800, 900, 1000]
    print("  points (r, s) in thousandths:",
          ", ".join(f"({r}, {round(1000 * model(r / 1000))})" for r in rs))


if __name__ == "__main__":
    main()
