#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Chaos soak: a real cluster under binding power caps, a seeded random
stream of everything an operator and a failing machine do to it, and a
checker that holds every cap by its own arithmetic.

    soak.py [--seconds 300] [--seed N] [--nodes 32] [--rack-size 8]

One run starts munge, slurmctld (PB_LEDGER_VERIFY=1) and --nodes slurmd
with select/cons_tres_power under a facility cap (with PUE, reserve and a
cooling capacity), a hall and one cap per rack of --rack-size nodes, all
set so that power, not nodes, bounds the starts. For --seconds it drives
the stream (README.md lists the events); throughout, a sampler reads
`scontrol -d show job` about once a second and checks each cap (the rule
is below and in README.md). Then it drains: resumes what is suspended,
brings every node back, restores the first budget and waits until every
job has ended. Every submitted job must be accounted for.

The break rule. A *constraint* k is the facility (IT load x PUE against
Cap x (1 - Reserve)), the cooling plant (IT load against CoolingCap x
(1 - Reserve)), the hall and each rack (IT load under it against its
Cap x (1 - Reserve)). The modelled load of k is the idle draw of every
node under k plus, for every job RUNNING, CONFIGURING or SUSPENDED
(power stays held for a suspended job), on every node of it under k:
GPUs x (GpuMaxW - GpuIdleW) + ceil(CPUs x Packages x (CpuMaxW - CpuIdleW)
/ Cores), GPUs counted from the node's GRES IDX list and CPUs from its
CPU_IDs, exact rational arithmetic. T_k is the first whole second after
the reconfigure that last lowered k's limit was answered (the start of
the run if none did). A sample breaks k when the load exceeds k's limit
and at least one job contributing to it started (StartTime) at or after
T_k. Since T_k, k's limit only rose, so if every start at or after T_k
kept k within the limit in force, the latest of those starts bounds the
load of every later moment: a load above the limit can only be made by
jobs admitted before the lowering (a lowered cap kills nothing; nothing
may start until the load is back under it).

Exit status: 0 with no break, no lost job and no daemon death the stream
did not cause; 1 otherwise (the seed and the command that replays the
stream are printed); 77 when the plugin is not built (PB_PLUGIN_DIR
unset)."""

import argparse
import collections
import fractions
import heapq
import json
import math
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cluster"))

from clustertest import PLUGIN_SO, PLUGIN_TYPE, SKIP_EXIT  # noqa: E402
from faulttest import log_text  # noqa: E402
from pbcluster import TERMINAL_STATES, Cluster, ClusterError  # noqa: E402

# ---- the node class, as the soak writes it into power_budget.conf -------
# (tests/cluster/powertest.py's H100 class)
BASE_W, STANDBY_W = 2000, 50
GPUS, GPU_IDLE_W, GPU_MAX_W = 8, 75, 700
PACKAGES, CORES, CPU_IDLE_W, CPU_MAX_W = 2, 32, 100, 350
IDLE_W = BASE_W + GPUS * GPU_IDLE_W + PACKAGES * CPU_IDLE_W      # 2800
NODE_JOB_W = GPUS * (GPU_MAX_W - GPU_IDLE_W) + \
    PACKAGES * (CPU_MAX_W - CPU_IDLE_W)                           # 5500

F = fractions.Fraction
# Jobs in these states hold power (a suspended job's is held for it).
POWERED = {"RUNNING", "CONFIGURING", "SUSPENDED"}
TERMINAL = set(TERMINAL_STATES) | {"REVOKED", "SPECIAL_EXIT"}
# Failures that kill -9 of a daemon or a downed node explain.
NODE_FAILURES = {"NODE_FAIL", "FAILED", "BOOT_FAIL"}
# Slurm's reasons of a held job (a job held by power is only pending)
HELD = re.compile(r"JobHeld|launch_failed_requeued_held|"
                  r"job_requeued_in_held_state")
# sbatch errors after which the job may exist all the same
TRANSIENT = re.compile(r"timed out|Unable to contact|Socket|Zero Bytes|"
                       r"Connection refused|try again|Communication|"
                       r"Transport endpoint", re.I)


def job_node_w(gpus, cpus, gpu_max_w=GPU_MAX_W):
    """A job's increment over idle on one node of the class."""
    gpus, cpus = min(gpus, GPUS), min(cpus, CORES)
    span = PACKAGES * (CPU_MAX_W - CPU_IDLE_W)
    return gpus * (gpu_max_w - GPU_IDLE_W) + -(-cpus * span // CORES)


def count_list(text):
    """Number of entries of a Slurm index list such as 0-3,16,18-19."""
    n = 0
    for part in text.split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            n += int(b) - int(a) + 1
        else:
            int(part)
            n += 1
    return n


def expand_ids(text):
    """Array task ids of an ArrayTaskId= value: 0-3, 1,4-5, 2-7%2, 0-6:2."""
    text = text.split("%", 1)[0]
    out = []
    for part in text.split(","):
        step = 1
        if ":" in part:
            part, s = part.split(":", 1)
            step = int(s)
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1, step))
        elif part:
            out.append(int(part))
    return out


def expand_hosts(text):
    """A hostlist of this cluster's simple names: n1, n[1-3,7], n[1-2],n9."""
    out, depth, cur = [], 0, ""
    parts = []
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    parts.append(cur)
    for p in parts:
        m = re.fullmatch(r"([^\[\]]*)\[([^\]]+)\](.*)", p)
        if not m:
            if p:
                out.append(p)
            continue
        for r in m.group(2).split(","):
            if "-" in r:
                a, b = r.split("-", 1)
                out.extend(f"{m.group(1)}{i:0{len(a)}d}{m.group(3)}"
                           for i in range(int(a), int(b) + 1))
            else:
                out.append(f"{m.group(1)}{r}{m.group(3)}")
    return out


def minutes(limit):
    """TimeLimit= in minutes (None: UNLIMITED or unknown)."""
    m = re.fullmatch(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)", limit or "")
    if not m:
        return None
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return d * 1440 + h * 60 + mi + (1 if s else 0)


def epoch(stamp):
    """Slurm's local time stamp 2026-12-03T15:19:45 as Unix seconds."""
    try:
        return int(time.mktime(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S")))
    except (ValueError, TypeError):
        return None


FIELDS = {k: re.compile(v) for k, v in {
    "JobId": r"^JobId=(\d+)", "ArrayJobId": r" ArrayJobId=(\d+)",
    "ArrayTaskId": r" ArrayTaskId=(\S+)", "HetJobId": r" HetJobId=(\d+)",
    "HetJobOffset": r" HetJobOffset=(\d+)", "JobName": r" JobName=(\S*)",
    "JobState": r" JobState=(\S+)", "Reason": r" Reason=(.*?) Dependency=",
    "Restarts": r" Restarts=(\d+)", "TimeLimit": r" TimeLimit=(\S+)",
    "StartTime": r" StartTime=(\S+)", "EligibleTime": r" EligibleTime=(\S+)",
    "NodeList": r" NodeList=(\S*)", "Priority": r" Priority=(\d+)",
}.items()}
ALLOC = re.compile(r" Nodes=(\S+) CPU_IDs=(\S+) Mem=\d+ GRES=(\S*)")
GPU_IDX = re.compile(r"gpu(?::[^:(,]+)?:(\d+)\(IDX:([^)]*)\)")
NAME = re.compile(r"s(\d+)\.(\w+)$")


def parse_jobs(text):
    """Records of `scontrol -d show job -o`: the fields above, 'units' (the
    soak's (seq, index) keys of the record) and 'alloc' [(node, cpus,
    gpus)] from its per-node detail (GRES IDX list, CPU_IDs)."""
    recs = []
    for line in text.splitlines():
        if not line.startswith("JobId="):
            continue
        r = {}
        for k, rx in FIELDS.items():
            m = rx.search(line)
            r[k] = m.group(1) if m else None
        r["JobId"] = int(r["JobId"])
        alloc = []
        for nodes, cpu_ids, gres in ALLOC.findall(line):
            gpus = sum(count_list(idx) for _, idx in GPU_IDX.findall(gres))
            cpus = count_list(cpu_ids)
            for n in expand_hosts(nodes):
                alloc.append((n, cpus, gpus))
        r["alloc"] = alloc
        m = NAME.match(r["JobName"] or "")
        if not m:
            r["units"] = []
        elif r["ArrayJobId"]:
            r["units"] = [(int(m.group(1)), i)
                          for i in expand_ids(r["ArrayTaskId"] or "")]
        elif r["HetJobId"]:
            r["units"] = [(int(m.group(1)), int(r["HetJobOffset"] or 0))]
        else:
            r["units"] = [(int(m.group(1)), 0)]
        recs.append(r)
    return recs


# ---- the power budget -----------------------------------------------------

class Budget:
    """A power_budget.conf the soak writes, and the limits it implies by
    the contract of power_budget.conf(5): every cap is held to
    Cap x (1 - Reserve); the facility's is on IT x PUE; the cooling plant's
    on IT heat. Limits are exact fractions of IT watts."""

    def __init__(self, racks, rack_size, pue, reserve_pct, facility_w,
                 cooling_w, hall_w, rack_w):
        self.racks, self.rack_size = racks, rack_size
        self.pue, self.reserve_pct = pue, reserve_pct
        self.facility_w, self.cooling_w = facility_w, cooling_w
        self.hall_w, self.rack_w = hall_w, list(rack_w)
        self.trace = False

    def copy(self, **kw):
        b = Budget(self.racks, self.rack_size, self.pue, self.reserve_pct,
                   self.facility_w, self.cooling_w, self.hall_w, self.rack_w)
        b.trace = self.trace
        for k, v in kw.items():
            setattr(b, k, v)
        return b

    def limits(self):
        keep = 1 - F(self.reserve_pct, 100)
        out = {"facility": self.facility_w * keep / F(self.pue),
               "cooling": self.cooling_w * keep,
               "hall": self.hall_w * keep}
        for i, w in enumerate(self.rack_w):
            out[f"rack{i + 1}"] = w * keep
        return out

    def text(self, nodes, gpu_max_w=None):
        cls = (f'NodeClass=h100 Gpus={GPUS} GpuModel="H100 SXM" '
               f"Packages={PACKAGES} Cores={CORES} BaseW={BASE_W} "
               f"StandbyW={STANDBY_W} CpuIdleW={CPU_IDLE_W} "
               f"CpuMaxW={CPU_MAX_W}")
        if gpu_max_w:
            cls += f" GpuIdleW={GPU_IDLE_W} GpuMaxW={gpu_max_w}"
        lines = ["# written by tests/soak/soak.py",
                 f"Facility=site Cap={self.facility_w}W PUE={self.pue} "
                 f"CoolingCap={self.cooling_w}W Reserve={self.reserve_pct}%",
                 f"{cls} Nodes=n[1-{nodes}]",
                 f"Domain=hall Parent=site Cap={self.hall_w}W"]
        for i, w in enumerate(self.rack_w):
            lo = i * self.rack_size + 1
            hi = min(nodes, lo + self.rack_size - 1)
            lines.append(f"Domain=rack{i + 1} Parent=hall Cap={w}W "
                         f"Nodes=n[{lo}-{hi}]")
        lines.append(f"DebugTrace={'yes' if self.trace else 'no'}")
        return "\n".join(lines) + "\n"

    def summary(self):
        return (f"Facility={self.facility_w}W PUE={self.pue} "
                f"CoolingCap={self.cooling_w}W Reserve={self.reserve_pct}% "
                f"Hall={self.hall_w}W Racks=" +
                ",".join(f"{w}W" for w in self.rack_w))


def _cap_for(idle_w, jobs, keep, pue=F(1)):
    """The cap whose limit holds idle_w plus `jobs` full-node loads and
    half a load of slack."""
    it = idle_w + jobs * NODE_JOB_W + NODE_JOB_W // 2
    return math.ceil(it * pue / keep)


def widest_w(nodes):
    """The most one job of the stream adds: the widest `multi` job."""
    return max(2, min(4, nodes // 8)) * NODE_JOB_W


def feasible(b, nodes):
    """Every shape of the stream fits an idle site under b: the facility,
    cooling and hall hold the widest job and a full node more, each rack
    one full node."""
    lim = b.limits()
    need = nodes * IDLE_W + widest_w(nodes) + NODE_JOB_W
    if any(lim[k] < need for k in ("facility", "cooling", "hall")):
        return False
    for i in range(b.racks):
        size = min(b.rack_size, nodes - i * b.rack_size)
        if lim[f"rack{i + 1}"] < size * IDLE_W + NODE_JOB_W:
            return False
    return True


def random_budget(rng, nodes, rack_size, base=None, what=None):
    """A budget under which power binds (the facility powers 7..13
    full-node loads of the 32 nodes, a rack 2..6 of its 8) and every shape
    of the stream still fits an idle site (a new PUE or reserve with the
    caps kept may not: then another is drawn, or base kept). base/what:
    change only `what` (facility, cooling, hall, a rack, reserve, pue) of
    base."""
    for _ in range(20):
        b = _draw_budget(rng, nodes, rack_size, base, what)
        if feasible(b, nodes):
            return b
    return base.copy()


def _draw_budget(rng, nodes, rack_size, base, what):
    racks = -(-nodes // rack_size)
    scale = nodes / 32
    fac_jobs = lambda: max(6, round(rng.randint(7, 13) * scale))  # noqa: E731
    if base is None:
        pue, reserve = rng.choice(("1.0", "1.1", "1.25", "1.4")), \
            rng.choice((0, 2, 5))
    else:
        pue, reserve = base.pue, base.reserve_pct
        if what == "pue":
            pue = rng.choice([p for p in ("1.0", "1.1", "1.25", "1.4")
                              if p != pue])
        if what == "reserve":
            reserve = rng.choice([r for r in (0, 2, 5, 8) if r != reserve])
        if what in ("pue", "reserve"):
            return base.copy(pue=pue, reserve_pct=reserve)
    keep = 1 - F(reserve, 100)
    idle_all = nodes * IDLE_W

    def rack_cap(i):
        size = min(rack_size, nodes - i * rack_size)
        return _cap_for(size * IDLE_W, min(size, rng.randint(2, 6)), keep)
    if base is None:
        fj = fac_jobs()
        return Budget(racks, rack_size, pue, reserve,
                      _cap_for(idle_all, fj, keep, F(pue)),
                      _cap_for(idle_all, fj + rng.randint(-1, 5), keep),
                      _cap_for(idle_all, fj + rng.randint(-1, 3), keep),
                      [rack_cap(i) for i in range(racks)])
    b = base.copy()
    if what == "facility":
        b.facility_w = _cap_for(idle_all, fac_jobs(), keep, F(pue))
    elif what == "cooling":
        b.cooling_w = _cap_for(idle_all, fac_jobs() + rng.randint(-1, 5), keep)
    elif what == "hall":
        b.hall_w = _cap_for(idle_all, fac_jobs() + rng.randint(-1, 3), keep)
    else:
        i = int(what[4:]) - 1
        b.rack_w = list(b.rack_w)
        b.rack_w[i] = rack_cap(i)
    return b


# ---- the job shapes --------------------------------------------------------

def shapes(nodes):
    """(name, weight, make(rng) -> [component args...], units(args))."""
    big = max(2, min(4, nodes // 8))
    return [
        ("full", 14, lambda r: [["-N1", "--exclusive", "--gpus-per-node=8"]]),
        ("multi", 7, lambda r: [[f"-N{r.randint(2, big)}", "--exclusive",
                                 "--gpus-per-node=8"]]),
        ("gpus", 12, lambda r: [["-n1", f"--gpus={r.choice((1, 2, 4))}",
                                 "--mem=8G"]]),
        ("per_task", 9, lambda r: [[f"-n{r.choice((2, 4))}",
                                    f"--gpus-per-task={r.choice((1, 2))}"]]),
        ("gres", 8, lambda r: [["-N1",
                                f"--gres=gpu:{r.choice((1, 3, 4, 8))}"]]),
        ("per_node", 8, lambda r: [[f"-N{r.choice((1, 2))}",
                                    f"--gpus-per-node={r.choice((2, 4))}",
                                    "--ntasks-per-node=2"]]),
        ("cpu", 4, lambda r: [r.choice(([f"-n{r.choice((1, 4, 8))}",
                                         "--cpus-per-task=2"],
                                        ["-N1", "--exclusive"]))]),
        ("array", 8, lambda r: [[
            f"--array=0-{r.randint(1, 5)}" + r.choice(("", "", "%2")),
            "-N1", f"--gpus-per-node={r.choice((2, 8))}"] +
            r.choice(([], ["--exclusive"]))]),
        ("het", 6, lambda r: [["-N1", "--exclusive", "--gpus-per-node=8"],
                              ["-n1", f"--gpus={r.choice((1, 2))}"]]),
        ("long", 4, lambda r: [["-N1",
                                f"--gpus-per-node={r.choice((4, 8))}"]]),
    ]


def unit_count(comps):
    for a in comps[0]:
        if a.startswith("--array="):
            return len(expand_ids(a.split("=", 1)[1]))
    return len(comps)


# ---- bookkeeping ---------------------------------------------------------

class Submission:
    def __init__(self, seq, shape, comps, sleep):
        self.seq, self.shape, self.comps, self.sleep = seq, shape, comps, sleep
        self.name = f"s{seq}.{shape}"
        self.n_units = unit_count(comps)
        self.t0 = time.time()
        self.t1 = None        # sbatch answered
        self.status = "submitting"   # ok, uncertain, rejected
        self.jobid, self.message = None, ""


class Run:
    def __init__(self, start, t):
        self.start, self.first, self.last = start, t, t
        self.nodes = set()


class Unit:
    """One job of a submission: an array task, a hetjob component, or the
    job itself."""

    def __init__(self, sub, idx):
        self.sub, self.idx = sub, idx
        self.state = None      # last observed JobState
        self.rec = None        # last observed record
        self.first_seen = self.last_seen = None
        self.terminal_seen = None
        self.runs = {}         # (Restarts, StartTime) -> Run
        self.cancelled = self.lowered = self.requeued = False
        self.suspended = False
        self.vanished = None   # time it went missing
        self.lost_unsaved = False

    @property
    def key(self):
        return (self.sub.seq, self.idx)

    def last_run(self):
        return max(self.runs.values(), key=lambda r: r.first, default=None)


class Soak:
    def __init__(self, a):
        self.a = a
        # the stream's generator: each step takes the same draws from it
        # (the kind, the pause, the seed of the step's own generator), so
        # a replay has the same kinds at the same times; what an event
        # picks comes from self.step
        self.rng = random.Random(a.seed)
        self.step = random.Random(0)
        self.nodes = a.nodes
        self.node_names = [f"n{i}" for i in range(1, a.nodes + 1)]
        self.rack_of = {n: f"rack{(i // a.rack_size) + 1}"
                        for i, n in enumerate(self.node_names)}
        self.shapes = shapes(a.nodes)
        self.base = random_budget(self.rng, a.nodes, a.rack_size)
        self.base.trace = a.trace
        self.budget = self.base           # in force
        self.pending_budget = None        # being applied
        self.lowered_at = {}              # constraint -> T_k
        self.lock = threading.RLock()
        self.subs, self.units = {}, {}
        self.seq = 0
        self.events = collections.Counter()
        self.cmd_errors = collections.Counter()
        self.submitted = collections.Counter()
        self.windows = []                 # outages: kind, node, t0, t1
        self.crashes = []                 # kill -9 of slurmctld: t, saved, up
        self.out = {}                     # node -> drain/down/dead
        self.todo = []                    # heap (due, n, kind, arg)
        self.todo_n = 0
        self.epoch = 0                    # slurmctld incarnation
        self.restarting = False
        self.snap, self.snap_epoch = [], -1
        self.samples = self.failed_samples = 0
        self.breaks, self.break_keys = [], set()
        self.break_samples = 0
        self.over_legit = 0               # samples over a freshly lowered cap
        self.checker_errors = []
        self.peak = {}                    # constraint -> max load/limit
        self.pending_samples = self.power_bound_samples = 0
        self.reasons = collections.Counter()  # pending reasons, per sample
        self.foreign = 0
        self.outside_kills = 0            # slurmd SIGKILLed not by the stream
        self.handled = set()              # their Popen objects
        self.busy = {}                    # node -> port taken, times
        self.port_busy_restarts = 0
        self.fatal = None
        self.halt = threading.Event()
        self.c = None

    # ---- helpers -----------------------------------------------------------
    def log(self, msg):
        print(f"[{time.time() - self.t_start:7.1f}s] {msg}", flush=True)

    def run(self, *argv, timeout=30):
        try:
            r = self.c.run(list(argv), check=False, timeout=timeout)
        except ClusterError as e:
            self.cmd_errors[argv[1] if len(argv) > 1 else argv[0]] += 1
            return subprocess.CompletedProcess(argv, 124, "", str(e))
        if r.returncode:
            self.cmd_errors[" ".join(argv[:2])] += 1
        return r

    def did(self, kind, what, r=None):
        """Counts and logs one event (with the command's error, if any)."""
        self.events[kind] += 1
        err = ""
        if r is not None and r.returncode:
            err = f" -> exit {r.returncode}: " + \
                (r.stderr or r.stdout).strip().replace("\n", " ")[:160]
        self.log(f"{kind}: {what}{err}")

    def schedule(self, delay, kind, arg):
        with self.lock:
            self.todo_n += 1
            heapq.heappush(self.todo,
                           (time.time() + delay, self.todo_n, kind, arg))

    def conf_path(self):
        return self.c.path("power_budget.conf")

    def write_conf(self, budget, broken=False):
        text = budget.text(self.nodes, self.a.conf_gpu_max_w)
        if broken:
            text += "Domain=rack99 Parent=nowhere Cap=1W Nodes=n1\n"
        tmp = self.conf_path() + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.conf_path())

    # ---- the sampler (a thread) --------------------------------------------
    def sampler(self):
        env = self.c.env
        while not self.halt.is_set():
            t0 = time.time()
            try:
                self.sample(env)
            except Exception:
                self.checker_errors.append(traceback.format_exc())
                self.log("sampler error:\n" + traceback.format_exc())
            self.halt.wait(max(0.05, self.a.interval - (time.time() - t0)))

    def daemons_alive(self):
        """Sets self.fatal when a daemon the stream did not kill is gone."""
        with self.lock:
            if self.restarting or self.fatal:
                return
            for name, p in list(self.c.procs.items()):
                if p.poll() is None or p in self.handled:
                    continue
                if name.startswith("slurmd:") and \
                        p.returncode == -signal.SIGKILL:
                    self.handled.add(p)
                    self.outside_kill(name[len("slurmd:"):])
                    continue
                if name.startswith("slurmd:") and p.returncode == 1 and \
                        self.port_busy(name[len("slurmd:"):]):
                    self.handled.add(p)
                    continue
                if p.poll() is not None:
                    log = name.replace(":", "-") + ".log"
                    self.set_fatal(f"{name} exited with status "
                                   f"{p.returncode} at "
                                   f"{time.strftime('%H:%M:%S')} without "
                                   f"the stream killing it; {log}:\n" +
                                   "".join(log_text(self.c, log)
                                           .splitlines(True)[-15:]))

    def outside_kill(self, node):
        """A slurmd SIGKILLed, not by the stream: nothing in the cluster
        sends SIGKILL, but a process outside it may signal a stale
        process group whose id a slurmd now has (pids wrap quickly on a
        busy host). Counted, treated as a slurmd kill -9 (its node's jobs
        may fail) and started again; any other death of a daemon fails
        the run."""
        self.outside_kills += 1
        w = {"kind": "slurmd", "node": node, "t0": time.time(), "t1": None}
        self.windows.append(w)
        self.out[node] = "dead"
        self.schedule(0, "start_slurmd", (node, w))
        self.log(f"slurmd of {node} was SIGKILLed from outside the soak; "
                 f"starting it again")

    def port_busy(self, node):
        """A slurmd started again exits when its port is taken: the
        harness takes its ports below the range the kernel hands out to
        outgoing connections, but any other program on the host may bind
        the port of a slurmd that is down. Started again 3 s later, as a
        service manager would; more than ten times for one node fails the
        run."""
        tail = "".join(log_text(self.c, f"slurmd-{node}.log")
                       .splitlines(True)[-3:])
        if "Address already in use" not in tail:
            return False
        self.busy[node] = self.busy.get(node, 0) + 1
        if self.busy[node] > 10:
            return False
        self.port_busy_restarts += 1
        w = {"kind": "slurmd", "node": node, "t0": time.time(), "t1": None}
        self.windows.append(w)
        self.out[node] = "dead"
        self.schedule(3, "start_slurmd", (node, w))
        self.log(f"slurmd of {node} found its port taken; starting it again "
                 f"in 3 s")
        return True

    def set_fatal(self, msg):
        with self.lock:
            if not self.fatal:
                self.fatal = msg
                self.log("FATAL: " + msg)

    def sample(self, env):
        self.daemons_alive()
        with self.lock:
            ep = self.epoch
            if self.restarting:
                return
        t_req = time.time()
        try:
            r = subprocess.run(["scontrol", "-d", "show", "job", "-o"],
                               env=env, capture_output=True, text=True,
                               timeout=20)
        except subprocess.TimeoutExpired:
            self.failed_samples += 1
            return
        t_got = time.time()
        with self.lock:
            if r.returncode != 0 or ep != self.epoch or self.restarting:
                self.failed_samples += 1
                return
            recs = parse_jobs(r.stdout)
            self.samples += 1
            self.observe(recs, t_req, t_got)
            self.check(recs, t_got)
            self.snap, self.snap_epoch = recs, ep

    def observe(self, recs, t_req, t):
        seen = set()
        pending = power = 0
        for rec in recs:
            if not rec["units"]:
                self.foreign += 1
                continue
            if rec["JobState"] == "PENDING":
                reason = (rec["Reason"] or "").split(":", 1)[0]
                self.reasons[reason] += 1
                pending += 1
                power += reason.startswith("Power")
            for key in rec["units"]:
                u = self.units.get(key)
                if u is None:
                    sub = self.subs.get(key[0])
                    if sub is None:
                        self.foreign += 1
                        continue
                    u = self.units[key] = Unit(sub, key[1])
                seen.add(key)
                self.note(u, rec, t)
        if pending:
            self.pending_samples += 1
            self.power_bound_samples += power * 2 > pending
        # units that should be there and are not
        for u in self.units.values():
            if u.key in seen or u.lost_unsaved or u.vanished:
                continue
            if u.sub.t1 is None or u.sub.t1 >= t_req:
                continue
            if u.state in TERMINAL:
                continue   # ended and purged (MinJobAge)
            if u.cancelled and u.sub.shape == "array" and \
                    u.state in (None, "PENDING"):
                # a pending array task cancelled leaves the array's
                # record without a record of its own
                u.state, u.terminal_seen = "CANCELLED", t
                continue
            seen_at = u.last_seen or u.sub.t1
            crash = next((cr for cr in self.crashes if cr["t"] > seen_at),
                         None)
            if crash and u.sub.name not in crash["saved"]:
                # not in the job state slurmctld had written when it was
                # killed: Slurm loses such a job (and reuses its id)
                u.lost_unsaved = True
                self.log(f"{u.sub.name}[{u.idx}] lost with the kill -9 of "
                         f"slurmctld (not yet in its saved job state)")
            else:
                u.vanished = t
                self.log(f"LOST: {u.sub.name}[{u.idx}] (last {u.state}) is "
                         f"no longer known to slurmctld")

    def note(self, u, rec, t):
        u.rec, u.state = rec, rec["JobState"]
        u.first_seen = u.first_seen or t
        u.last_seen = t
        if u.vanished:
            self.log(f"{u.sub.name}[{u.idx}] is back ({u.state})")
            u.vanished = None
        if u.state in TERMINAL:
            u.terminal_seen = u.terminal_seen or t
        else:
            u.terminal_seen = None
        if u.state in POWERED:
            key = (rec["Restarts"], rec["StartTime"])
            run = u.runs.get(key)
            if run is None:
                run = u.runs[key] = Run(epoch(rec["StartTime"]), t)
            run.last = t
            run.nodes.update(n for n, _, _ in rec["alloc"])

    def check(self, recs, t):
        limits = self.limits_in_force()
        load = {k: 0 for k in limits}
        contrib = {k: [] for k in limits}
        for n in self.node_names:
            for k in ("facility", "cooling", "hall", self.rack_of[n]):
                load[k] += IDLE_W
        for rec in recs:
            if rec["JobState"] not in POWERED:
                continue
            if not rec["alloc"]:
                self.checker_errors.append(
                    f"job {rec['JobId']} {rec['JobState']} on "
                    f"{rec['NodeList']} without per-node allocation detail")
                continue
            start = epoch(rec["StartTime"])
            for n, cpus, gpus in rec["alloc"]:
                w = job_node_w(gpus, cpus)
                for k in ("facility", "cooling", "hall", self.rack_of[n]):
                    load[k] += w
                    contrib[k].append((rec, start))
        broke = False
        for k, lim in limits.items():
            self.peak[k] = max(self.peak.get(k, 0), float(load[k] / lim))
            if load[k] <= lim:
                continue
            since = self.lowered_at.get(k, 0)
            new = {rec["JobId"]: rec for rec, start in contrib[k]
                   if start is None or start >= since}
            if not new:
                self.over_legit += 1
                continue
            broke = True
            bkey = (k, frozenset(new))
            if bkey in self.break_keys:
                continue
            self.break_keys.add(bkey)
            b = {"time": round(t - self.t_start, 1), "constraint": k,
                 "load_w": float(load[k]), "limit_w": float(lim),
                 "budget": self.budget.summary(),
                 "lowered_at": since or None,
                 "new_jobs": {j: f"{r['JobName']} start={r['StartTime']} "
                              f"alloc={r['alloc']}" for j, r in new.items()}}
            self.breaks.append(b)
            self.log(f"BREAK: {k} modelled {float(load[k]):.0f} W > limit "
                     f"{float(lim):.1f} W with jobs started under it: "
                     f"{sorted(new)}")
            self.dump_break(b)
        self.break_samples += broke

    def dump_break(self, b):
        """Evidence beside the break: the plugin's own status file (not
        used to decide anything)."""
        try:
            with open(self.c.path("state", "power_budget.status")) as f:
                b["plugin_status"] = f.read()
        except OSError as e:
            b["plugin_status"] = str(e)

    def limits_in_force(self):
        lim = self.budget.limits()
        if self.pending_budget is not None:
            new = self.pending_budget.limits()
            lim = {k: max(v, new[k]) for k, v in lim.items()}
        return lim

    # ---- the stream --------------------------------------------------------
    def active(self, states):
        """Units of the latest snapshot of this slurmctld in `states`."""
        with self.lock:
            if self.snap_epoch != self.epoch:
                return []
            out = []
            for rec in self.snap:
                if rec["JobState"] in states and rec["units"]:
                    out.extend((rec, self.units.get(k)) for k in rec["units"]
                               if k in self.units)
            return out

    def pick(self, states):
        cands = self.active(states)
        cands.sort(key=lambda ru: (ru[1].key, ru[0]["JobId"]))
        return self.step.choice(cands) if cands else (None, None)

    def whole_id(self, rec):
        return str(rec["ArrayJobId"] or rec["HetJobId"] or rec["JobId"])

    def units_of(self, seq):
        return [u for u in self.units.values() if u.sub.seq == seq]

    def ev_submit(self, remaining):
        with self.lock:
            waiting = sum(1 for u in self.units.values()
                          if u.state in (None, "PENDING") and
                          u.sub.status != "rejected" and not u.lost_unsaved
                          and not u.vanished)
        # in the last minute a shorter queue, so that the drain is short
        if waiting >= (self.a.max_pending if remaining > 60 else
                       self.a.max_pending // 4):
            return False
        r = self.step
        name, _, make = r.choices(self.shapes,
                                  weights=[s[1] for s in self.shapes])[0]
        comps = make(r)
        if name == "long":
            sleep, tl = r.randint(60, 150), r.choice((5, 10))
        else:
            sleep = r.randint(2, 30)
            tl = r.choice([m for m in (2, 3, 5, 10) if m * 60 >= sleep + 60])
        sleep = max(2, min(sleep, int(remaining)))
        self.seq += 1
        sub = Submission(self.seq, name, comps, sleep)
        args = []
        for i, comp in enumerate(comps):
            if i:
                args.append(":")
            args += ["-J", sub.name, f"--time={tl}", *comp]
        with self.lock:
            self.subs[sub.seq] = sub
        try:
            p = self.c.sbatch(args, f"sleep {sleep}", check=False)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except ClusterError as e:
            rc, out, err = 124, "", str(e)
        with self.lock:
            sub.t1 = time.time()
            if rc == 0:
                sub.status = "ok"
                sub.jobid = int(out.strip().split(";")[0])
                for i in range(sub.n_units):
                    self.units.setdefault((sub.seq, i), Unit(sub, i))
            elif TRANSIENT.search(err):
                sub.status, sub.message = "uncertain", err.strip()
            else:
                sub.status, sub.message = "rejected", err.strip()
                self.log(f"REJECTED at submit: {sub.name} sbatch "
                         f"{shlex.join(args)}: {err.strip()}")
        self.submitted[name] += 1
        self.did("submit", f"{sub.name} -> {sub.jobid or sub.status} "
                 f"({shlex.join(args)}; sleep {sleep})")
        return True

    def ev_cancel(self):
        rec, u = self.pick({"PENDING", "RUNNING", "SUSPENDED", "CONFIGURING"})
        if not rec:
            return False
        whole = rec["HetJobId"] or not rec["ArrayJobId"] or \
            self.step.random() < 0.6
        if whole:
            target = self.whole_id(rec)
            hit = self.units_of(u.sub.seq)
        else:
            target = f"{rec['ArrayJobId']}_{u.idx}"
            hit = [u]
        with self.lock:
            for x in hit:
                x.cancelled = True
        self.did("scancel", f"{target} ({u.sub.name}, {rec['JobState']})",
                 self.run("scancel", target))
        return True

    def ev_requeue(self):
        rec, u = self.pick({"RUNNING", "SUSPENDED"})
        if not rec:
            return False
        target = str(rec["HetJobId"] or rec["JobId"])
        hit = self.units_of(u.sub.seq) if rec["HetJobId"] else [u]
        with self.lock:
            for x in hit:
                x.requeued = True
        self.did("requeue", f"{target} ({u.sub.name})",
                 self.run("scontrol", "requeue", target))
        return True

    def ev_suspend(self):
        rec, u = self.pick({"RUNNING"})
        if not rec:
            return False
        target = str(rec["HetJobId"] or rec["JobId"])
        hit = self.units_of(u.sub.seq) if rec["HetJobId"] else [u]
        r = self.run("scontrol", "suspend", target)
        if r.returncode == 0:
            with self.lock:
                for x in hit:
                    x.suspended = True
            self.schedule(self.step.uniform(3, 25), "resume_job", target)
        self.did("suspend", f"{target} ({u.sub.name})", r)
        return True

    def ev_timelimit(self):
        rec, u = self.pick({"PENDING", "RUNNING", "SUSPENDED"})
        if not rec:
            return False
        new = self.step.choice((1, 1, 2, 3, 5, 15, 30))
        old = minutes(rec["TimeLimit"])
        target = str(rec["JobId"]) if not rec["ArrayJobId"] or \
            rec["JobState"] != "PENDING" else self.whole_id(rec)
        hit = self.units_of(u.sub.seq) if target == self.whole_id(rec) and \
            rec["ArrayJobId"] else [u]
        if old is None or new < old:
            with self.lock:
                for x in hit:
                    x.lowered = True
        self.did("timelimit", f"{target} ({u.sub.name}, {rec['JobState']}) "
                 f"{rec['TimeLimit']} -> {new} min",
                 self.run("scontrol", "update", f"JobId={target}",
                          f"TimeLimit={new}"))
        return True

    def free_node(self):
        with self.lock:
            if len(self.out) >= self.a.max_out:
                return None
            cands = [n for n in self.node_names if n not in self.out]
        return self.step.choice(cands) if cands else None

    def ev_node_state(self, state):
        node = self.free_node()
        if not node:
            return False
        kind = state.lower()
        self.out[node] = kind
        w = {"kind": kind, "node": node, "t0": time.time(), "t1": None}
        with self.lock:
            self.windows.append(w)
        r = self.run("scontrol", "update", f"NodeName={node}",
                     f"State={state}", "Reason=soak")
        self.schedule(self.step.uniform(5, 40), "resume_node", (node, w))
        self.did(kind, node, r)
        return True

    def ev_slurmd_kill(self):
        node = self.free_node()
        if not node:
            return False
        with self.lock:
            p = self.c.procs.get(f"slurmd:{node}")
            if p is None or p.poll() is not None:
                return False  # gone already: never signal a stale pid
            self.out[node] = "dead"
            w = {"kind": "slurmd", "node": node, "t0": time.time(),
                 "t1": None}
            self.windows.append(w)
            self.c.kill_slurmd(node)
        delay = self.step.uniform(2, 50)
        self.schedule(delay, "start_slurmd", (node, w))
        self.did("slurmd_kill", f"{node}, back in {delay:.0f}s")
        return True

    def ev_reconfigure(self):
        r = self.step
        broken = r.random() < 0.1
        racks = [f"rack{i + 1}" for i in range(self.base.racks)]
        what = r.choice(["facility", "facility", "cooling", "hall", "reserve",
                         "pue"] + racks * 2)
        new = self.budget if broken else random_budget(
            r, self.nodes, self.a.rack_size, self.budget, what)
        return self.reconfigure(new, broken)

    def reconfigure(self, new, broken=False, kind="reconfigure"):
        since = len(log_text(self.c))
        with self.lock:
            self.pending_budget = new
        self.write_conf(new, broken)
        ok = False
        for _ in range(5):
            if self.run("scontrol", "reconfigure", timeout=60).returncode == 0:
                ok = True
                break
            time.sleep(2)
        if broken:
            self.write_conf(self.budget)  # what slurmctld keeps
            kept = "reconfigure: keeping the previous power model" in \
                log_text(self.c)[since:]
            if ok and not kept and self.a.select_type == PLUGIN_TYPE:
                self.checker_errors.append("a broken power_budget.conf at "
                                           "reconfigure was not refused")
            with self.lock:
                self.pending_budget = None
            self.did("reconfigure_broken", f"refused: {kept}")
            return True
        if not ok:
            # unknown which model is in force: keep the larger limits
            # (pending_budget stays) until the next reconfigure or restart
            self.log("reconfigure did not answer; both budgets' larger "
                     "limits apply until one is confirmed")
            return True
        t = time.time()
        with self.lock:
            old = self.budget.limits()
            for k, v in new.limits().items():
                if v < old[k]:
                    self.lowered_at[k] = int(t) + 1
            self.budget, self.pending_budget = new, None
        self.did(kind, new.summary())
        return True

    def ev_ctld_kill(self):
        if self.crashes and time.time() - self.crashes[-1]["up"] < \
                self.a.ctld_gap:
            return False
        with self.lock:
            p = self.c.procs.get("slurmctld")
            if p is None or p.poll() is not None:
                return False  # dead already: the check reports it
            self.restarting = True
            # which jobs the job state on disk holds (it packs each job's
            # name); a later save before the kill only adds to them
            try:
                with open(self.c.path("state", "job_state"), "rb") as f:
                    data = f.read()
            except OSError:
                data = b""
            saved = {sub.name for sub in self.subs.values()
                     if sub.name.encode() + b"\0" in data}
            t_kill = time.time()
        try:
            self.c.restart_slurmctld(kill9=True, timeout=120)
        except ClusterError as e:
            with self.lock:
                self.set_fatal(f"slurmctld did not come back after kill -9: "
                               f"{e}")
            return True
        with self.lock:
            self.epoch += 1
            self.restarting = False
            if self.pending_budget is not None:
                # it read the file on disk
                self.confirm_file_budget()
            self.crashes.append({"t": t_kill, "saved": saved,
                                 "up": time.time()})
            self.windows.append({"kind": "ctld", "node": None,
                                 "t0": t_kill, "t1": time.time()})
        self.did("ctld_kill", f"slurmctld back in "
                 f"{time.time() - t_kill:.1f}s, {len(saved)} submission(s) "
                 f"in its saved state")
        return True

    def confirm_file_budget(self):
        new, old = self.pending_budget, self.budget.limits()
        t = time.time()
        for k, v in new.limits().items():
            if v < old[k]:
                self.lowered_at[k] = int(t) + 1
        self.budget, self.pending_budget = new, None

    def do_todo(self, now, everything=False):
        while True:
            with self.lock:
                if not self.todo or not everything and self.todo[0][0] > now:
                    return
                _, _, kind, arg = heapq.heappop(self.todo)
            if kind == "resume_job":
                self.did("resume", arg, self.run("scontrol", "resume", arg))
            elif kind == "resume_node":
                node, w = arg
                r = self.run("scontrol", "update", f"NodeName={node}",
                             "State=RESUME")
                w["t1"] = time.time()
                self.out.pop(node, None)
                self.did("node_resume", node, r)
            elif kind == "start_slurmd":
                node, w = arg
                with self.lock:
                    self.c.start_slurmd(node)
                w["t1"] = time.time()
                self.out.pop(node, None)
                self.did("slurmd_start", node)

    def kick_requeued(self):
        """Slurm holds a requeued batch job until now + the credential
        lifetime (docs/slurm-behaviour.md); move it to now, as an admin
        would, so it runs again within the soak."""
        now = time.time()
        done = set()
        for rec, u in self.active({"PENDING"}):
            el = epoch(rec["EligibleTime"])
            if rec["JobId"] in done:
                continue
            done.add(rec["JobId"])
            if el and el > now + 5 and (rec["Restarts"] or "0") != "0":
                self.did("kick_requeued", f"{rec['JobId']} ({u.sub.name})",
                         self.run("scontrol", "update",
                                  f"JobId={rec['JobId']}", "StartTime=now"))

    def stream(self, seconds):
        r = self.rng
        kinds = [("submit", 46), ("scancel", 6), ("requeue", 4),
                 ("suspend", 4), ("timelimit", 5), ("drain", 4), ("down", 3),
                 ("reconfigure", 4), ("ctld_kill", 1.5), ("slurmd_kill", 2.5),
                 ("idle", 20)]
        disruptive = [k for k, _ in kinds if k not in ("submit", "idle")]
        t_end = time.time() + seconds
        last_kick = 0
        while not self.fatal:
            now = time.time()
            if now >= t_end:
                break
            kind = r.choices([k for k, _ in kinds],
                             weights=[w for _, w in kinds])[0]
            force, pause = r.random(), r.uniform(0.1, 0.8)
            self.step = random.Random(r.getrandbits(64))
            self.do_todo(now)
            if now - last_kick > 5:
                self.kick_requeued()
                self.release_held()
                last_kick = now
            # past 40 % of the run, a kind of disruption not seen yet
            missing = [k for k in disruptive if not self.events[k]]
            if missing and now > t_end - seconds * 0.6 and force < 0.3:
                kind = self.step.choice(missing)
            self.act(kind, t_end - now)
            time.sleep(pause)

    def act(self, kind, remaining):
        if kind == "submit":
            return self.ev_submit(remaining)
        if kind == "scancel":
            return self.ev_cancel()
        if kind == "requeue":
            return self.ev_requeue()
        if kind == "suspend":
            return self.ev_suspend()
        if kind == "timelimit":
            return self.ev_timelimit()
        if kind in ("drain", "down"):
            return self.ev_node_state(kind.upper())
        if kind == "reconfigure":
            return self.ev_reconfigure()
        if kind == "ctld_kill":
            return self.ev_ctld_kill()
        if kind == "slurmd_kill":
            return self.ev_slurmd_kill()
        return False

    # ---- the end -----------------------------------------------------------
    def drain(self, timeout):
        """Undoes what the stream left in place and waits for every job."""
        self.log("drain: resuming jobs and nodes, restoring the first budget")
        self.do_todo(time.time(), everything=True)
        # A suspend that slurmctld had not saved when it was killed is
        # lost: the job is RUNNING again but its processes stay stopped.
        # Suspending and resuming every job the stream ever suspended
        # wakes them (the others stop and continue for a moment).
        for rec, u in self.active({"RUNNING"}):
            if u.suspended and not rec["HetJobId"]:
                for op in ("suspend", "resume"):
                    self.did(f"drain_{op}", f"{rec['JobId']} ({u.sub.name})",
                             self.run("scontrol", op, str(rec["JobId"])))
        # A job that ended just before a kill -9 of slurmctld, unsaved,
        # comes back RUNNING; Slurm requeues it when its node registers
        # again with the job gone, at least BatchStartTimeout + 5 s after
        # the restart, else only about every 20 pings (200 s). A
        # reconfigure makes every slurmd register: the restore comes late
        # enough for that.
        if self.crashes:
            time.sleep(max(0, self.crashes[-1]["up"] + 20 - time.time()))
        self.reconfigure(self.base, kind="reconfigure_restore")
        end = time.time() + timeout
        last = 0
        while time.time() < end and not self.fatal:
            with self.lock:
                left = [u for u in self.units.values() if self.open(u)]
            if not left:
                return True
            self.do_todo(time.time())
            if time.time() - last > 5:
                last = time.time()
                self.kick_requeued()
                self.release_held()
                for rec, u in self.active({"SUSPENDED"}):
                    self.run("scontrol", "resume",
                             str(rec["HetJobId"] or rec["JobId"]))
                self.resume_nodes()
            time.sleep(1)
        return False

    def open(self, u):
        """Not yet accounted for: neither ended nor lost."""
        if u.sub.status == "rejected" or u.lost_unsaved or u.vanished:
            return False
        if u.state is None and u.sub.status == "uncertain":
            return False
        return u.state not in TERMINAL

    def release_held(self):
        done = set()
        for rec, u in self.active({"PENDING"}):
            held = HELD.match(rec["Reason"] or "")
            if rec["JobId"] in done:
                continue
            if rec["Priority"] == "0" or held:
                if u.requeued or self.explained(u):
                    done.add(rec["JobId"])
                    self.did("release_held", f"{rec['JobId']} ({u.sub.name}, "
                             f"{rec['Reason']})",
                             self.run("scontrol", "release",
                                      str(rec["JobId"])))

    def resume_nodes(self):
        r = self.run("sinfo", "-h", "-N", "-o", "%N %T")
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and re.search(r"down|drain", parts[1]) and \
                    parts[0] not in self.out:
                self.did("drain_node_resume", f"{parts[0]} ({parts[1]})",
                         self.run("scontrol", "update",
                                  f"NodeName={parts[0]}", "State=RESUME"))

    def explained(self, u):
        """Whether the stream explains a failure of u's last run: a kill -9
        of slurmctld, of the slurmd of one of its nodes, or a downed node
        overlapping it (for a run never seen: any such outage between its
        submission and its end). A hetjob's components start and end
        together: the nodes of each component's last run count for all."""
        run = u.last_run()
        a = (run.first if run else u.sub.t0) - 3
        b = u.terminal_seen or time.time()
        nodes = set(run.nodes) if run else None
        if run and u.sub.shape == "het":
            for x in self.units_of(u.sub.seq):
                if x.last_run():
                    nodes |= x.last_run().nodes
        for w in self.windows:
            t1 = (w["t1"] or time.time()) + 45
            if w["t0"] > b or t1 < a:
                continue
            if w["kind"] == "ctld" or w["kind"] in ("slurmd", "down") and (
                    nodes is None or w["node"] in nodes):
                return True
        return False

    def account(self):
        """(final-state counts, accepted reasons, lost units)."""
        finals = collections.Counter()
        reasons = collections.Counter()
        lost = []
        for sub in sorted(self.subs.values(), key=lambda s: s.seq):
            if sub.status == "rejected":
                lost.append(f"{sub.name}: rejected at submit: {sub.message}")
                finals["REJECTED"] += 1
                continue
            us = sorted(self.units_of(sub.seq), key=lambda u: u.idx)
            if sub.status == "uncertain" and not any(u.state for u in us):
                finals["SBATCH_ERROR"] += 1
                continue
            het_failed = any(u.state in NODE_FAILURES | {"CANCELLED"} and
                             self.explained(u) for u in us)
            for u in us:
                st = u.state or "NEVER_SEEN"
                if u.lost_unsaved:
                    st = "LOST_WITH_CTLD_KILL"
                elif u.vanished:
                    st = "VANISHED"
                finals[st] += 1
                why = self.accept(u, st, het_failed)
                if why:
                    reasons[why] += 1
                else:
                    lost.append(f"{sub.name}[{u.idx}] {st}: " +
                                self.describe(u))
        return finals, reasons, lost

    def accept(self, u, st, het_failed):
        if st == "COMPLETED":
            return "completed" + (" after requeue" if len(u.runs) > 1 else "")
        if st == "LOST_WITH_CTLD_KILL":
            return "submitted after the last state save before a kill -9"
        if st == "CANCELLED" and u.cancelled:
            return "cancelled by the stream"
        if st == "CANCELLED" and u.sub.shape == "het" and het_failed:
            return "hetjob component of a failed component"
        if st == "TIMEOUT" and u.lowered:
            return "time limit lowered by the stream"
        if st == "TIMEOUT" and self.explained(u):
            # a run whose end slurmctld lost with a kill -9 stays RUNNING
            # until the node registers again or its limit passes
            return "TIMEOUT of a run across a daemon kill -9"
        if st in NODE_FAILURES and self.explained(u):
            return f"{st} after a daemon kill -9 or downed node"
        return None

    def describe(self, u):
        rec = u.rec or {}
        runs = [f"start {r.start} seen {r.first - self.t_start:.0f}.."
                f"{r.last - self.t_start:.0f}s on {sorted(r.nodes)}"
                for r in u.runs.values()]
        return (f"job {rec.get('JobId')} reason {rec.get('Reason')} "
                f"restarts {rec.get('Restarts')} runs {runs} "
                f"cancelled={u.cancelled} lowered={u.lowered} "
                f"requeued={u.requeued} suspended={u.suspended}")

    # ---- main --------------------------------------------------------------
    def main(self):
        a = self.a
        self.t_start = time.time()
        os.environ["PB_LEDGER_VERIFY"] = "1"
        print(f"soak: seed {a.seed}, {a.seconds} s, {a.nodes} nodes in racks "
              f"of {a.rack_size}, SelectType={a.select_type}", flush=True)
        print(f"soak: replay with: {self.replay()}", flush=True)
        files = {"power_budget.conf": self.base.text(a.nodes,
                                                     a.conf_gpu_max_w)}
        self.c = Cluster(
            nodes=a.nodes, select_type=a.select_type, plugin_dir=a.plugin_dir,
            memory_mb=64000, start_timeout=max(90, a.nodes * 2),
            extra_conf={"MinJobAge": "300", "MaxJobCount": "50000"},
            files=files).start()
        ok = False
        try:
            t_up = time.time() - self.t_start
            self.log(f"cluster up in {t_up:.1f}s; budget "
                     f"{self.base.summary()}")
            th = threading.Thread(target=self.sampler, daemon=True)
            th.start()
            try:
                self.stream(a.seconds)
                t_stream = time.time()
                drained = self.fatal is None and self.drain(a.drain_timeout)
                t_drain = time.time() - t_stream
                time.sleep(a.interval * 2)  # a last sample or two
            finally:
                self.halt.set()
                th.join(30)
            ok = self.report(t_up, t_drain, drained)
        except BaseException:
            traceback.print_exc()
            print(self.c.logs(60), file=sys.stderr)
            self.fail_footer()
            raise
        finally:
            self.c.close()
        return 0 if ok else 1

    def replay(self):
        a = self.a
        env = f"PB_PLUGIN_DIR={shlex.quote(a.plugin_dir)} " \
            if a.plugin_dir else ""
        args = [sys.executable, os.path.abspath(__file__),
                "--seconds", str(a.seconds), "--seed", str(a.seed)]
        for opt, default in (("nodes", 32), ("rack_size", 8),
                             ("select_type", PLUGIN_TYPE),
                             ("conf_gpu_max_w", None), ("max_pending", 40),
                             ("max_out", 3), ("interval", 1.0),
                             ("trace", False)):
            v = getattr(a, opt)
            if v is True:
                args.append(f"--{opt.replace('_', '-')}")
            elif v != default:
                args += [f"--{opt.replace('_', '-')}", str(v)]
        return env + shlex.join(args)

    def fail_footer(self):
        print(f"soak: FAILED; seed {self.a.seed}; replay the same event "
              f"stream with:\n  {self.replay()}", flush=True)

    def report(self, t_up, t_drain, drained):
        finals, reasons, lost = self.account()
        log = log_text(self.c)
        problems = []
        if self.fatal:
            problems.append(self.fatal)
        if "ledger invariant broken" in log:
            problems.append("slurmctld.log: ledger invariant broken")
        if self.a.select_type == PLUGIN_TYPE and \
                "PB_LEDGER_VERIFY set" not in log:
            problems.append("slurmctld ran without PB_LEDGER_VERIFY")
        if not drained and not self.fatal:
            problems.append("jobs still open after the drain timeout")
        if self.checker_errors:
            problems.append(f"{len(self.checker_errors)} checker error(s): "
                            + "; ".join(self.checker_errors[:5]))
        if self.breaks:
            problems.append(f"{len(self.breaks)} cap break(s)")
        if lost:
            problems.append(f"{len(lost)} lost job(s)")
        events = dict(sorted(self.events.items()))
        res = {
            "seed": self.a.seed, "seconds": self.a.seconds,
            "nodes": self.nodes, "select_type": self.a.select_type,
            "startup_s": round(t_up, 1), "drain_s": round(t_drain, 1),
            "wall_s": round(time.time() - self.t_start, 1),
            "budget_first": self.base.summary(),
            "submitted_per_shape": dict(sorted(self.submitted.items())),
            "jobs": sum(1 for u in self.units.values()),
            "final_states": dict(sorted(finals.items())),
            "accounted": dict(sorted(reasons.items())),
            "lost": len(lost),
            "samples": self.samples, "failed_samples": self.failed_samples,
            "cap_breaks": len(self.breaks),
            "break_samples": self.break_samples,
            "samples_over_a_lowered_cap": self.over_legit,
            "peak_load_of_limit": {k: round(v, 3)
                                   for k, v in sorted(self.peak.items())},
            "power_bound_share": round(self.power_bound_samples /
                                       max(1, self.pending_samples), 2),
            "pending_reasons": dict(self.reasons.most_common(8)),
            "runs_started": sum(len(u.runs) for u in self.units.values()),
            "slurmctld_restarts": events.get("ctld_kill", 0),
            "slurmd_restarts": events.get("slurmd_start", 0),
            "slurmd_killed_from_outside": self.outside_kills,
            "slurmd_port_taken_restarts": self.port_busy_restarts,
            "foreign_record_sightings": self.foreign,
            "reconfigures": events.get("reconfigure", 0),
            "events": events,
            "command_errors": dict(sorted(self.cmd_errors.items())),
        }
        print("SOAK " + json.dumps(res), flush=True)
        print(f"soak: seed {res['seed']}, {res['seconds']} s + "
              f"{res['drain_s']} s drain, {res['wall_s']} s wall")
        print(f"  submitted per shape: {res['submitted_per_shape']} "
              f"({res['jobs']} jobs)")
        print(f"  final states: {res['final_states']}")
        print(f"  accounted: {res['accounted']}")
        print(f"  samples {res['samples']} (failed {res['failed_samples']}), "
              f"cap breaks {res['cap_breaks']}, samples over a freshly "
              f"lowered cap {res['samples_over_a_lowered_cap']}, peak "
              f"load/limit {res['peak_load_of_limit']}, pending mostly on "
              f"power in {res['power_bound_share']:.0%} of samples with jobs "
              f"pending (reasons {res['pending_reasons']})")
        print(f"  survived: {res['slurmctld_restarts']} slurmctld and "
              f"{res['slurmd_restarts']} slurmd kill -9, "
              f"{res['reconfigures']} reconfigures")
        for i, b in enumerate(self.breaks):
            status = b.pop("plugin_status", "")
            print("  BREAK " + json.dumps(b))
            if i < 5:
                print("    plugin status then:\n      " +
                      status.strip().replace("\n", "\n      "))
        for line in lost[:50]:
            print("  LOST " + line)
        if self.fatal or "ledger invariant broken" in log:
            print("---- slurmctld.log (last 80 lines) ----\n" +
                  "".join(log.splitlines(True)[-80:]))
        if problems:
            print("soak: " + "; ".join(problems))
            self.fail_footer()
            return False
        print("soak: OK")
        return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=300,
                    help="length of the event stream (default 300)")
    ap.add_argument("--seed", type=int, default=None,
                    help="seed of the event stream and budgets (default: "
                         "random, printed)")
    ap.add_argument("--nodes", type=int, default=32)
    ap.add_argument("--rack-size", type=int, default=8)
    ap.add_argument("--interval", type=float, default=1.0,
                    help="seconds between samples (default 1)")
    ap.add_argument("--max-pending", type=int, default=40,
                    help="no submission while this many jobs wait")
    ap.add_argument("--max-out", type=int, default=3,
                    help="nodes drained, down or without slurmd at once")
    ap.add_argument("--ctld-gap", type=float, default=25,
                    help="seconds between kills of slurmctld at least")
    ap.add_argument("--drain-timeout", type=int, default=420)
    ap.add_argument("--trace", action="store_true",
                    help="DebugTrace=yes: the plugin logs every decision")
    ap.add_argument("--plugin-dir", default=os.environ.get("PB_PLUGIN_DIR"))
    ap.add_argument("--select-type", default=PLUGIN_TYPE,
                    help="checker self-test: select/cons_tres must break caps")
    ap.add_argument("--conf-gpu-max-w", type=int, default=None,
                    help="checker self-test: tell the plugin this GpuMaxW "
                         f"while the checker counts {GPU_MAX_W} W")
    a = ap.parse_args(argv)
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 2**31)
    if a.select_type == PLUGIN_TYPE:
        if not a.plugin_dir:
            print("soak: PB_PLUGIN_DIR not set (build the plugin; ctest sets "
                  "it); skipped", file=sys.stderr)
            return SKIP_EXIT
        if not os.path.isfile(os.path.join(a.plugin_dir, PLUGIN_SO)):
            print(f"soak: {a.plugin_dir}/{PLUGIN_SO} does not exist",
                  file=sys.stderr)
            return 1
    return Soak(a).main()


if __name__ == "__main__":
    sys.exit(main())
