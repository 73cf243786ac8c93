/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pending reasons for jobs held back by power, where admins look
 * (squeue %R, scontrol show job Reason=).
 *
 * After a failed job_test, slurmctld's select_nodes() resets the reason to
 * Resources and frees state_desc. So the plugin remembers which jobs it
 * held back and why, and puts the reason back (a description naming the
 * domain and the watts missing, "PowerNotAvail: ..." or "PowerReserved:
 * ...", with Slurm's own codes of those names where the release has them)
 * the next time it runs under the job write lock.
 * The table is small and bounded: the oldest entry gives way.
 */
#ifndef PB_PLUGIN_REASONS_H
#define PB_PLUGIN_REASONS_H

#include <stdbool.h>

#include "src/slurmctld/slurmctld.h"

/* Remember and apply now: @reserved picks PowerReserved over PowerNotAvail. */
extern void reasons_set(job_record_t *job, bool reserved, const char *desc);

/* Put back the reasons slurmctld overwrote; forget jobs no longer pending. */
extern void reasons_restore(void);

/* Forget @job_id (it started, ended, or power is no longer what holds it). */
extern void reasons_drop(uint32_t job_id);

/* Number of jobs currently held back by power, and their ids (status). */
extern int reasons_count(void);
extern int reasons_get(int i, uint32_t *job_id, const char **desc);

extern void reasons_clear(void);

#endif
