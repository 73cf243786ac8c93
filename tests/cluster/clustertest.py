# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the cluster tests (plain unittest, standard library only).

Environment:
  PB_PLUGIN_DIR     directory holding select_cons_tres_power.so (set by CMake).
                    Set but without the .so: tests that need it fail.
                    Unset: they are skipped (exit 77 when nothing else ran).
  PB_CLUSTER_NODES  node count of the test clusters (default 4).
  PB_KEEP_CLUSTER=1 keep each cluster's temp dir (logs, configs) for a look.
"""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pbcluster  # noqa: E402
from pbcluster import Cluster, ClusterError  # noqa: E402,F401

PLUGIN_SO = "select_cons_tres_power.so"
PLUGIN_TYPE = "select/cons_tres_power"
SKIP_EXIT = 77  # ctest SKIP_RETURN_CODE


def nodes():
    return int(os.environ.get("PB_CLUSTER_NODES", "4"))


_release = None


def slurm_release():
    """(major, minor) of the slurmctld the clusters run, e.g. (24, 11):
    where Slurm's own output differs between releases."""
    global _release
    if _release is None:
        out = subprocess.run([pbcluster._which("slurmctld"), "-V"],
                             capture_output=True, text=True).stdout
        m = re.search(r"(\d+)\.(\d+)\.", out)
        if not m:
            raise RuntimeError(f"cannot read the Slurm release from {out!r}")
        _release = (int(m.group(1)), int(m.group(2)))
    return _release


def gres_tres(spec):
    """A GRES request as Slurm prints it in TresPerNode= and squeue %b:
    gres:gpu:8 in 22.05, gres/gpu:8 in 24.11 and 26.05."""
    return ("gres:" if slurm_release() <= (22, 5) else "gres/") + spec


def plugin_dir(test):
    """The directory with our plugin, or skips `test` when none is configured;
    fails it when one is configured but the .so is not there."""
    d = os.environ.get("PB_PLUGIN_DIR")
    if not d:
        test.skipTest("PB_PLUGIN_DIR not set (build the plugin and run via "
                      "ctest, or export PB_PLUGIN_DIR=<build>/plugin)")
    so = os.path.join(d, PLUGIN_SO)
    if not os.path.isfile(so):
        test.fail(f"PB_PLUGIN_DIR={d} but {so} does not exist")
    return os.path.abspath(d)


def leftovers(tmpdir):
    """Live (non-zombie) processes still belonging to the cluster's temp dir.
    Stricter than what the harness kills by: any process that mentions the
    temp dir in its environment or works in it counts."""
    out = set(pbcluster.cluster_pids(tmpdir))
    key = tmpdir.encode()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        st = pbcluster._stat(int(name))
        if st is None or st[1] == "Z":
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if key in f.read():
                    out.add(int(name))
            cwd = os.readlink(f"/proc/{name}/cwd")
            if cwd == tmpdir or cwd.startswith(tmpdir + "/"):
                out.add(int(name))
        except OSError:
            pass
    return [f"{pid} {(pbcluster._stat(pid) or ('?',))[0]}" for pid in sorted(out)]


class ClusterTestCase(unittest.TestCase):
    maxDiff = None

    def assertTornDown(self, cluster, pids=()):
        """Nothing of `cluster` is left: no marked process, none of the
        daemon pids, and (unless kept) no temp dir."""
        self.assertEqual(leftovers(cluster.dir), [])
        for pid in pids:
            st = pbcluster._stat(pid)
            self.assertTrue(st is None or st[1] == "Z" and st[2] != os.getpid(),
                            f"pid {pid} still there: {st}")
        if not cluster.keep:
            self.assertFalse(os.path.exists(cluster.dir), cluster.dir)


def main():
    """unittest.main, but exits 77 (ctest: skipped) when every test skipped."""
    prog = unittest.main(verbosity=2, exit=False)
    r = prog.result
    if r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(SKIP_EXIT)
    sys.exit(0 if r.wasSuccessful() else 1)


def ample_power_conf(n, prefix="n"):
    """A power_budget.conf under which power never binds on an n-node test
    cluster (8 H100 per node, ~10 kW each, caps in MW): the wrapper must then
    behave exactly like cons_tres."""
    nodes = f"{prefix}[1-{n}]" if n > 1 else f"{prefix}1"
    return (
        "# generated for the cluster tests: power never binds\n"
        "Facility=site Cap=100MW PUE=1.0\n"
        f'NodeClass=h100 Gpus=8 GpuModel="H100 SXM" Packages=2 Cores=32 '
        f"BaseW=2000 StandbyW=50 CpuIdleW=100 CpuMaxW=350 Nodes={nodes}\n"
        f"Domain=hall Parent=site Cap=50MW Nodes={nodes}\n")
