#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 120
"""A job that could never run within the power budget is refused at submit
("Requested node configuration is not available"), and slurmctld.log names
the domain and the watts missing; not left pending forever. Covered: the
job confined to a capped rack by its partition, and by a required node list
(sbatch -w)."""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
# rack = n[1-2] capped at 15 kW, the rest and the facility ample.
# A 2-node full job in the rack: 2 idle nodes 2 x 2800 = 5600 W, plus
# 2 x 5500 W = 16600 W > 15000 W: 1600 W short with nothing else running.
# One node (5600 + 5500 = 11100 W) fits.
CONF = pt.budget(f"n[1-{NODES}]", "1MW",
                 [("rack", "site", "15kW", "n[1-2]"),
                  ("rest", "site", "1MW", f"n[3-{NODES}]")])
NEVER = (r"JobId=(\d+) can never run within the power budget: 2 node\(s\) x "
         r"8 GPU\(s\) need 1600 W more than domain rack allows")


class RejectTest(ClusterTestCase):

    def _check(self, confine, confine_one):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": CONF},
                     extra_lines=["PartitionName=racka Nodes=n[1-2] "
                                  "State=UP"]) as c:
            r = c.sbatch(["-N2", *confine, *pt.FULL_NODE], "true",
                         check=False)
            left = c.squeue("%i %T %R")
            self.assertNotEqual(r.returncode, 0,
                                f"accepted as job {r.stdout.strip()}; "
                                f"queue: {left}")
            self.assertIn("Requested node configuration is not available",
                          r.stderr)
            self.assertRegex(pt.ctld_log(c), NEVER)
            # what does fit is still accepted and runs: one rack node, and
            # the same 2-node shape outside the rack
            ok = [c.sbatch(["-N1", *confine_one, *pt.FULL_NODE], "true"),
                  c.sbatch(["-N2", "-w", f"n[3-{NODES}]", *pt.FULL_NODE],
                           "true")]
            c.wait_jobs(ok, timeout=30)
        self.assertTornDown(c)

    def test_partition_confined_to_rack(self):
        self._check(["-p", "racka"], ["-p", "racka"])

    def test_required_nodes_in_rack(self):
        # -w n[1-2]: the job may only ever run on those two nodes
        self._check(["-w", "n[1-2]"], ["-w", "n1"])


if __name__ == "__main__":
    main()
