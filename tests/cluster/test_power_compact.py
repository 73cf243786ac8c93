#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""Compact placement with topology/tree while power binds: a multi-node job
lands under one leaf switch when one leaf can hold it (nodes and power),
although cons_tres's own best-fit leaf cannot power it and a mixed set of
nodes across both leaves would keep every cap; when no single leaf can hold
the job it still starts, across leaves."""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 8
LEAF1 = ["n1", "n2", "n3", "n4"]
LEAF2 = ["n5", "n6", "n7", "n8"]
TOPOLOGY = {"leaf1": "Nodes=n[1-4]", "leaf2": "Nodes=n[5-8]",
            "spine": "Switches=leaf[1-2]"}
# Each leaf switch is also a rack (power domain): 4 idle nodes draw
# 4 x 2800 = 11200 W; each one-node full job adds 5500 W.
#   rackA (leaf1) cap 25 kW: 11200 + 2 x 5500 = 22200 W fits, 3 nodes
#                 (27700 W) do not: with one job on n1, room for 1 node
#   rackB (leaf2) cap 50 kW: all 4 nodes (33200 W) fit
#   facility 1 MW: never binds
CONF = pt.budget("n[1-8]", "1MW",
                 [("rackA", "site", "25kW", "n[1-4]"),
                  ("rackB", "site", "50kW", "n[5-8]")])


class CompactTest(ClusterTestCase):

    def test_job_lands_under_one_leaf(self):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     topology=TOPOLOGY,
                     files={"power_budget.conf": CONF}) as c:
            script, release = pt.gate(c, "all")
            a = c.sbatch(["-J", "a", "-w", "n1", *pt.FULL_NODE], script)
            c.wait_jobs([a], state="RUNNING", timeout=30)
            # Free: leaf1 n2-n4 (3 nodes, rackA power for 1 of them) and
            # leaf2 n5-n8 (4 nodes, power for all). A 3-node job: cons_tres's
            # best fit is leaf1 (fewest free nodes that suffice), which rackA
            # cannot power (11200 + 3 x 5500 + 5500 = 33200 W > 25 kW); n2
            # with two leaf2 nodes would keep both caps but spans switches.
            # The only compact, powered choice: 3 nodes of leaf2.
            # (Without topology/tree the plugin picks n2,n5,n6: the leaf
            # is what makes it choose leaf2 only.)
            b = c.sbatch(["-J", "b", "-N3", *pt.FULL_NODE], script)
            c.wait_jobs([b], state="RUNNING", timeout=30)
            nodes_b = c.nodes_of(b)
            self.assertEqual(len(nodes_b), 3)
            self.assertTrue(set(nodes_b) <= set(LEAF2),
                            f"3-node job on {nodes_b}, not under one leaf")

            # Now no leaf can hold a 2-node job: leaf2 has one free node,
            # leaf1 has three but power for one. It must still start, on
            # one node of each leaf (rackA 22200 W, rackB 33200 W).
            d = c.sbatch(["-J", "d", "-N2", *pt.FULL_NODE], script)
            c.wait_jobs([d], state="RUNNING", timeout=30)
            nodes_d = c.nodes_of(d)
            self.assertEqual(len(set(nodes_d) & set(LEAF1)), 1, nodes_d)
            self.assertEqual(len(set(nodes_d) & set(LEAF2)), 1, nodes_d)
            s = pt.wait_status(c, lambda s: len(s["jobs"]) == 3)
            self.assertEqual(pt.committed(s, "rackA"), 22200, s["text"])
            self.assertEqual(pt.committed(s, "rackB"), 33200, s["text"])
            release()
            c.wait_jobs([a, b, d], timeout=30)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
