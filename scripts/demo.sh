#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# README's first command: on a fresh Debian 12 machine, as root, installs
# what powerbudget needs, builds it against the installed Slurm, and runs
# scripts/demo.py: a real munge/slurmctld/slurmd cluster on 127.0.0.1 with
# the plugin under a scaled-down power cap. Output goes to
# ./powerbudget-demo/ (samples and a PNG plot); the cluster is torn down.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
slurm_tree=$(bash scripts/slurm-source.sh)
cmake -S . -B build-demo -DSLURM_SRC_DIR="$slurm_tree" -DPB_CLUSTER_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" --target select_cons_tres_power >/dev/null
exec /usr/bin/python3 scripts/demo.py --plugin-dir build-demo/plugin "$@"
