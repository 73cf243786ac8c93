#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 240
"""Slurm's power saving keeps the ledger exact: a powered-down node draws
its StandbyW, not its idle watts, and the power that frees lets a job
start that could not while every node idled; waking a node counts its
return to idle (idle - standby) against the caps, so a job that needs a
powered-down node waits until that fits too. The SuspendProgram stops a
node's slurmd, the ResumeProgram starts it again, as a BMC would power
the node off and on. At no sampled moment is the ledger over the cap.

Watts (powertest.py): idle node 2800 W, standby 50 W, a full job +5500 W.
  all 4 on, idle:            11200 W
  n3, n4 off:                 2 x 2800 + 2 x 50 = 5700 W
  cap 14000 W:
    a job with all nodes on:  11200 + 5500        = 16700 W  no
    a job on n1 (n3, n4 off):  5700 + 5500        = 11200 W  yes
    then one on n3:           11200 + 2750 + 5500 = 19450 W  no
    that one alone:            5700 + 2750 + 5500 = 13950 W  yes
"""

import os
import shlex
import shutil
import tempfile

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 4
CAP_W = 14000
STANDBY_W = 50
WAKE_W = pt.IDLE_W - STANDBY_W

SUSPEND = """#!/bin/sh
# SuspendProgram: "power off" = stop the node's slurmd
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
dir=$(dirname "$SLURM_CONF")
for n in $(scontrol show hostnames "$1"); do
	echo "suspend $n" >>"$dir/log/power.log"
	pkill -KILL -f "slurmd -D -N $n -f "
done
"""

RESUME = """#!/bin/sh
# ResumeProgram: "power on" = start the node's slurmd again. slurmctld
# takes a node as resumed only once it reports a boot time at or after the
# resume request, so slurmd starts a little later, in a time namespace
# whose uptime starts then. Slurm's script runner (24.11) kills the
# program's process group as soon as it exits, so it waits until the
# starter has left that group for a session of its own.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
dir=$(dirname "$SLURM_CONF")
cd "$dir" || exit 1
for n in $(scontrol show hostnames "$1"); do
	echo "resume $n" >>"$dir/log/power.log"
	mark="$dir/log/slurmd-$n.detached"
	rm -f "$mark"
	# PB_CLUSTER_DIR: the harness's mark, so its teardown stops it too
	PB_CLUSTER_DIR=$dir setsid sh -c '
		: >"$2"
		sleep 2
		up=$(cut -d. -f1 /proc/uptime)
		exec unshare --fork --time --boottime $((0 - up)) \\
			slurmd -D -N "$1" -f "$SLURM_CONF"' sh "$n" "$mark" \\
		>>"$dir/log/slurmd-$n.resumed" 2>&1 </dev/null &
	i=0
	while [ ! -e "$mark" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
done
"""


PASSED_ENV = ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")


class PowerSavingTest(ClusterTestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pbsave.")
        self.progs = {}
        # slurmctld runs these with SLURM_CONF alone; a slurmd started
        # again gets what the harness gives the others (the sanitizer
        # runtime, when the plugin under test is built with it)
        passed = "".join(f"export {k}={shlex.quote(os.environ[k])}\n"
                         for k in PASSED_ENV if k in os.environ)
        for name, text in (("suspend", SUSPEND), ("resume", RESUME)):
            path = os.path.join(self.tmp, name)
            head, body = text.split("\n", 1)
            with open(path, "w") as f:
                f.write(head + "\n" + passed + body)
            os.chmod(path, 0o755)
            self.progs[name] = path

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _until(self, c, pred, timeout, what):
        """poll_until pred(), the ledger's cap checked at every sample."""
        return pt.poll_until(pred, timeout, what, each=self.ledger,
                             detail=lambda: f"{pt.queue(c)}\n{c.logs(30)}")

    def test_standby_nodes_free_power_and_waking_costs_it(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("rack", "site", "1MW", f"n[1-{NODES}]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf},
                     extra_conf={"SuspendProgram": self.progs["suspend"],
                                 "ResumeProgram": self.progs["resume"],
                                 "SuspendTime": "3600",
                                 "SuspendTimeout": "5",
                                 "ResumeTimeout": "60"}) as c:
            self.ledger = pt.CapWatch(c, {"site": CAP_W})
            pt.wait_status(c, lambda s: pt.committed(s, "site") ==
                           NODES * pt.IDLE_W)
            # every node idles: no room for a full job
            script_a, release_a = pt.gate(c, "a")
            a = c.sbatch(["--time=5", "-x", "n3,n4", *pt.FULL_NODE],
                         script_a)
            def a_pending():
                st, reason, _ = pt.queue(c)[a]
                self.assertEqual(st, "PENDING", "started over the cap")
                self.ledger()
                return reason
            reason = pt.hold_for(5, a_pending)
            self.assertTrue(reason.startswith("PowerNotAvail"), reason)

            # power n3 and n4 down: they draw standby once they are off
            c.scontrol("update", "nodename=n[3-4]", "state=power_down")
            s = self._until(c, lambda: (lambda s: s if s and all(
                s["nodes"][n]["Power"] == "off" for n in ("n3", "n4"))
                else None)(pt.read_status(c)), 40, "n3, n4 off in the ledger")
            self.assertEqual(int(s["nodes"]["n3"]["DrawW"]), STANDBY_W,
                             s["text"])
            self.assertIn("suspend n3", self._power_log(c))
            # ... and the job that waited starts with the power they freed
            self._until(c, lambda: pt.queue(c)[a][0] == "RUNNING", 30,
                        "a running")
            s = pt.wait_status(c, lambda s: a in s["jobs"])
            self.assertEqual(pt.committed(s, "site"),
                             2 * pt.IDLE_W + 2 * STANDBY_W + pt.JOB_NODE_W,
                             s["text"])

            # n3 is free but off: waking it is part of what a job needs
            b = c.sbatch(["--time=5", "-w", "n3", *pt.FULL_NODE], "true")
            def b_pending():
                st, reason, _ = pt.queue(c)[b]
                self.assertEqual(st, "PENDING",
                                 "a job woke a node the cap cannot power")
                self.ledger()
                return reason
            reason = pt.hold_for(6, b_pending)
            self.assertTrue(reason.startswith("PowerNotAvail"), reason)
            self.assertNotIn("resume n3", self._power_log(c))

            release_a()
            self._until(c, lambda: "resume n3" in self._power_log(c), 30,
                        "n3 resumed for b")
            s = pt.wait_status(c, lambda s: b in s["jobs"], timeout=30)
            self.assertEqual(s["nodes"]["n3"]["Power"], "on", s["text"])
            self.assertLessEqual(
                pt.committed(s, "site"),
                2 * pt.IDLE_W + 2 * STANDBY_W + WAKE_W + pt.JOB_NODE_W)
            self._until(c, lambda: (c.job(b) or {}).get("JobState") ==
                        "COMPLETED", 90, "b completed on the woken node")
            c.wait_jobs([a, b], timeout=30)
            self.assertEqual(c.nodes_of(b), ["n3"])
            s = pt.wait_status(c, lambda s: not s["jobs"])
            self.assertEqual(s["nodes"]["n4"]["Power"], "off", s["text"])
            print(f"  {self.ledger.samples} ledger samples, never over "
                  f"{CAP_W} W", flush=True)
        self.assertTornDown(c)

    @staticmethod
    def _power_log(c):
        try:
            with open(c.path("log", "power.log")) as f:
                return f.read()
        except OSError:
            return ""


if __name__ == "__main__":
    main()
