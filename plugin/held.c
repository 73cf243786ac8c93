/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power held for blocked pending jobs (see held.h): a small table of the
 * holders and their priorities; the ledger keeps their reservations, and
 * lifts them whole while a job is tested.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"

#include "plugin/held.h"
#include "plugin/kick.h"

#define PLUGIN "select/cons_tres_power"

/*
 * Power reservations are held for this many power-blocked pending jobs,
 * the highest priority first: EASY backfill's one head job, plus a few, so
 * a stream of small jobs cannot starve the large ones at the queue's top.
 */
#define HELD_JOBS_MAX 4

typedef struct {
	uint32_t job_id; /* 0: free */
	uint32_t priority;
	bool lifted; /* out of the ledger while a job is tested */
} held_t;

static held_t held[HELD_JOBS_MAX];

static held_t *_find(uint32_t job_id)
{
	for (int i = 0; i < HELD_JOBS_MAX; i++) {
		if (held[i].job_id == job_id)
			return &held[i];
	}
	return NULL;
}

extern bool held_has(uint32_t job_id)
{
	return job_id && _find(job_id);
}

static void _drop(model_t *m, held_t *h)
{
	if (!h || !h->job_id)
		return;
	if (m)
		pb_ledger_unreserve(m->ledger, h->job_id); /* lifted or not */
	memset(h, 0, sizeof(*h));
	kick_dirty();
	model_verify(m, "dropping a power reservation");
}

extern void held_drop(model_t *m, uint32_t job_id)
{
	if (job_id)
		_drop(m, _find(job_id));
}

extern void held_drop_all(model_t *m)
{
	for (int i = 0; i < HELD_JOBS_MAX; i++)
		_drop(m, &held[i]);
}

/*
 * Put the job's reservation back into the ledger (after a test without
 * it): the ledger kept it whole, and puts it back without computing it
 * again unless the test changed something.
 */
static void _restore(model_t *m, held_t *h)
{
	if (pb_ledger_unlift(m->ledger, h->job_id)) {
		error(PLUGIN ": power reservation of JobId=%u lost", h->job_id);
		memset(h, 0, sizeof(*h));
	}
}

extern void held_sweep(model_t *m)
{
	for (int i = 0; i < HELD_JOBS_MAX; i++) {
		job_record_t *job;

		if (!held[i].job_id)
			continue;
		job = find_job_record(held[i].job_id);
		if (!job || !IS_JOB_PENDING(job))
			_drop(m, &held[i]);
	}
}

/* Does job a (priority, id) go before job b? Earlier submission breaks ties. */
static bool _outranks(uint32_t a_prio, uint32_t a_id, uint32_t b_prio,
		      uint32_t b_id)
{
	if (a_prio != b_prio)
		return a_prio > b_prio;
	return a_id < b_id;
}

/* Only jobs that go before @job may hold power against it. */
extern void held_lift(model_t *m, const job_record_t *job)
{
	for (int i = 0; i < HELD_JOBS_MAX; i++) {
		held_t *h = &held[i];

		if (!h->job_id || h->lifted)
			continue;
		if (h->job_id != job->job_id &&
		    _outranks(h->priority, h->job_id, job->priority,
			      job->job_id))
			continue;
		if (pb_ledger_lift(m->ledger, h->job_id) == 0)
			h->lifted = true;
	}
}

extern void held_unlift(model_t *m)
{
	for (int i = 0; i < HELD_JOBS_MAX; i++) {
		if (!held[i].job_id || !held[i].lifted)
			continue;
		held[i].lifted = false;
		_restore(m, &held[i]);
	}
}

/* The entry for @job: its own, a free one, or the lowest it outranks. */
static held_t *_slot_for(const model_t *m, const job_record_t *job)
{
	held_t *h = _find(job->job_id), *lowest = &held[0];

	if (!h)
		h = _find(0);
	if (h)
		return h;
	for (int i = 1; i < HELD_JOBS_MAX; i++) {
		if (_outranks(lowest->priority, lowest->job_id,
			      held[i].priority, held[i].job_id))
			lowest = &held[i];
	}
	if (!_outranks(job->priority, job->job_id, lowest->priority,
		       lowest->job_id))
		return NULL;
	MODEL_TRACE(
	    m->settings->debug_trace,
	    "JobId=%u gives its power reservation to higher priority %pJ",
	    lowest->job_id, job);
	return lowest;
}

extern bool held_update(model_t *m, const job_record_t *job,
			const pb_alloc_t *alloc, int64_t start, int64_t end)
{
	held_t *h = _slot_for(m, job);
	pb_error_t err;

	if (!h)
		return false;
	_drop(m, h);
	if (end <= start)
		end = PB_TIME_NEVER;
	if (pb_ledger_reserve(m->ledger, job->job_id, alloc, start, end,
			      &err)) {
		debug(PLUGIN ": no power reservation for %pJ: %s", job,
		      err.text);
		return false;
	}
	h->job_id = job->job_id;
	h->priority = job->priority;
	kick_dirty();
	model_verify(m, "a power reservation");
	return true;
}
