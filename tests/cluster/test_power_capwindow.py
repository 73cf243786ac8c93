#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 180
"""A cap window (CapWindow= in power_budget.conf) that begins in a few
minutes lowers the facility's cap from then on:

- a long job that fits the cap now but would still run, with the jobs
  already running, when the window's lower cap applies waits, with a
  PowerCapWindow reason that names the domain and the window;
- a short job that ends before the window begins starts at once, though
  the long job waits (backfill plans with the window);
- a long job that fits the window too starts;
- the status file shows the cap now and the next cap with its time and
  window; no sampled ledger goes over the cap."""

import time

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
# 4 idle nodes: 11200 W; each full one-node job adds 5500 W.
CAP_W = 30000
# In the window: idle + one job (16700 W) fits, idle + two (22200 W) not.
WINDOW_W = 17000
LEAD_S = 360  # the window begins this long after the cluster starts


def local(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t))


class CapWindowTest(ClusterTestCase):

    def test_window_blocks_long_job_admits_short_one(self):
        pdir = plugin_dir(self)
        begin = int(time.time()) + LEAD_S
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("hall", "site", "1MW", f"n[1-{NODES}]")])
        conf += (f"CapWindow=peak Cap={WINDOW_W}W From={local(begin)} "
                 f"Until={local(begin + 3600)}\n")
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            script, release = pt.gate(c, "all")
            # fits the window too: runs through it
            first = c.sbatch(["--time=30", *pt.FULL_NODE], script)
            c.wait_jobs([first], state="RUNNING", timeout=30)
            # would make 22200 W in the window: waits for its end
            long_job = c.sbatch(["--time=30", *pt.FULL_NODE], script)
            def pending():
                st, reason, _ = pt.queue(c)[long_job]
                self.assertEqual(st, "PENDING", reason)
                return reason
            reason = pt.hold_for(8, pending)  # main and backfill passes
            self.assertRegex(
                reason, r"^PowerCapWindow: site short 5200 W once its "
                        r"window begins \(CapWindow peak: cap 17\.0 kW\)$")
            self.assertIn("PowerCapWindow:_site_short",
                          c.job(long_job)["Reason"])
            # ends (time limit 2 min) before the window: starts now
            short = c.sbatch(["--time=2", *pt.FULL_NODE], script)
            c.wait_jobs([short], state="RUNNING", timeout=60)
            self.assertEqual(pt.queue(c)[long_job][0], "PENDING")
            s = pt.wait_status(c, lambda s: s["domains"]["site"].get(
                "NextCapAt") == str(begin))
            site = s["domains"]["site"]
            self.assertEqual(site["CapNowW"], str(CAP_W), s["text"])
            self.assertEqual(site["NextCapW"], str(WINDOW_W), s["text"])
            self.assertEqual(site["NextCapWindow"], "peak", s["text"])
            self.assertLessEqual(pt.committed(s, "site"), pt.limit(s, "site"))
            self.assertEqual(pt.committed(s, "site"),
                             NODES * pt.IDLE_W + 2 * pt.JOB_NODE_W)
            # once the others end, the long job fits the window alone
            release()
            c.wait_jobs([first, short, long_job], timeout=90)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
