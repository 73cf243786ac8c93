/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The power policy inside slurmctld: keeps the ledger in step with the
 * jobs and nodes slurmctld knows, and decides, around cons_tres, where and
 * whether a job may start now (see hooks.h and DESIGN "Placement
 * semantics").
 *
 * Concurrency: slurmctld calls every hook with its job and node locks held
 * (write for job_test RUN_NOW/WILL_RUN, begin, fini, ...), so the model
 * needs no lock of its own; the status thread reads it under slurmctld's
 * read locks. The model is replaced only in node_init, which runs with all
 * slurmctld write locks held.
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "src/common/slurm_xlator.h"
#include "src/common/bitstring.h"
#include "src/common/job_resources.h"
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/forward.h"
#include "plugin/held.h"
#include "plugin/kick.h"
#include "plugin/hooks.h"
#include "plugin/jobcost.h"
#include "plugin/jobpower.h"
#include "plugin/lastgood.h"
#include "plugin/learned.h"
#include "plugin/limits.h"
#include "plugin/measured.h"
#include "plugin/model.h"
#include "plugin/capwin.h"
#include "plugin/curtail.h"
#include "plugin/preempt.h"
#include "plugin/ramplimit.h"
#include "plugin/reasons.h"
#include "plugin/sitebits.h"
#include "plugin/status.h"

#define PLUGIN "select/cons_tres_power"
#define CONF_NAME "power_budget.conf"

static model_t *model;
static bool trace;
static time_t nodes_seen;      /* last_node_update the power states match */
static bitstr_t *saved_bitmap; /* job_test scratch, node_record_count bits */
static bool refused_for_power; /* the last job_test step held a job by power */
static bool ramp_due;	       /* a new model: set its ramps up at next test */
static time_t measured_at;     /* when readings were last applied */
static pb_watts_t *window;     /* [domains] scratch for the binding test */

static void _rebuild(void);
static void _suspend(job_record_t *job);

#define TRACE(fmt, ...) MODEL_TRACE(trace, fmt, ##__VA_ARGS__)

static const char *_domain_name(int32_t d)
{
	if (d < 0)
		return "none";
	return pb_site_domain_name(model->site, d);
}

/* "12.4 kW"-style text for logs and reasons; @buf of 32 bytes. */
static const char *_watts(pb_watts_t w, char *buf)
{
	if (w >= 10000000 || w <= -10000000)
		snprintf(buf, 32, "%.2f MW", w / 1e6);
	else if (w >= 10000 || w <= -10000)
		snprintf(buf, 32, "%.1f kW", w / 1e3);
	else
		snprintf(buf, 32, "%" PRId64 " W", w);
	return buf;
}

static void _verify(const char *after)
{
	model_verify(model, after);
}

/* ------------------------------------------------------------------ */
/* Node power states                                                    */

/*
 * Slurm's power saving decides which nodes draw standby instead of idle.
 * A node counts as off only once it is powered down: while its
 * SuspendProgram runs (POWERING_DOWN) it still draws, and one that is
 * booting (POWERING_UP) draws already.
 */
static void _sync_node_power(void)
{
	node_record_t *node;

	if (nodes_seen == last_node_update)
		return;
	nodes_seen = last_node_update;
	for (int i = 0; (node = next_node(&i)); i++) {
		int32_t site = model_site_node(model, node->index);
		bool on =
		    !IS_NODE_POWERED_DOWN(node) || IS_NODE_POWERING_DOWN(node);
		pb_error_t err;

		if (site < 0 || pb_ledger_node_is_on(model->ledger, site) == on)
			continue;
		if (pb_ledger_set_node_power(model->ledger, site, on, &err))
			debug(PLUGIN ": node %s power state kept: %s",
			      node->name, err.text);
		else
			kick_dirty();
	}
	_verify("node power states");
}

/* cons_tres's own job_test, its time counted apart (jobcost.h). */
static int _cons_tres_test(job_record_t *job, bitstr_t *bitmap,
			   uint32_t min_nodes, uint32_t max_nodes,
			   uint32_t req_nodes, uint16_t mode,
			   List preemptee_candidates, List *preemptee_job_list,
			   const pb_job_test_tail_t *tail)
{
	jobcost_mark_t at = jobcost_mark();
	int rc =
	    fwd_job_test(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			 preemptee_candidates, preemptee_job_list, tail);

	jobcost_cons_tres(at);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reasons                                                              */

static void _hold_reason(job_record_t *job, const pb_verdict_t *v, int64_t now)
{
	char desc[160], w[32], w2[32];
	bool reserved = v->at > now;
	int64_t win_at = 0, cut_until = 0;
	pb_watts_t cut_w = 0;
	const char *win =
	    capwin_during(model, v->domain, v->at,
			  MAX(jobpower_end(job, now), v->at + 1), &win_at);

	if (v->domain >= 0 &&
	    curtail_during(model, v->domain, v->at,
			   MAX(jobpower_end(job, now), v->at + 1), &cut_w,
			   &cut_until)) {
		char until[32];
		time_t t = (time_t)cut_until;
		struct tm tm;

		if (cut_until == PB_TIME_NEVER || !localtime_r(&t, &tm) ||
		    !strftime(until, sizeof(until), "%H:%M", &tm))
			snprintf(until, sizeof(until), "restore");
		snprintf(
		    desc, sizeof(desc),
		    "PowerCurtailed: %s short %s (curtailed to %s until %s)",
		    _domain_name(v->domain), _watts(v->short_w, w),
		    _watts(cut_w, w2), until);
		reserved = true;
	} else if (v->domain >= 0 && win) {
		/* A lower cap of a window the job would run into, or is in. */
		snprintf(
		    desc, sizeof(desc),
		    "PowerCapWindow: %s short %s %s (CapWindow %s: cap %s)",
		    _domain_name(v->domain), _watts(v->short_w, w),
		    win_at > now ? "once its window begins" : "in its window",
		    win,
		    _watts(pb_ledger_cap_at(model->ledger, v->domain,
					    MAX(win_at, now)),
			   w2));
		reserved = true;
	} else if (v->domain < 0) {
		snprintf(
		    desc, sizeof(desc),
		    "PowerNotAvail: not enough powered nodes with headroom");
	} else if (reserved) {
		snprintf(
		    desc, sizeof(desc),
		    "PowerReserved: %s short %s (power held for a higher priority job)",
		    _domain_name(v->domain), _watts(v->short_w, w));
	} else {
		snprintf(desc, sizeof(desc), "PowerNotAvail: %s short %s",
			 _domain_name(v->domain), _watts(v->short_w, w));
	}
	refused_for_power = true;
	reasons_set(job, reserved, desc);
	kick_reasons();
	TRACE("%pJ held: %s", job, desc);
}

/* Committed power changed: tell the ramps (once the model's are set up). */
static void _ramp_note(void)
{
	if (!ramp_due)
		ramplimit_note(model, time(NULL));
}

/* A job the ramp limit holds: which domain, how fast, until when. */
static void _ramp_reason(job_record_t *job, const ramplimit_verdict_t *rv)
{
	char desc[160], w1[32], w2[32], when[32];
	time_t at = (time_t)rv->at;
	struct tm tm;

	if (!localtime_r(&at, &tm) ||
	    !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "%" PRId64, rv->at);
	if (rv->behind)
		snprintf(
		    desc, sizeof(desc),
		    "PowerRamp: waits behind JobId=%u for %s's ramp limit (until %s at the latest)",
		    rv->behind, _domain_name(rv->domain), when);
	else
		snprintf(
		    desc, sizeof(desc),
		    "PowerRamp: %s would rise %s in %d s (RampLimit %s); starts %s at the earliest",
		    _domain_name(rv->domain), _watts(rv->rise_w, w1),
		    RAMPLIMIT_PERIOD_S, _watts(rv->limit_w, w2), when);
	refused_for_power = true;
	reasons_set(job, true, desc);
	kick_reasons();
	TRACE("%pJ held: %s", job, desc);
}

/* ------------------------------------------------------------------ */
/* job_test                                                             */

/*
 * Would @req fit on @bitmap's nodes with nothing else running? cons_tres's
 * pick may just be unlucky: any candidates will do, unless the job names
 * its nodes (-w); then they must fit.
 */
static bool _fits_alone(job_record_t *job, bitstr_t *bitmap,
			const pb_place_req_t *req, pb_verdict_t *why)
{
	sitebits_to_site(model, bitmap, model->cand);
	if (pb_place_choose(model->placer, model->empty, model->cand, req,
			    model->chosen, why) == 0)
		return true;
	if (job->details && job->details->req_node_bitmap)
		return false;
	sitebits_to_site(model, saved_bitmap, model->cand);
	return pb_place_choose(model->placer, model->empty, model->cand, req,
			       model->chosen, why) == 0;
}

/*
 * Could the job's request fit in the power budget if nothing else ran,
 * at full draw or, if it may have one, at the floor of a chosen limit?
 */
static int _test_only(job_record_t *job, bitstr_t *bitmap, uint32_t min_nodes,
		      int rc)
{
	pb_place_req_t req, low;
	pb_verdict_t why = {0}, low_why = {0};
	pb_watts_t floor_w;
	char w[32];

	if (rc != SLURM_SUCCESS)
		return rc;
	jobpower_request(model, job, min_nodes, time(NULL), &req);
	if (_fits_alone(job, bitmap, &req, &why))
		return rc;
	if (limits_eligible(model, job, &req, &floor_w)) {
		low = req;
		low.gpu_watts_hint = floor_w;
		low.hint_scope = PB_HINT_WHERE_ENFORCED;
		if (_fits_alone(job, bitmap, &low, &low_why))
			return rc;
	}
	error(
	    PLUGIN
	    ": %pJ can never run within the power budget: %u node(s) x %u GPU(s) need %s more than domain %s allows with no other job running",
	    job, req.nnodes, req.gpus, _watts(why.short_w, w),
	    _domain_name(why.domain));
	return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
}

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
static bool _later_limited(job_record_t *job, pb_alloc_t *alloc,
			   int64_t nodes_at, bool full, int64_t *start,
			   int64_t *duration)
{
	pb_limit_ask_t ask;
	pb_alloc_t low = *alloc;
	pb_verdict_t v = {0};
	int64_t at = 0, run;

	if (!limits_ask(model, job, alloc, &ask))
		return false;
	low.gpu_watts_hint = ask.lo_w;
	low.hint_scope = PB_HINT_WHERE_ENFORCED;
	run = ask.curve ? pb_limit_duration(ask.curve, ask.lo_w, ask.max_w,
					    ask.duration)
			: ask.duration;
	if (pb_ledger_earliest_start(model->ledger, &low, run, nodes_at, &at,
				     &v) != 0 ||
	    (full && at >= *start))
		return false;
	TRACE("%pJ will run at %" PRId64 " at a GPU limit of %" PRId64
	      " W or more, not %" PRId64 " at full draw",
	      job, at, ask.lo_w, full ? *start : (int64_t)-1);
	*alloc = low;
	*start = at;
	*duration = run;
	return true;
}

/*
 * WILL_RUN, second step: cons_tres said when nodes free up on its choice;
 * power may free up later. Real pending jobs that must wait get a power
 * reservation at that time.
 */
static int _will_run_later(job_record_t *job, bitstr_t *bitmap, int rc,
			   bool limited)
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
	jobpower_alloc(model, job, bitmap, &alloc);
	duration = jobpower_duration(job);
	held_lift(model, job);
	res = pb_ledger_earliest_start(model->ledger, &alloc, duration,
				       nodes_at, &start, &why);
	if (limited && res >= 0 && (res > 0 || start > nodes_at) &&
	    _later_limited(job, &alloc, nodes_at, res == 0, &start, &duration))
		res = 0;
	if (res == 0 && start > nodes_at)
		pb_ledger_admit(model->ledger, &alloc, now,
				jobpower_end(job, now), &why);
	held_unlift(model);
	if (res < 0)
		return rc;
	real = job->job_id && find_job_record(job->job_id) == job &&
	       IS_JOB_PENDING(job);
	if (res > 0) {
		if (real)
			_hold_reason(job, &why, now);
		return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
	}
	/* power now, but the ramp may pace it (within a minute) */
	if (start == now &&
	    ramplimit_check(model, job, &alloc, now, false, &rv))
		start = MAX(rv.at, start);
	if (start > nodes_at) {
		TRACE("%pJ will run at %" PRId64 " (power), not %" PRId64
		      " (nodes)",
		      job, start, nodes_at);
		job->start_time = start;
		/* why: the domain that lacks the power now, if any does. */
		if (real && !why.ok && why.domain >= 0)
			_hold_reason(job, &why, now);
	}
	if (real && job->start_time > now)
		held_update(model, job, &alloc, job->start_time,
			    duration == PB_TIME_NEVER
				? PB_TIME_NEVER
				: job->start_time + duration);
	return rc;
}

/*
 * Admit @alloc, which does not fit at full draw, at the highest GPU limit
 * that fits (GpuLimits=); on success the allocation carries the limit
 * and, with @note, RUN_NOW leaves it for the job's begin. *v is the
 * verdict at the limit, or at the floor when even that is refused.
 */
static bool _admit_limited(job_record_t *job, pb_alloc_t *alloc, int64_t now,
			   bool note, pb_verdict_t *v)
{
	pb_limit_ask_t ask;
	pb_watts_t w;
	char w1[32];

	if (!limits_ask(model, job, alloc, &ask) ||
	    pb_ledger_fit_limit(model->ledger, alloc, now, &ask, &w, v) != 0)
		return false;
	alloc->gpu_watts_hint = w;
	alloc->hint_scope = PB_HINT_WHERE_ENFORCED;
	if (note)
		limits_note(job->job_id, w, ask.max_w);
	TRACE("%pJ fits at a GPU limit of %s (floor %" PRId64
	      " W, board %" PRId64 " W)",
	      job, _watts(w, w1), ask.lo_w, ask.max_w);
	return true;
}

/*
 * GpuLimits=efficient: while any job waits for power, power is what
 * bounds the work done, so a job that may be limited starts at no more
 * than the limit with the most work per watt even when full draw fits.
 */
static bool _efficient_now(bool limited)
{
	return limited && model->gpu_limits == PB_CONF_LIMITS_EFFICIENT &&
	       reasons_count() > 0;
}

/* The request at the floor of a chosen GPU limit, if @job may have one. */
static bool _limited_request(job_record_t *job, pb_place_req_t *req)
{
	pb_watts_t floor_w;

	if (!refused_for_power || !limits_eligible(model, job, req, &floor_w))
		return false;
	req->gpu_watts_hint = floor_w;
	req->hint_scope = PB_HINT_WHERE_ENFORCED;
	return true;
}

/*
 * WILL_RUN, first step: could the job start now on nodes that have the
 * power? cons_tres alone would pick by its own order and might pick nodes
 * in a domain at its cap while another has headroom. Returns true (and
 * the answer in *rc) when it can start now.
 */
static bool _will_run_now(job_record_t *job, bitstr_t *bitmap,
			  uint32_t min_nodes, uint32_t max_nodes,
			  uint32_t req_nodes, uint16_t mode,
			  List preemptee_candidates, List *preemptee_job_list,
			  const pb_job_test_tail_t *tail,
			  const pb_place_req_t *req, bool limited, int *rc)
{
	int64_t now = req->now;
	pb_verdict_t v = {0};
	ramplimit_verdict_t rv;
	pb_alloc_t alloc;
	bool ok = false;

	held_lift(model, job);
	sitebits_to_site(model, bitmap, model->cand);
	if (pb_place_filter(model->placer, model->ledger, model->cand, req) <
	    req->nnodes) {
		refused_for_power = true;
		goto out;
	}
	sitebits_narrow(model, bitmap, model->cand);
	*rc =
	    _cons_tres_test(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			    preemptee_candidates, preemptee_job_list, tail);
	if (*rc != SLURM_SUCCESS || job->start_time > now)
		goto out;
	if (jobpower_alloc(model, job, bitmap, &alloc) != 0)
		goto out;
	if (pb_ledger_admit(model->ledger, &alloc, now, jobpower_end(job, now),
			    &v) == 0)
		ok = true;
	else if (limited)
		ok = _admit_limited(job, &alloc, now, false, &v);
	else
		refused_for_power = true;
	/* power now; the ramp limit may put the start off, within a minute */
	if (ok && ramplimit_check(model, job, &alloc, now, false, &rv))
		job->start_time = MAX((int64_t)job->start_time, rv.at);
out:
	held_unlift(model);
	if (!ok)
		bit_copybits(bitmap, saved_bitmap);
	return ok;
}

/*
 * WILL_RUN now at full draw, or, for a job that may run at a chosen GPU
 * limit, at one (RUN_NOW then chooses it when backfill starts the job).
 * *limited: whether it may (for the later step).
 */
static bool _will_run(job_record_t *job, bitstr_t *bitmap, uint32_t min_nodes,
		      uint32_t max_nodes, uint32_t req_nodes, uint16_t mode,
		      List preemptee_candidates, List *preemptee_job_list,
		      const pb_job_test_tail_t *tail, int *rc, bool *limited)
{
	pb_place_req_t req;

	jobpower_request(model, job, MAX(min_nodes, 1), time(NULL), &req);
	*limited = limits_eligible(model, job, &req, &(pb_watts_t){0});
	refused_for_power = false;
	if (_will_run_now(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			  preemptee_candidates, preemptee_job_list, tail, &req,
			  *limited, rc))
		return true;
	if (!*limited || !_limited_request(job, &req))
		return false;
	return _will_run_now(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			     preemptee_candidates, preemptee_job_list, tail,
			     &req, true, rc);
}

/*
 * Is power binding for this job: could some domain not take the whole job
 * wherever cons_tres puts it? When it is not, cons_tres chooses freely
 * (placements are exactly plain cons_tres's).
 */
/*
 * What the whole job takes, taking each node at the most any candidate
 * would need (increment plus wake-up); 0 without candidates.
 */
static pb_watts_t _job_watts(const pb_place_req_t *req)
{
	return pb_place_need_max(model->placer, model->ledger, model->cand,
				 req) *
	       req->nnodes;
}

static bool _power_binds(const pb_place_req_t *req)
{
	uint32_t ndom = pb_site_domain_count(model->site);
	pb_watts_t job_w = _job_watts(req);

	if (!job_w && pb_bitset_next(model->cand, 0) < 0)
		return true;
	pb_ledger_window_avail(model->ledger, req->now, req->end, window);
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
static void _hold_for_preemptor(job_record_t *job, const pb_alloc_t *alloc,
				int64_t now, int64_t end, List preemptees)
{
	if (!preemptees || !list_count(preemptees))
		return;
	TRACE("%pJ admitted once %d preempted job(s) end", job,
	      list_count(preemptees));
	held_update(model, job, alloc, now, end);
}

/*
 * The chosen nodes must keep every cap: the final word on a start. The
 * jobs cons_tres chose to preempt are out of the ledger here; if power is
 * still short, more preemptable jobs may give theirs.
 */
static int _check_choice(job_record_t *job, bitstr_t *bitmap, int64_t now,
			 bool limited, List candidates, List *preemptees)
{
	pb_verdict_t v = {0};
	ramplimit_verdict_t rv;
	pb_alloc_t alloc;
	int64_t end = jobpower_end(job, now);
	char w1[32], w2[32];
	bool ok;

	if (jobpower_alloc(model, job, bitmap, &alloc)) {
		error(PLUGIN ": %pJ was given nodes outside the power budget",
		      job);
		return ESLURM_NODES_BUSY;
	}
	if (_efficient_now(limited) &&
	    _admit_limited(job, &alloc, now, true, &v))
		; /* at the efficient limit while jobs wait for power */
	else if (pb_ledger_admit(model->ledger, &alloc, now, end, &v) == 0)
		limits_note(job->job_id, 0, 0); /* full draw */
	else if (limited)
		_admit_limited(job, &alloc, now, true, &v);
	ok = v.ok || (preemptees && candidates &&
		      preempt_for_power(model, job, &alloc, now, end,
					candidates, preemptees, &v) == 0);
	if (ok && ramplimit_check(model, job, &alloc, now, true, &rv)) {
		_ramp_reason(job, &rv);
		return ESLURM_NODES_BUSY;
	}
	if (ok) {
		TRACE(
		    "%pJ admitted: +%s on %u node(s) (and any wake-ups), facility headroom %s before it",
		    job, _watts(v.job_w, w1), alloc.count,
		    _watts(pb_ledger_headroom(model->ledger,
					      pb_site_root(model->site)),
			   w2));
		_hold_for_preemptor(job, &alloc, now, end,
				    preemptees ? *preemptees : NULL);
		return SLURM_SUCCESS;
	}
	_hold_reason(job, &v, now);
	return ESLURM_NODES_BUSY;
}

static bool _has_preemptees(List *preemptee_job_list)
{
	return preemptee_job_list && *preemptee_job_list &&
	       list_count(*preemptee_job_list);
}

/* Did cons_tres give @job the resources slurmctld starts it on? */
static bool _has_resources(job_record_t *job)
{
	return job->job_resrcs && job->job_resrcs->nodes;
}

/*
 * RUN_NOW for the request @req (full draw, or the floor of a chosen
 * limit); @limited: a choice that does not fit at full draw may start at
 * a chosen GPU limit. @bitmap is the job's candidates (saved_bitmap too).
 */
static int _run_now_at(job_record_t *job, bitstr_t *bitmap, uint32_t min_nodes,
		       uint32_t max_nodes, uint32_t req_nodes, uint16_t mode,
		       List preemptee_candidates, List *preemptee_job_list,
		       const pb_job_test_tail_t *tail,
		       const pb_place_req_t *reqp, bool limited)
{
	int64_t now = reqp->now;
	pb_place_req_t req = *reqp;
	pb_verdict_t why = {0};
	bool narrowed = false;
	int rc;

	held_lift(model, job);
	preempt_lift(model, preemptee_candidates);
	sitebits_to_site(model, bitmap, model->cand);
	if (pb_place_filter(model->placer, model->ledger, model->cand, &req) <
	    req.nnodes) {
		/* Why not: the verdict over all candidates names the domain. */
		sitebits_to_site(model, bitmap, model->cand);
		pb_place_choose(model->placer, model->ledger, model->cand, &req,
				model->chosen, &why);
		if (why.domain == (int32_t)pb_site_root(model->site)) {
			/*
			 * The facility feeds the whole job wherever it lands:
			 * say what the job lacks, not what one node lacks.
			 */
			pb_watts_t lack;

			pb_ledger_window_avail(model->ledger, now, req.end,
					       window);
			lack = _job_watts(&req) - window[why.domain];
			why.short_w = MAX(why.short_w, lack);
		}
		if (why.domain >= 0) {
			_hold_reason(job, &why, now);
			rc = ESLURM_NODES_BUSY;
			goto out;
		}
		/*
		 * No domain refused a node: there are just too few nodes.
		 * Not power's doing: cons_tres answers on the candidates as it
		 * would alone (and any choice is still checked below).
		 */
	} else {
		sitebits_narrow(model, bitmap, model->cand);
		if (_power_binds(&req) &&
		    pb_place_choose(model->placer, model->ledger, model->cand,
				    &req, model->chosen, &why) == 0) {
			sitebits_narrow(model, bitmap, model->chosen);
			narrowed = true;
		}
	}
	rc = _cons_tres_test(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			     preemptee_candidates, preemptee_job_list, tail);
	if (rc != SLURM_SUCCESS && narrowed) {
		/*
		 * cons_tres could not use the compact set (cores, memory or
		 * GRES busy there): let it choose among all nodes with power
		 * headroom, and check that choice below.
		 */
		bit_copybits(bitmap, saved_bitmap);
		sitebits_narrow(model, bitmap, model->cand);
		rc = _cons_tres_test(job, bitmap, min_nodes, max_nodes,
				     req_nodes, mode, preemptee_candidates,
				     preemptee_job_list, tail);
	}
	if (rc == SLURM_SUCCESS && !_has_preemptees(preemptee_job_list) &&
	    !_has_resources(job)) {
		/*
		 * cons_tres found the job would run once jobs it could preempt
		 * were gone, yet none of them holds its nodes (one that is
		 * still COMPLETING does): slurmctld cannot start it on this
		 * answer. Keep its power reservation and try again later.
		 */
		TRACE("%pJ: cons_tres answered without resources; not now",
		      job);
		rc = ESLURM_NODES_BUSY;
		preempt_keep_only(model, NULL);
		if (preemptee_job_list)
			FREE_NULL_LIST(*preemptee_job_list);
	} else if (rc == SLURM_SUCCESS) {
		preempt_keep_only(
		    model, preemptee_job_list ? *preemptee_job_list : NULL);
		rc = _check_choice(job, bitmap, now, limited,
				   preemptee_candidates, preemptee_job_list);
		if (rc != SLURM_SUCCESS) {
			free_job_resources(&job->job_resrcs);
			if (preemptee_job_list)
				FREE_NULL_LIST(*preemptee_job_list);
		}
	}
out:
	preempt_restore(model);
	if (rc == SLURM_SUCCESS && !_has_preemptees(preemptee_job_list))
		held_drop(model, job->job_id);
	held_unlift(model);
	return rc;
}

/*
 * RUN_NOW at full draw; a job that may run at a chosen GPU limit (and is
 * held by power) tries again with the nodes that could power it at its
 * floor.
 */
static int _run_now(job_record_t *job, bitstr_t *bitmap, uint32_t min_nodes,
		    uint32_t max_nodes, uint32_t req_nodes, uint16_t mode,
		    List preemptee_candidates, List *preemptee_job_list,
		    const pb_job_test_tail_t *tail)
{
	pb_place_req_t req;
	bool limited;
	int rc;

	jobpower_request(model, job, MAX(min_nodes, 1), time(NULL), &req);
	limited = limits_eligible(model, job, &req, &(pb_watts_t){0});
	bit_copybits(saved_bitmap, bitmap);
	refused_for_power = false;
	rc = _run_now_at(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			 preemptee_candidates, preemptee_job_list, tail, &req,
			 limited);
	if (rc == SLURM_SUCCESS || !limited || !_limited_request(job, &req))
		return rc;
	bit_copybits(bitmap, saved_bitmap);
	return _run_now_at(job, bitmap, min_nodes, max_nodes, req_nodes, mode,
			   preemptee_candidates, preemptee_job_list, tail, &req,
			   true);
}

static int _job_test(job_record_t *job_ptr, bitstr_t *bitmap,
		     uint32_t min_nodes, uint32_t max_nodes, uint32_t req_nodes,
		     uint16_t mode, List preemptee_candidates,
		     List *preemptee_job_list, const pb_job_test_tail_t *tail)
{
	bool limited = false;
	int rc;

	if (model && !model->placer && mode == SELECT_MODE_RUN_NOW)
		return ESLURM_NODES_BUSY; /* no valid model: start nothing */
	if (!model || !model->placer)
		return _cons_tres_test(job_ptr, bitmap, min_nodes, max_nodes,
				       req_nodes, mode, preemptee_candidates,
				       preemptee_job_list, tail);
	_rebuild();
	capwin_sync(model, time(NULL));
	curtail_sync(model, time(NULL));
	reasons_restore();
	held_sweep(model);
	_sync_node_power();
	if (ramp_due) {
		/* after the rebuild: the ramps start from the running jobs */
		ramplimit_configure(model, time(NULL));
		ramp_due = false;
	}
	_ramp_note();

	if (mode == SELECT_MODE_RUN_NOW)
		return _run_now(job_ptr, bitmap, min_nodes, max_nodes,
				req_nodes, mode, preemptee_candidates,
				preemptee_job_list, tail);

	bit_copybits(saved_bitmap, bitmap);
	if (mode == SELECT_MODE_TEST_ONLY) {
		rc = _cons_tres_test(job_ptr, bitmap, min_nodes, max_nodes,
				     req_nodes, mode, preemptee_candidates,
				     preemptee_job_list, tail);
		return _test_only(job_ptr, bitmap, MAX(min_nodes, 1), rc);
	}
	/*
	 * WILL_RUN: cons_tres counts the nodes of the jobs this one may
	 * preempt as free; their power is free to it as well.
	 */
	preempt_lift(model, preemptee_candidates);
	if (!_will_run(job_ptr, bitmap, min_nodes, max_nodes, req_nodes, mode,
		       preemptee_candidates, preemptee_job_list, tail, &rc,
		       &limited)) {
		rc = _cons_tres_test(job_ptr, bitmap, min_nodes, max_nodes,
				     req_nodes, mode, preemptee_candidates,
				     preemptee_job_list, tail);
		rc = _will_run_later(job_ptr, bitmap, rc, limited);
	}
	preempt_restore(model);
	return rc;
}

extern int hook_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			 uint32_t min_nodes, uint32_t max_nodes,
			 uint32_t req_nodes, uint16_t mode,
			 List preemptee_candidates, List *preemptee_job_list,
			 const pb_job_test_tail_t *tail)
{
	jobcost_mark_t at = jobcost_begin(mode & SELECT_MODE_BASE);
	int rc =
	    _job_test(job_ptr, bitmap, min_nodes, max_nodes, req_nodes, mode,
		      preemptee_candidates, preemptee_job_list, tail);

	jobcost_end(at);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Ledger upkeep                                                        */

/*
 * Record a started or resized job in the ledger. @chosen_w > 0: the GPU
 * limit the scheduler chose for it at this start (its record is not read
 * back before the job runs).
 */
static void _commit(job_record_t *job, pb_watts_t chosen_w)
{
	pb_alloc_t alloc;
	pb_error_t err;
	int64_t now = time(NULL);
	uint32_t root = pb_site_root(model->site);
	char w1[32], w2[32], w3[32];

	if (jobpower_alloc(model, job, job->node_bitmap, &alloc))
		error(PLUGIN ": %pJ runs on nodes outside the power budget",
		      job);
	if (chosen_w > 0) {
		alloc.gpu_watts_hint = chosen_w;
		alloc.hint_scope = PB_HINT_WHERE_ENFORCED;
	}
	if (pb_ledger_commit(model->ledger, job->job_id, &alloc,
			     jobpower_end(job, now), &err)) {
		error(PLUGIN ": %pJ not in the power ledger: %s", job,
		      err.text);
		return;
	}
	if (IS_JOB_SUSPENDED(job))
		_suspend(job);
	TRACE(
	    "%pJ committed on %u node(s) at %s per GPU%s; facility committed %s of %s",
	    job, alloc.count,
	    alloc.gpu_watts_hint ? _watts(alloc.gpu_watts_hint, w3)
				 : "full draw",
	    alloc.hint_scope == PB_HINT_WHERE_ENFORCED
		? " where a GPU limit enforces it"
		: "",
	    _watts(pb_ledger_committed(model->ledger, root), w1),
	    _watts(pb_ledger_limit(model->ledger, root), w2));
}

extern void hook_job_begin(job_record_t *job_ptr)
{
	pb_watts_t chosen_w;

	if (!model)
		return;
	if (!_has_resources(job_ptr)) {
		/*
		 * slurmctld calls job_begin before it checks the resources
		 * and leaves such a job pending, with no job_fini: committing
		 * it would hold power for a job that never runs.
		 */
		debug(PLUGIN ": %pJ begins without resources: not committed",
		      job_ptr);
		return;
	}
	_rebuild();
	reasons_drop(job_ptr->job_id);
	held_drop(model, job_ptr->job_id);
	pb_ledger_release(model->ledger,
			  job_ptr->job_id); /* requeued/resized */
	chosen_w = limits_begin(model, job_ptr);
	jobpower_record_hint(model, job_ptr, chosen_w);
	_commit(job_ptr, chosen_w);
	ramplimit_release(job_ptr->job_id);
	_ramp_note();
	kick_dirty();
	_verify("job begin");
}

extern void hook_job_fini(job_record_t *job_ptr)
{
	if (!model)
		return;
	_rebuild();
	measured_job_ended(model, job_ptr->job_id);
	learned_job_ended(model, job_ptr, time(NULL));
	if (pb_ledger_release(model->ledger, job_ptr->job_id) == 0)
		TRACE("%pJ released its power", job_ptr);
	if (!held_has(job_ptr->job_id)) /* held while it was suspended */
		pb_ledger_unreserve(model->ledger, job_ptr->job_id);
	reasons_drop(job_ptr->job_id);
	held_drop(model, job_ptr->job_id);
	ramplimit_release(job_ptr->job_id);
	_ramp_note();
	kick_dirty();
	_verify("job end");
}

/*
 * A suspended job's GPUs idle, so its increment leaves the committed
 * power; but the power stays held for it (a reservation from now on, which
 * no other job outranks) so that resuming it can never break a cap.
 */
static void _suspend(job_record_t *job)
{
	int64_t n =
	    pb_ledger_job_nodes(model->ledger, job->job_id, model->alloc_buf,
				pb_site_node_count(model->site));
	pb_alloc_t alloc = {model->alloc_buf, 0, 0, PB_HINT_EVERYWHERE};
	pb_error_t err;

	if (n < 0 || pb_ledger_suspend(model->ledger, job->job_id))
		return;
	alloc.count = n;
	alloc.gpu_watts_hint = jobpower_hint(model, job, &alloc.hint_scope);
	if (pb_ledger_reserve(model->ledger, job->job_id, &alloc, time(NULL),
			      PB_TIME_NEVER, &err))
		error(PLUGIN
		      ": power of suspended %pJ not held for its resume: %s",
		      job, err.text);
	TRACE("%pJ suspended: its GPUs idle, its power held", job);
}

extern void hook_job_suspend(job_record_t *job_ptr)
{
	if (!model)
		return;
	_suspend(job_ptr);
	_ramp_note();
	kick_dirty();
	_verify("job suspend");
}

extern void hook_job_resume(job_record_t *job_ptr)
{
	uint32_t root;
	char w[32];

	if (!model)
		return;
	pb_ledger_unreserve(model->ledger, job_ptr->job_id);
	if (pb_ledger_resume(model->ledger, job_ptr->job_id))
		return;
	root = pb_site_root(model->site);
	if (pb_ledger_headroom(model->ledger, root) < 0)
		error(
		    PLUGIN
		    ": resuming %pJ puts the facility %s over its power limit",
		    job_ptr,
		    _watts(-pb_ledger_headroom(model->ledger, root), w));
	_ramp_note();
	kick_dirty();
	_verify("job resume");
}

extern void hook_job_resized(job_record_t *job_ptr)
{
	if (!model)
		return;
	pb_ledger_release(model->ledger, job_ptr->job_id);
	if (!held_has(job_ptr->job_id)) /* a suspended job's hold */
		pb_ledger_unreserve(model->ledger, job_ptr->job_id);
	if (IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr))
		_commit(job_ptr, 0);
	kick_dirty();
	_verify("job begin");
}

/*
 * After any (re)start or reconfigure the ledger is rebuilt from the jobs
 * slurmctld runs. select_g_job_init() comes too early for that: in 22.05
 * read_slurm_conf() rebuilds the recovered jobs' node bitmaps only later,
 * in _sync_jobs_to_conf() ("must follow select_g_job_init()"). So job_init
 * only marks the rebuild due; it happens in select_g_reconfigure(), the
 * last select call of read_slurm_conf(), or at the first decision before
 * that, whichever comes first.
 */
static List rebuild_from;

static void _rebuild(void)
{
	ListIterator it;
	job_record_t *job;
	uint32_t jobs = 0, root;
	char w1[32], w2[32];

	if (!model || !rebuild_from)
		return;
	pb_ledger_reset(model->ledger);
	capwin_invalidate();
	curtail_invalidate();
	held_drop_all(model);
	nodes_seen = 0;
	_sync_node_power();
	it = list_iterator_create(rebuild_from);
	while ((job = list_next(it))) {
		if (!IS_JOB_RUNNING(job) && !IS_JOB_SUSPENDED(job))
			continue;
		if (!job->node_bitmap) {
			error(
			    PLUGIN
			    ": running %pJ has no node list; not in the power ledger",
			    job);
			continue;
		}
		_commit(job, 0);
		jobs++;
	}
	list_iterator_destroy(it);
	rebuild_from = NULL;
	root = pb_site_root(model->site);
	info(
	    PLUGIN
	    ": power ledger rebuilt from %u running job(s): facility IT %s committed of %s",
	    jobs, _watts(pb_ledger_committed(model->ledger, root), w1),
	    _watts(pb_ledger_limit(model->ledger, root), w2));
	if (pb_ledger_headroom(model->ledger, root) < 0)
		error(
		    PLUGIN
		    ": running jobs exceed the facility power limit by %s; no job starts until they end",
		    _watts(-pb_ledger_headroom(model->ledger, root), w1));
	kick_dirty();
	_verify("rebuilding from the running jobs");
}

extern void hook_job_init(List job_list)
{
	rebuild_from = job_list;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

static void _log_lines(const char *prefix, const char *text, bool fatal_err)
{
	char *copy = xstrdup(text), *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		error(PLUGIN ": %s%s", prefix, line);
	xfree(copy);
	if (fatal_err)
		fatal(PLUGIN ": cannot start without a valid %s (errors above)",
		      CONF_NAME);
}

static void _install(model_t *m)
{
	uint32_t root = pb_site_root(m->site);
	char w[32];

	held_drop_all(model);
	capwin_invalidate();
	curtail_invalidate();
	ramp_due = true;
	model_free(model);
	model = m;
	measured_configure(m);
	trace = m->settings->debug_trace;
	FREE_NULL_BITMAP(saved_bitmap);
	saved_bitmap = bit_alloc(MAX(node_record_count, 1));
	xfree(window);
	window = xcalloc(pb_site_domain_count(m->site), sizeof(*window));
	info(PLUGIN
	     ": %s: %u node(s), %u power domain(s), facility limit %s IT%s",
	     m->path, pb_site_node_count(m->site),
	     pb_site_domain_count(m->site),
	     _watts(pb_ledger_limit(m->ledger, root), w),
	     m->net ? ", network tree from topology/tree" : "");
}

extern int hook_init(void)
{
	const char *v = getenv("PB_LEDGER_VERIFY");
	bool verify = v && v[0] && strcmp(v, "0");

	model_verify_enable(verify);
	if (verify)
		info(
		    PLUGIN
		    ": PB_LEDGER_VERIFY set: checking the ledger after every change");
	learned_init(slurm_conf.state_save_location);
	curtail_init(slurm_conf.state_save_location);
	return SLURM_SUCCESS;
}

extern void hook_fini(void)
{
	held_drop_all(model);
	measured_fini();
	learned_fini();
	capwin_invalidate();
	curtail_fini();
	ramplimit_fini();
	model_free(model);
	model = NULL;
	FREE_NULL_BITMAP(saved_bitmap);
	xfree(window);
}

/*
 * A slurmctld that a reconfigure started anew (23.11 and later) found a
 * bad @errmsg file: it has no previous model in memory, so it takes the
 * saved copy of the last good file, as the same process would have kept
 * its model before 23.11. Without a copy it cannot start, as at startup.
 */
static void _fall_back(const char *errmsg)
{
	char *source = NULL, *err = NULL, *saved;
	model_t *m = NULL;

	_log_lines("reconfigure: ", errmsg, false);
	saved = lastgood_path(&source, &err);
	if (saved && !(m = model_load(saved, &err)))
		_log_lines("reconfigure: saved copy: ", err, false);
	else if (!saved)
		error(PLUGIN ": reconfigure: %s", err);
	if (!m)
		fatal(PLUGIN ": cannot start without a valid %s (errors above)",
		      CONF_NAME);
	error(
	    PLUGIN
	    ": reconfigure: keeping the previous power model from %s (its copy %s)",
	    source, saved);
	xfree(err);
	if (model_bind(m, &err)) {
		_log_lines("reconfigure: ", err, false);
		error(
		    PLUGIN
		    ": the previous power model does not fit the new node table either; no job will start until %s is fixed",
		    CONF_NAME);
	}
	_install(m);
	xfree(err);
	xfree(source);
	xfree(saved);
}

/*
 * Startup and every reconfigure (slurmctld rebuilds its node table each
 * time): load power_budget.conf anew. A bad file is fatal at startup; at
 * reconfigure the previous model stays, bound to the new node table:
 * before 23.11 the one in memory, since then (a reconfigure execs a new
 * slurmctld) the saved copy of the last good file.
 */
extern void hook_node_init(void)
{
	char *path = get_extra_conf_path(CONF_NAME);
	char *errmsg = NULL;
	model_t *m = model_load(path, &errmsg);

	if (m && model_bind(m, &errmsg)) {
		model_free(m);
		m = NULL;
	}
	if (m) {
		_install(m);
#if PB_RECONFIG_REEXECS
		lastgood_save(path);
#endif
		goto out;
	}
	if (!model && lastgood_reconfigure_start()) {
		_fall_back(errmsg);
		goto out;
	}
	if (!model) {
		_log_lines("", errmsg, true);
		goto out;
	}
	_log_lines("reconfigure: ", errmsg, false);
	error(PLUGIN ": reconfigure: keeping the previous power model from %s",
	      model->path);
	xfree(errmsg);
	if (model_bind(model, &errmsg)) {
		_log_lines("reconfigure: ", errmsg, false);
		error(
		    PLUGIN
		    ": the previous power model does not fit the new node table either; no job will start until %s is fixed",
		    CONF_NAME);
	}
	FREE_NULL_BITMAP(saved_bitmap);
	saved_bitmap = bit_alloc(MAX(node_record_count, 1));
out:
	xfree(errmsg);
	xfree(path);
}

extern void hook_reconfigure(void)
{
	if (!model)
		return;
	trace = model->settings->debug_trace;
	_rebuild();
}

extern bool hook_tick(void)
{
	bool moved = false;

	reasons_restore();
	limits_tick();
	/* A rebuild still due resets the node states anyway. */
	if (!model || !model->placer || rebuild_from)
		return false;
	_sync_node_power();
	/*
	 * The tick also runs whenever a held job's reason needs putting
	 * back, up to hundreds of times a second: readings once a second.
	 */
	if (time(NULL) != measured_at) {
		measured_at = time(NULL);
		moved = measured_apply(model, measured_at);
		_verify("measured draw");
	}
	return moved;
}

extern void hook_curtail(void)
{
	if (!model || !model->placer || rebuild_from)
		return;
	curtail_tick(model, time(NULL));
	kick_dirty();
	_verify("curtailment");
}

extern void hook_status_snapshot(char **text, char **path)
{
	*text = NULL;
	*path = NULL;
	if (!model)
		return;
	*text = status_render(model);
	*path = status_path(model);
	jobcost_append(text);
}
