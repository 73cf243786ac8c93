#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""Nested domain caps: two racks with their own caps under an ample
facility. Jobs go to the rack that has headroom (even when cons_tres's own
first choice, the lowest free node, is in the full rack), and a rack at
its cap receives nothing while the facility still has room; when power
frees in that rack, the waiting job starts there."""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 6
RACK_A = ["n1", "n2", "n3"]
RACK_B = ["n4", "n5", "n6"]
# Both racks: 3 idle nodes = 3 x 2800 = 8400 W; each one-node full job
# adds 5500 W.
#   rackA cap 20 kW: 2 jobs 8400 + 11000 = 19400 W fit, a 3rd (24900 W)
#                    is 4900 W short
#   rackB cap 30 kW: 3 jobs 8400 + 16500 = 24900 W fit (all its nodes)
#   facility 1 MW:   never binds (6 x 8300 W = 49.8 kW at most)
RACK_A_CAP, RACK_B_CAP = 20000, 30000
CONF = pt.budget("n[1-6]", "1MW",
                 [("hall", "site", "1MW", None),
                  ("rackA", "hall", f"{RACK_A_CAP}W", "n[1-3]"),
                  ("rackB", "hall", f"{RACK_B_CAP}W", "n[4-6]")])


class DomainsTest(ClusterTestCase):

    def test_jobs_land_where_the_rack_has_headroom(self):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": CONF}) as c:
            script, release_all = pt.gate(c, "all")
            first_a, release_first = pt.gate(c, "first")
            ids = []
            # one at a time, so each placement is decided with the previous
            # ones running: cons_tres alone would take n1, n2, n3, n4, n5
            for i in range(5):
                ids.append(c.sbatch(["-J", f"j{i}", *pt.FULL_NODE],
                                    first_a if i == 0 else script))
                c.wait_jobs([ids[-1]], state="RUNNING", timeout=30)
            where = {j: c.nodes_of(j) for j in ids}
            in_a = [j for j in ids if where[j][0] in RACK_A]
            in_b = [j for j in ids if where[j][0] in RACK_B]
            # rackA took two (its cap), the 3rd job went to rackB although
            # n3 was free: cons_tres's own pick would have been n3
            self.assertEqual(in_a, ids[:2], where)
            self.assertEqual(in_b, ids[2:], where)
            self.assertEqual(sorted(n for j in in_b for n in where[j]), RACK_B)
            s = pt.wait_status(c, lambda s: len(s["jobs"]) == 5)
            self.assertEqual(pt.committed(s, "rackA"), 3 * pt.IDLE_W +
                             2 * pt.JOB_NODE_W)              # 19400 W
            self.assertEqual(pt.committed(s, "rackB"), 3 * pt.IDLE_W +
                             3 * pt.JOB_NODE_W)              # 24900 W

            # rackA is at its cap with a free node (n3); the facility has
            # ~950 kW of room. A 6th job must wait for rackA's power.
            free_a = sorted(set(RACK_A) - {n for j in in_a for n in where[j]})
            self.assertEqual(free_a, ["n3"])
            waiting = c.sbatch(["-J", "w", *pt.FULL_NODE], "true")
            reasons = set()

            def pending():
                q = pt.queue(c)
                self.assertEqual(q[waiting][0], "PENDING", q)
                reasons.add(q[waiting][1])
            pt.hold_for(8, pending, 0.5)   # 4 main/backfill passes
            s = pt.read_status(c)
            self.assertGreaterEqual(int(s["domains"]["site"]["HeadroomW"]),
                                    pt.JOB_NODE_W, s["text"])
            self.assertEqual(pt.committed(s, "rackA"), 19400, s["text"])
            # 8400 + 3 x 5500 - 20000 = 4900 W
            self.assertIn("PowerNotAvail: rackA short 4900 W", reasons)

            # power frees in rackA: the waiting job starts there
            release_first()
            c.wait_jobs([ids[0]], timeout=30)
            c.wait_jobs([waiting], timeout=30)
            self.assertIn(c.nodes_of(waiting)[0], RACK_A)
            release_all()
            c.wait_jobs(ids, timeout=30)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
