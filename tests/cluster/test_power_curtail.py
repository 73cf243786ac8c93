#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 300
"""Curtailment on command (pb-ctl curtail / restore):

- with four jobs running, `pb-ctl curtail --to T --within 15s` lets
  nothing new start (reason PowerCurtailed), and before the deadline
  sheds just the two lowest-priority jobs: with CurtailShed=requeue the
  requeueable one is requeued, the --no-requeue one suspended, each named
  in slurmctld's log in that order; from the deadline on no sampled
  ledger is over the target. `pb-ctl restore` resumes the suspended job,
  the requeued one runs again, and every job completes: none is lost;
- the curtailment and the list of shed jobs outlive a kill -9 of
  slurmctld: after the restart nothing new starts over the target, and
  when --for runs out the shed job is resumed;
- a user who is neither root nor SlurmUser is refused by pb-ctl, and a
  request file that such a user owns is ignored by the plugin.

Watts (powertest.py): idle node 2800 W, a full one-node job +5500 W.
  5 nodes idle 14000 W; cap 36000 W = four jobs; target 25000 W = two.
"""

import os
import re
import time

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt

NODES = 5
IDLE = NODES * pt.IDLE_W
CAP_W = IDLE + 4 * pt.JOB_NODE_W
TARGET_W = IDLE + 2 * pt.JOB_NODE_W
WITHIN_S = 15


def conf(extra=""):
    return pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                     [("hall", "site", "1MW", f"n[1-{NODES}]")]) + \
        "CurtailLead=5\n" + extra


class CurtailTest(ClusterTestCase):

    def _four(self, c, script):
        """Four running one-node jobs with priorities 300, 100, 200, 400;
        the third cannot be requeued."""
        jobs = []
        for i, prio in enumerate((300, 100, 200, 400)):
            extra = ["--no-requeue"] if i == 2 else ["--requeue"]
            jobs.append(c.sbatch(["--time=30", *extra, *pt.FULL_NODE],
                                 script))
        c.wait_jobs(jobs, state="RUNNING", timeout=60)
        for j, prio in zip(jobs, (300, 100, 200, 400)):
            c.scontrol("update", f"jobid={j}", f"priority={prio}")
        return jobs

    def _sample_until(self, c, t_end, deadline, pending=()):
        """Samples the ledger until t_end (epoch s): from the deadline on
        (plus the status file's second) committed power is within the
        target; jobs in `pending` stay pending."""
        watch = pt.CapWatch(c, {"site": TARGET_W}, since=deadline + 1)
        last = None

        def sample():
            nonlocal last
            last = watch() or last
            q = pt.queue(c)
            for j in pending:
                self.assertEqual(q[j][0], "PENDING", q)
        pt.hold_for(max(0.0, t_end - time.time()), sample)
        return last

    def test_curtail_sheds_in_order_and_restores(self):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf":
                            conf("CurtailShed=requeue\n")}) as c:
            script, release = pt.gate(c, "all")
            a, b, cc, d = self._four(c, script)
            r = pt.pb_ctl(c, "curtail", "--to", f"{TARGET_W}W",
                          "--within", f"{WITHIN_S}s")
            self.assertEqual(r.returncode, 0, r.stderr)
            deadline = int(time.time()) + WITHIN_S
            s = pt.wait_status(c, lambda s: "Curtail=site" in s["text"])
            self.assertIn(f"TargetW={TARGET_W}", s["text"])
            e = c.sbatch(["--time=2", *pt.FULL_NODE], "true")

            last = self._sample_until(c, deadline + 8, deadline, [e])
            self.assertIsNotNone(last, "no status after the deadline")
            self.assertRegex(pt.queue(c)[e][1], r"^PowerCurtailed: site short")
            self.assertIn("State=met", last["text"])
            q = pt.queue(c)
            self.assertEqual(q[a][0], "RUNNING", q)
            self.assertEqual(q[d][0], "RUNNING", q)
            self.assertEqual(q[cc][0], "SUSPENDED", q)
            self.assertEqual(q[b][0], "PENDING", q)
            log = pt.ctld_log(c)
            shed = re.findall(r"curtailment of site to \S+ kW by \S+: "
                              r"(requeued|suspended) JobId=(\d+)", log)
            self.assertEqual(shed, [("requeued", str(b)),
                                    ("suspended", str(cc))], log[-3000:])

            r = pt.pb_ctl(c, "restore")
            self.assertEqual(r.returncode, 0, r.stderr)
            c.wait_jobs([cc], state="RUNNING", timeout=30)
            # Slurm holds a requeued batch job until its old credential
            # expires (120 s); the admin's way past that:
            c.scontrol("update", f"jobid={b}", "StartTime=now")
            release()
            c.wait_jobs([a, b, cc, d, e], timeout=120)
            self.assertEqual(c.job(b).get("Restarts"), "1")
            s = pt.wait_status(c, lambda s: not s["jobs"])
            self.assertNotIn("Curtail=", s["text"])
            self.assertNotIn("Shed=", s["text"])
        self.assertTornDown(c)

    def test_curtail_survives_kill9(self):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf()}) as c:
            script, release = pt.gate(c, "all")
            a, b, cc, d = self._four(c, script)
            r = pt.pb_ctl(c, "curtail", "--to", f"{TARGET_W}W",
                          "--within", "8s", "--for", "40s")
            self.assertEqual(r.returncode, 0, r.stderr)
            deadline = int(time.time()) + 8
            until = deadline + 40
            self._sample_until(c, deadline + 4, deadline)
            q = pt.queue(c)
            self.assertEqual((q[b][0], q[cc][0]), ("SUSPENDED", "SUSPENDED"),
                             q)
            c.save_state(a, timeout=30)  # the suspensions are saved
            c.restart_slurmctld(kill9=True)
            e = c.sbatch(["--time=2", *pt.FULL_NODE], "true")
            self._sample_until(c, until - 3, deadline, [e])
            q = pt.queue(c)
            self.assertEqual((q[b][0], q[cc][0]), ("SUSPENDED", "SUSPENDED"),
                             q)
            # --for ran out: both shed jobs come back, highest first
            c.wait_jobs([b, cc], state="RUNNING", timeout=40)
            release()
            c.wait_jobs([a, b, cc, d, e], timeout=90)
        self.assertTornDown(c)

    def test_curtail_refused_for_other_users(self):
        pdir = plugin_dir(self)
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf()}) as c:
            r = pt.pb_ctl(c, "curtail", "--to", f"{TARGET_W}W",
                          user="nobody")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("refused: only root or SlurmUser", r.stderr)
            req = c.path("state", "power_budget.curtail")
            self.assertFalse(os.path.exists(req))
            # a request file of another user's: ignored
            now = int(time.time())
            with open(req, "w") as f:
                f.write(f"Curtail=site Target=15000W Issued={now} "
                        f"Deadline={now} Until=never By=nobody\n")
            os.chown(req, 65534, 65534)
            pt.poll_until(lambda: "is owned by uid 65534" in pt.ctld_log(c),
                          15, "the refusal of nobody's request logged",
                          cluster=c)
            j = c.sbatch(["--time=2", *pt.FULL_NODE], "true")
            c.wait_jobs([j], timeout=60)
            s = pt.read_status(c)
            self.assertNotIn("Curtail=", s["text"])
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
