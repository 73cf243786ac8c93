#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 240
"""The Debian package on a real cluster: installs the .deb the build made
(PB_DEB), starts slurmctld with Slurm's own PluginDir only, and shows that
it loads select/cons_tres_power from the standard location, runs a job
under a power budget, and that the installed pb-status reads the ledger
the plugin writes. The package is removed again at the end.

Changes the machine (dpkg -i / -r as root): meant for CI and test machines.
"""

import os
import subprocess
import unittest

from clustertest import Cluster, PLUGIN_TYPE, main

PLUGIN_DIRS = ("/usr/lib/x86_64-linux-gnu/slurm-wlm", "/usr/lib64/slurm",
               "/usr/lib/slurm")
POWER = """\
Facility=site Cap=30kW PUE=1.0
NodeClass=h100 Gpus=8 GpuModel="H100 SXM" Packages=2 Cores=32 BaseW=2000 \
StandbyW=50 CpuIdleW=100 CpuMaxW=350 Nodes=n[1-2]
Domain=rack Parent=site Cap=30kW Nodes=n[1-2]
"""


def dpkg(*args):
    return subprocess.run(["dpkg", *args], capture_output=True, text=True)


class PackageTest(unittest.TestCase):

    def setUp(self):
        self.deb = os.environ.get("PB_DEB")
        if not self.deb:
            self.skipTest("PB_DEB not set (run through ctest after the deb is built)")
        if not os.path.isfile(self.deb):
            self.fail(f"PB_DEB={self.deb} does not exist")
        if os.geteuid() != 0:
            self.skipTest("installing a package needs root")
        if dpkg("-s", "powerbudget").returncode == 0:
            self.skipTest("powerbudget is installed on this machine already; "
                          "not touching it")

    def test_installed_plugin_runs_a_cluster(self):
        r = dpkg("-i", self.deb)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        try:
            self._check_installed()
        finally:
            r = dpkg("-r", "powerbudget")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def _check_installed(self):
        so = [os.path.join(d, "select_cons_tres_power.so") for d in PLUGIN_DIRS]
        self.assertTrue(any(os.path.isfile(p) for p in so),
                        f"plugin not in any of {PLUGIN_DIRS}")
        # plugin_dir=None: slurm.conf's PluginDir is Slurm's own only.
        with Cluster(nodes=2, select_type=PLUGIN_TYPE, plugin_dir=None,
                     files={"power_budget.conf": POWER}) as c:
            # idle 2 x 2.8 kW + one 8-GPU job 5.5 kW = 11.1 kW <= 30 kW
            jid = c.sbatch(["-N1", "--gpus-per-node=8", "--exclusive"], "sleep 2")
            c.wait_jobs([jid], timeout=60)
            with open(c.path("log", "slurmctld.log")) as f:
                log = f.read()
            self.assertIn("select/cons_tres_power: ", log)
            self.assertIn("2 node(s), 2 power domain(s)", log)
            status = c.path("state", "power_budget.status")
            r = subprocess.run(["pb-status", "--file", status], env=c.env,
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("rack", r.stdout)
            r = subprocess.run(["pb-status", "--json", "--file", status],
                               env=c.env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn('"site"', r.stdout)


if __name__ == "__main__":
    main()
