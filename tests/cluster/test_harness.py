#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 240
"""Self-test of the cluster harness with Slurm's own select/cons_tres: a
cluster comes up with GPUs, runs a job, survives a slurmctld crash, and leaves
no process behind however it ends (normal exit, Ctrl-C, SIGKILL)."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from clustertest import Cluster, ClusterTestCase, main, nodes, leftovers
from pbcluster import poll_until
import pbcluster
import pbstatus

HERE = os.path.dirname(os.path.abspath(__file__))
PBCLUSTER = os.path.join(HERE, "pbcluster.py")


class HarnessTest(ClusterTestCase):

    def test_up_job_teardown(self):
        n = nodes()
        with Cluster(nodes=n) as c:
            pids = [p.pid for p in c.procs.values()]
            self.assertEqual(c.node_states(), {f"n{i}": "idle" for i in range(1, n + 1)})
            gres = c.sinfo("-h", "-N", "-o", "%N %G").split()
            self.assertEqual(gres[1::2], ["gpu:8"] * n)
            jid = c.sbatch(["-N1", "--gpus=2"],
                           "echo host=$SLURMD_NODENAME gpus=$CUDA_VISIBLE_DEVICES")
            c.wait_jobs([jid], timeout=60)
            j = c.job(jid)
            self.assertEqual(j["ExitCode"], "0:0")
            with open(j["StdOut"]) as f:
                out = f.read()
            self.assertIn("host=n1 gpus=0,1", out)
            self.assertEqual(c.nodes_of(jid), ["n1"])
        self.assertTornDown(c, pids)

    def test_restart_slurmctld_keeps_running_job(self):
        with Cluster(nodes=2) as c:
            script, release = pbcluster.gate(c, "go")
            jid = c.sbatch(["-N2", "--gpus-per-node=8"], script)
            c.wait_jobs([jid], state="RUNNING", timeout=30)
            before = c.nodes_of(jid)
            c.save_state(jid)
            old = c.procs["slurmctld"].pid
            c.restart_slurmctld(kill9=True)
            self.assertNotEqual(c.procs["slurmctld"].pid, old)
            self.assertEqual(c.job(jid)["JobState"], "RUNNING")
            self.assertEqual(c.nodes_of(jid), before)
            release()
            c.wait_jobs([jid], timeout=60)
            # a new job still schedules after the crash
            c.wait_jobs([c.sbatch(["-N2"], "true")], timeout=60)
        self.assertTornDown(c)

    def test_queue_lists_array_tasks_and_hetjob_parts(self):
        import powertest
        with Cluster(nodes=1) as c:
            wait, release = pbcluster.gate(c, "go")
            arr = c.sbatch(["--array=0-2", "--gpus=8"], wait)
            het = c.sbatch(["--gpus=8", ":", "--gpus=8"], wait)
            def listed():
                q = powertest.queue(c)
                return q if q.get(f"{arr}_0", ("",))[0] == "RUNNING" and \
                    f"{arr}_2" in q and f"{het}+1" in q else None
            q = poll_until(listed, 30, "array task 0 running, the rest and "
                           "the hetjob listed", cluster=c)
            self.assertEqual(q[f"{arr}_0"][0], "RUNNING")
            self.assertEqual(q[f"{arr}_0"][2], ["n1"])
            self.assertEqual(q[f"{arr}_1"][0], "PENDING")
            self.assertEqual(q[f"{arr}_2"][0], "PENDING")
            self.assertEqual({q[f"{het}+0"][0], q[f"{het}+1"][0]},
                             {"PENDING"})
            release()

    def test_error_carries_logs(self):
        with Cluster(nodes=1) as c:
            with self.assertRaises(pbcluster.ClusterError) as e:
                c.scontrol("show", "job", "999")
            self.assertIn("Invalid job id", str(e.exception))
            self.assertIn("slurmctld.log", c.logs())

    def test_cli_run_propagates_status(self):
        r = subprocess.run([sys.executable, PBCLUSTER, "run", "--nodes", "2", "--",
                            "sh", "-c", 'sinfo -h -o "%D %T"; exit 3'],
                           capture_output=True, text=True, timeout=90)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stdout.strip(), "2 idle")

    def test_cli_up_and_ctrl_c(self):
        p = subprocess.Popen([sys.executable, PBCLUSTER, "up", "--nodes", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = p.stdout.readline().strip()
            if not line.startswith("export SLURM_CONF="):
                p.kill()
                self.fail(line + p.stderr.read())
            conf = line.split("=", 1)[1]
            env = dict(os.environ, SLURM_CONF=conf)
            r = subprocess.run(["sinfo", "-h", "-o", "%D %T"], env=env,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.stdout.strip(), "2 idle", r.stderr)
            subprocess.run(["sbatch", "--wrap", "sleep 60", "-o", "/dev/null"],
                           env=env, check=True, capture_output=True, timeout=30)
            p.send_signal(signal.SIGINT)
            self.assertEqual(p.wait(60), 0)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stdout.close()
            p.stderr.close()
        tmpdir = os.path.dirname(conf)
        self.assertEqual(leftovers(tmpdir), [])
        self.assertFalse(os.path.exists(tmpdir))

    def test_sigkilled_harness_is_cleaned_up(self):
        # ctest kills a test that times out with SIGKILL: no handler runs, so
        # the detached watchdog must clean up.
        code = ("import sys, time; sys.path.insert(0, %r)\n"
                "from pbcluster import Cluster\n"
                "c = Cluster(nodes=2).start()\n"
                "j = c.sbatch(['-N2'], 'sleep 120')\n"
                "c.wait_jobs([j], state='RUNNING', timeout=30)\n"
                "print(c.dir, flush=True)\n"
                "time.sleep(300)\n" % HERE)
        pbcluster._set_subreaper(True)  # adopt its orphans, to reap them
        try:
            p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                 text=True)
            tmpdir = p.stdout.readline().strip()
            self.assertTrue(tmpdir.startswith("/"), tmpdir)
            self.assertNotEqual(leftovers(tmpdir), [])
            p.kill()
            p.wait()
            p.stdout.close()
            pbcluster.poll_until(
                lambda: not leftovers(tmpdir) and not os.path.exists(tmpdir),
                20, f"the reaper's clean-up of {tmpdir}", interval=0.2)
            self.assertEqual(leftovers(tmpdir), [])
            self.assertFalse(os.path.exists(tmpdir))
        finally:
            _reap_children()
            pbcluster._set_subreaper(False)


class PollTest(ClusterTestCase):
    """poll_until and hold_for, without a cluster."""

    def test_poll_until_returns_the_true_value(self):
        values = iter([0, None, "", "done"])
        seen = []
        self.assertEqual(pbcluster.poll_until(lambda: next(values), 5, "x",
                                              each=seen.append, interval=0),
                         "done")
        self.assertEqual(seen, [0, None, "", "done"])

    def test_poll_until_timeout_names_what_and_the_log(self):
        class FakeCluster:
            def __init__(self, d):
                self.d = d

            def path(self, *parts):
                return os.path.join(self.d, *parts)
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "log"))
            with open(os.path.join(d, "log", "slurmctld.log"), "w") as f:
                f.write("".join(f"line {i}\n" for i in range(1, 31)))
            t0 = time.monotonic()
            with self.assertRaises(AssertionError) as e:
                pbcluster.poll_until(lambda: False, 0.5, "the moon",
                                     interval=0.1, cluster=FakeCluster(d))
            self.assertGreaterEqual(time.monotonic() - t0, 0.5)
        msg = str(e.exception)
        self.assertTrue(msg.startswith("the moon: not reached within 0.5s\n"),
                        msg)
        self.assertIn("slurmctld.log (last 20 lines)", msg)
        self.assertIn("line 11\n", msg)
        self.assertIn("line 30\n", msg)
        self.assertNotIn("line 10\n", msg)
        with self.assertRaises(AssertionError) as e:
            pbcluster.poll_until(lambda: 0, 0, "nothing")
        self.assertEqual(str(e.exception), "nothing: not reached within 0s")
        # detail() is asked at the timeout, so it can show the last sample
        seen = []
        with self.assertRaises(AssertionError) as e:
            pbcluster.poll_until(lambda: seen.append(len(seen)), 0.3, "x",
                                 interval=0.1, detail=lambda: f"saw {seen}")
        self.assertEqual(str(e.exception),
                         f"x: not reached within 0.3s\nsaw {seen}")
        self.assertGreaterEqual(len(seen), 2)

    def test_each_fails_the_poll_at_once(self):
        def each(v):
            raise AssertionError(f"bad sample {v}")
        with self.assertRaisesRegex(AssertionError, "^bad sample 0$"):
            pbcluster.poll_until(lambda: 0, 30, "x", each=each)

    def test_hold_for_checks_every_sample_for_the_whole_time(self):
        calls = []
        t0 = time.monotonic()
        last = pbcluster.hold_for(0.5, lambda: calls.append(1) or len(calls),
                                  0.1)
        self.assertGreaterEqual(time.monotonic() - t0, 0.5)
        self.assertGreaterEqual(len(calls), 4)
        self.assertEqual(last, len(calls))
        with self.assertRaisesRegex(AssertionError, "^no$"):
            pbcluster.hold_for(5, lambda: self.fail("no"))
        # a timeout of the harness's own waits is False, not an error
        c = pbcluster.Cluster.__new__(pbcluster.Cluster)
        c.reap = lambda: None
        self.assertFalse(c._wait_for(lambda: False, 0.2, 0.05))
        self.assertTrue(c._wait_for(lambda: True, 0))


class PortsAndStopTest(ClusterTestCase):

    def test_ports_stay_below_the_ephemeral_range(self):
        lo, hi = pbcluster._ephemeral_ports()
        for count in (1, 32, 300):
            for _ in range(20):
                base = pbcluster.free_ports(count)
                self.assertTrue(base + count <= lo or base > hi,
                                f"{count} ports from {base} overlap the "
                                f"ephemeral range {lo}-{hi}")
        with self.assertRaisesRegex(pbcluster.ClusterError, "no room"):
            pbcluster.free_ports(10, lo=100, hi=105)

    def test_a_taken_port_starts_the_cluster_again_elsewhere(self):
        """A slurmd whose port someone else bound after the probe exits
        (Slurm does not retry); the harness starts over on new ports."""
        real, calls, held = pbcluster.free_ports, [], []

        def first_taken(count, **kw):
            base = real(count, **kw)
            calls.append(base)
            if len(calls) == 1:  # n2's port, bound by "someone else"
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.bind(("", base + 2))
                s.listen()
                held.append(s)
            return base
        pbcluster.free_ports = first_taken
        try:
            with Cluster(nodes=2) as c:
                self.assertEqual(c.node_states(), {"n1": "idle", "n2": "idle"})
                self.assertEqual(len(calls), 2, calls)
                self.assertEqual(c.ctld_port, calls[1])
        finally:
            pbcluster.free_ports = real
            for s in held:
                s.close()
        self.assertTornDown(c)

    def test_a_daemon_failing_otherwise_is_not_started_again(self):
        calls = []
        real = pbcluster.free_ports

        def counted(count, **kw):
            calls.append(count)
            return real(count, **kw)
        pbcluster.free_ports = counted
        try:
            c = Cluster(nodes=1, extra_conf={"SlurmdSpoolDir": "/proc/pb-none"})
            with self.assertRaises(pbcluster.ClusterError) as e:
                c.start()
        finally:
            pbcluster.free_ports = real
        self.assertNotIsInstance(e.exception, pbcluster.PortTaken)
        self.assertIn("slurmd:n1", str(e.exception).splitlines()[0])
        self.assertEqual(len(calls), 1, "started again for a fault that "
                         "is not a taken port")
        self.assertTornDown(c)

    def test_stop_kills_the_group_of_a_leader_ignoring_sigterm(self):
        # a leader that ignores SIGTERM, with a child in its group
        p = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 60 & "
                              "echo $!; wait"], stdout=subprocess.PIPE,
                             text=True, start_new_session=True)
        child = int(p.stdout.readline())
        c = pbcluster.Cluster.__new__(pbcluster.Cluster)
        t0 = time.monotonic()
        c._stop(p, grace=0.5)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertIsNotNone(p.returncode)
        p.stdout.close()
        # the child is gone too (reaped by init once its parent died)
        def gone():
            try:
                with open(f"/proc/{child}/stat") as f:
                    return f.read().split()[2] == "Z"
            except FileNotFoundError:
                return True
        pbcluster.poll_until(gone, 5, f"child {child} of the stopped group")
        # a process already reaped is left alone: no signal to its old pid
        q = subprocess.Popen(["true"], start_new_session=True)
        q.wait()
        c._stop(q)
        self.assertEqual(q.returncode, 0)


class CapWatchTest(ClusterTestCase):
    """pbstatus.over_caps and powertest.CapWatch on a status file of
    their own."""

    def test_cap_watch_checks_each_status_against_the_caps(self):
        import powertest
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "state"))
            c = type("C", (), {"path": lambda self, *p: os.path.join(d, *p)})()

            def write(generated, site, rack, rack_limit=20000):
                with open(powertest.status_path(c), "w") as f:
                    f.write(f"Status=ok Generated={generated}\n"
                            f"Domain=site CommittedW={site} LimitW=30000\n"
                            f"Domain=rack CommittedW={rack} "
                            f"LimitW={rack_limit}\n")
            w = powertest.CapWatch(c, {"site": 27700}, limits=True, since=10)
            self.assertIsNone(w())                  # no file yet
            write(9, 99999, 0)                      # before `since`
            self.assertIsNone(w("ignored"))
            write(10, 27700, 20000)
            self.assertEqual(w()["generated"], 10)
            write(11, 20000, 20001)                 # the rack over its LimitW
            with self.assertRaises(AssertionError) as e:
                w()
            self.assertTrue(str(e.exception).startswith(
                "over a cap: rack: CommittedW 20001 > LimitW 20000\n"),
                str(e.exception))
            write(12, 27701, 0)
            with self.assertRaisesRegex(AssertionError, "^over a cap: site: "
                                        "CommittedW 27701 > cap 27700 W\n"):
                w()
            self.assertEqual((w.samples, w.peak), (3, {"site": 27701}))
            s = powertest.read_status(c)
            self.assertEqual(pbstatus.over_caps(s, {"site": 1, "rack": 0}),
                             ["site: CommittedW 27701 > cap 1 W"])
            self.assertEqual(pbstatus.over_caps(s), [])
            self.assertEqual(pbstatus.over_caps(None), [])

    def test_cap_watch_records_for_a_sampling_thread(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "state"))
            c = type("C", (), {"path": lambda self, *p: os.path.join(d, *p)})()
            path = pbstatus.status_path(c)
            w = pbstatus.CapWatch(c, limits=True, record=True)
            for gen, rack in ((1, 100), (2, 20001), (3, 5)):
                with open(path, "w") as f:
                    f.write(f"Status=ok Generated={gen}\n"
                            "Domain=site CommittedW=900 LimitW=30000\n"
                            f"Domain=rack CommittedW={rack} LimitW=20000\n")
                self.assertEqual(w()["generated"], gen)
            self.assertEqual([bad for _, bad in w.violations],
                             [["rack: CommittedW 20001 > LimitW 20000"]])
            # without caps, every domain's peak
            self.assertEqual((w.samples, w.peak),
                             (3, {"site": 900, "rack": 20001}))


def _reap_children():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    main()
