#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 240
"""Preemption under a binding power cap (PreemptType=preempt/partition_prio,
PreemptMode=REQUEUE; partition "high" outranks "low"):

1. A high job pinned to a node that a low job holds preempts that low job
   and starts there, although the facility has no headroom for it while
   the low job runs: the power of the job Slurm preempts counts as freed.
2. A high job with idle nodes but no power preempts exactly one low job,
   for its power alone, and starts; the other low job keeps running.
3. A low job cannot preempt: it waits with the power reason.

A preempted job's node stays COMPLETING while its (slow) epilog runs;
meanwhile the preemptor is tried again and cons_tres may answer "runs"
without resources. Such an answer must neither start the job in the
ledger nor cost another job its place.

At no sampled moment is the ledger's committed power over the cap, and in
the end every job (the requeued ones run again) completes."""

import os
import shutil
import tempfile

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
# 4 idle nodes: 11200 W; each full one-node job adds 5500 W:
#   3 jobs: 27700 W <= 30000 W; 4 jobs: 33200 W > 30000 W.
CAP_W = 30000
IDLE = NODES * pt.IDLE_W
EPILOG_S = 3


def slow_epilog(tmp):
    """An Epilog that keeps a preempted low job's node COMPLETING."""
    path = os.path.join(tmp, "epilog")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                f'[ "$SLURM_JOB_PARTITION" = low ] && sleep {EPILOG_S}\n'
                "exit 0\n")
    os.chmod(path, 0o755)
    return path


class PreemptTest(ClusterTestCase):

    def _sample(self, c):
        """One sample: the ledger's cap checked, then the queue."""
        self.ledger()
        self.last = pt.queue(c)
        return self.last

    def _watch(self, c, pred, timeout, what):
        """Polls until pred(queue) is true, checking the ledger's cap at
        every sample; returns the last queue snapshot."""
        def sample():
            q = self._sample(c)
            return q if pred(q) else None
        return pt.poll_until(sample, timeout, what,
                             detail=lambda: f"{self.last}\n{c.logs(30)}")

    def test_preemption_frees_power(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("hall", "site", "1MW", f"n[1-{NODES}]")])
        tmp = tempfile.mkdtemp(prefix="pb-preempt-")
        self.addCleanup(shutil.rmtree, tmp, True)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf},
                     extra_conf={"PreemptType": "preempt/partition_prio",
                                 "PreemptMode": "REQUEUE",
                                 "JobRequeue": "1",
                                 "Epilog": slow_epilog(tmp)},
                     extra_lines=[
                         "PartitionName=low Nodes=ALL PriorityTier=1 "
                         "PreemptMode=REQUEUE State=UP",
                         "PartitionName=high Nodes=ALL PriorityTier=2 "
                         "PreemptMode=OFF State=UP"]) as c:
            self.ledger = pt.CapWatch(c, {"site": CAP_W})
            script, release = pt.gate(c, "all")
            low = {}
            for n in ("n1", "n2", "n3"):
                low[n] = c.sbatch(["-p", "low", "-w", n, "--time=10",
                                   *pt.FULL_NODE], script)
            self._watch(c, lambda q: all(q[j][0] == "RUNNING"
                                         for j in low.values()),
                        60, "low jobs running")
            pt.wait_status(c, lambda s: pt.committed(s, "site") ==
                           IDLE + 3 * pt.JOB_NODE_W)

            # 1. node-driven: n1 is busy and the facility has 2300 W left
            h1 = c.sbatch(["-p", "high", "-w", "n1", "--time=10",
                           *pt.FULL_NODE], script)
            q = self._watch(c, lambda q: q[h1][0] == "RUNNING", 60,
                            "high job on n1 running")
            self.assertEqual(q[h1][2], ["n1"])
            self.assertNotEqual(q[low["n1"]][0], "RUNNING")
            self.assertGreaterEqual(
                int(c.job(low["n1"]).get("Restarts", "0")), 1,
                "the low job on n1 was not requeued")
            for n in ("n2", "n3"):
                self.assertEqual(q[low[n]][0], "RUNNING", q)

            # 2. power-driven: n4 is idle, only power is short
            h2 = c.sbatch(["-p", "high", "--time=10", *pt.FULL_NODE], script)
            q = self._watch(c, lambda q: q[h2][0] == "RUNNING", 60,
                            "high job without a node pin running")
            preempted = [n for n in ("n2", "n3") if q[low[n]][0] != "RUNNING"]
            self.assertEqual(len(preempted), 1,
                             f"expected exactly one more low job preempted: {q}")
            self.assertEqual(q[h1][0], "RUNNING")
            log = pt.ctld_log(c)
            self.assertRegex(
                log, rf"JobId={h2} preempts JobId={low[preempted[0]]} "
                     r"for its power")
            # The status file follows the ledger within a second: the one
            # from before h2 started has the same total, so wait for the
            # jobs, then check the total.
            kept = low[({"n2", "n3"} - set(preempted)).pop()]
            s = pt.wait_status(c, lambda s: set(s["jobs"]) == {h1, h2, kept})
            self.assertEqual(pt.committed(s, "site"),
                             IDLE + 3 * pt.JOB_NODE_W, s["text"])

            # 3. a low job cannot preempt: it waits for power
            l4 = c.sbatch(["-p", "low", "--time=10", *pt.FULL_NODE], script)
            def waits():
                q = self._sample(c)
                self.assertEqual(q[l4][0], "PENDING", q)
                self.assertEqual(
                    sum(1 for j in (h1, h2, *low.values())
                        if q[j][0] == "RUNNING"), 3, q)
            pt.hold_for(8, waits, 0)
            reason = pt.queue(c)[l4][1]
            self.assertTrue(reason.startswith("Power"), reason)

            release()
            # Slurm delays a requeued job's restart by the credential
            # lifetime; start them now, once power allows
            for n in ["n1", *preempted]:
                c.scontrol("update", f"JobId={low[n]}", "StartTime=now")
            ids = [h1, h2, l4, *low.values()]
            self._watch(c, lambda q: all(q[j][0] == "COMPLETED" for j in ids),
                        150, "all jobs completed")
            end_s = pt.wait_status(c, lambda s: not s["jobs"])
            self.assertEqual(pt.committed(end_s, "site"), IDLE)
            print(f"  {self.ledger.samples} ledger samples, never over "
                  f"{CAP_W} W; preempted for power: {preempted}", flush=True)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
