#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 300
"""RampLimit= on the Facility= line paces how fast committed power rises
(6 kW a minute; each full one-node job adds 5500 W):

- the first job starts at once;
- the second waits with a PowerRamp reason that names the facility, the
  rise and the limit; backfill's expected start is a minute after the
  first start; it starts then, not before;
- a two-node job (11 kW, larger than the limit) is not kept out forever:
  it waits behind nothing but the ramp and starts alone, once nothing
  else rose for a minute;
- the ledger never goes over the cap, and the facility's committed power
  never rose more than the limit in a minute but for the large job."""

import time

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
RAMP_W = 6000
PERIOD = 60


def start_time(c, jid):
    """The job's StartTime as epoch seconds (0 while Unknown)."""
    st = c.job(jid)["StartTime"]
    if st in ("Unknown", "None"):
        return 0
    return int(time.mktime(time.strptime(st, "%Y-%m-%dT%H:%M:%S")))


class RampTest(ClusterTestCase):

    def test_ramp_paces_starts(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", "1MW",
                         [("hall", "site", "1MW", f"n[1-{NODES}]")])
        conf = conf.replace("Reserve=0%", f"Reserve=0% RampLimit={RAMP_W}W")
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            script, release = pt.gate(c, "all")
            first = c.sbatch(["--time=10", *pt.FULL_NODE], script)
            c.wait_jobs([first], state="RUNNING", timeout=30)
            t1 = start_time(c, first)
            second = c.sbatch(["--time=10", *pt.FULL_NODE], script)
            big = c.sbatch(["-N2", "--time=10", *pt.FULL_NODE], script)
            def planned():
                st, reason, _ = pt.queue(c)[second]
                self.assertEqual(st, "PENDING", reason)
                if reason.startswith("PowerRamp"):
                    expected = start_time(c, second)
                    if abs(expected - (t1 + PERIOD)) <= 3:
                        return reason, expected
                return None
            reason, expected = pt.poll_until(
                planned, 30, "second job planned by PowerRamp at t1 + "
                f"{PERIOD} s", interval=0.5, cluster=c)
            self.assertRegex(reason, r"^PowerRamp: site would rise 11\.0 kW "
                                     r"in 60 s \(RampLimit 6000 W\); starts "
                                     r"\d\d:\d\d:\d\d at the earliest$")
            self.assertLessEqual(abs(expected - (t1 + PERIOD)), 3,
                                 "backfill's expected start")
            c.wait_jobs([second], state="RUNNING", timeout=PERIOD + 30)
            t2 = start_time(c, second)
            self.assertGreaterEqual(t2 - t1, PERIOD - 1)
            self.assertEqual(pt.queue(c)[big][0], "PENDING")
            c.wait_jobs([big], state="RUNNING", timeout=PERIOD + 40)
            t3 = start_time(c, big)
            self.assertGreaterEqual(t3 - t2, PERIOD - 1)
            s = pt.wait_status(c, lambda s: len(s["jobs"]) == 3)
            self.assertEqual(pt.committed(s, "site"),
                             NODES * pt.IDLE_W + 4 * pt.JOB_NODE_W)
            self.assertRegex(pt.ctld_log(c),
                             rf"JobId={big} held: PowerRamp")
            release()
            c.wait_jobs([first, second, big], timeout=60)
            print(f"  starts at +0, +{t2 - t1} s, +{t3 - t1} s", flush=True)
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
