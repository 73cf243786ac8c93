#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 240
"""`scontrol reconfigure` with a changed power_budget.conf, on one cluster:

1. a cap lowered below what running jobs use: nothing is killed, the log
   says the running jobs exceed the limit, no job starts while the ledger
   is over (or at) the new cap, and once jobs drain the queue runs under
   the new cap;
2. a corrupted file that would raise the cap, then no file at all: the
   error is logged (with file:line), the previous model is kept, and jobs
   keep being scheduled under the old (lower) cap;
3. a node class whose hwloc export (Topology=) is missing, then one whose
   export is not XML: the error names the file, the old model is kept;
4. a model whose class comes from an hwloc export, then that export
   overwritten with garbage and a bad file: the model read from the
   export is kept (since Slurm 23.11 a reconfigure starts slurmctld anew,
   which then takes the saved copy of the last good file and of its
   export)."""

import os
import re
import shutil

from clustertest import ClusterTestCase, PLUGIN_TYPE, main, plugin_dir
from faulttest import (IDLE_W, JOB_ARGS, JOB_W, Cluster, Sampler, gate,
                       h100_conf, hold_for, job_states, log_text, poll_until,
                       read_status, running, status_path, wait_log)

NODES = 4
KEEP = r"reconfigure: keeping the previous power model"
DGX2 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                    "hwloc", "nvidiaDGX2.xml")


class ReconfigTest(ClusterTestCase):

    def reconfigure(self, c, text):
        with open(c.path("power_budget.conf"), "w") as f:
            f.write(text)
        since = len(log_text(c))
        c.scontrol("reconfigure")
        return since

    def assert_steady(self, c, expect, secs=4):
        """For `secs` seconds (two scheduling passes) the RUNNING set stays
        `expect`: nothing killed, nothing started."""
        hold_for(secs, lambda: self.assertEqual(running(c), expect), 0.5)

    def limit(self, c):
        return int(read_status(status_path(c))["domains"]["site"]["LimitW"])

    def test_reconfigure_faults(self):
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE,
                     plugin_dir=plugin_dir(self),
                     files={"power_budget.conf": h100_conf(NODES, 3)}) as c:
            s = Sampler(c)
            s.start()
            gates = []
            try:
                self.lowered_cap(c, s, gates)
                self.corrupt_file(c, s)
                self.hwloc_export(c, s)
                self.saved_export(c)
            finally:
                s.stop()
                for release in gates:
                    release()
            self.assertNotRegex(log_text(c), r"ledger invariant broken")

    def lowered_cap(self, c, s, gates):
        ids = []
        for i in range(5):
            script, release = gate(c, f"r{i}")
            gates.append(release)
            ids.append(c.sbatch(JOB_ARGS, script))
        poll_until(lambda: len(running(c)) == 3, 30,
                   what="3 jobs running", cluster=c)

        def three_running():
            r = running(c)
            self.assertEqual(len(r), 3, sorted(r))
            return r
        first = hold_for(2, three_running, 0.5)  # and no 4th starts
        old_limit = self.limit(c)
        since = self.reconfigure(c, h100_conf(NODES, 1))
        wait_log(c, r"running jobs exceed the facility power limit by", 20,
                 since)
        poll_until(lambda: self.limit(c) < old_limit, 10,
                   what="new limit", cluster=c)
        st = read_status(status_path(c))
        self.assertLess(int(st["domains"]["site"]["HeadroomW"]), 0)
        self.assertEqual(set(st["jobs"]), first)
        self.assert_steady(c, first)            # nothing killed or started
        order = sorted(first)
        # 3 -> 2 -> 1 running: still over / at the new cap, nothing starts
        for k, j in enumerate(order[:2]):
            gates[ids.index(j)]()
            c.wait_jobs([j], timeout=30)
            self.assert_steady(c, set(order[k + 1:]))
        s.mark("under")
        # the last old job ends: exactly one new job fits the new cap
        gates[ids.index(order[2])]()
        c.wait_jobs([order[2]], timeout=30)
        poll_until(lambda: len(running(c)) == 1, 20,
                   what="one start under the new cap", cluster=c)
        hold_for(3, lambda: self.assertEqual(len(running(c)), 1), 0.5)
        for release in gates:
            release()
        c.wait_jobs(ids, timeout=60)
        self.assertLessEqual(s.max_running_after["under"], 1)
        self.assertEqual([j for j in ids if job_states(c, [j])[j] != "COMPLETED"], [])
        s.violations.clear()  # over the cap on purpose until here

    def corrupt_file(self, c, s):
        limit = self.limit(c)
        good = h100_conf(NODES, 4).splitlines()
        bad_line = "Domain=rackX Parent=nowhere Cap=12 parsecs"
        text = "\n".join(good[:3] + [bad_line] + good[3:]) + "\n"
        since = self.reconfigure(c, text)
        m = wait_log(c, r"error: select/cons_tres_power: reconfigure: "
                        r"(\S*power_budget\.conf):(\d+): (.*)", 20, since)
        self.assertEqual(os.path.basename(m.group(1)), "power_budget.conf")
        self.assertEqual(int(m.group(2)), 4, m.group(0))
        wait_log(c, KEEP, 10, since)
        hold_for(1.5, lambda: self.assertEqual(self.limit(c), limit,
                                               "cap changed by a bad file"))
        # the file gone altogether
        os.unlink(c.path("power_budget.conf"))
        since = len(log_text(c))
        c.scontrol("reconfigure")
        wait_log(c, r"error: select/cons_tres_power: reconfigure: "
                    r"\S*power_budget\.conf: cannot open", 20, since)
        wait_log(c, KEEP, 10, since)
        s.mark("corrupt")
        ids = [c.sbatch(JOB_ARGS, "sleep 2") for _ in range(3)]
        c.wait_jobs(ids, timeout=60)
        self.assertEqual(s.max_running_after["corrupt"], 1,
                         "old cap (1 job) not kept after a bad reconfigure")
        self.assertEqual(s.violations, [])

    def hwloc_export(self, c, s):
        limit = self.limit(c)
        nodes = f"n[1-{NODES}]"
        cap = NODES * IDLE_W + 4 * JOB_W
        base = (f"Facility=site Cap={cap}W PUE=1.0 Reserve=0%\n"
                f"NodeClass=h100 Topology={{topo}} BaseW=2000 StandbyW=50 "
                f"CpuIdleW=100 CpuMaxW=350 Nodes={nodes}\n"
                f"Domain=hall Parent=site Cap={2 * cap}W Nodes={nodes}\n")
        with open(c.path("garbage.xml"), "w") as f:
            f.write("this is not an hwloc export\n")
        for topo in ("missing-export.xml", "garbage.xml"):
            since = self.reconfigure(c, base.format(topo=topo))
            m = wait_log(c, r"error: select/cons_tres_power: reconfigure: (.*)",
                         20, since)
            self.assertIn(topo, m.group(1))
            wait_log(c, KEEP, 10, since)
            hold_for(1.5, lambda: self.assertEqual(self.limit(c), limit,
                                                   f"cap changed by {topo}"))
        s.mark("hwloc")
        ids = [c.sbatch(JOB_ARGS, "sleep 2") for _ in range(3)]
        c.wait_jobs(ids, timeout=60)
        self.assertEqual(s.max_running_after["hwloc"], 1)
        self.assertEqual(s.violations, [])
        print("reconfigure errors seen:\n" + "\n".join(
            re.findall(r".*reconfigure: .*", log_text(c))))

    def saved_export(self, c):
        nodes = f"n[1-{NODES}]"
        conf = ("Facility=site Cap=200kW PUE=1.0 Reserve=0%\n"
                'GpuModel=V100 Match="V100-SXM3" IdleW=50W MaxW=350W '
                "MinCapW=150W\n"
                "NodeClass=dgx2 Topology=dgx2.xml BaseW=3kW StandbyW=60W "
                f"CpuIdleW=60 CpuMaxW=205 Nodes={nodes}\n"
                f"Domain=hall Parent=site Cap=150kW Nodes={nodes}\n")
        export = c.path("dgx2.xml")
        shutil.copy(DGX2, export)
        since = self.reconfigure(c, conf)
        wait_log(c, rf"power_budget\.conf: {NODES} node\(s\), 2 power "
                    r"domain", 20, since)
        poll_until(lambda: self.limit(c) == 200000, 10,
                   what="the dgx2 model", cluster=c)
        with open(export, "w") as f:
            f.write("this is not an hwloc export any more\n")
        since = self.reconfigure(c, conf + "Domain=rackX Parent=nowhere\n")
        m = wait_log(c, r"error: select/cons_tres_power: reconfigure: (.*)",
                     20, since)
        self.assertIn("power_budget.conf:5:", m.group(1))
        wait_log(c, KEEP, 10, since)
        hold_for(1.5, lambda: self.assertEqual(self.limit(c), 200000,
                                               "the dgx2 model not kept"))
        self.assertNotRegex(log_text(c)[since:], r"saved copy|fatal")
        self.assertIn("UP", c.scontrol("ping"))


if __name__ == "__main__":
    main()
