/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The power policy's life cycle inside slurmctld: loads the model (and
 * falls back to the last good one), keeps the ledger in step with the
 * jobs and nodes slurmctld knows, and brings it up to date before each
 * job_test, whose decision by mode is jobtest.c's (see hooks.h and DESIGN
 * "Placement semantics").
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
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/held.h"
#include "plugin/holdtext.h"
#include "plugin/kick.h"
#include "plugin/hooks.h"
#include "plugin/jobcost.h"
#include "plugin/jobpower.h"
#include "plugin/jobtest.h"
#include "plugin/lastgood.h"
#include "plugin/learned.h"
#include "plugin/limits.h"
#include "plugin/measured.h"
#include "plugin/model.h"
#include "plugin/capwin.h"
#include "plugin/curtail.h"
#include "plugin/ramplimit.h"
#include "plugin/reasons.h"
#include "plugin/status.h"

#define PLUGIN "select/cons_tres_power"
#define CONF_NAME "power_budget.conf"

static model_t *model;
static bool trace;
static time_t nodes_seen;  /* last_node_update the power states match */
static bool ramp_due;	   /* a new model: set its ramps up at next test */
static time_t measured_at; /* when readings were last applied */

static void _rebuild(void);
static void _suspend(job_record_t *job);

#define TRACE(fmt, ...) MODEL_TRACE(trace, fmt, ##__VA_ARGS__)

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

/* Committed power changed: tell the ramps (once the model's are set up). */
static void _ramp_note(void)
{
	if (!ramp_due)
		ramplimit_note(model, time(NULL));
}

/* ------------------------------------------------------------------ */
/* job_test                                                             */

/*
 * Upkeep due before any decision: the ledger rebuilt if a restart or
 * reconfigure left that due, cap windows, curtailments, held power and
 * node power states brought up to now. Not the reasons slurmctld
 * overwrote: no client reads them while the scheduler holds the job lock,
 * and the tick, kicked by each hold, puts them back once it lets go (one
 * pass over every held job per job_test was a sixth of the policy's
 * cost).
 */
static void _before_decision(void)
{
	_rebuild();
	capwin_sync(model, time(NULL));
	curtail_sync(model, time(NULL));
	held_sweep(model);
	_sync_node_power();
	if (ramp_due) {
		/* after the rebuild: the ramps start from the running jobs */
		ramplimit_configure(model, time(NULL));
		ramp_due = false;
	}
	_ramp_note();
}

static int _job_test(const jobtest_args_t *a)
{
	if (model && !model->placer && a->mode == SELECT_MODE_RUN_NOW)
		return ESLURM_NODES_BUSY; /* no valid model: start nothing */
	if (!model || !model->placer)
		return jobtest_cons_tres(a);
	_before_decision();
	return jobtest_run(model, a);
}

extern int hook_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			 uint32_t min_nodes, uint32_t max_nodes,
			 uint32_t req_nodes, uint16_t mode,
			 List preemptee_candidates, List *preemptee_job_list,
			 const pb_job_test_tail_t *tail)
{
	jobtest_args_t a = {
	    .job = job_ptr,
	    .bitmap = bitmap,
	    .min_nodes = min_nodes,
	    .max_nodes = max_nodes,
	    .req_nodes = req_nodes,
	    .mode = mode,
	    .preemptee_candidates = preemptee_candidates,
	    .preemptee_job_list = preemptee_job_list,
	    .tail = tail,
	};
	jobcost_mark_t at = jobcost_begin(mode & SELECT_MODE_BASE);
	int rc = _job_test(&a);

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
	char w1[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN],
	    w3[HOLDTEXT_WATTS_LEN];

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
	    alloc.gpu_watts_hint ? holdtext_watts(alloc.gpu_watts_hint, w3)
				 : "full draw",
	    alloc.hint_scope == PB_HINT_WHERE_ENFORCED
		? " where a GPU limit enforces it"
		: "",
	    holdtext_watts(pb_ledger_committed(model->ledger, root), w1),
	    holdtext_watts(pb_ledger_limit(model->ledger, root), w2));
}

extern void hook_job_begin(job_record_t *job_ptr)
{
	pb_watts_t chosen_w;

	if (!model)
		return;
	if (!jobtest_has_resources(job_ptr)) {
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
	char w[HOLDTEXT_WATTS_LEN];

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
		    holdtext_watts(-pb_ledger_headroom(model->ledger, root),
				   w));
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
	char w1[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN];

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
	    jobs, holdtext_watts(pb_ledger_committed(model->ledger, root), w1),
	    holdtext_watts(pb_ledger_limit(model->ledger, root), w2));
	if (pb_ledger_headroom(model->ledger, root) < 0)
		error(
		    PLUGIN
		    ": running jobs exceed the facility power limit by %s; no job starts until they end",
		    holdtext_watts(-pb_ledger_headroom(model->ledger, root),
				   w1));
	kick_dirty();
	_verify("rebuilding from the running jobs");
}

extern void hook_job_init(List jobs)
{
	rebuild_from = jobs;
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
	char w[HOLDTEXT_WATTS_LEN];

	held_drop_all(model);
	capwin_invalidate();
	curtail_invalidate();
	ramp_due = true;
	model_free(model);
	model = m;
	measured_configure(m);
	trace = m->settings->debug_trace;
	jobtest_configure(m);
	info(PLUGIN
	     ": %s: %u node(s), %u power domain(s), facility limit %s IT%s",
	     m->path, pb_site_node_count(m->site),
	     pb_site_domain_count(m->site),
	     holdtext_watts(pb_ledger_limit(m->ledger, root), w),
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
	jobtest_fini();
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
	jobtest_configure(model);
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
