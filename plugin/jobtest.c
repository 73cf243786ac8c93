/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_test by mode around cons_tres (see jobtest.h and DESIGN "Placement
 * semantics").
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "src/common/slurm_xlator.h"
#include "src/common/bitstring.h"
#include "src/common/job_resources.h"
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"

#include "plugin/forward.h"
#include "plugin/held.h"
#include "plugin/holdtext.h"
#include "plugin/jobcost.h"
#include "plugin/jobpower.h"
#include "plugin/jobtest.h"
#include "plugin/limits.h"
#include "plugin/preempt.h"
#include "plugin/ramplimit.h"
#include "plugin/reasons.h"
#include "plugin/sitebits.h"

#define PLUGIN "select/cons_tres_power"

static bitstr_t *saved_bitmap; /* the candidates, node_record_count bits */
static pb_watts_t *window;     /* [domains] scratch for the binding test */
static bool refused_for_power; /* the last step held the job by power */

#define TRACE(m, fmt, ...)                                                     \
	MODEL_TRACE((m)->settings->debug_trace, fmt, ##__VA_ARGS__)

extern void jobtest_configure(const model_t *m)
{
	FREE_NULL_BITMAP(saved_bitmap);
	saved_bitmap = bit_alloc(MAX(node_record_count, 1));
	xfree(window);
	window = xcalloc(pb_site_domain_count(m->site), sizeof(*window));
}

extern void jobtest_fini(void)
{
	FREE_NULL_BITMAP(saved_bitmap);
	xfree(window);
}

extern int jobtest_cons_tres(const jobtest_args_t *a)
{
	jobcost_mark_t at = jobcost_mark();
	int rc = fwd_job_test(a->job, a->bitmap, a->min_nodes, a->max_nodes,
			      a->req_nodes, a->mode, a->preemptee_candidates,
			      a->preemptee_job_list, a->tail);

	jobcost_cons_tres(at);
	return rc;
}

/* Power holds @job (verdict @v): its reason, and a step that refused. */
static void _held(const model_t *m, job_record_t *job, const pb_verdict_t *v,
		  int64_t now)
{
	refused_for_power = true;
	holdtext_power(m, job, v, now);
}

/* ------------------------------------------------------------------ */
/* TEST_ONLY                                                            */

/*
 * Would @req fit on @bitmap's nodes with nothing else running? cons_tres's
 * pick may just be unlucky: any candidates will do, unless the job names
 * its nodes (-w); then they must fit.
 */
static bool _fits_alone(model_t *m, job_record_t *job, bitstr_t *bitmap,
			const pb_place_req_t *req, pb_verdict_t *why)
{
	sitebits_to_site(m, bitmap, m->cand);
	if (pb_place_choose(m->placer, m->empty, m->cand, req, m->chosen,
			    why) == 0)
		return true;
	if (job->details && job->details->req_node_bitmap)
		return false;
	sitebits_to_site(m, saved_bitmap, m->cand);
	return pb_place_choose(m->placer, m->empty, m->cand, req, m->chosen,
			       why) == 0;
}

/*
 * Could the job's request fit in the power budget if nothing else ran,
 * at full draw or, if it may have one, at the floor of a chosen limit?
 */
static int _test_only(model_t *m, const jobtest_args_t *a)
{
	int rc = jobtest_cons_tres(a);
	job_record_t *job = a->job;
	pb_place_req_t req, low;
	pb_verdict_t why = {0}, low_why = {0};
	pb_watts_t floor_w;
	char w[HOLDTEXT_WATTS_LEN];

	if (rc != SLURM_SUCCESS)
		return rc;
	jobpower_request(m, job, MAX(a->min_nodes, 1), time(NULL), &req);
	if (_fits_alone(m, job, a->bitmap, &req, &why))
		return rc;
	if (limits_eligible(m, job, &req, &floor_w)) {
		low = req;
		low.gpu_watts_hint = floor_w;
		low.hint_scope = PB_HINT_WHERE_ENFORCED;
		if (_fits_alone(m, job, a->bitmap, &low, &low_why))
			return rc;
	}
	error(
	    PLUGIN
	    ": %pJ can never run within the power budget: %u node(s) x %u GPU(s) need %s more than domain %s allows with no other job running",
	    job, req.nnodes, req.gpus, holdtext_watts(why.short_w, w),
	    holdtext_domain(m, why.domain));
	return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
}

/* ------------------------------------------------------------------ */
/* Chosen GPU limits                                                    */

/*
 * Admit @alloc, which does not fit at full draw, at the highest GPU limit
 * that fits (GpuLimits=); on success the allocation carries the limit
 * and, with @note, RUN_NOW leaves it for the job's begin. *v is the
 * verdict at the limit, or at the floor when even that is refused.
 */
static bool _admit_limited(model_t *m, job_record_t *job, pb_alloc_t *alloc,
			   int64_t now, bool note, pb_verdict_t *v)
{
	pb_limit_ask_t ask;
	pb_watts_t w;
	char w1[HOLDTEXT_WATTS_LEN];

	if (!limits_ask(m, job, alloc, &ask) ||
	    pb_ledger_fit_limit(m->ledger, alloc, now, &ask, &w, v) != 0)
		return false;
	alloc->gpu_watts_hint = w;
	alloc->hint_scope = PB_HINT_WHERE_ENFORCED;
	if (note)
		limits_note(job->job_id, w, ask.max_w);
	TRACE(m,
	      "%pJ fits at a GPU limit of %s (floor %" PRId64
	      " W, board %" PRId64 " W)",
	      job, holdtext_watts(w, w1), ask.lo_w, ask.max_w);
	return true;
}

/*
 * GpuLimits=efficient: while any job waits for power, power is what
 * bounds the work done, so a job that may be limited starts at no more
 * than the limit with the most work per watt even when full draw fits.
 */
static bool _efficient_now(const model_t *m, bool limited)
{
	return limited && m->gpu_limits == PB_CONF_LIMITS_EFFICIENT &&
	       reasons_count() > 0;
}

/* The request at the floor of a chosen GPU limit, if @job may have one. */
static bool _limited_request(model_t *m, job_record_t *job, pb_place_req_t *req)
{
	pb_watts_t floor_w;

	if (!refused_for_power || !limits_eligible(m, job, req, &floor_w))
		return false;
	req->gpu_watts_hint = floor_w;
	req->hint_scope = PB_HINT_WHERE_ENFORCED;
	return true;
}

/* May @job run at a chosen GPU limit? (@req: its request at full draw) */
static bool _may_limit(model_t *m, job_record_t *job, const pb_place_req_t *req)
{
	return limits_eligible(m, job, req, &(pb_watts_t){0});
}

/* ------------------------------------------------------------------ */
/* WILL_RUN                                                             */

/*
 * WILL_RUN later for a job that may run at a chosen GPU limit (the
 * caller's limits_eligible said so): power may
 * free up for it at its lowest allowed limit before it does at full
 * draw, and RUN_NOW then starts it at the highest limit that fits. When
 * that comes sooner than *start (any time if @full is false: never at
 * full draw), plan it: *alloc at that limit, *start, and *duration the
 * run stretched by the slowdown there. The floor is what is planned and
 * held, so the start is never later than planned.
 */
static bool _later_limited(model_t *m, job_record_t *job, pb_alloc_t *alloc,
			   int64_t nodes_at, bool full, int64_t *start,
			   int64_t *duration)
{
	pb_limit_ask_t ask;
	pb_alloc_t low = *alloc;
	pb_verdict_t v = {0};
	int64_t at = 0, run;

	if (!limits_ask(m, job, alloc, &ask))
		return false;
	low.gpu_watts_hint = ask.lo_w;
	low.hint_scope = PB_HINT_WHERE_ENFORCED;
	run = ask.curve ? pb_limit_duration(ask.curve, ask.lo_w, ask.max_w,
					    ask.duration)
			: ask.duration;
	if (pb_ledger_earliest_start(m->ledger, &low, run, nodes_at, &at, &v) !=
		0 ||
	    (full && at >= *start))
		return false;
	TRACE(m,
	      "%pJ will run at %" PRId64 " at a GPU limit of %" PRId64
	      " W or more, not %" PRId64 " at full draw",
	      job, at, ask.lo_w, full ? *start : (int64_t)-1);
	*alloc = low;
	*start = at;
	*duration = run;
	return true;
}

/*
 * When power frees up for @alloc, from @nodes_at on: 0 with *start and
 * *duration (at full draw or a chosen limit, *alloc then carrying it),
 * held for the job if later than @nodes_at; 1 never; -1 not known.
 */
static int _power_at(model_t *m, job_record_t *job, pb_alloc_t *alloc,
		     int64_t now, int64_t nodes_at, bool limited,
		     int64_t *start, int64_t *duration, pb_verdict_t *why)
{
	int res;

	*duration = jobpower_duration(job);
	held_lift(m, job);
	res = pb_ledger_earliest_start(m->ledger, alloc, *duration, nodes_at,
				       start, why);
	if (limited && res >= 0 && (res > 0 || *start > nodes_at) &&
	    _later_limited(m, job, alloc, nodes_at, res == 0, start, duration))
		res = 0;
	if (res == 0 && *start > nodes_at)
		pb_ledger_admit(m->ledger, alloc, now, jobpower_end(job, now),
				why);
	held_unlift(m);
	return res;
}

/*
 * WILL_RUN, second step: cons_tres said when nodes free up on its choice;
 * power may free up later. Real pending jobs that must wait get a power
 * reservation at that time.
 */
static int _will_run_later(model_t *m, job_record_t *job, bitstr_t *bitmap,
			   int rc, bool limited)
{
	int64_t now = time(NULL), start = 0, duration, nodes_at;
	pb_verdict_t why = {0};
	ramplimit_verdict_t rv;
	pb_alloc_t alloc;
	int res;
	bool real;

	if (rc != SLURM_SUCCESS)
		return rc;
	/* cons_tres may answer a time in the past: nodes are free now. */
	nodes_at = MAX((int64_t)job->start_time, now);
	jobpower_alloc(m, job, bitmap, &alloc);
	res = _power_at(m, job, &alloc, now, nodes_at, limited, &start,
			&duration, &why);
	if (res < 0)
		return rc;
	real = job->job_id && find_job_record(job->job_id) == job &&
	       IS_JOB_PENDING(job);
	if (res > 0) {
		if (real)
			_held(m, job, &why, now);
		return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
	}
	/* power now, but the ramp may pace it (within a minute) */
	if (start == now && ramplimit_check(m, job, &alloc, now, false, &rv))
		start = MAX(rv.at, start);
	if (start > nodes_at) {
		TRACE(m,
		      "%pJ will run at %" PRId64 " (power), not %" PRId64
		      " (nodes)",
		      job, start, nodes_at);
		job->start_time = start;
		/* why: the domain that lacks the power now, if any does. */
		if (real && !why.ok && why.domain >= 0)
			_held(m, job, &why, now);
	}
	if (real && job->start_time > now)
		held_update(m, job, &alloc, job->start_time,
			    duration == PB_TIME_NEVER
				? PB_TIME_NEVER
				: job->start_time + duration);
	return rc;
}

/*
 * WILL_RUN, first step: could the job start now on nodes that have the
 * power? cons_tres alone would pick by its own order and might pick nodes
 * in a domain at its cap while another has headroom. Returns true (and
 * the answer in *rc) when it can start now.
 */
static bool _will_run_now(model_t *m, const jobtest_args_t *a,
			  const pb_place_req_t *req, bool limited, int *rc)
{
	job_record_t *job = a->job;
	int64_t now = req->now;
	pb_verdict_t v = {0};
	ramplimit_verdict_t rv;
	pb_alloc_t alloc;
	bool ok = false;

	held_lift(m, job);
	sitebits_to_site(m, a->bitmap, m->cand);
	if (pb_place_filter(m->placer, m->ledger, m->cand, req) < req->nnodes) {
		refused_for_power = true;
		goto out;
	}
	sitebits_narrow(m, a->bitmap, m->cand);
	*rc = jobtest_cons_tres(a);
	if (*rc != SLURM_SUCCESS || job->start_time > now)
		goto out;
	if (jobpower_alloc(m, job, a->bitmap, &alloc) != 0)
		goto out;
	if (pb_ledger_admit(m->ledger, &alloc, now, jobpower_end(job, now),
			    &v) == 0)
		ok = true;
	else if (limited)
		ok = _admit_limited(m, job, &alloc, now, false, &v);
	else
		refused_for_power = true;
	/* power now; the ramp limit may put the start off, within a minute */
	if (ok && ramplimit_check(m, job, &alloc, now, false, &rv))
		job->start_time = MAX((int64_t)job->start_time, rv.at);
out:
	held_unlift(m);
	if (!ok)
		bit_copybits(a->bitmap, saved_bitmap);
	return ok;
}

/*
 * WILL_RUN now at full draw, or, for a job that may run at a chosen GPU
 * limit, at one (RUN_NOW then chooses it when backfill starts the job);
 * else when nodes and power free up. cons_tres counts the nodes of the
 * jobs this one may preempt as free; their power is free to it as well.
 */
static int _will_run(model_t *m, const jobtest_args_t *a)
{
	pb_place_req_t req;
	bool limited;
	int rc;

	preempt_lift(m, a->preemptee_candidates);
	jobpower_request(m, a->job, MAX(a->min_nodes, 1), time(NULL), &req);
	limited = _may_limit(m, a->job, &req);
	refused_for_power = false;
	if (!_will_run_now(m, a, &req, limited, &rc) &&
	    !(limited && _limited_request(m, a->job, &req) &&
	      _will_run_now(m, a, &req, true, &rc)))
		rc = _will_run_later(m, a->job, a->bitmap, jobtest_cons_tres(a),
				     limited);
	preempt_restore(m);
	return rc;
}

/* ------------------------------------------------------------------ */
/* RUN_NOW                                                              */

/*
 * What the whole job takes, taking each node at the most any candidate
 * would need (increment plus wake-up); 0 without candidates.
 */
static pb_watts_t _job_watts(model_t *m, const pb_place_req_t *req)
{
	return pb_place_need_max(m->placer, m->ledger, m->cand, req) *
	       req->nnodes;
}

/*
 * Is power binding for this job: could some domain not take the whole job
 * wherever cons_tres puts it? When it is not, cons_tres chooses freely
 * (placements are exactly plain cons_tres's).
 */
static bool _power_binds(model_t *m, const pb_place_req_t *req)
{
	uint32_t ndom = pb_site_domain_count(m->site);
	pb_watts_t job_w = _job_watts(m, req);

	if (!job_w && pb_bitset_next(m->cand, 0) < 0)
		return true;
	pb_ledger_window_avail(m->ledger, req->now, req->end, window);
	for (uint32_t d = 0; d < ndom; d++) {
		if (window[d] < job_w)
			return true;
	}
	return false;
}

/*
 * The job will start once Slurm's preemptions end: hold the power it was
 * admitted on, so that what the preemptees give back is not taken first
 * by a job it outranks.
 */
static void _hold_for_preemptor(model_t *m, job_record_t *job,
				const pb_alloc_t *alloc, int64_t now,
				int64_t end, List preemptees)
{
	if (!preemptees || !list_count(preemptees))
		return;
	TRACE(m, "%pJ admitted once %d preempted job(s) end", job,
	      list_count(preemptees));
	held_update(m, job, alloc, now, end);
}

/*
 * The chosen nodes must keep every cap: the final word on a start. The
 * jobs cons_tres chose to preempt are out of the ledger here; if power is
 * still short, more preemptable jobs may give theirs.
 */
static int _check_choice(model_t *m, const jobtest_args_t *a, int64_t now,
			 bool limited)
{
	job_record_t *job = a->job;
	List *preemptees = a->preemptee_job_list;
	pb_verdict_t v = {0};
	ramplimit_verdict_t rv;
	pb_alloc_t alloc;
	int64_t end = jobpower_end(job, now);
	char w1[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN];
	bool ok;

	if (jobpower_alloc(m, job, a->bitmap, &alloc)) {
		error(PLUGIN ": %pJ was given nodes outside the power budget",
		      job);
		return ESLURM_NODES_BUSY;
	}
	if (_efficient_now(m, limited) &&
	    _admit_limited(m, job, &alloc, now, true, &v))
		; /* at the efficient limit while jobs wait for power */
	else if (pb_ledger_admit(m->ledger, &alloc, now, end, &v) == 0)
		limits_note(job->job_id, 0, 0); /* full draw */
	else if (limited)
		_admit_limited(m, job, &alloc, now, true, &v);
	ok = v.ok ||
	     (preemptees && a->preemptee_candidates &&
	      preempt_for_power(m, job, &alloc, now, end,
				a->preemptee_candidates, preemptees, &v) == 0);
	if (ok && ramplimit_check(m, job, &alloc, now, true, &rv)) {
		refused_for_power = true;
		holdtext_ramp(m, job, &rv);
		return ESLURM_NODES_BUSY;
	}
	if (!ok) {
		_held(m, job, &v, now);
		return ESLURM_NODES_BUSY;
	}
	TRACE(
	    m,
	    "%pJ admitted: +%s on %u node(s) (and any wake-ups), facility headroom %s before it",
	    job, holdtext_watts(v.job_w, w1), alloc.count,
	    holdtext_watts(pb_ledger_headroom(m->ledger, pb_site_root(m->site)),
			   w2));
	_hold_for_preemptor(m, job, &alloc, now, end,
			    preemptees ? *preemptees : NULL);
	return SLURM_SUCCESS;
}

static bool _has_preemptees(List *preemptee_job_list)
{
	return preemptee_job_list && *preemptee_job_list &&
	       list_count(*preemptee_job_list);
}

/*
 * Too few candidates with power for @req: hold the job by the domain that
 * refused (true), or false when none did and there are just too few
 * nodes, which is not power's doing.
 */
static bool _held_by_filter(model_t *m, const jobtest_args_t *a,
			    const pb_place_req_t *req)
{
	pb_verdict_t why = {0};

	/* Why not: the verdict over all candidates names the domain. */
	sitebits_to_site(m, a->bitmap, m->cand);
	pb_place_choose(m->placer, m->ledger, m->cand, req, m->chosen, &why);
	if (why.domain == (int32_t)pb_site_root(m->site)) {
		/*
		 * The facility feeds the whole job wherever it lands: say
		 * what the job lacks, not what one node lacks.
		 */
		pb_watts_t lack;

		pb_ledger_window_avail(m->ledger, req->now, req->end, window);
		lack = _job_watts(m, req) - window[why.domain];
		why.short_w = MAX(why.short_w, lack);
	}
	if (why.domain < 0)
		return false;
	_held(m, a->job, &why, req->now);
	return true;
}

/*
 * cons_tres on the candidates with headroom, first on the compact set
 * power chose when it binds (@narrow); if cons_tres cannot use that set
 * (cores, memory or GRES busy there), on all candidates with headroom.
 */
static int _cons_tres_within(model_t *m, const jobtest_args_t *a,
			     const pb_place_req_t *req, bool narrow)
{
	pb_verdict_t why = {0};
	int rc;

	if (narrow) {
		sitebits_narrow(m, a->bitmap, m->cand);
		narrow = _power_binds(m, req) &&
			 pb_place_choose(m->placer, m->ledger, m->cand, req,
					 m->chosen, &why) == 0;
		if (narrow)
			sitebits_narrow(m, a->bitmap, m->chosen);
	}
	rc = jobtest_cons_tres(a);
	if (rc == SLURM_SUCCESS || !narrow)
		return rc;
	bit_copybits(a->bitmap, saved_bitmap);
	sitebits_narrow(m, a->bitmap, m->cand);
	return jobtest_cons_tres(a);
}

/* cons_tres said yes: is it a start slurmctld can make, within the caps? */
static int _run_now_answer(model_t *m, const jobtest_args_t *a, int64_t now,
			   bool limited)
{
	List *preemptees = a->preemptee_job_list;
	int rc;

	if (!_has_preemptees(preemptees) && !jobtest_has_resources(a->job)) {
		/*
		 * cons_tres found the job would run once jobs it could preempt
		 * were gone, yet none of them holds its nodes (one that is
		 * still COMPLETING does): slurmctld cannot start it on this
		 * answer. Keep its power reservation and try again later.
		 */
		TRACE(m, "%pJ: cons_tres answered without resources; not now",
		      a->job);
		preempt_keep_only(m, NULL);
		if (preemptees)
			FREE_NULL_LIST(*preemptees);
		return ESLURM_NODES_BUSY;
	}
	preempt_keep_only(m, preemptees ? *preemptees : NULL);
	rc = _check_choice(m, a, now, limited);
	if (rc != SLURM_SUCCESS) {
		free_job_resources(&a->job->job_resrcs);
		if (preemptees)
			FREE_NULL_LIST(*preemptees);
	}
	return rc;
}

/*
 * RUN_NOW for the request @req (full draw, or the floor of a chosen
 * limit); @limited: a choice that does not fit at full draw may start at
 * a chosen GPU limit. a->bitmap is the job's candidates (saved_bitmap
 * too).
 */
static int _run_now_at(model_t *m, const jobtest_args_t *a,
		       const pb_place_req_t *req, bool limited)
{
	bool enough;
	int rc;

	held_lift(m, a->job);
	preempt_lift(m, a->preemptee_candidates);
	sitebits_to_site(m, a->bitmap, m->cand);
	enough =
	    pb_place_filter(m->placer, m->ledger, m->cand, req) >= req->nnodes;
	if (!enough && _held_by_filter(m, a, req)) {
		rc = ESLURM_NODES_BUSY;
	} else {
		/*
		 * Without enough candidates and no domain to blame, cons_tres
		 * answers on them as it would alone (and any choice is still
		 * checked).
		 */
		rc = _cons_tres_within(m, a, req, enough);
		if (rc == SLURM_SUCCESS)
			rc = _run_now_answer(m, a, req->now, limited);
	}
	preempt_restore(m);
	if (rc == SLURM_SUCCESS && !_has_preemptees(a->preemptee_job_list))
		held_drop(m, a->job->job_id);
	held_unlift(m);
	return rc;
}

/*
 * RUN_NOW at full draw; a job that may run at a chosen GPU limit (and is
 * held by power) tries again with the nodes that could power it at its
 * floor.
 */
static int _run_now(model_t *m, const jobtest_args_t *a)
{
	pb_place_req_t req;
	bool limited;
	int rc;

	jobpower_request(m, a->job, MAX(a->min_nodes, 1), time(NULL), &req);
	limited = _may_limit(m, a->job, &req);
	bit_copybits(saved_bitmap, a->bitmap);
	refused_for_power = false;
	rc = _run_now_at(m, a, &req, limited);
	if (rc == SLURM_SUCCESS || !limited ||
	    !_limited_request(m, a->job, &req))
		return rc;
	bit_copybits(a->bitmap, saved_bitmap);
	return _run_now_at(m, a, &req, true);
}

extern int jobtest_run(model_t *m, const jobtest_args_t *a)
{
	if (a->mode == SELECT_MODE_RUN_NOW)
		return _run_now(m, a);
	bit_copybits(saved_bitmap, a->bitmap);
	if (a->mode == SELECT_MODE_TEST_ONLY)
		return _test_only(m, a);
	return _will_run(m, a);
}
