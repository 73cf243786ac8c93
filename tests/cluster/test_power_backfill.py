#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""Backfill places a job where the power is, not where cons_tres alone
would: with rack1 at its cap but a node of it idle, a short job that
only the backfill scheduler may start (the main scheduler stops at the
power-blocked job before it in the partition) starts now on rack2,
instead of being planned on rack1's idle node for when rack1's power
frees. It ends before the blocked job could start, so that job's power
reservation does not stop it. Never over any cap.

Watts (powertest.py): idle node 2800 W, a full job +5500 W per node.
  rack1 = n1, n2; rack2 = n3, n4; each cap 2 x 2800 + 5500 = 11100 W:
  one busy node per rack.
"""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
RACK_W = 2 * pt.IDLE_W + pt.JOB_NODE_W


class BackfillTest(ClusterTestCase):

    def test_backfill_goes_where_the_power_is(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", "1MW",
                         [("rack1", "site", f"{RACK_W}W", "n[1-2]"),
                          ("rack2", "site", f"{RACK_W}W", "n[3-4]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            script, release = pt.gate(c, "r1")
            r1 = c.sbatch(["--time=10", "-w", "n1", *pt.FULL_NODE], script)
            c.wait_jobs([r1], state="RUNNING", timeout=30)
            pt.wait_status(c, lambda s: r1 in s["jobs"])
            # two busy nodes fit nowhere until r1 ends: rack1 has no
            # room left, rack2 room for one
            h = c.sbatch(["--time=5", "-N2", *pt.FULL_NODE], "true")
            short = c.sbatch(["--time=1", *pt.FULL_NODE], "sleep 2")
            watch = pt.CapWatch(c, {"rack1": RACK_W, "rack2": RACK_W})
            last = {}

            def backfilled():
                q = last["q"] = pt.queue(c)
                watch()
                self.assertEqual(q[h][0], "PENDING", q)
                return q[short][0] in ("RUNNING", "COMPLETED") and q
            q = pt.poll_until(backfilled, 40, "the short job backfilled",
                              detail=lambda: f"{last['q']}\n" + c.logs(20))
            seen = q[short][2] or c.nodes_of(short)
            self.assertIn(seen[0], ("n3", "n4"), seen)
            self.assertIn("sched/backfill: _start_job: Started JobId="
                          f"{short}", pt.ctld_log(c))
            self.assertTrue(pt.queue(c)[h][1].startswith("Power"),
                            pt.queue(c)[h])
            release()
            c.wait_jobs([r1, h, short], timeout=90)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
