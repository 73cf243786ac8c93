/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler-chosen GPU power limits inside slurmctld (GpuLimits=): which
 * jobs may be started at a lower per-GPU limit when power binds, what
 * the policy is asked for them (floor, ceiling, the time-limit rule), the
 * limit chosen at RUN_NOW until the job's begin, and what a start at a
 * limit does to the job (its time limit, its SystemComment, the log).
 * The limit itself is enforced on the nodes by the pb-gpu-limit prolog
 * from the job's SPANK record (jobpower_record_hint), like an enforced
 * hint. Called under slurmctld's job and node locks; no I/O.
 */
#ifndef PB_PLUGIN_LIMITS_H
#define PB_PLUGIN_LIMITS_H

#include "src/slurmctld/slurmctld.h"

#include "policy/gpulimit.h"
#include "policy/place.h"
#include "plugin/model.h"

/* The tag a user writes in --comment to wait for full power instead. */
#define LIMITS_OPT_OUT_TAG "pb_gpu_limit=no"

/* The token the chosen limit leaves in the job's SystemComment. */
#define LIMITS_COMMENT_TAG "pb_gpu_limit="

/*
 * May @job, asking @req (its full-draw request), start at a chosen limit?
 * GpuLimits on, GPUs asked, not opted out, and no hint of its own or
 * its partition's other than one enforced as a limit (learned draw,
 * UserHints=enforced), which a chosen limit may then only lower. If so,
 * *floor_w is the lowest limit it could get on any
 * class: the hint to narrow candidate nodes with (a superset of those the
 * exact choice, limits_ask(), accepts).
 */
extern bool limits_eligible(const model_t *m, job_record_t *job,
			    const pb_place_req_t *req, pb_watts_t *floor_w);

/*
 * What to ask pb_ledger_fit_limit for @job on @alloc (its first node's
 * class gives the board limit and the efficient limit): the floor (the
 * partition's GpuLimitFloor, else the site's, at least the GPU's MinCapW,
 * raised so that the time-limit rule holds), the ceiling (MaxW, or the
 * efficient limit, and never above an enforced hint @alloc carries) and
 * the run to plan. false when no limit can be
 * chosen (floor above ceiling, or GpuLimitTime=fit without --time-min).
 */
extern bool limits_ask(const model_t *m, job_record_t *job,
		       const pb_alloc_t *alloc, pb_limit_ask_t *ask);

/* RUN_NOW admitted @job_id at @limit_w per GPU on boards of @max_w. */
extern void limits_note(uint32_t job_id, pb_watts_t limit_w, pb_watts_t max_w);

/*
 * At @job's begin: the limit noted for it (0: full draw; the note is
 * consumed), and what it means for the job: under GpuLimitTime=extend its
 * time limit grows by the modelled slowdown; its SystemComment says
 * pb_gpu_limit=<W>W; the start is logged.
 */
extern pb_watts_t limits_begin(const model_t *m, job_record_t *job);

/*
 * From the status thread's tick, with the job write lock: time limits
 * extended at a start that a scheduler has put back since are extended
 * again (sched/backfill restores the limit it tested a job with).
 */
extern void limits_tick(void);

#endif
