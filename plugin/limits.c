/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler-chosen GPU power limits (see limits.h).
 */
#include "config.h"

#include <inttypes.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/state_save.h"

#include "plugin/jobpower.h"
#include "plugin/limits.h"

#define PLUGIN "select/cons_tres_power"

/*
 * Limits chosen at RUN_NOW, until the job's begin. slurmctld begins a job
 * right after the job_test that admitted it, under the same locks, so a
 * few slots suffice; a note never taken (the start failed later) is
 * overwritten.
 */
#define NOTES 32

static struct {
	uint32_t job_id;
	pb_watts_t limit_w, max_w;
} notes[NOTES];
static unsigned next_note;

static const pb_limit_floor_t *_floor_of(const model_t *m, job_record_t *job)
{
	const pb_settings_t *s = m->settings;

	if (job->part_ptr && job->part_ptr->name) {
		for (size_t i = 0; i < s->n_partitions; i++) {
			const pb_limit_floor_t *f = &s->partitions[i].floor;

			if (!xstrcmp(s->partitions[i].name,
				     job->part_ptr->name) &&
			    (f->floor_w || f->floor_milli))
				return f;
		}
	}
	return &s->gpu_limit_floor;
}

/* The floor in watts on GPUs of model @g. */
static pb_watts_t _floor_w(const pb_limit_floor_t *f, const pb_gpu_model_t *g)
{
	pb_watts_t w = f->floor_w;

	if (!w)
		w = (g->max_w * (pb_watts_t)f->floor_milli + 999) / 1000;
	return MAX(w, g->min_cap_w);
}

static bool _opted_out(job_record_t *job)
{
	return job->comment && strstr(job->comment, LIMITS_OPT_OUT_TAG);
}

extern bool limits_eligible(const model_t *m, job_record_t *job,
			    const pb_place_req_t *req, pb_watts_t *floor_w)
{
	const pb_limit_floor_t *f;
	uint32_t n = pb_site_class_count(m->site);
	pb_watts_t lowest = 0;

	if (m->gpu_limits == PB_CONF_LIMITS_NO || !req->gpus || _opted_out(job))
		return false;
	/*
	 * A hint held only where limits are enforced (learned draw, an
	 * enforced user hint) is a limit already: one chosen below it is the
	 * same promise, lower. A hint that is only charged is the user's
	 * word on the draw, not a limit, and stays as it is.
	 */
	if (req->gpu_watts_hint && req->hint_scope != PB_HINT_WHERE_ENFORCED)
		return false;
	f = _floor_of(m, job);
	for (uint32_t c = 0; c < n; c++) {
		const pb_power_class_t *cls = pb_site_class(m->site, c);
		pb_watts_t w;

		if (!cls->gpus || !cls->gpu_limit_enforced)
			continue;
		w = _floor_w(f, &cls->gpu);
		if (!lowest || w < lowest)
			lowest = w;
	}
	*floor_w = lowest;
	return lowest > 0 &&
	       (!req->gpu_watts_hint || lowest < req->gpu_watts_hint);
}

/* Raise ask->lo_w so that the time-limit rule holds; false if it cannot. */
static bool _time_rule(const model_t *m, job_record_t *job, pb_limit_ask_t *ask)
{
	const pb_speed_curve_t *curve = &m->settings->speed_curve;
	int64_t limit_s = jobpower_duration(job);

	ask->duration = limit_s;
	if (m->settings->gpu_limit_time == PB_CONF_LIMIT_TIME_FIT) {
		/* the time limit holds the run: plan it as it is */
		ask->curve = NULL;
		if (!job->time_min || job->time_min == NO_VAL)
			return false;
		ask->lo_w = MAX(ask->lo_w,
				pb_limit_lowest_w(curve, ask->max_w,
						  (int64_t)job->time_min * 60,
						  limit_s));
		return true;
	}
	ask->curve = curve;
	/* extended, the time limit must stay within the partition's */
	if (limit_s != PB_TIME_NEVER && job->part_ptr &&
	    job->part_ptr->max_time != INFINITE &&
	    job->part_ptr->max_time != NO_VAL)
		ask->lo_w = MAX(
		    ask->lo_w,
		    pb_limit_lowest_w(curve, ask->max_w, limit_s,
				      (int64_t)job->part_ptr->max_time * 60));
	return true;
}

extern bool limits_ask(const model_t *m, job_record_t *job,
		       const pb_alloc_t *alloc, pb_limit_ask_t *ask)
{
	uint32_t cls_i;
	const pb_power_class_t *cls;

	if (!alloc->count)
		return false;
	cls_i = pb_site_node_class(m->site, alloc->nodes[0].node);
	cls = pb_site_class(m->site, cls_i);
	if (!cls->gpus || !cls->gpu_limit_enforced)
		return false;
	memset(ask, 0, sizeof(*ask));
	ask->max_w = cls->gpu.max_w;
	ask->lo_w = _floor_w(_floor_of(m, job), &cls->gpu);
	ask->hi_w = cls->gpu.max_w;
	if (m->gpu_limits == PB_CONF_LIMITS_EFFICIENT)
		ask->hi_w = MAX(ask->lo_w, m->efficient_w[cls_i]);
	/* never above the enforced hint the job would otherwise start at */
	if (alloc->gpu_watts_hint &&
	    alloc->hint_scope == PB_HINT_WHERE_ENFORCED)
		ask->hi_w = MIN(ask->hi_w, alloc->gpu_watts_hint);
	if (!_time_rule(m, job, ask))
		return false;
	return ask->lo_w <= ask->hi_w;
}

extern void limits_note(uint32_t job_id, pb_watts_t limit_w, pb_watts_t max_w)
{
	unsigned slot = next_note;

	for (unsigned i = 0; i < NOTES; i++) {
		if (notes[i].job_id == job_id) {
			slot = i;
			break;
		}
	}
	if (slot == next_note)
		next_note = (next_note + 1) % NOTES;
	notes[slot].job_id = job_id;
	notes[slot].limit_w = limit_w;
	notes[slot].max_w = max_w;
}

/* Replace our token in the job's SystemComment, keeping anything else. */
static void _comment(job_record_t *job, pb_watts_t limit_w)
{
	char *old = job->system_comment, *tag;
	char *kept = NULL;

	if (old && (tag = strstr(old, LIMITS_COMMENT_TAG))) {
		char *end = strchr(tag, ' ');

		kept = xstrndup(old, tag - old);
		if (end)
			xstrcat(kept, end + 1);
	} else if (old) {
		kept = xstrdup(old);
	}
	if (kept && kept[0] && kept[strlen(kept) - 1] != ' ')
		xstrcat(kept, " ");
	if (limit_w)
		xstrfmtcat(kept, "%s%" PRId64 "W", LIMITS_COMMENT_TAG, limit_w);
	xfree(job->system_comment);
	job->system_comment = kept;
}

/*
 * Time limits extended at a start, until they are seen to hold: the
 * backfill scheduler puts back the time limit it tested a job with after
 * starting it, so the status thread's tick applies them again.
 */
static struct {
	uint32_t job_id;
	uint32_t mins;
} extended[NOTES];
static unsigned next_extended;

static void _apply_extension(job_record_t *job, uint32_t mins)
{
	if (job->time_limit >= mins)
		return;
	job->time_limit = mins;
	job_end_time_reset(job);
	schedule_job_save(); /* the new limit must survive a crash */
}

/* GpuLimitTime=extend: the time limit grows by the modelled slowdown. */
static void _extend(const model_t *m, job_record_t *job, pb_watts_t limit_w,
		    pb_watts_t max_w)
{
	uint32_t speed, mins;
	int64_t run;

	if (m->settings->gpu_limit_time != PB_CONF_LIMIT_TIME_EXTEND ||
	    job->time_limit == NO_VAL || job->time_limit == INFINITE)
		return;
	speed = pb_speed_of_limit(&m->settings->speed_curve, limit_w, max_w);
	run = pb_stretch_s((int64_t)job->time_limit * 60, speed);
	mins = (uint32_t)MIN((run + 59) / 60, (int64_t)INFINITE - 1);
	if (mins <= job->time_limit)
		return;
	info(
	    PLUGIN
	    ": %pJ at a GPU limit of %" PRId64
	    " W runs at %.3f of full speed: time limit extended from %u to %u min",
	    job, limit_w, speed / 1000.0, job->time_limit, mins);
	_apply_extension(job, mins);
	extended[next_extended].job_id = job->job_id;
	extended[next_extended].mins = mins;
	next_extended = (next_extended + 1) % NOTES;
}

extern void limits_tick(void)
{
	for (unsigned i = 0; i < NOTES; i++) {
		job_record_t *job;

		if (!extended[i].job_id)
			continue;
		job = find_job_record(extended[i].job_id);
		if (job && IS_JOB_RUNNING(job))
			_apply_extension(job, extended[i].mins);
		extended[i].job_id = 0;
	}
}

extern pb_watts_t limits_begin(const model_t *m, job_record_t *job)
{
	pb_watts_t limit_w = 0, max_w = 0;

	for (unsigned i = 0; i < NOTES; i++) {
		if (notes[i].job_id == job->job_id) {
			limit_w = notes[i].limit_w;
			max_w = notes[i].max_w;
			notes[i].job_id = 0;
			break;
		}
	}
	if (limit_w)
		info(PLUGIN ": %pJ starts at a GPU power limit of %" PRId64
			    " W of %" PRId64 " W, chosen for the power budget",
		     job, limit_w, max_w);
	if (limit_w || (job->system_comment &&
			strstr(job->system_comment, LIMITS_COMMENT_TAG)))
		_comment(job, limit_w);
	if (limit_w)
		_extend(m, job, limit_w, max_w);
	return limit_w;
}
