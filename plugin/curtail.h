/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Curtailment on command (pb-ctl(8) curtail/restore): a domain's cap comes
 * down to a target by a deadline and goes back later.
 *
 * The request is a file in StateSaveLocation (topology/curtailfile.h), so
 * only who can write there (root, SlurmUser) can curtail, and it outlives
 * a restart. The status thread reads it without locks, and only a file
 * owned by root or SlurmUser and writable by nobody else counts.
 *
 * From the moment it is read the target is a cap window in the ledger
 * from now to Until, so nothing new starts that does not fit it. At the
 * deadline less CurtailLead=, the jobs still running at the deadline that
 * keep the domain over the target are shed (policy/curtail.h picks them
 * in CurtailOrder=), by suspend or requeue (CurtailShed=), each named in
 * the log. A suspended job keeps its power held (hooks.c); it resumes,
 * highest priority first, as soon as it fits the caps again, also within
 * the ramp limits. Requeued jobs queue like any other. The shed jobs are
 * kept in a second file beside the request, so that they are resumed
 * after a restart too. No job is cancelled.
 */
#ifndef PB_PLUGIN_CURTAIL_H
#define PB_PLUGIN_CURTAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "plugin/model.h"

/* Reads the request and the shed list once (slurmctld's start). */
extern void curtail_init(const char *state_dir);
extern void curtail_fini(void);

/*
 * Status thread, no slurmctld lock held: rereads the request when its
 * file changed; writes the shed list when it changed.
 */
extern void curtail_read(void);
extern void curtail_save(void);

/* Is there a request or a shed job for curtail_tick? */
extern bool curtail_busy(void);

/*
 * Puts the request in force in @m's ledger (or lifts it): cheap unless
 * the request or the ledger changed; hot path safe (no I/O).
 */
extern void curtail_sync(model_t *m, time_t now);

/* The ledger was reset or replaced: put the window back at next sync. */
extern void curtail_invalidate(void);

/*
 * Status thread, with slurmctld's job and node write and federation read
 * locks: sheds what the deadline needs, resumes what fits again.
 */
extern void curtail_tick(model_t *m, time_t now);

/*
 * Does the curtailment lower @domain's cap at some time in [@from, @to)?
 * Then true with its target cap and end.
 */
extern bool curtail_during(const model_t *m, int32_t domain, int64_t from,
			   int64_t to, pb_watts_t *target_w, int64_t *until);

/* Status lines (Curtail=..., Shed=...) appended to *@buf (xstrfmtcat). */
extern void curtail_render(const model_t *m, char **buf);

#endif
