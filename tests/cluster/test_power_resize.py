#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 180
"""Shrinking a running job (scontrol update JobId=… NodeList=…) gives the
power of the nodes it leaves back at once, and keeps exactly what the
nodes it keeps draw (all 8 GPUs of each, also when a node in the middle
of its allocation leaves); a job waiting for that power then starts. At
no sampled moment is the ledger over the cap.

Watts (powertest.py): idle node 2800 W, a full job +5500 W per node.
  cap 27700 W = 4 idle + 3 busy nodes
  a 3-node job:       11200 + 16500 = 27700 W (a 4th busy node: no)
  shrunk to 2 nodes:  11200 + 11000 = 22200 W (a 1-node job fits again)
"""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
IDLE = NODES * pt.IDLE_W
CAP_W = IDLE + 3 * pt.JOB_NODE_W


class ResizeTest(ClusterTestCase):

    def test_shrink_gives_power_back(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("rack", "site", "1MW", f"n[1-{NODES}]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            watch = pt.CapWatch(c, {"site": CAP_W})
            script, release = pt.gate(c, "a")
            a = c.sbatch(["--time=5", "-N3", "-w", "n[1-3]", *pt.FULL_NODE],
                         script)
            c.wait_jobs([a], state="RUNNING", timeout=30)
            s = pt.wait_status(c, lambda s: a in s["jobs"])
            self.assertEqual(int(s["jobs"][a]["Watts"]), 3 * pt.JOB_NODE_W)

            b = c.sbatch(["--time=5", *pt.FULL_NODE], "true")
            def pending():
                st, reason, _ = pt.queue(c)[b]
                self.assertEqual(st, "PENDING", "b started over the cap")
                watch()
                return reason
            reason = pt.hold_for(5, pending)
            self.assertTrue(reason.startswith("PowerNotAvail"), reason)

            # n2 leaves: the middle node of a's allocation
            c.scontrol("update", f"jobid={a}", "NodeList=n1,n3")
            self.assertEqual(c.nodes_of(a), ["n1", "n3"])
            s = pt.wait_status(c, lambda s: a in s["jobs"] and
                               s["jobs"][a]["Nodes"] == "n1,n3")
            self.assertEqual(int(s["jobs"][a]["Watts"]), 2 * pt.JOB_NODE_W,
                             s["text"])
            # b may already hold n2 in this snapshot; what a left is gone
            on_n2 = [j for j, v in s["jobs"].items()
                     if j != a and "n2" in v["Nodes"].split(",")]
            self.assertEqual(int(s["nodes"]["n2"]["DrawW"]),
                             pt.IDLE_W + len(on_n2) * pt.JOB_NODE_W,
                             s["text"])
            self.assertEqual(int(s["nodes"]["n3"]["DrawW"]), pt.BUSY_W,
                             s["text"])

            # the power n2 gave back lets b start
            pt.poll_until(lambda: (c.job(b) or {}).get("JobState") in
                          ("RUNNING", "COMPLETED"), 30, "b started",
                          each=watch, detail=lambda: pt.queue(c), cluster=c)
            release()
            c.wait_jobs([a, b], timeout=60)
            s = pt.wait_status(c, lambda s: not s["jobs"])
            self.assertEqual(pt.committed(s, "site"), IDLE, s["text"])
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
