#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""slurmctld killed with SIGKILL while jobs run: after the restart the
plugin's ledger (per-domain committed watts, node draws, the job lines)
equals the one before the crash, and the cap still holds: a job waiting
for power keeps waiting, and starts only when a running job frees power."""

import time

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
# Facility cap 30 kW over two racks of 2 nodes (rack caps ample).
# 4 idle nodes 11200 W; a 1-node job on n1 and a 2-node job on n2,n3 add
# 3 x 5500 W: 27700 W committed; one more node would be 33200 W > 30 kW,
# 3200 W short.
#   rackA n[1-2]: 2 x 2800 + 2 x 5500 = 16600 W
#   rackB n[3-4]: 2 x 2800 + 1 x 5500 = 11100 W
CAP_W = 30000
CONF = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                 [("rackA", "site", "1MW", "n[1-2]"),
                  ("rackB", "site", "1MW", "n[3-4]")])


def ledger(s):
    """What must survive a restart: every domain's committed watts, every
    node's draw, every job line."""
    return ({d: v["CommittedW"] for d, v in s["domains"].items()},
            {n: v["DrawW"] for n, v in s["nodes"].items()},
            s["jobs"])


class RestartTest(ClusterTestCase):

    def test_ledger_survives_kill9(self):
        self._restart(kill9=True)

    def test_ledger_survives_clean_restart(self):
        self._restart(kill9=False)

    def _restart(self, kill9):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": CONF}) as c:
            script1, release1 = pt.gate(c, "one")
            script, release = pt.gate(c, "all")
            j1 = c.sbatch(["-J", "j1", "--time=5", *pt.FULL_NODE], script1)
            c.wait_jobs([j1], state="RUNNING", timeout=30)
            j2 = c.sbatch(["-J", "j2", "--time=5", "-N2", *pt.FULL_NODE],
                          script)
            c.wait_jobs([j2], state="RUNNING", timeout=30)
            j3 = c.sbatch(["-J", "j3", "--time=5", *pt.FULL_NODE], script)
            # slurmctld must have written the started jobs, or it recovers
            # them as pending (see Cluster.save_state)
            c.save_state(j2)
            pre = pt.wait_status(
                c, lambda s: set(s["jobs"]) == {j1, j2} and j3 in s["held"])
            self.assertEqual(pt.committed(pre, "site"), 27700, pre["text"])
            self.assertEqual(pt.committed(pre, "rackA"), 16600, pre["text"])
            self.assertEqual(pt.committed(pre, "rackB"), 11100, pre["text"])
            running = {j: c.nodes_of(j) for j in (j1, j2)}

            t = time.time()
            c.restart_slurmctld(kill9=kill9)
            # a file written by the new slurmctld, once it knows the jobs;
            # if it never does, compare what it wrote
            try:
                post = pt.wait_status(
                    c, lambda s: set(s["jobs"]) == {j1, j2},
                    since=int(t) + 1, timeout=15)
            except AssertionError:
                post = pt.wait_status(c, lambda s: True, since=int(t) + 1)
            self.assertEqual(ledger(post), ledger(pre),
                             f"before:\n{pre['text']}\nafter:\n{post['text']}")
            log = pt.ctld_log(c)
            self.assertIn("power ledger rebuilt from 2 running job(s): "
                          "facility IT 27.7 kW committed of 30.0 kW", log)
            self.assertEqual({j: c.nodes_of(j) for j in (j1, j2)}, running)

            # the cap still holds: j3 and a new j4 wait through several
            # scheduling passes (n4 is free, power is not)
            j4 = c.sbatch(["-J", "j4", "--time=5", *pt.FULL_NODE], script)
            reasons = set()

            def pending():
                q = pt.queue(c)
                self.assertEqual((q[j3][0], q[j4][0]), ("PENDING", "PENDING"),
                                 q)
                reasons.add(q[j3][1])
            pt.hold_for(6, pending, 0.5)
            self.assertIn("PowerNotAvail: site short 3200 W", reasons)
            # j1 ends: room for exactly one more node, j3 (first) takes it
            release1()
            c.wait_jobs([j1], timeout=30)
            c.wait_jobs([j3], state="RUNNING", timeout=30)
            pt.hold_for(3, lambda: self.assertEqual(
                pt.queue(c)[j4][0], "PENDING", "j4 started over the cap"), 0.5)
            s = pt.wait_status(c, lambda s: set(s["jobs"]) == {j2, j3})
            self.assertEqual(pt.committed(s, "site"), 27700, s["text"])
            release()
            c.wait_jobs([j2, j3, j4], timeout=60)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
