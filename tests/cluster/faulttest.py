# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers of the fault and load cluster tests (test_fault_*.py, test_load_*.py).

The power model used here is scripts/demo.py's H100 class: a node idles at
2800 W (2000 base + 8 x 75 GPU + 2 x 100 CPU) and a 1-node job with
`--exclusive --gpus-per-node=8` adds 5500 W. A facility cap of
idle(all nodes) + k x 5500 W + a little therefore admits exactly k such jobs
at a time, which lets a test check the cap twice: in the plugin's own status
file (CommittedW <= LimitW) and independently, by counting the jobs that
Slurm reports RUNNING.
"""

import os
import re
import threading
import time

from clustertest import Cluster, ClusterError  # noqa: F401
from pbcluster import gate, hold_for, poll_until  # noqa: F401
from pbstatus import CapWatch, over_caps, read_status, status_path  # noqa: F401

IDLE_W = 2800
JOB_W = 5500  # one node, --exclusive --gpus-per-node=8
JOB_ARGS = ["-N1", "--exclusive", "--gpus-per-node=8"]


def h100_conf(n, jobs_allowed, prefix="n", trace=True, extra=""):
    """power_budget.conf for n H100 nodes whose facility cap admits
    `jobs_allowed` exclusive 1-node jobs at once (half a job of slack)."""
    nodes = f"{prefix}[1-{n}]" if n > 1 else f"{prefix}1"
    cap = n * IDLE_W + jobs_allowed * JOB_W + JOB_W // 2
    return (
        f"# {n} H100 nodes, room for {jobs_allowed} exclusive 1-node jobs\n"
        f"Facility=site Cap={cap}W PUE=1.0 Reserve=0%\n"
        f'NodeClass=h100 Gpus=8 GpuModel="H100 SXM" Packages=2 Cores=32 '
        f"BaseW=2000 StandbyW=50 CpuIdleW=100 CpuMaxW=350 Nodes={nodes}\n"
        f"Domain=hall Parent=site Cap={2 * cap}W Nodes={nodes}\n"
        f"DebugTrace={'yes' if trace else 'no'}\n" + extra)


def job_states(c, ids=None):
    """{jobid: state} of the jobs slurmctld knows (all, or `ids`)."""
    r = c.run(["squeue", "-h", "-t", "all", "-o", "%i %T"], check=False,
              timeout=30)
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            out[int(parts[0])] = parts[1]
    if ids is not None:
        out = {j: out.get(j) for j in ids}
    return out


def running(c):
    return {j for j, s in job_states(c).items() if s == "RUNNING"}


def log_text(c, name="slurmctld.log"):
    try:
        with open(c.path("log", name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def wait_log(c, pattern, timeout=30, since=0):
    """Waits for a regex in slurmctld.log after byte offset `since`."""
    rx = re.compile(pattern)
    return poll_until(lambda: rx.search(log_text(c)[since:]), timeout,
                      f"/{pattern}/ in slurmctld.log", cluster=c)


class Sampler(threading.Thread):
    """Samples the status file and the RUNNING jobs every `interval` s
    until stop(): records over-cap samples (plugin's view) and the largest
    number of jobs running at once (Slurm's view). The scheduler may run
    while slurmctld is down; failed samples are counted, not fatal."""

    def __init__(self, c, interval=0.3):
        super().__init__(daemon=True)
        self.c, self.interval = c, interval
        self.caps = CapWatch(c, limits=True, record=True)
        self.violations = self.caps.violations  # (time, [over]) each
        self.peak_committed = self.caps.peak
        self.max_running, self.samples, self.failed = 0, 0, 0
        self.max_running_after = {}  # mark -> max running since mark
        self._halt = threading.Event()
        self._marks = []

    def mark(self, name):
        self._marks.append(name)
        self.max_running_after[name] = 0

    def run(self):
        while not self._halt.is_set():
            self.caps()
            try:
                r = len(running(self.c))
                self.max_running = max(self.max_running, r)
                for m in self._marks:
                    self.max_running_after[m] = max(self.max_running_after[m], r)
                self.samples += 1
            except Exception:
                self.failed += 1
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(30)


# ---- load workload (test_load_*.py, tools/bench_cluster) -----------------

def rack_conf(n, jobs_allowed, rack=16, prefix="n", trace=False):
    """power_budget.conf for n H100 nodes in racks of `rack` nodes: the
    facility admits `jobs_allowed` node-loads of 5500 W at once; each rack
    PDU admits 5/8 of its nodes at full draw. jobs_allowed=None: ample."""
    nodes = f"{prefix}[1-{n}]"
    if jobs_allowed is None:
        cap = 100_000_000
    else:
        cap = n * IDLE_W + jobs_allowed * JOB_W + JOB_W // 2
    lines = [f"# {n} H100 nodes in racks of {rack}",
             f"Facility=site Cap={cap}W PUE=1.0 Reserve=0%",
             f'NodeClass=h100 Gpus=8 GpuModel="H100 SXM" Packages=2 Cores=32 '
             f"BaseW=2000 StandbyW=50 CpuIdleW=100 CpuMaxW=350 Nodes={nodes}",
             f"Domain=hall Parent=site Cap={2 * cap}W"]
    for r, lo in enumerate(range(1, n + 1, rack)):
        hi = min(n, lo + rack - 1)
        size = hi - lo + 1
        rcap = (size * IDLE_W + (size * 5 // 8) * JOB_W) if jobs_allowed \
            is not None else 10_000_000
        lines.append(f"Domain=rack{r + 1} Parent=hall Cap={rcap}W "
                     f"Nodes={prefix}[{lo}-{hi}]")
    lines.append(f"DebugTrace={'yes' if trace else 'no'}")
    return "\n".join(lines) + "\n"


def workload(count, nodes, seed=7):
    """A deterministic mix of training-like jobs: (sbatch args, seconds).
    60% single-node full-GPU, 25% 2..8-node full-GPU, 15% 1-4 GPU shared."""
    import random
    rnd = random.Random(seed)
    jobs = []
    for _ in range(count):
        x = rnd.random()
        secs = rnd.choice((1, 2, 2, 3, 4, 6))
        if x < 0.60:
            args = ["-N1", "--exclusive", "--gpus-per-node=8"]
        elif x < 0.85:
            k = min(nodes // 4 or 1, rnd.choice((2, 2, 4, 4, 8)))
            args = [f"-N{k}", "--exclusive", "--gpus-per-node=8"]
        else:
            args = ["-n1", f"--gpus={rnd.choice((1, 2, 4))}", "--mem=8G"]
        jobs.append((args + ["-t", "5"], secs))
    return jobs


def sdiag(c):
    """The figures of `sdiag` that matter here, as numbers."""
    out = c.run(["sdiag"], timeout=60).stdout
    d, section = {}, "head"
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("Main schedule statistics"):
            section = "main"
        elif s.startswith("Backfilling stats"):
            section = "bf"
        elif s.startswith("Latency for") or s.startswith("Remote Procedure"):
            section = "other"
        m = re.match(r"([A-Za-z][A-Za-z ()_/]*?):\s+(-?\d+)", s)
        if m and section in ("head", "main", "bf"):
            d[f"{section}.{m.group(1).strip()}"] = int(m.group(2))
    return d


def submit_bursts(c, jobs, burst, pause, on_burst=None):
    """Submits `jobs` in bursts of `burst`, `pause` s apart; returns ids."""
    ids = []
    for i in range(0, len(jobs), burst):
        for args, secs in jobs[i:i + burst]:
            ids.append(c.sbatch(args, f"sleep {secs}"))
        if on_burst:
            on_burst(len(ids))
        if i + burst < len(jobs):
            time.sleep(pause)
    return ids
