#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pb-gpu-limit as slurmd runs it, against fake-nvidia-smi: the prolog sets
# the modelled watts on exactly the job's GPUs (clamped to the board's
# range), resets them without a hint, fails (so slurmd drains the node)
# when a limit cannot be set or the watts are not a number; the epilog
# restores the default.
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../pb-gpu-limit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FAKE_SMI_DIR=$tmp PB_NVIDIA_SMI=$here/fake-nvidia-smi
export PB_GPU_LIMIT_STATE_DIR=$tmp/notes
export SLURMD_NODENAME=n1 SLURM_JOB_ID=7
fails=0

check() { # what expected actual
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: expected '$2', got '$3'"
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}

run() { # context gpus watts -> exit status
	env -u SPANK_POWERBUDGET_GPU_WATTS SLURM_SCRIPT_CONTEXT="$1" \
		SLURM_JOB_GPUS="$2" ${3:+SPANK_POWERBUDGET_GPU_WATTS=$3} \
		"$script" 2>>"$tmp/stderr"
	echo $?
}

limits() { # gpus... -> "w w w"
	out=""
	for g in "$@"; do
		out="$out $(cat "$tmp/n1.gpu$g" 2>/dev/null || echo unset)"
	done
	echo "${out# }"
}

check "prolog with a hint" 0 "$(run prolog_slurmd 1,3 350)"
check "only the job's GPUs limited" "unset 350 unset 350" "$(limits 0 1 2 3)"
check "epilog restores the default" 0 "$(run epilog_slurmd 1,3 350)"
check "default limits" "700 700" "$(limits 1 3)"
check "below the board minimum" 0 "$(run prolog_slurmd 0 50)"
check "raised to the board minimum" "200" "$(limits 0)"
check "above the board maximum" 0 "$(run prolog_slurmd 0 5000)"
check "lowered to the board maximum" "700" "$(limits 0)"
echo 300 >"$tmp/n1.gpu2"
# a job slurmctld recovered: its epilog has no SLURM_JOB_GPUS
check "prolog notes its GPUs" 0 "$(run prolog_slurmd 4,5 300)"
check "note written" "4 5" "$(cat "$tmp/notes/n1.7" 2>/dev/null)"
check "epilog without SLURM_JOB_GPUS" 0 "$(run epilog_slurmd "" 300)"
check "noted GPUs reset" "700 700" "$(limits 4 5)"
check "note removed" no "$(test -e "$tmp/notes/n1.7" && echo yes || echo no)"
check "prolog without a hint" 0 "$(run prolog_slurmd 2 "")"
check "left-over limit reset" "700" "$(limits 2)"
check "no GPUs: nothing to do" 0 "$(run prolog_slurmd "" 300)"
check "not a number" 1 "$(run prolog_slurmd 0 12abc)"
touch "$tmp/fail-n1"
check "a limit that cannot be set fails the prolog" 1 "$(run prolog_slurmd 0 300)"
check "a failed reset does not fail the epilog" 0 "$(run epilog_slurmd 0 300)"
rm "$tmp/fail-n1"
check "outside slurmd" 2 "$(run "" 0 300)"
grep -q "cannot set its power limit to 300 W" "$tmp/stderr"
check "failure names GPU and watts" 0 $?
[ $fails -eq 0 ] || { cat "$tmp/stderr"; exit 1; }
