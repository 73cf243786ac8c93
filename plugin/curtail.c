/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Curtailment on command inside slurmctld (see curtail.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/compat.h"

#include "policy/curtail.h"
#include "topology/curtailfile.h"
#include "topology/lex.h"
#include "plugin/jobpower.h"
#include "plugin/ramplimit.h"
#include "plugin/curtail.h"

#define PLUGIN "select/cons_tres_power"

/* Ledger id of the curtailment's window: apart from CapWindow= ones. */
#define CURTAIL_ID 0xFE000000u
/* Shed jobs remembered at once; more are shed but not resumed by us. */
#define SHED_MAX 4096
/* A request file larger than this is not one pb-ctl wrote. */
#define REQ_MAX_BYTES 65536

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static char *req_path, *shed_path;

/* What the status thread last read (mtx). */
static pb_curtail_req_t pending;
static bool pending_on;
static uint64_t pending_gen;
static struct stat seen_st;
static bool seen_file;

/* In force (slurmctld's job lock). */
static pb_curtail_req_t req;
static bool req_on;
static uint64_t req_gen;
static int32_t req_domain = -1;
static const pb_ledger_t *synced;
static uint64_t synced_gen;
static bool window_held, ended_logged, met_logged;

/* Jobs shed (job lock); their text for curtail_save (mtx). */
static pb_curtail_shed_t shed[SHED_MAX];
static size_t n_shed;
static char *shed_text;
static bool shed_dirty;

static pb_watts_t *dom_w, *avail_w; /* [domains], per model */
static uint32_t dom_n;

static void _fmt_t(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == PB_CURTAIL_NEVER)
		snprintf(buf, len, "pb-ctl restore");
	else if (!localtime_r(&tt, &tm) ||
		 !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, len, "%" PRId64, t);
}

/* ------------------------------------------------------------------ */
/* Files (status thread and start, no slurmctld lock)                  */

static char *_read_fd(int fd, size_t *len)
{
	char *buf = xmalloc(REQ_MAX_BYTES + 1);
	ssize_t r;

	*len = 0;
	while (*len < REQ_MAX_BYTES &&
	       (r = read(fd, buf + *len, REQ_MAX_BYTES - *len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			xfree(buf);
			return NULL;
		}
		*len += (size_t)r;
	}
	return buf;
}

static void _log_diag(const pb_diag_t *d)
{
	for (size_t i = 0; i < pb_diag_count(d); i++)
		error(PLUGIN ": %s", pb_diag_text(d, i));
}

/* Only root and SlurmUser may curtail; nobody else may write the file. */
static bool _trusted(const struct stat *st)
{
	if (!S_ISREG(st->st_mode)) {
		error(PLUGIN ": %s is not a regular file: ignored", req_path);
		return false;
	}
	if ((st->st_uid != 0 && st->st_uid != slurm_conf.slurm_user_id) ||
	    (st->st_mode & (S_IWGRP | S_IWOTH))) {
		error(
		    PLUGIN
		    ": %s is owned by uid %u with mode %03o: only a file of root or SlurmUser that no one else may write counts; ignored, the curtailment in force stays",
		    req_path, (unsigned)st->st_uid,
		    (unsigned)(st->st_mode & 0777));
		return false;
	}
	return true;
}

static bool _same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size && a->st_uid == b->st_uid &&
	       a->st_mode == b->st_mode &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void _adopt(const pb_curtail_req_t *r, bool on)
{
	char w[32], t1[32], t2[32];

	slurm_mutex_lock(&mtx);
	pending_on = on;
	if (on)
		pending = *r;
	pending_gen++;
	slurm_mutex_unlock(&mtx);
	if (!on) {
		info(PLUGIN ": %s removed: curtailment restored", req_path);
		return;
	}
	pb_fmt_power(r->target_w, w, sizeof(w));
	_fmt_t(r->deadline, t1, sizeof(t1));
	_fmt_t(r->until, t2, sizeof(t2));
	info(PLUGIN ": curtailment of %s to %s by %s until %s (asked by %s)",
	     r->domain, w, t1, t2, r->by);
}

static void _parse_request(int fd)
{
	pb_diag_t *d = pb_diag_create();
	pb_curtail_req_t r;
	size_t len;
	char *buf = _read_fd(fd, &len);

	if (!buf || !d)
		error(PLUGIN ": %s: cannot read: %m", req_path);
	else if (pb_curtail_parse(buf, len, req_path, &r, d)) {
		_log_diag(d);
		error(
		    PLUGIN
		    ": %s is not a valid request: the curtailment in force stays",
		    req_path);
	} else
		_adopt(&r, true);
	xfree(buf);
	pb_diag_destroy(d);
}

extern void curtail_read(void)
{
	struct stat st;
	int fd;

	if (!req_path)
		return;
	fd = open(req_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			error(PLUGIN ": %s: %m", req_path);
		else if (seen_file)
			_adopt(NULL, false);
		seen_file = false;
		return;
	}
	if (fstat(fd, &st) || (seen_file && _same_file(&st, &seen_st))) {
		close(fd);
		return;
	}
	seen_st = st;
	seen_file = true;
	if (_trusted(&st))
		_parse_request(fd);
	close(fd);
}

static void _load_shed(void)
{
	pb_diag_t *d = pb_diag_create();
	int fd = open(shed_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len;
	char *buf;

	if (fd < 0) {
		if (errno != ENOENT)
			error(PLUGIN ": %s: %m", shed_path);
		pb_diag_destroy(d);
		return;
	}
	if ((buf = _read_fd(fd, &len)) && d &&
	    pb_curtail_shed_parse(buf, len, shed_path, shed, SHED_MAX, &n_shed,
				  d))
		_log_diag(d);
	if (n_shed)
		info(
		    PLUGIN
		    ": %zu job(s) shed for a curtailment, to resume when they fit",
		    n_shed);
	xfree(buf);
	close(fd);
	pb_diag_destroy(d);
}

extern void curtail_save(void)
{
	char *text, *tmp;
	int fd;

	slurm_mutex_lock(&mtx);
	text = shed_dirty ? xstrdup(shed_text) : NULL;
	shed_dirty = false;
	slurm_mutex_unlock(&mtx);
	if (!text)
		return;
	tmp = xstrdup_printf("%s.new", shed_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd) || close(fd) || rename(tmp, shed_path)) {
		error(PLUGIN ": cannot write %s: %m", shed_path);
		if (fd >= 0)
			(void)close(fd);
		slurm_mutex_lock(&mtx);
		shed_dirty = true; /* try again */
		slurm_mutex_unlock(&mtx);
	}
	xfree(tmp);
	xfree(text);
}

extern void curtail_init(const char *state_dir)
{
	req_path = xstrdup_printf("%s/%s", state_dir, PB_CURTAIL_FILE_NAME);
	shed_path = xstrdup_printf("%s/%s", state_dir, PB_CURTAIL_SHED_NAME);
	_load_shed();
	curtail_read();
}

extern void curtail_fini(void)
{
	xfree(req_path);
	xfree(shed_path);
	xfree(shed_text);
	xfree(dom_w);
	xfree(avail_w);
	dom_n = 0;
	n_shed = 0;
	synced = NULL;
	seen_file = false;
}

/* ------------------------------------------------------------------ */
/* The window (job lock)                                               */

extern bool curtail_busy(void)
{
	bool busy;

	slurm_mutex_lock(&mtx);
	busy = pending_on || req_on || n_shed;
	slurm_mutex_unlock(&mtx);
	return busy;
}

extern void curtail_invalidate(void)
{
	synced = NULL;
	window_held = false;
}

static void _place_window(model_t *m, time_t now)
{
	pb_error_t err;
	pb_watts_t target = (pb_watts_t)floor(req.target_w);

	req_domain = pb_site_domain_by_name(m->site, req.domain);
	if (req_domain < 0) {
		error(
		    PLUGIN
		    ": curtailment of %s: no such domain or facility in %s; not in force",
		    req.domain, m->path);
		return;
	}
	if (pb_ledger_cap_window(m->ledger, CURTAIL_ID, (uint32_t)req_domain,
				 target, MIN(req.issued, (int64_t)now),
				 req.until == PB_CURTAIL_NEVER ? PB_TIME_NEVER
							       : req.until,
				 &err)) {
		error(PLUGIN ": curtailment of %s not planned with: %s",
		      req.domain, err.text);
		return;
	}
	window_held = true;
}

extern void curtail_sync(model_t *m, time_t now)
{
	bool want;

	slurm_mutex_lock(&mtx);
	if (pending_gen != req_gen) {
		req = pending;
		req_on = pending_on;
		req_gen = pending_gen;
		ended_logged = met_logged = false;
	}
	slurm_mutex_unlock(&mtx);
	want = req_on && (int64_t)now < req.until;
	if (req_on && !want && !ended_logged) {
		info(PLUGIN ": curtailment of %s ended at its Until=",
		     req.domain);
		ended_logged = true;
	}
	if (synced == m->ledger && synced_gen == req_gen && window_held == want)
		return;
	if (synced == m->ledger && window_held)
		pb_ledger_unreserve(m->ledger, CURTAIL_ID);
	window_held = false;
	synced = m->ledger;
	synced_gen = req_gen;
	if (want)
		_place_window(m, now);
	else
		req_domain = -1;
}

extern bool curtail_during(const model_t *m, int32_t domain, int64_t from,
			   int64_t to, pb_watts_t *target_w, int64_t *until)
{
	if (!window_held || synced != m->ledger || domain != req_domain ||
	    req.until <= from || MIN(req.issued, from) >= to)
		return false;
	*target_w = (pb_watts_t)floor(req.target_w);
	*until = req.until;
	return true;
}

/* ------------------------------------------------------------------ */
/* Shedding and resuming (job and node write locks)                    */

static void _scratch(const model_t *m)
{
	uint32_t n = pb_site_domain_count(m->site);

	if (dom_n == n)
		return;
	xfree(dom_w);
	xfree(avail_w);
	dom_w = xcalloc(n, sizeof(*dom_w));
	avail_w = xcalloc(n, sizeof(*avail_w));
	dom_n = n;
}

/* @job_id's increment in domain @d (0 if none there). */
static pb_watts_t _job_w(const model_t *m, uint32_t job_id, int32_t d)
{
	memset(dom_w, 0, dom_n * sizeof(*dom_w));
	if (pb_ledger_job_add(m->ledger, job_id, NULL, dom_w))
		return 0;
	return dom_w[d];
}

static ssize_t _shed_find(uint32_t job_id)
{
	for (size_t i = 0; i < n_shed; i++)
		if (shed[i].job_id == job_id)
			return (ssize_t)i;
	return -1;
}

static void _shed_changed(void)
{
	char *text = xstrdup("# jobs shed for a curtailment, see pb-ctl(8)\n");

	for (size_t i = 0; i < n_shed; i++)
		xstrfmtcat(text, "Shed=%u How=%s\n", shed[i].job_id,
			   shed[i].requeued ? "requeue" : "suspend");
	slurm_mutex_lock(&mtx);
	xfree(shed_text);
	shed_text = text;
	shed_dirty = true;
	slurm_mutex_unlock(&mtx);
}

static void _shed_remove(size_t i)
{
	memmove(&shed[i], &shed[i + 1], (n_shed - i - 1) * sizeof(*shed));
	n_shed--;
}

/* Forget jobs that resumed, ended, or (requeued) gave their power back. */
static bool _shed_sweep(const model_t *m)
{
	bool changed = false;

	for (size_t i = n_shed; i-- > 0;) {
		job_record_t *job = find_job_record(shed[i].job_id);
		pb_job_info_t info;
		bool keep =
		    job &&
		    (shed[i].requeued
			 ? !pb_ledger_job_info(m->ledger, job->job_id, &info)
			 : IS_JOB_SUSPENDED(job));

		if (!keep) {
			_shed_remove(i);
			changed = true;
		}
	}
	return changed;
}

static uint32_t _rank(const model_t *m, const job_record_t *job)
{
	const pb_conf_curtail_t *c = &m->settings->curtail;

	for (uint32_t i = 0; i < c->n_order; i++) {
		const char *name =
		    c->order[i].qos
			? (job->qos_ptr ? job->qos_ptr->name : NULL)
			: (job->part_ptr ? job->part_ptr->name : NULL);

		if (name && !strcmp(name, c->order[i].name))
			return i;
	}
	return c->n_order;
}

typedef struct {
	const model_t *m;
	int64_t deadline;
	pb_watts_t load;
	pb_curtail_job_t *cand;
	uint32_t n, max;
} shed_ctx_t;

/* Sort one running job into "gone by the deadline" or a candidate. */
static int _consider(const pb_job_info_t *info, void *arg)
{
	shed_ctx_t *x = arg;
	pb_watts_t w;
	job_record_t *job;
	ssize_t s;

	if (info->suspended ||
	    (w = _job_w(x->m, info->job_id, req_domain)) <= 0)
		return 0;
	s = _shed_find(info->job_id);
	if (s >= 0 || info->expected_end <= x->deadline) {
		x->load -= w; /* requeued and leaving, or ends by then */
		return 0;
	}
	job = find_job_record(info->job_id);
	if (!job || !IS_JOB_RUNNING(job) || x->n == x->max)
		return 0;
	x->cand[x->n++] = (pb_curtail_job_t){.job_id = job->job_id,
					     .rank = _rank(x->m, job),
					     .priority = job->priority,
					     .start = job->start_time,
					     .watts = w};
	return 0;
}

static bool _requeueable(const job_record_t *job)
{
	return job->batch_flag && job->details && job->details->requeue > 0;
}

static void _shed_one(const model_t *m, const pb_curtail_job_t *c)
{
	job_record_t *job = find_job_record(c->job_id);
	bool requeue = m->settings->curtail.shed == PB_CONF_SHED_REQUEUE &&
		       _requeueable(job);
	char w[32], tw[32], dl[32];
	int rc;

	pb_fmt_power((double)c->watts, w, sizeof(w));
	pb_fmt_power(req.target_w, tw, sizeof(tw));
	_fmt_t(req.deadline, dl, sizeof(dl));
	if (requeue && (rc = pb_job_requeue(job))) {
		error(PLUGIN
		      ": curtailment: cannot requeue %pJ (%s); suspending it",
		      job, slurm_strerror(rc));
		requeue = false;
	}
	if (!requeue && (rc = pb_job_suspend_op(job, SUSPEND_JOB))) {
		error(PLUGIN ": curtailment of %s: cannot suspend %pJ: %s",
		      req.domain, job, slurm_strerror(rc));
		return;
	}
	info(
	    PLUGIN
	    ": curtailment of %s to %s by %s: %s %pJ (priority %u, %s in %s after the deadline)",
	    req.domain, tw, dl, requeue ? "requeued" : "suspended", job,
	    c->priority, w, req.domain);
	if (n_shed == SHED_MAX) {
		error(
		    PLUGIN
		    ": more than %d shed jobs: %pJ is not resumed by the plugin; resume it with scontrol",
		    SHED_MAX, job);
		return;
	}
	shed[n_shed++] = (pb_curtail_shed_t){c->job_id, requeue};
}

/* The IT watts the domain may commit under the target (as limit(d)). */
static pb_watts_t _target_limit(const model_t *m)
{
	return pb_site_it_limit(m->site, req_domain,
				(pb_watts_t)floor(req.target_w)) -
	       pb_ledger_unmodelled(m->ledger, req_domain);
}

static bool _shed_for_deadline(model_t *m, time_t now)
{
	int64_t deadline = MAX(req.deadline, (int64_t)now);
	pb_watts_t limit = _target_limit(m);
	shed_ctx_t x = {
	    m,	  deadline, pb_ledger_committed(m->ledger, req_domain),
	    NULL, 0,	    pb_ledger_job_count(m->ledger)};
	pb_watts_t need;
	size_t before = n_shed;

	x.cand = xcalloc(MAX(x.max, 1), sizeof(*x.cand));
	pb_ledger_foreach_job(m->ledger, _consider, &x);
	need = x.load - limit;
	if (need > 0) {
		pb_curtail_pick(x.cand, x.n, need);
		for (uint32_t i = 0; i < x.n; i++)
			if (x.cand[i].shed)
				_shed_one(m, &x.cand[i]);
	} else if ((int64_t)now >= req.deadline && !met_logged) {
		info(PLUGIN ": curtailment of %s met: %" PRId64
			    " W IT committed of %" PRId64 " W allowed",
		     req.domain, pb_ledger_committed(m->ledger, req_domain),
		     limit);
		met_logged = true;
	}
	xfree(x.cand);
	return n_shed != before;
}

/* Would resuming @job keep every domain it draws from within its caps? */
static bool _fits(model_t *m, job_record_t *job, time_t now)
{
	int64_t n = pb_ledger_job_nodes(m->ledger, job->job_id, m->alloc_buf,
					pb_site_node_count(m->site));
	pb_alloc_t alloc = {m->alloc_buf, 0, 0, PB_HINT_EVERYWHERE};
	ramplimit_verdict_t rv;

	if (n <= 0)
		return false;
	alloc.count = (uint32_t)n;
	memset(dom_w, 0, dom_n * sizeof(*dom_w));
	if (pb_ledger_job_add(m->ledger, job->job_id, NULL, dom_w))
		return false;
	/* its power is held while it is suspended: already in the load */
	pb_ledger_window_avail(m->ledger, now, jobpower_end(job, now), avail_w);
	for (uint32_t d = 0; d < dom_n; d++)
		if (dom_w[d] > 0 && avail_w[d] < 0)
			return false;
	return ramplimit_check(m, job, &alloc, now, false, &rv) == 0;
}

/* Resume suspended shed jobs that fit, highest priority first. */
static bool _resume_fitting(model_t *m, time_t now)
{
	bool changed = false;

	for (size_t i = n_shed; i-- > 0;) {
		job_record_t *job = find_job_record(shed[i].job_id);
		int rc;

		if (shed[i].requeued || !job || !IS_JOB_SUSPENDED(job) ||
		    !_fits(m, job, now))
			continue;
		if ((rc = pb_job_suspend_op(job, RESUME_JOB))) {
			error(PLUGIN
			      ": cannot resume %pJ after its curtailment: %s",
			      job, slurm_strerror(rc));
			continue;
		}
		info(
		    PLUGIN
		    ": resumed %pJ, shed for a curtailment: it fits the caps again",
		    job);
		_shed_remove(i);
		changed = true;
	}
	return changed;
}

extern void curtail_tick(model_t *m, time_t now)
{
	bool changed;

	_scratch(m);
	curtail_sync(m, now);
	changed = _shed_sweep(m);
	if (window_held &&
	    (int64_t)now >= req.deadline - (int64_t)m->settings->curtail.lead_s)
		changed |= _shed_for_deadline(m, now);
	changed |= _resume_fitting(m, now);
	if (changed)
		_shed_changed();
}

extern void curtail_render(const model_t *m, char **buf)
{
	int64_t now = time(NULL);
	const char *state;
	pb_watts_t limit = 0;
	char until[32];

	if (req_on && window_held && synced == m->ledger && req_domain >= 0) {
		limit = _target_limit(m);
		if (pb_ledger_committed(m->ledger, req_domain) <= limit)
			state = "met";
		else if (now <
			 req.deadline - (int64_t)m->settings->curtail.lead_s)
			state = "announced";
		else if (now < req.deadline)
			state = "shedding";
		else
			state = "over";
		if (req.until == PB_CURTAIL_NEVER)
			snprintf(until, sizeof(until), "never");
		else
			snprintf(until, sizeof(until), "%" PRId64, req.until);
		xstrfmtcat(
		    *buf,
		    "Curtail=%s TargetW=%.0f Issued=%" PRId64
		    " Deadline=%" PRId64 " Until=%s State=%s"
		    " CommittedW=%" PRId64 " AllowedW=%" PRId64 " By=%s\n",
		    req.domain, req.target_w, req.issued, req.deadline, until,
		    state, pb_ledger_committed(m->ledger, req_domain), limit,
		    req.by[0] ? req.by : "-");
	}
	for (size_t i = 0; i < n_shed; i++)
		xstrfmtcat(*buf, "Shed=%u How=%s\n", shed[i].job_id,
			   shed[i].requeued ? "requeue" : "suspend");
}
