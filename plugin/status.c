/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Status file writer (see status.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "plugin/compat.h"

#include "plugin/hooks.h"
#include "plugin/jobpower.h"
#include "plugin/reasons.h"
#include "plugin/learned.h"
#include "plugin/measured.h"
#include "plugin/capwin.h"
#include "plugin/curtail.h"
#include "plugin/status.h"

static pthread_t status_tid;
static pthread_mutex_t status_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t status_cond = PTHREAD_COND_INITIALIZER;
static bool status_running, status_stopping, status_dirty, status_restore;

extern void status_kick_reasons(void)
{
	slurm_mutex_lock(&status_mutex);
	/* Already kicked: the thread restores before it waits again. */
	if (!status_restore) {
		status_restore = true;
		pthread_cond_broadcast(&status_cond);
	}
	status_dirty = true;
	slurm_mutex_unlock(&status_mutex);
}

extern void status_mark_dirty(void)
{
	slurm_mutex_lock(&status_mutex);
	status_dirty = true;
	slurm_mutex_unlock(&status_mutex);
}

/*
 * Values are node, domain and config names or reason text: quote them
 * when they hold blanks, as Slurm does, and never let a newline through.
 */
static void _value(char **buf, char **pos, const char *s)
{
	bool quote = !s || !*s || strpbrk(s, " \t\"=#");

	if (quote)
		xstrcatat(*buf, pos, "\"");
	for (; s && *s; s++) {
		char c = (*s == '"' || *s == '\n' || *s == '\r') ? '\'' : *s;

		xstrfmtcatat(*buf, pos, "%c", c);
	}
	if (quote)
		xstrcatat(*buf, pos, "\"");
}

typedef struct {
	const model_t *m;
	char **buf;
	char **pos;
	pb_alloc_node_t *nodes;
	uint32_t max;
} job_walk_t;

static int _render_job(const pb_job_info_t *job, void *arg)
{
	job_walk_t *w = arg;
	int64_t n = pb_ledger_job_nodes(w->m->ledger, job->job_id, w->nodes,
					w->max);

	job_record_t *rec = find_job_record(job->job_id);
	pb_watts_t gpu_w = rec ? jobpower_hint(w->m, rec, NULL) : 0;

	xstrfmtcatat(*w->buf, w->pos,
		     "Job=%u Watts=%" PRId64 " GpuLimitW=%" PRId64
		     " Suspended=%s ExpectedEnd=%" PRId64 " Nodes=",
		     job->job_id, job->watts, gpu_w,
		     job->suspended ? "yes" : "no",
		     job->expected_end == PB_TIME_NEVER ? -1 :
							  job->expected_end);
	for (int64_t i = 0; i < n && i < (int64_t) w->max; i++) {
		if (i)
			xstrcatat(*w->buf, w->pos, ",");
		_value(w->buf, w->pos,
		       pb_site_node_name(w->m->site, w->nodes[i].node));
	}
	xstrcatat(*w->buf, w->pos, "\n");
	return 0;
}

/*
 * A domain's cap now and its next change by a cap window; only for
 * domains some window applies to.
 */
static void _render_caps(const model_t *m, uint32_t d, int64_t now,
			 char **buf, char **pos)
{
	const char *win = capwin_at(m, d, now);
	int64_t at = -1;
	pb_watts_t next = 0;

	if (pb_ledger_next_cap(m->ledger, d, now, &at, &next) && !win)
		return;
	xstrfmtcatat(*buf, pos, " CapNowW=%" PRId64 " CapWindow=",
		     pb_ledger_cap_at(m->ledger, d, now));
	_value(buf, pos, win ? win : "-");
	xstrfmtcatat(*buf, pos, " NextCapAt=%" PRId64 " NextCapW=%" PRId64
		     " NextCapWindow=", at, at < 0 ? 0 : next);
	win = at < 0 ? NULL : capwin_at(m, d, at);
	_value(buf, pos, win ? win : "-");
}

extern char *status_render(const model_t *m)
{
	const pb_site_t *s = m->site;
	const pb_facility_t *fac = pb_site_facility(s);
	int64_t now = time(NULL);
	char *buf = NULL, *pos = NULL;
	job_walk_t walk = { 0 };

	xstrfmtcatat(buf, &pos,
		     "# powerbudget ledger status, format 1; see pb-status(1)\n"
		     "Status=1 Generated=%" PRId64 " Config=", now);
	_value(&buf, &pos, m->path);
	xstrfmtcatat(buf, &pos,
		     "\nFacility=%s PUEMilli=%u CoolingW=%" PRId64
		     " ReservePPM=%u\n",
		     pb_site_domain_name(s, pb_site_root(s)), fac->pue_milli,
		     fac->cooling_w, fac->reserve_ppm);
	for (uint32_t d = 0; d < pb_site_domain_count(s); d++) {
		int32_t parent = pb_site_domain_parent(s, d);

		xstrcatat(buf, &pos, "Domain=");
		_value(&buf, &pos, pb_site_domain_name(s, d));
		xstrcatat(buf, &pos, " Parent=");
		_value(&buf, &pos,
		       parent < 0 ? "-" : pb_site_domain_name(s, parent));
		xstrfmtcatat(buf, &pos,
			     " CapW=%" PRId64 " LimitW=%" PRId64
			     " CommittedW=%" PRId64 " HeadroomW=%" PRId64
			     " ReservedW=%" PRId64 " UnmodelledW=%" PRId64,
			     pb_ledger_cap(m->ledger, d),
			     pb_ledger_limit(m->ledger, d),
			     pb_ledger_committed(m->ledger, d),
			     pb_ledger_headroom(m->ledger, d),
			     pb_ledger_reserved_at(m->ledger, d, now),
			     pb_ledger_unmodelled(m->ledger, d));
		_render_caps(m, d, now, &buf, &pos);
		xstrcatat(buf, &pos, "\n");
	}
	for (uint32_t n = 0; n < pb_site_node_count(s); n++) {
		xstrcatat(buf, &pos, "Node=");
		_value(&buf, &pos, pb_site_node_name(s, n));
		xstrcatat(buf, &pos, " Domain=");
		_value(&buf, &pos,
		       pb_site_domain_name(s, pb_site_node_domain(s, n)));
		xstrfmtcatat(buf, &pos, " Power=%s DrawW=%" PRId64 "\n",
			     pb_ledger_node_is_on(m->ledger, n) ? "on" : "off",
			     pb_ledger_node_draw(m->ledger, n));
	}
	walk.m = m;
	walk.buf = &buf;
	walk.pos = &pos;
	walk.max = pb_site_node_count(s);
	walk.nodes = xcalloc(MAX(walk.max, 1), sizeof(*walk.nodes));
	pb_ledger_foreach_job(m->ledger, _render_job, &walk);
	xfree(walk.nodes);
	for (int i = 0, n = reasons_count(); i < n; i++) {
		uint32_t job_id;
		const char *desc;

		if (reasons_get(i, &job_id, &desc))
			break;
		xstrfmtcatat(buf, &pos, "Held=%u Reason=", job_id);
		_value(&buf, &pos, desc);
		xstrcatat(buf, &pos, "\n");
	}
	curtail_render(m, &buf); /* last: it appends without pos */
	return buf;
}

extern char *status_path(const model_t *m)
{
	const char *configured = m->settings->status_file;

	if (configured && configured[0])
		return xstrdup(configured);
	return xstrdup_printf("%s/%s", slurm_conf.state_save_location,
			      STATUS_DEFAULT_NAME);
}

static void _write_file(const char *path, const char *text)
{
	char *tmp = xstrdup_printf("%s.tmp", path);
	size_t len = strlen(text);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		error("select/cons_tres_power: status file %s: %m", tmp);
		goto out;
	}
	if (write(fd, text, len) != (ssize_t) len) {
		error("select/cons_tres_power: writing %s: %m", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path))
		error("select/cons_tres_power: renaming %s to %s: %m", tmp,
		      path);
out:
	xfree(tmp);
}

static void *_status_thread(void *arg)
{
	slurmctld_lock_t read_lock = { .conf = READ_LOCK, .job = READ_LOCK,
				       .node = READ_LOCK };
	slurmctld_lock_t write_lock = { .job = WRITE_LOCK, .node = READ_LOCK };
	/* what job_suspend() and job_requeue() need, as their RPCs take */
	slurmctld_lock_t shed_lock = { .job = WRITE_LOCK, .node = WRITE_LOCK,
				       .fed = READ_LOCK };
	time_t last_write = 0, curtail_at = 0;

	(void) arg;
	for (;;) {
		struct timespec ts = { .tv_sec = time(NULL) + 1 };
		char *text = NULL, *path = NULL, *learned_text;
		bool dirty;

		slurm_mutex_lock(&status_mutex);
		if (!status_stopping && !status_restore)
			pthread_cond_timedwait(&status_cond, &status_mutex, &ts);
		status_restore = false;
		dirty = status_dirty;
		status_dirty = false;
		if (status_stopping) {
			slurm_mutex_unlock(&status_mutex);
			break;
		}
		slurm_mutex_unlock(&status_mutex);
		/*
		 * Rewritten at least once a minute, so a reader can tell a
		 * quiet ledger from a slurmctld that stopped writing.
		 */
		if (time(NULL) - last_write >= 60)
			dirty = true;
		/*
		 * The main scheduler resets the reason of the last job it
		 * tried after job_test returns. Kicked when a job is held, this
		 * thread waits here for the scheduler to release its locks and
		 * puts the reason back at once; otherwise once a second.
		 */
		measured_read();	/* file I/O, before the locks */
		lock_slurmctld(write_lock);
		hook_tick();
		unlock_slurmctld(write_lock);
		/*
		 * Kicks can run this loop many times a second; a curtailment
		 * needs the write locks of the whole scheduler, so once a
		 * second is its pace, never more.
		 */
		if (time(NULL) != curtail_at) {
			curtail_at = time(NULL);
			curtail_read();
			if (curtail_busy()) {
				lock_slurmctld(shed_lock);
				hook_curtail();
				unlock_slurmctld(shed_lock);
				curtail_save();
				dirty = true;
			}
		}
		if (!dirty)
			continue;

		lock_slurmctld(read_lock);
		hook_status_snapshot(&text, &path);
		learned_text = learned_snapshot();
		unlock_slurmctld(read_lock);
		learned_save(learned_text);
		if (text && path) {
			_write_file(path, text);
			last_write = time(NULL);
		}
		xfree(text);
		xfree(path);
	}
	return NULL;
}

extern void status_start(void)
{
	slurm_mutex_lock(&status_mutex);
	if (status_running) {
		slurm_mutex_unlock(&status_mutex);
		return;
	}
	status_running = true;
	status_stopping = false;
	status_dirty = true;
	slurm_mutex_unlock(&status_mutex);
	pb_thread_create("pb_status", &status_tid, _status_thread, NULL);
}

extern void status_stop(void)
{
	slurm_mutex_lock(&status_mutex);
	if (!status_running) {
		slurm_mutex_unlock(&status_mutex);
		return;
	}
	status_stopping = true;
	pthread_cond_broadcast(&status_cond);
	slurm_mutex_unlock(&status_mutex);
	pb_thread_join(status_tid);
	status_running = false;
}
