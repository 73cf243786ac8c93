#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 180
"""A slurmd killed with SIGKILL while its node runs a job: the job's power
stays committed as long as Slurm has the job RUNNING, and is released when
Slurm ends it (node DOWN after SlurmdTimeout -> the job is killed, or
requeued), not before. A pending job that needs that power starts only
after the release; a requeued job is committed again where it restarts.

Each status sample is read before the job state, so a sample without the
job while Slurm still reports it RUNNING is an early release."""

import time

from clustertest import ClusterTestCase, PLUGIN_TYPE, main, plugin_dir
from faulttest import (JOB_ARGS, Cluster, gate, h100_conf, hold_for,
                       job_states, poll_until, read_status, status_path)

NODES = 4
ALLOWED = 2


class SlurmdKillTest(ClusterTestCase):

    def test_power_released_when_slurm_ends_the_job(self):
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE,
                     plugin_dir=plugin_dir(self),
                     extra_conf={"SlurmdTimeout": "8"},
                     files={"power_budget.conf": h100_conf(NODES, ALLOWED)}) as c:
            sa, release_a = gate(c, "a")
            sb, release_b = gate(c, "b")
            sc, release_c = gate(c, "c")
            a = c.sbatch(JOB_ARGS + ["--no-requeue", "-Ja"], sa)
            b = c.sbatch(JOB_ARGS + ["--requeue", "-Jb"], sb)
            c.wait_jobs([a, b], state="RUNNING", timeout=30)
            cj = c.sbatch(JOB_ARGS + ["-Jc"], sc)  # no power left: waits
            poll_until(lambda: set(read_status(status_path(c))["jobs"]) ==
                       {a, b}, 10, what="a and b in the ledger", cluster=c)
            hold_for(3, lambda: self.assertEqual(job_states(c, [cj])[cj],
                                                 "PENDING"))
            node_a, node_b = c.nodes_of(a)[0], c.nodes_of(b)[0]
            st0 = read_status(status_path(c))
            watts_a = int(st0["jobs"][a]["Watts"])
            self.assertEqual(st0["jobs"][a]["Nodes"], node_a)
            # both slurmd die; their job scripts live on (orphaned steps)
            t_kill = time.monotonic()
            for n in (node_a, node_b):
                c.kill_slurmd(n)
            released_at, ended_at, samples = None, None, []

            def c_started_after_release():
                nonlocal released_at, ended_at
                st = read_status(status_path(c))
                s = job_states(c, [a, b, cj])
                samples.append((round(time.monotonic() - t_kill, 1), s,
                                sorted(st["jobs"])))
                if s[a] == "RUNNING":
                    self.assertIn(a, st["jobs"],
                                  f"job a's power released while RUNNING: {samples[-5:]}")
                if s[b] == "RUNNING" and node_b in st["jobs"].get(b, {}).get("Nodes", node_b):
                    self.assertIn(b, st["jobs"], samples[-5:])
                if s[a] != "RUNNING" and ended_at is None:
                    ended_at = time.monotonic() - t_kill
                if s[cj] == "RUNNING" and ended_at is None:
                    self.fail(f"job c started before a/b ended: {samples[-5:]}")
                if ended_at is not None and a not in st["jobs"] and released_at is None:
                    released_at = time.monotonic() - t_kill
                return released_at is not None and s[cj] == "RUNNING"

            def missing():
                if ended_at is None:
                    return "Slurm never ended job a"
                if released_at is None:
                    return f"a's power never released: {samples[-5:]}"
                return ("job c did not start once a's power was released: "
                        f"{samples[-5:]}")
            # 90 s from the kills (they take milliseconds)
            poll_until(c_started_after_release, 90,
                       "a ended, its power released, c started",
                       interval=0.2, detail=missing, cluster=c)
            self.assertLess(released_at - ended_at, 3.0)
            self.assertGreater(ended_at, 5.0, "ended before SlurmdTimeout?")
            info = c.job(a)
            self.assertEqual(info["JobState"], "NODE_FAIL", info)
            # c runs now; b was requeued and runs (again) elsewhere
            release_c()
            c.wait_jobs([cj], timeout=60)
            # requeued after NODE_FAIL, b waits (BeginTime, +2 min); its
            # power is not held meanwhile
            self.assertEqual(job_states(c, [b])[b], "PENDING")
            self.assertNotIn(b, read_status(status_path(c))["jobs"])
            c.scontrol("update", f"jobid={b}", "StartTime=now")
            c.wait_jobs([b], state="RUNNING", timeout=30)
            poll_until(lambda: b in read_status(status_path(c))["jobs"], 5,
                       what="restarted b committed again", cluster=c)
            self.assertNotEqual(read_status(status_path(c))["jobs"][b]["Nodes"],
                                node_b)
            release_b()
            c.wait_jobs([b], timeout=30)
            self.assertGreaterEqual(int(c.job(b).get("Restarts", "0")), 1)
            down = c.node_states()
            self.assertIn("down", down[node_a])
            poll_until(lambda: read_status(status_path(c))["jobs"] == {}, 5,
                       what="an empty ledger once b ended", cluster=c)
            print(f"slurmd killed; a ({watts_a} W) ended after {ended_at:.1f}s, "
                  f"power released {released_at - ended_at:.1f}s later; "
                  f"{len(samples)} samples")
            release_a()


if __name__ == "__main__":
    main()
