#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 300
"""test_transparency under TopologyPlugin=topology/tree (two leaf switches):
cons_tres then places by switch, and the wrapper reads the same network tree
for its own compactness rule; with ample power the placements must still be
exactly cons_tres's."""

from clustertest import main
import test_transparency


class TransparencyTopoTest(test_transparency.TransparencyTest):
    topology = "two switches"


del test_transparency.TransparencyTest  # run only the topology variant here

if __name__ == "__main__":
    main()
