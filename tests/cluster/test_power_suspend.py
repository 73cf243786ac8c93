#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""Suspend and resume keep the ledger exact and the cap safe: a suspended
job's GPUs idle (its increment leaves CommittedW) but its power stays held
(ReservedW), so a waiting job cannot take it and the resume cannot break
the cap; the waiting job starts once the suspended job has resumed and
ended."""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 2
# 2 idle nodes 5600 W; one full one-node job adds 5500 W: 11100 W.
# A second would be 16600 W: over the 12 kW cap.
CAP_W = 12000
IDLE = NODES * pt.IDLE_W


class SuspendTest(ClusterTestCase):

    def test_suspended_power_stays_held(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("rack", "site", "1MW", f"n[1-{NODES}]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            script, release = pt.gate(c, "a")
            a = c.sbatch(["--time=3", *pt.FULL_NODE], script)
            c.wait_jobs([a], state="RUNNING", timeout=30)
            b = c.sbatch(["--time=3", *pt.FULL_NODE], "true")
            pt.wait_status(c, lambda s: committed_is(s, IDLE + pt.JOB_NODE_W))

            c.scontrol("suspend", str(a))
            s = pt.wait_status(
                c, lambda s: s["jobs"].get(a, {}).get("Suspended") == "yes")
            # GPUs idle: only idle draw committed; a's power held for it
            self.assertEqual(pt.committed(s, "site"), IDLE, s["text"])
            self.assertEqual(int(s["domains"]["site"]["ReservedW"]),
                             pt.JOB_NODE_W, s["text"])
            def pending():
                st, reason, _ = pt.queue(c)[b]
                self.assertEqual(st, "PENDING",
                                 "b took the suspended job's power")
                return reason
            reason = pt.hold_for(6, pending)  # main and backfill passes
            self.assertTrue(reason.startswith("Power"), reason)

            c.scontrol("resume", str(a))
            s = pt.wait_status(
                c, lambda s: s["jobs"].get(a, {}).get("Suspended") == "no")
            self.assertEqual(pt.committed(s, "site"), IDLE + pt.JOB_NODE_W,
                             s["text"])
            self.assertEqual(int(s["domains"]["site"]["ReservedW"]), 0,
                             s["text"])
            self.assertLessEqual(pt.committed(s, "site"), CAP_W)
            self.assertEqual(pt.queue(c)[b][0], "PENDING")

            release()
            c.wait_jobs([a, b], timeout=60)
            self.assertNotIn("over its power limit", pt.ctld_log(c))


def committed_is(s, watts):
    return pt.committed(s, "site") == watts


if __name__ == "__main__":
    main()
