/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ramp limits inside slurmctld (see ramplimit.h).
 */
#include "config.h"

#include <string.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"

#include "policy/ramp.h"
#include "plugin/ramplimit.h"

#define PLUGIN "select/cons_tres_power"
/* The held job may start a little after its time; then others may. */
#define HOLD_SLACK_S 5

typedef struct {
	char name[64];
	uint32_t domain;
	pb_ramp_t *ramp;
} ramp_entry_t;

static ramp_entry_t *ramps;
static uint32_t n_ramps;
static struct {
	uint32_t job_id, priority;
	int64_t until;
	int32_t domain;
} hold;

static void _free(ramp_entry_t *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		pb_ramp_destroy(r[i].ramp);
	xfree(r);
}

extern void ramplimit_fini(void)
{
	_free(ramps, n_ramps);
	ramps = NULL;
	n_ramps = 0;
	memset(&hold, 0, sizeof(hold));
}

struct job_sum {
	const model_t *m;
	pb_watts_t *dom_w;
};

/* Adds a running job's increment to every domain above it. */
static int _job_watts(const pb_job_info_t *job, void *arg)
{
	struct job_sum *js = arg;

	if (!job->suspended)
		pb_ledger_job_add(js->m->ledger, job->job_id, NULL, js->dom_w);
	return 0;
}

/*
 * The rise a domain of the previous model had; for a new one, what the
 * running jobs add (@jobs_w, per domain): they may have just started.
 */
static pb_watts_t _carried_rise(uint32_t d, const char *name,
				const pb_watts_t *jobs_w, time_t now)
{
	for (uint32_t i = 0; i < n_ramps; i++)
		if (!strcmp(ramps[i].name, name))
			return pb_ramp_rise(ramps[i].ramp, now);
	return jobs_w[d];
}

extern void ramplimit_configure(const model_t *m, time_t now)
{
	const pb_settings_t *s = m->settings;
	ramp_entry_t *next = xcalloc(s->n_ramps + 1, sizeof(*next));
	pb_watts_t *jobs_w =
	    xcalloc(pb_site_domain_count(m->site) + 1, sizeof(*jobs_w));

	if (s->n_ramps)
		pb_ledger_foreach_job(m->ledger, _job_watts,
				      &(struct job_sum){m, jobs_w});
	for (size_t i = 0; i < s->n_ramps; i++) {
		uint32_t d = s->ramps[i].domain;
		pb_watts_t w = pb_ledger_committed(m->ledger, d);
		pb_error_t err;

		next[i].domain = d;
		snprintf(next[i].name, sizeof(next[i].name), "%s",
			 pb_site_domain_name(m->site, d));
		next[i].ramp = pb_ramp_create(s->ramps[i].it_w,
					      RAMPLIMIT_PERIOD_S, 0, &err);
		if (!next[i].ramp)
			fatal(PLUGIN ": RampLimit of %s: %s", next[i].name,
			      err.text);
		pb_ramp_note(next[i].ramp, now,
			     w - _carried_rise(d, next[i].name, jobs_w, now));
		pb_ramp_note(next[i].ramp, now, w);
	}
	xfree(jobs_w);
	_free(ramps, n_ramps);
	ramps = next;
	n_ramps = s->n_ramps;
	memset(&hold, 0, sizeof(hold));
}

extern void ramplimit_note(const model_t *m, time_t now)
{
	for (uint32_t i = 0; i < n_ramps; i++)
		pb_ramp_note(ramps[i].ramp, now,
			     pb_ledger_committed(m->ledger, ramps[i].domain));
}

/* What @alloc adds under domain @d, wake-ups included. */
static pb_watts_t _adds(const model_t *m, const pb_alloc_t *a, uint32_t d)
{
	pb_watts_t w = 0;

	for (uint32_t i = 0; i < a->count; i++) {
		const pb_alloc_node_t *n = &a->nodes[i];
		const uint32_t *path;
		uint32_t len = pb_site_node_path(m->site, n->node, &path);

		for (uint32_t k = 0; k < len; k++) {
			if (path[k] != d)
				continue;
			w += pb_ledger_node_increment(
				 m->ledger, n->node, n->gpus, n->cores,
				 a->gpu_watts_hint, a->hint_scope) +
			     pb_ledger_node_wake_w(m->ledger, n->node);
			break;
		}
	}
	return w;
}

/* Does a job of (prio, id) go before the holder? Lower ids break ties. */
static bool _before_holder(job_record_t *job)
{
	if (job->priority != hold.priority)
		return job->priority > hold.priority;
	return job->job_id < hold.job_id;
}

/* The first ramp @alloc would rise too fast, into *v. */
static bool _ramp_refuses(const model_t *m, const pb_alloc_t *alloc, time_t now,
			  ramplimit_verdict_t *v)
{
	for (uint32_t i = 0; i < n_ramps; i++) {
		pb_watts_t add = _adds(m, alloc, ramps[i].domain);
		int64_t at;

		if (!add || !pb_ramp_check(ramps[i].ramp, now, add, &at))
			continue;
		v->domain = (int32_t)ramps[i].domain;
		v->rise_w = pb_ramp_rise(ramps[i].ramp, now) + add;
		v->limit_w = pb_ramp_limit(ramps[i].ramp);
		v->at = at;
		return true;
	}
	return false;
}

extern int ramplimit_check(const model_t *m, job_record_t *job,
			   const pb_alloc_t *alloc, time_t now, bool take,
			   ramplimit_verdict_t *v)
{
	memset(v, 0, sizeof(*v));
	v->domain = -1;
	if (!n_ramps)
		return 0;
	if (hold.job_id && (int64_t)now > hold.until)
		memset(&hold, 0, sizeof(hold));
	if (hold.job_id && hold.job_id != job->job_id && !_before_holder(job) &&
	    _adds(m, alloc, (uint32_t)hold.domain) > 0) {
		v->behind = hold.job_id;
		v->domain = hold.domain;
		v->at = hold.until;
		return 1;
	}
	if (!_ramp_refuses(m, alloc, now, v))
		return 0;
	if (take && (!hold.job_id || hold.job_id == job->job_id ||
		     _before_holder(job))) {
		hold.job_id = job->job_id;
		hold.priority = job->priority;
		hold.until = v->at + HOLD_SLACK_S;
		hold.domain = v->domain;
	}
	return 1;
}

extern void ramplimit_release(uint32_t job_id)
{
	if (hold.job_id == job_id)
		memset(&hold, 0, sizeof(hold));
}
