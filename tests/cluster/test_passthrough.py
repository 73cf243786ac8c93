#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 180
"""select/cons_tres_power on a real cluster with power that never binds:
multi-node GPU batch jobs run and complete, and the everyday commands
(sinfo, squeue, scontrol show job, sbatch --test-only) work, with nothing of
the plugin on the users' stderr."""

import re

from clustertest import (Cluster, ClusterTestCase, PLUGIN_TYPE, ample_power_conf,
                         gres_tres, main, nodes, plugin_dir)
from pbcluster import gate


class PassthroughTest(ClusterTestCase):

    cluster = None
    start_error = None

    def setUp(self):
        # one cluster for all tests of this file (started by the first one)
        cls = PassthroughTest
        if cls.start_error is not None:
            raise cls.start_error
        if cls.cluster is None:
            n = nodes()
            c = Cluster(nodes=n, select_type=PLUGIN_TYPE, plugin_dir=plugin_dir(self),
                        files={"power_budget.conf": ample_power_conf(n)})
            try:
                cls.cluster = c.start()
            except Exception as e:
                cls.start_error = e
                raise
        self.c = cls.cluster

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is not None:
            pids = [p.pid for p in cls.cluster.procs.values()]
            cls.cluster.close()
            t = cls("test_plugin_loaded")
            t.assertTornDown(cls.cluster, pids)

    def run_ok(self, *argv):
        """Runs a client command; it must succeed and print nothing on stderr
        (clients load every select plugin, so our logging would show)."""
        r = self.c.run(argv, check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr, "", f"{argv}: stderr")
        return r.stdout

    def test_plugin_loaded(self):
        conf = self.run_ok("scontrol", "show", "config")
        self.assertRegex(conf, rf"SelectType\s+= {re.escape(PLUGIN_TYPE)}\n")
        self.assertIn(plugin_dir(self) + ":", conf)
        with open(self.c.path("log", "slurmctld.log")) as f:
            log = f.read()
        self.assertIn("select/cons_tres_power", log)
        self.assertNotRegex(log, r"(fatal|error):.*cons_tres_power")

    def test_sinfo(self):
        n = nodes()
        out = self.run_ok("sinfo", "-h", "-N", "-o", "%N %T %G %c")
        rows = [line.split() for line in out.splitlines()]
        self.assertEqual(len(rows), n)
        for name, state, gres, cpus in rows:
            self.assertIn(state, ("idle", "mixed", "allocated"))
            self.assertEqual(gres, "gpu:8")
            self.assertEqual(cpus, "32")

    def test_multinode_gpu_jobs_complete(self):
        n = nodes()
        width = max(2, n // 2)
        script = ('srun -l /bin/sh -c \'echo "$SLURMD_NODENAME $CUDA_VISIBLE_DEVICES"\'\n'
                  "sleep 1\n")
        jobs = [self.c.sbatch([f"-N{width}", "--ntasks-per-node=1",
                               "--gpus-per-node=8"], script) for _ in range(3)]
        jobs.append(self.c.sbatch(["-n1", "--gpus=4"], "sleep 1"))
        seen = self.c.squeue("%i", ("-j", ",".join(map(str, jobs))))
        for j in jobs:
            self.assertIn(str(j), seen.split())
        self.c.wait_jobs(jobs, timeout=90)
        for j in jobs[:3]:
            info = self.c.job(j)
            self.assertEqual(info["ExitCode"], "0:0", info)
            got = self.c.nodes_of(j)
            self.assertEqual(len(got), width)
            self.assertEqual(info.get("TresPerNode"), gres_tres("gpu:8"))
            with open(info["StdOut"]) as f:
                lines = sorted(l.split(":", 1)[1].split() for l in f.read().splitlines())
            self.assertEqual(lines, [[node, "0,1,2,3,4,5,6,7"] for node in sorted(got)])
        self.assertEqual(len(self.c.nodes_of(jobs[3])), 1)

    def test_scontrol_show_job_and_squeue_while_running(self):
        script, release = gate(self.c, "show")
        j = self.c.sbatch(["-N2", "--gpus-per-node=8", "-J", "showme"],
                          script)
        try:
            self.c.wait_jobs([j], state="RUNNING", timeout=30)
            out = self.run_ok("scontrol", "show", "job", str(j))
            self.assertRegex(out, r"JobState=RUNNING")
            self.assertRegex(out, r"NumNodes=2 ")
            self.assertIn(f"TresPerNode={gres_tres('gpu:8')}", out)
            det = self.run_ok("scontrol", "-d", "show", "job", str(j))
            self.assertRegex(det, r"GRES=gpu:8\(IDX:0-7\)")
            q = self.run_ok("squeue", "-h", "-j", str(j), "-o", "%i %j %T %D %b")
            self.assertEqual(q.split(), [str(j), "showme", "RUNNING", "2",
                                         gres_tres("gpu:8")])
        finally:
            release()
        self.c.wait_jobs([j], timeout=30)

    def test_sbatch_test_only(self):
        n = nodes()
        r = self.c.run(["sbatch", "--test-only", "-N2", "--gpus-per-node=8",
                        "--wrap", "true"], check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"sbatch: Job \d+ to start at \S+ using \d+ "
                                   r"processors on nodes \S+ in partition batch")
        for args in ([f"-N{n + 1}"], ["-N1", "--gpus-per-node=9"],
                     ["-n1", f"--gpus={8 * n + 1}"]):
            r = self.c.run(["sbatch", "--test-only", *args, "--wrap", "true"],
                           check=False)
            self.assertNotEqual(r.returncode, 0, f"{args}: {r.stderr}")
            self.assertIn("Requested node configuration is not available", r.stderr,
                          args)


if __name__ == "__main__":
    main()
