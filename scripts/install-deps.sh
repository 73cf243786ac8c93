#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs the Debian packages powerbudget builds and tests with, on
# Debian 12 (Slurm 22.05), 13 (24.11) and unstable (26.05) alike: only
# names every release has (libclang-rt-dev is the release's own clang
# runtime, libclang-rt-14-dev on 12 and -19-dev on 13).
# Idempotent: packages already present are not touched again, so the demo and
# test entry points can both call it.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config dpkg-dev fakeroot debhelper
	slurmctld slurmd slurm-client libslurm-dev munge libmunge-dev
	libhwloc-dev hwloc-nox libcmocka-dev
	python3 gnuplot-nox valgrind clang clang-format libclang-rt-dev procps
	rpm lintian
	# llvm-symbolizer: clang's sanitizer runtime has none of its own, and
	# the fuzzers' leak suppressions match libslurm's functions by name.
	llvm
	# Slurm's configure with debian/rules' flags (--enable-pam), for the
	# config.h of the tree the plugin builds against.
	libpam0g-dev
	# The cap-window calendar tests run in a zone with daylight saving.
	tzdata
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if ((${#missing[@]})); then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]} (run as root to install)" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Others may be installing on the same machine: wait for dpkg's lock
	# rather than fail on it.
	apt-get update -qq -o DPkg::Lock::Timeout=600
	apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# Debian enables and starts the daemons on install; our clusters bring their
# own, on their own ports, so the system ones must not hold the defaults.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now slurmctld slurmd munge >/dev/null 2>&1 || true
fi
exit 0
