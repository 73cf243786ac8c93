#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 120
"""The pending reason of a power-blocked job names the domain and how many
watts the whole job is short, the same in every scheduling pass (main
scheduler and backfill), also for multi-node jobs, in squeue's %R and in
scontrol show job's Reason=, on every Slurm release."""

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
# 4 idle nodes 11200 W, two one-node full jobs running: 22200 W of a 25 kW
# cap. A 2-node full job needs 2 x 5500 W more: 33200 W, 8200 W short.
# (One node of it alone would be 27700 W, 2700 W short: not the answer.)
CAP_W = 25000


class ReasonTest(ClusterTestCase):

    def test_multi_node_job_reason_names_whole_shortfall(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("hall", "site", "1MW", f"n[1-{NODES}]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            script, release = pt.gate(c, "all")
            small = [c.sbatch(["--time=2", *pt.FULL_NODE], script)
                     for _ in range(2)]
            c.wait_jobs(small, state="RUNNING", timeout=30)
            big = c.sbatch(["-N2", "--time=2", *pt.FULL_NODE], "true")
            seen = set()

            def pending():
                st, reason, _ = pt.queue(c)[big]
                self.assertEqual(st, "PENDING")
                seen.add(reason)
            pt.hold_for(8, pending)  # several main and backfill passes
            power = {r for r in seen if r.startswith("Power")}
            self.assertTrue(power, seen)
            self.assertEqual(power, {"PowerNotAvail: site short 8200 W"},
                             f"all reasons seen: {seen}")
            # scontrol show job: the same text, its blanks as underscores
            # (every release; 24.11 and 26.05 have no PowerNotAvail code,
            # the text is the job's state_desc there as here).
            shown = set()
            pt.hold_for(4, lambda: shown.add(c.job(big)["Reason"]))
            self.assertIn("PowerNotAvail:_site_short_8200_W", shown)
            self.assertEqual({r for r in shown if r.startswith("Power")},
                             {"PowerNotAvail:_site_short_8200_W"}, shown)
            release()
            c.wait_jobs(small + [big], timeout=30)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
