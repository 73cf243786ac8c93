#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 300
"""The wrapper is transparent: the same workload, submitted in the same order
with the same resources, gets the same placements under select/cons_tres and
under select/cons_tres_power (power ample, so it never binds) -- node lists,
CPU ids, memory and GPU indices per node, pending reasons and
sbatch --test-only answers, step by step."""

import os
import re
import time

from clustertest import (Cluster, ClusterTestCase, PLUGIN_TYPE,
                         ample_power_conf, main, nodes, plugin_dir)
from pbcluster import gate, poll_until

# backfill every second so that a step settles quickly
SCHED = "sched_interval=2,bf_interval=1,sched_min_interval=100000"
QUIET = 2.0  # seconds without change (2 backfill passes): settled
# PB_TEST_VERBOSE=1 prints how long each step took to settle
VERBOSE = os.environ.get("PB_TEST_VERBOSE", "") not in ("", "0")
ALLOC = re.compile(r"Nodes=(\S+) CPU_IDs=(\S+) Mem=(\d+) GRES=(\S*)")
TEST_ONLY = re.compile(r"to start at \S+ using (\d+) processors on nodes (\S+)")


def workload(n):
    """(action, name, sbatch args) in order; fragments and refills the
    cluster so that cons_tres's choices (which node, which GPUs) matter."""
    return [
        ("submit", "a", ["-n1", "--gpus=2"]),
        ("submit", "b", [f"-N{n - 1}", "--gpus-per-node=8"]),
        ("submit", "c", ["-n1", "--gpus=6"]),            # fills a's node
        ("submit", "d", ["-N1", "--gpus=1"]),            # no GPU left: waits
        ("submit", "e", ["-N2", "--gpus-per-node=2", "--ntasks-per-node=2"]),
        # b's end frees nodes while d and e wait; when its epilog ends
        # relative to the scheduler passes decides which of them starts
        # first, in plain cons_tres too. So they are held while b drains
        # and released together: both runs then place them in priority
        # order, and the comparison is of placement, not of that race.
        ("hold", "de", None),
        ("cancel", "b", None),
        ("release_held", "de", None),                    # d, then e start
        ("submit", "f", ["-n4", "--gpus-per-task=1", "--cpus-per-task=2"]),
        ("submit", "g", ["-N1", "--exclusive"]),
        ("submit", "h", [f"-N{n - 1}", "--gpus-per-node=4", "--mem=64G"]),
        ("cancel", "a", None),
        ("submit", "i", ["-n1", "--cpus-per-task=16", "--mem-per-cpu=4G"]),
        ("test_only", "t1", ["-N2", "--gpus-per-node=8"]),
        ("cancel", "c", None),
        ("test_only", "t2", [f"-N{n}", "--gpus-per-node=1"]),
        ("release", "*", None),                          # all end normally
    ]


def job_views(c):
    """{jobid: (state, pending reason, node list, per-node allocation)} of
    all jobs, from one `scontrol -d show job -o`."""
    views = {}
    for line in c.run(["scontrol", "-d", "show", "job", "-o"]).stdout.splitlines():
        m = re.match(r"JobId=(\d+) ", line)
        if not m:
            continue
        state = re.search(r"JobState=(\S+)", line).group(1)
        reason = re.search(r"Reason=(\S+)", line).group(1)
        nodelist = re.search(r" NodeList=(\S*)", line).group(1)
        views[int(m.group(1))] = (
            state, reason if state == "PENDING" else "",
            nodelist if state != "PENDING" else "",
            tuple(ALLOC.findall(line)) if state == "RUNNING" else ())
    return views


def settle(c, ids, timeout=60):
    """Waits until nothing is completing and, if jobs are pending, the picture
    has not changed for QUIET seconds (so both schedulers had their turn)."""
    last, since = None, time.monotonic()

    def settled():
        nonlocal last, since
        all_views = job_views(c)
        view = {j: all_views.get(j) for j in ids}
        busy = any(v is None or v[0] in ("COMPLETING", "CONFIGURING") or
                   (v[0] == "PENDING" and v[1] == "None") for v in view.values())
        busy = busy or "completing" in c.sinfo("-h", "-o", "%T")
        if busy or view != last:
            last, since = view, time.monotonic()
            return None
        if not any(v[0] == "PENDING" for v in view.values()) or \
                time.monotonic() - since >= QUIET:
            return (view,)  # true also for no jobs at all
        return None
    return poll_until(settled, timeout, "workload settled", interval=0.5,
                      detail=lambda: f"last view: {last}\n" + c.logs(20))[0]


def two_switches(n):
    """topology.conf text: n nodes split over two leaf switches under one."""
    h = n // 2
    return (f"SwitchName=s1 Nodes=n[1-{h}]\n"
            f"SwitchName=s2 Nodes=n[{h + 1}-{n}]\n"
            "SwitchName=top Switches=s[1-2]\n")


def _release_all(c, release, ids):
    """Opens the gate. The running jobs end in whatever order their loops
    see it (each looks every 0.2 s), and where a waiting job then starts
    depends on that order, in plain cons_tres too; so, as with d and e,
    the waiting jobs are held until the running ones are gone and then
    released together: the comparison is of placement, not of that race."""
    views = job_views(c)
    live = {k: j for k, j in ids.items() if k not in "abc"}
    waiting = [j for j in live.values() if views.get(j, ("",))[0] == "PENDING"]
    if waiting:
        c.run(["scontrol", "hold", ",".join(map(str, waiting))])
    release()
    c.wait_jobs([j for j in live.values() if j not in waiting], timeout=60)
    settle(c, list(ids.values()))
    if waiting:
        c.run(["scontrol", "release", ",".join(map(str, waiting))])


def run_workload(select_type, pdir, topology=None):
    n = nodes()
    conf = {"SchedulerParameters": SCHED}
    files = {"power_budget.conf": ample_power_conf(n)} if pdir else {}
    steps = []
    with Cluster(nodes=n, select_type=select_type, plugin_dir=pdir,
                 extra_conf=conf, files=files, topology=topology) as c:
        script, release = gate(c, "all")
        ids = {}
        for action, name, args in workload(n):
            if action == "submit":
                ids[name] = c.sbatch(["-J", name, *args], script)
            elif action == "cancel":
                c.run(["scancel", str(ids[name])])
            elif action in ("hold", "release_held"):
                verb = "hold" if action == "hold" else "release"
                c.run(["scontrol", verb,
                       ",".join(str(ids[k]) for k in name)])
            elif action == "release":
                _release_all(c, release, ids)
            elif action == "test_only":
                r = c.run(["sbatch", "--test-only", *args, "--wrap", "true"],
                          check=False)
                m = TEST_ONLY.search(r.stderr)
                steps.append((name, m.groups() if m else r.stderr.strip()))
                continue
            if action == "release":  # a, b, c were cancelled on the way
                c.wait_jobs([j for k, j in ids.items() if k not in "abc"],
                            timeout=60)
            t0 = time.monotonic()
            view = settle(c, list(ids.values()))
            if VERBOSE:
                print(f"  {select_type} {action} {name}: settled in "
                      f"{time.monotonic() - t0:.1f}s", flush=True)
            steps.append((f"{action} {name}",
                          {k: view[j] for k, j in ids.items()}))
    return steps


class TransparencyTest(ClusterTestCase):
    topology = None  # test_transparency_topo.py: the same under topology/tree

    def test_same_placements_as_cons_tres(self):
        if nodes() < 3:
            self.skipTest("the workload needs at least 3 nodes")
        pdir = plugin_dir(self)
        topo = two_switches(nodes()) if self.topology else None
        plain = run_workload("select/cons_tres", None, topo)
        wrapped = run_workload(PLUGIN_TYPE, pdir, topo)
        # the workload did what it is meant to: jobs ran, some waited first
        states = [v[0] for _, snap in plain if isinstance(snap, dict)
                  for v in snap.values()]
        self.assertIn("PENDING", states)
        self.assertIn("RUNNING", states)
        final = plain[-1][1]
        self.assertEqual({k: v[0] for k, v in final.items()},
                         {k: "CANCELLED" if k in "abc" else "COMPLETED"
                          for k in final})
        for (step, a), (_, b) in zip(plain, wrapped):
            self.assertEqual(a, b, f"after '{step}': cons_tres vs cons_tres_power")
        self.assertEqual(len(plain), len(wrapped))


if __name__ == "__main__":
    main()
