#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 300
"""Load: many nodes (one slurmd each) under a binding power budget with
racks, and a queue filled in bursts: no status sample over any cap, every
job completes, slurmctld stays responsive (sdiag answers within a bound
throughout), and sdiag's main and backfill cycle figures are printed.

Size from the environment (CI default is small):
  PB_LOAD_NODES   nodes (default 32)           e.g. 1000
  PB_LOAD_JOBS    jobs (default 150)           e.g. 3000
  PB_LOAD_BURST   jobs per burst (default 100)
  PB_LOAD_TIMEOUT seconds for all jobs to end (default 200)
The 1,000-node run is by hand (see tools/bench_cluster/README.md):
  PB_LOAD_NODES=1000 PB_LOAD_JOBS=3000 PB_LOAD_TIMEOUT=1800 \\
    PB_PLUGIN_DIR=build/plugin PB_LEDGER_VERIFY=1 tests/cluster/test_load_bursts.py
"""

import json
import os
import threading
import time

from clustertest import ClusterTestCase, PLUGIN_TYPE, main, plugin_dir
from faulttest import (CapWatch, Cluster, job_states, log_text, rack_conf,
                       read_status, sdiag, status_path, submit_bursts, workload)

NODES = int(os.environ.get("PB_LOAD_NODES", "32"))
JOBS = int(os.environ.get("PB_LOAD_JOBS", "150"))
BURST = int(os.environ.get("PB_LOAD_BURST", "100"))
TIMEOUT = int(os.environ.get("PB_LOAD_TIMEOUT", "200"))
SDIAG_MAX_S = 10.0  # an answer slower than this is "unresponsive"


class Watch(threading.Thread):
    """Samples the status file (caps) and times sdiag, until stopped."""

    def __init__(self, c):
        super().__init__(daemon=True)
        self.c = c
        self.halt = threading.Event()
        self.caps = CapWatch(c, limits=True, record=True)
        self.sdiag_s = []

    @property
    def over(self):
        return [bad for _, bad in self.caps.violations]

    @property
    def samples(self):
        return self.caps.samples

    @property
    def peak(self):
        return self.caps.peak

    def run(self):
        last_sdiag = 0
        while not self.halt.is_set():
            self.caps()
            if time.monotonic() - last_sdiag >= 5:
                last_sdiag = time.monotonic()
                t = time.monotonic()
                try:
                    sdiag(self.c)
                    self.sdiag_s.append(time.monotonic() - t)
                except Exception:
                    self.sdiag_s.append(float("inf"))
            self.halt.wait(0.5)


class LoadTest(ClusterTestCase):

    def test_bursts(self):
        allowed = max(8, NODES * 2 // 5)  # 40 % of the nodes at full draw
        t0 = time.monotonic()
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE,
                     plugin_dir=plugin_dir(self), memory_mb=64000,
                     start_timeout=max(60, NODES // 4),
                     extra_conf={"MinJobAge": "3600", "MaxJobCount": "50000",
                                 "SlurmdTimeout": "300"},
                     files={"power_budget.conf": rack_conf(NODES, allowed)}) as c:
            t_up = time.monotonic() - t0
            w = Watch(c)
            w.start()
            try:
                t1 = time.monotonic()
                ids = submit_bursts(c, workload(JOBS, NODES), BURST, 3)
                t_submit = time.monotonic() - t1
                c.wait_jobs(ids, timeout=TIMEOUT)
                t_run = time.monotonic() - t1
                diag = sdiag(c)
            finally:
                w.halt.set()
                w.join(30)
            states = job_states(c, ids)
            bad = {j: s for j, s in states.items() if s != "COMPLETED"}
            self.assertEqual(bad, {})
            self.assertEqual(w.over, [], "status file over a cap")
            self.assertGreater(w.samples, 5)
            self.assertTrue(w.sdiag_s, "sdiag never sampled")
            self.assertLess(max(w.sdiag_s), SDIAG_MAX_S, w.sdiag_s)
            self.assertNotRegex(log_text(c), r"ledger invariant broken")
            fac = read_status(status_path(c))["domains"]["site"]
            report = {
                "nodes": NODES, "jobs": JOBS, "burst": BURST,
                "facility_limit_w": int(fac["LimitW"]),
                "peak_committed_w": w.peak.get("site"),
                "status_samples": w.samples,
                "startup_s": round(t_up, 1), "submit_s": round(t_submit, 1),
                "all_done_s": round(t_run, 1),
                "sdiag_max_latency_s": round(max(w.sdiag_s), 2),
                "main_cycles": diag.get("main.Total cycles"),
                "main_mean_us": diag.get("main.Mean cycle"),
                "main_max_us": diag.get("main.Max cycle"),
                "bf_cycles": diag.get("bf.Total cycles"),
                "bf_mean_us": diag.get("bf.Mean cycle"),
                "bf_max_us": diag.get("bf.Max cycle"),
                "bf_depth_mean": diag.get("bf.Depth Mean"),
                "bf_backfilled": diag.get("bf.Total backfilled jobs (since last slurm start)"),
            }
            print("LOAD " + json.dumps(report))


if __name__ == "__main__":
    main()
