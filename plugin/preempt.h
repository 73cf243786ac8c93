/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power that preemption gives back.
 *
 * When a job may preempt, slurmctld passes job_test the running jobs it
 * may preempt (lowest priority first). Jobs preempted by requeue or cancel
 * end before the preemptor starts, so their power is the preemptor's to
 * plan with: while the preemptor is tested they are lifted out of the
 * ledger (pb_ledger_suspend, which pb_ledger_resume undoes exactly), and
 * the start is checked with the ones Slurm will preempt still lifted.
 *
 * Jobs preempted by suspension are never lifted: their power stays held
 * for their resume, and with PreemptMode=SUSPEND,GANG the gang scheduler
 * suspends them only after the preemptor has started.
 *
 * All calls happen inside one job_test, under slurmctld's job write lock;
 * preempt_restore() must run before it returns.
 */
#ifndef PB_PLUGIN_PREEMPT_H
#define PB_PLUGIN_PREEMPT_H

#include "src/slurmctld/slurmctld.h"

#include "plugin/model.h"

/* Lift the candidates whose preemption returns their power; count lifted. */
extern uint32_t preempt_lift(model_t *m, List candidates);

/*
 * cons_tres chose @preemptees (may be NULL): put every other lifted job
 * back, so that only the power Slurm will actually free stays lifted.
 */
extern void preempt_keep_only(model_t *m, List preemptees);

/*
 * The start on @alloc is short of power (@why) with the jobs cons_tres
 * chose already lifted. Add preemptable candidates, lowest priority
 * first, until it fits, then put back any that turn out not to be needed.
 * On success returns 0, appends the added jobs to *preemptees (creating
 * the list) and fills @why with the admitting verdict; otherwise returns
 * -1 and changes nothing.
 */
extern int preempt_for_power(model_t *m, job_record_t *job,
			     const pb_alloc_t *alloc, int64_t now, int64_t end,
			     List candidates, List *preemptees,
			     pb_verdict_t *why);

/* Put every lifted job back into the ledger. */
extern void preempt_restore(model_t *m);

#endif
