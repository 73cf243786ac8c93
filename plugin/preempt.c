/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power that preemption gives back (see preempt.h). Runs inside job_test
 * under slurmctld's locks: the only allocation is the lifted-job array,
 * which grows to the largest candidate list seen and is then reused.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"
#include "src/common/list.h"
#include "src/common/xmalloc.h"
#include "plugin/compat.h"

#include "plugin/preempt.h"

#define PLUGIN "select/cons_tres_power"

static job_record_t **lifted; /* out of the ledger during this test */
static uint32_t n_lifted, lifted_cap;

/* Does preempting @job end it, so that its power comes back? */
static bool _frees_power(job_record_t *job)
{
	uint16_t mode;

	if (!IS_JOB_RUNNING(job))
		return false;
	mode = slurm_job_preempt_mode(job);
	return mode == PREEMPT_MODE_REQUEUE || mode == PREEMPT_MODE_CANCEL;
}

static void _remember(job_record_t *job)
{
	if (n_lifted == lifted_cap) {
		lifted_cap = MAX(2 * lifted_cap, 16);
		xrecalloc(lifted, lifted_cap, sizeof(*lifted));
	}
	lifted[n_lifted++] = job;
}

static bool _is_lifted(job_record_t *job)
{
	for (uint32_t i = 0; i < n_lifted; i++) {
		if (lifted[i] == job)
			return true;
	}
	return false;
}

static int _same_job(void *x, void *key)
{
	return x == key;
}

static void _put_back(model_t *m, uint32_t i)
{
	pb_ledger_resume(m->ledger, lifted[i]->job_id);
	lifted[i] = lifted[--n_lifted];
}

extern uint32_t preempt_lift(model_t *m, List candidates)
{
	ListIterator it;
	job_record_t *job;

	n_lifted = 0;
	if (!candidates)
		return 0;
	it = list_iterator_create(candidates);
	while ((job = list_next(it))) {
		if (!_frees_power(job))
			continue;
		/* Not in the ledger, or suspended there already: nothing to
		 * lift. */
		if (pb_ledger_suspend(m->ledger, job->job_id))
			continue;
		_remember(job);
	}
	list_iterator_destroy(it);
	return n_lifted;
}

extern void preempt_keep_only(model_t *m, List preemptees)
{
	for (uint32_t i = 0; i < n_lifted;) {
		if (preemptees &&
		    list_find_first(preemptees, _same_job, lifted[i]))
			i++;
		else
			_put_back(m, i);
	}
}

extern int preempt_for_power(model_t *m, job_record_t *job,
			     const pb_alloc_t *alloc, int64_t now, int64_t end,
			     List candidates, List *preemptees,
			     pb_verdict_t *why)
{
	uint32_t first_added = n_lifted;
	ListIterator it;
	job_record_t *cand;
	bool fits = false;

	if (!candidates)
		return -1;
	it = list_iterator_create(candidates);
	while (!fits && (cand = list_next(it))) {
		if (cand == job || _is_lifted(cand) || !_frees_power(cand))
			continue;
		if (pb_ledger_suspend(m->ledger, cand->job_id))
			continue;
		_remember(cand);
		fits = pb_ledger_admit(m->ledger, alloc, now, end, why) == 0;
	}
	list_iterator_destroy(it);
	if (!fits) {
		while (n_lifted > first_added)
			_put_back(m, n_lifted - 1);
		return -1;
	}
	/*
	 * Lowest priority first may have taken jobs in domains that were
	 * never short: newest first, keep running whatever is not needed.
	 */
	for (uint32_t i = n_lifted; i-- > first_added;) {
		pb_verdict_t v = {0};

		pb_ledger_resume(m->ledger, lifted[i]->job_id);
		if (pb_ledger_admit(m->ledger, alloc, now, end, &v) == 0) {
			lifted[i] = lifted[--n_lifted];
			*why = v;
			continue;
		}
		pb_ledger_suspend(m->ledger, lifted[i]->job_id);
	}
	if (!*preemptees)
		*preemptees = list_create(NULL);
	for (uint32_t i = first_added; i < n_lifted; i++) {
		info(PLUGIN ": %pJ preempts %pJ for its power", job, lifted[i]);
		list_append(*preemptees, lifted[i]);
	}
	return 0;
}

extern void preempt_restore(model_t *m)
{
	while (n_lifted)
		_put_back(m, n_lifted - 1);
}
