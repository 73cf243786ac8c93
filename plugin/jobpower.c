/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a job's power-relevant request and allocation (see jobpower.h).
 * Called under slurmctld's job and node locks, on the scheduling hot path:
 * no allocation, no I/O.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "src/common/slurm_xlator.h"
#include "src/common/bitstring.h"
#include "plugin/compat.h"
#include "src/common/job_resources.h"
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/jobpower.h"
#include "plugin/learned.h"
#include "plugin/sitebits.h"

static int _is_gpu(void *x, void *key)
{
	(void)key;
	return !xstrcmp(((gres_state_t *)x)->gres_name, "gpu");
}

/*
 * The first GPU GRES request of @list (the only one cons_tres uses per
 * name); a find, not an iterator, which allocates.
 */
static gres_job_state_t *_gpu_state(List list)
{
	gres_state_t *gs =
	    list ? list_find_first_ro(list, _is_gpu, NULL) : NULL;

	return gs ? gs->gres_data : NULL;
}

static uint32_t _div_up(uint64_t a, uint64_t b)
{
	uint64_t q;

	if (!b)
		return 0;
	q = (a + b - 1) / b;
	return q > UINT16_MAX ? UINT16_MAX : (uint32_t)q;
}

/* Does @job take whole nodes (--exclusive, or a partition's
 * OverSubscribe=EXCLUSIVE)? */
static bool _whole_node(job_record_t *job)
{
	job_details_t *d = job->details;

	return d && (d->whole_node == 1 || d->share_res == 0);
}

/* The most GPUs a node of @m's site has: all of any node's. */
static uint16_t _most_gpus(const model_t *m)
{
	uint16_t most = 0;

	for (uint32_t c = 0; c < pb_site_class_count(m->site); c++)
		most = MAX(most, pb_site_class(m->site, c)->gpus);
	return most;
}

/*
 * GPUs per node a pending job asks for, rounded up. A job that takes
 * whole nodes is given every GPU on them (cons_tres allocates all of a
 * node's GRES to it, whatever it asked for), and is charged for them.
 */
static uint16_t _gpus_per_node(const model_t *m, job_record_t *job,
			       uint32_t nnodes)
{
	gres_job_state_t *js = _gpu_state(job->gres_list_req);
	uint32_t tasks;

	if (_whole_node(job))
		return _most_gpus(m); /* clamped to each node's class */
	if (!js)
		return 0;
	if (js->gres_per_node)
		return _div_up(js->gres_per_node, 1);
	if (js->gres_per_job)
		return _div_up(js->gres_per_job, MAX(nnodes, 1));
	if (js->gres_per_task) {
		tasks = job->details->ntasks_per_node;
		if (!tasks || tasks == NO_VAL16)
			tasks =
			    _div_up(job->details->num_tasks, MAX(nnodes, 1));
		return _div_up(js->gres_per_task * MAX(tasks, 1), 1);
	}
	/* Per socket: the class decides how many sockets; assume all GPUs. */
	return UINT16_MAX;
}

static uint16_t _cores_per_node(job_record_t *job, uint32_t nnodes)
{
	job_details_t *d = job->details;

	if (!d || _whole_node(job))
		return UINT16_MAX; /* clamped to the class's cores */
	return _div_up(MAX(d->min_cpus, 1), MAX(nnodes, 1));
}

/* The site's default hint for jobs of @job's partition, or 0. */
static pb_watts_t _partition_hint(const model_t *m, job_record_t *job)
{
	const pb_settings_t *s = m->settings;

	if (!job->part_ptr || !job->part_ptr->name)
		return 0;
	for (size_t i = 0; i < s->n_partitions; i++) {
		if (!xstrcmp(s->partitions[i].name, job->part_ptr->name))
			return s->partitions[i].gpu_watt_hint_w;
	}
	return 0;
}

/* The value of @prefix in the job's SPANK environment, or NULL. */
static const char *_env_get(job_record_t *job, const char *prefix)
{
	size_t len = strlen(prefix);

	for (uint32_t i = 0; i < job->spank_job_env_size; i++) {
		const char *e = job->spank_job_env[i];

		if (e && !strncmp(e, prefix, len))
			return e + len;
	}
	return NULL;
}

/* Drops every entry that starts with @prefix. */
static void _env_drop(job_record_t *job, const char *prefix)
{
	size_t len = strlen(prefix);
	uint32_t kept = 0;

	for (uint32_t i = 0; i < job->spank_job_env_size; i++) {
		char *e = job->spank_job_env[i];

		if (e && !strncmp(e, prefix, len)) {
			xfree(e);
			continue;
		}
		job->spank_job_env[kept++] = e;
	}
	for (uint32_t i = kept; i < job->spank_job_env_size; i++)
		job->spank_job_env[i] = NULL;
	job->spank_job_env_size = kept;
}

/* Appends an entry; the array stays NULL-terminated. */
static void _env_add(job_record_t *job, char *entry)
{
	xrecalloc(job->spank_job_env, job->spank_job_env_size + 2,
		  sizeof(char *));
	job->spank_job_env[job->spank_job_env_size++] = entry;
	job->spank_job_env[job->spank_job_env_size] = NULL;
}

/*
 * The hint recorded when the job started (0: full draw); false if there is
 * no record of this start.
 */
static bool _recorded_hint(job_record_t *job, pb_watts_t *watts,
			   pb_hint_scope_t *scope)
{
	const char *w, *s;

	if (!IS_JOB_RUNNING(job) && !IS_JOB_SUSPENDED(job))
		return false;
	if (!_env_get(job, JOBPOWER_ENV_RECORD))
		return false;
	/* Recorded without watts: it started at full draw and stays there. */
	w = _env_get(job, JOBPOWER_ENV_WATTS);
	*watts = w ? strtol(w, NULL, 10) : 0;
	if (*watts < 0)
		*watts = 0;
	s = _env_get(job, JOBPOWER_ENV_SCOPE);
	*scope = (s && !xstrcmp(s, "enforced")) ? PB_HINT_WHERE_ENFORCED
						: PB_HINT_EVERYWHERE;
	return true;
}

/* The job's own hint from its comment, or 0 if it gives none. */
static long _user_hint(job_record_t *job)
{
	const char *tag;
	long watts;

	if (!job->comment || !(tag = strstr(job->comment, JOBPOWER_HINT_TAG)))
		return 0;
	watts = strtol(tag + strlen(JOBPOWER_HINT_TAG), NULL, 10);
	return watts > 0 ? watts : 0;
}

extern pb_watts_t jobpower_hint(const model_t *m, job_record_t *job,
				pb_hint_scope_t *scope)
{
	const pb_settings_t *s = m->settings;
	pb_hint_scope_t dummy;
	pb_watts_t recorded;
	long watts;

	if (!scope)
		scope = &dummy;
	*scope = PB_HINT_EVERYWHERE;
	if (_recorded_hint(job, &recorded, scope))
		return recorded;
	if (m->user_hints == PB_CONF_HINTS_NO || !(watts = _user_hint(job))) {
		pb_watts_t w = _partition_hint(m, job);

		/* what the job's class learned holds only as a GPU limit */
		if (!w && (w = learned_hint(m, job)))
			*scope = PB_HINT_WHERE_ENFORCED;
		return w;
	}
	if (m->user_hints == PB_CONF_HINTS_ENFORCED)
		*scope = PB_HINT_WHERE_ENFORCED;
	if (watts < s->user_watt_floor_w)
		watts = s->user_watt_floor_w;
	return watts;
}

extern void jobpower_record_hint(const model_t *m, job_record_t *job,
				 pb_watts_t chosen_w)
{
	pb_hint_scope_t scope;
	pb_watts_t watts;

	_env_drop(job, JOBPOWER_ENV_PREFIX); /* ours, or injected */
	watts = jobpower_hint(m, job, &scope);
	if (chosen_w > 0) {
		watts = chosen_w;
		scope = PB_HINT_WHERE_ENFORCED;
		_env_add(job, xstrdup_printf("%s1", JOBPOWER_ENV_CHOSEN));
	}
	/* Also without a hint: full draw is then what was recorded. */
	_env_add(job, xstrdup_printf("%s1", JOBPOWER_ENV_RECORD));
	if (!watts)
		return;
	_env_add(job, xstrdup_printf("%s%" PRId64, JOBPOWER_ENV_WATTS, watts));
	if (scope == PB_HINT_WHERE_ENFORCED)
		_env_add(job, xstrdup_printf("%senforced", JOBPOWER_ENV_SCOPE));
}

extern int64_t jobpower_duration(job_record_t *job)
{
	if (job->time_limit == NO_VAL || job->time_limit == INFINITE)
		return PB_TIME_NEVER;
	return (int64_t)job->time_limit * 60;
}

extern int64_t jobpower_end(job_record_t *job, int64_t start)
{
	int64_t duration;

	if (IS_JOB_RUNNING(job) || IS_JOB_SUSPENDED(job)) {
		if (job->end_time > 0)
			return job->end_time;
	}
	duration = jobpower_duration(job);
	if (duration == PB_TIME_NEVER)
		return PB_TIME_NEVER;
	return start + duration;
}

extern void jobpower_request(const model_t *m, job_record_t *job,
			     uint32_t nnodes, int64_t now, pb_place_req_t *out)
{
	memset(out, 0, sizeof(*out));
	out->nnodes = MAX(nnodes, 1);
	out->gpus = _gpus_per_node(m, job, out->nnodes);
	out->cores = _cores_per_node(job, out->nnodes);
	out->gpu_watts_hint = jobpower_hint(m, job, &out->hint_scope);
	out->now = now;
	out->end = jobpower_end(job, now);
}

/* CPUs cons_tres gave the job on its @job_index-th node, or 0 if unknown. */
static uint32_t _cpus_on(job_record_t *job, int node_index, int job_index)
{
	job_resources_t *jr = job->job_resrcs;

	if (!jr || !jr->cpus || !jr->node_bitmap ||
	    job_index >= (int)jr->nhosts ||
	    !bit_test(jr->node_bitmap, node_index))
		return 0;
	return jr->cpus[job_index];
}

/*
 * GPUs on @node_index: allocated (running job, @alloc), else selected
 * (job_test, @req); -1 if neither says (the caller's estimate then). The states
 * are looked up once per allocation by the caller: the lookup walks a List
 * under its lock.
 */
static int64_t _gpus_on(const gres_job_state_t *alloc,
			const gres_job_state_t *req, int node_index,
			int job_index)
{
	if (alloc && alloc->gres_cnt_node_alloc &&
	    job_index < (int)alloc->node_cnt)
		return alloc->gres_cnt_node_alloc[job_index];
	if (!req)
		return -1;
	if (req->gres_cnt_node_select && node_index < (int)req->total_node_cnt)
		return req->gres_cnt_node_select[node_index];
	return -1;
}

extern int jobpower_alloc(model_t *m, job_record_t *job, bitstr_t *bitmap,
			  pb_alloc_t *out)
{
	uint32_t nset = bitmap ? bit_set_count(bitmap) : 0;
	uint16_t est_gpus = _gpus_per_node(m, job, nset);
	uint16_t est_cores = _cores_per_node(job, nset);
	gres_job_state_t *gpu_alloc = _gpu_state(job->gres_list_alloc);
	/* whole nodes: all their GPUs until the allocation says otherwise */
	gres_job_state_t *gpu_req =
	    _whole_node(job) ? NULL : _gpu_state(job->gres_list_req);
	const pb_power_class_t *cls;
	int unknown = 0, job_index = 0;
	uint32_t count = 0;

	out->nodes = m->alloc_buf;
	out->gpu_watts_hint = jobpower_hint(m, job, &out->hint_scope);
	for (int64_t i = nset ? sitebits_next(bitmap, 0) : -1; i >= 0;
	     i = sitebits_next(bitmap, i + 1)) {
		node_record_t *node;
		int32_t site;
		int64_t gpus;
		uint32_t cpus;

		site = model_site_node(m, i);
		if (site < 0) {
			unknown++;
			job_index++;
			continue;
		}
		gpus = _gpus_on(gpu_alloc, gpu_req, i, job_index);
		cpus = _cpus_on(job, i, job_index);
		job_index++;
		m->alloc_buf[count].node = site;
		m->alloc_buf[count].gpus =
		    gpus < 0 ? est_gpus : (uint16_t)MIN(gpus, UINT16_MAX);
		m->alloc_buf[count].cores = est_cores;
		node = node_record_table_ptr[i];
		cls = pb_site_class(m->site, pb_site_node_class(m->site, site));
		if (cpus && node && node->cpus)
			m->alloc_buf[count].cores =
			    _div_up((uint64_t)cpus * cls->cores, node->cpus);
		count++;
	}
	out->count = count;
	return unknown;
}
