#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 150
"""A bad power model at slurmctld startup stops slurmctld with a message
an admin can act on, in slurmctld.log:

- power_budget.conf with a syntax error: `power_budget.conf:<line>: ...`
  naming the right line, then a fatal;
- power_budget.conf missing: the message names the file;
- a node class whose hwloc export (Topology=) is missing, or is not XML:
  the message names the export.

A positive control starts the same cluster with the real DGX-2 hwloc
export from tests/data/hwloc (16 V100, with the GpuModel line it needs),
so the failures are about the file, not about Topology= as such."""

import os
import re
import shutil

from clustertest import ClusterTestCase, PLUGIN_TYPE, main, plugin_dir
from faulttest import Cluster, ClusterError, h100_conf

HERE = os.path.dirname(os.path.abspath(__file__))
DGX2 = os.path.join(HERE, "..", "data", "hwloc", "nvidiaDGX2.xml")
FATAL = r"fatal: select/cons_tres_power: cannot start without a valid power_budget\.conf"


def dgx2_conf(topo):
    return ("Facility=site Cap=200kW PUE=1.0 Reserve=0%\n"
            'GpuModel=V100 Match="V100-SXM3" IdleW=50W MaxW=350W MinCapW=150W\n'
            f"NodeClass=dgx2 Topology={topo} BaseW=3kW StandbyW=60W "
            "CpuIdleW=60 CpuMaxW=205 Nodes=n1\n"
            "Domain=hall Parent=site Cap=150kW Nodes=n1\n")


class StartupTest(ClusterTestCase):

    def start(self, files, gpus=8):
        """Starts a 1-node cluster; returns (started, slurmctld.log text)."""
        c = Cluster(nodes=1, gpus_per_node=gpus, select_type=PLUGIN_TYPE,
                    plugin_dir=plugin_dir(self), files=files, keep=True,
                    start_timeout=30)
        ok = True
        try:
            c.start()
        except ClusterError:
            ok = False
        finally:
            c.close()
        try:
            with open(c.path("log", "slurmctld.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        self.assertEqual([], __import__("clustertest").leftovers(c.dir))
        shutil.rmtree(c.dir, ignore_errors=True)
        return ok, log

    def assert_fatal(self, files, pattern, gpus=8):
        ok, log = self.start(files, gpus)
        self.assertFalse(ok, "slurmctld started with a bad power model")
        self.assertRegex(log, FATAL)
        m = re.search(r"error: select/cons_tres_power: (.*)", log)
        self.assertIsNotNone(m, log[-2000:])
        self.assertRegex(log, pattern)
        return log

    def test_control_real_hwloc_export(self):
        with open(DGX2) as f:
            xml = f.read()
        ok, log = self.start({"power_budget.conf": dgx2_conf("dgx2.xml"),
                              "dgx2.xml": xml}, gpus=16)
        self.assertTrue(ok, log[-3000:])
        self.assertRegex(log, r"power_budget\.conf: 1 node\(s\), 2 power domain")

    def test_syntax_error_names_file_and_line(self):
        lines = h100_conf(1, 1).splitlines()
        lines.insert(2, "Domain=rackX Parent=site Cap=twelve")  # line 3
        log = self.assert_fatal({"power_budget.conf": "\n".join(lines) + "\n"},
                                r"error: select/cons_tres_power: \S*power_budget\.conf:3: ")
        print(re.findall(r".*power_budget\.conf:3: .*", log)[0])

    def test_missing_file(self):
        log = self.assert_fatal({}, r"error: select/cons_tres_power: .*"
                                    r"power_budget\.conf")
        print(re.findall(r"error: select/cons_tres_power: .*", log)[0])

    def test_missing_hwloc_export(self):
        log = self.assert_fatal({"power_budget.conf": dgx2_conf("gone.xml")},
                                r"error: select/cons_tres_power: .*gone\.xml",
                                gpus=16)
        print(re.findall(r"error: select/cons_tres_power: .*", log)[0])

    def test_unreadable_hwloc_export(self):
        log = self.assert_fatal({"power_budget.conf": dgx2_conf("bad.xml"),
                                 "bad.xml": "<topology><object type="},
                                r"error: select/cons_tres_power: .*bad\.xml",
                                gpus=16)
        print(re.findall(r"error: select/cons_tres_power: .*", log)[0])


if __name__ == "__main__":
    main()
