/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Status file writer (see status.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "plugin/jobpower.h"
#include "plugin/reasons.h"
#include "plugin/capwin.h"
#include "plugin/curtail.h"
#include "plugin/status.h"

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
	int64_t n =
	    pb_ledger_job_nodes(w->m->ledger, job->job_id, w->nodes, w->max);

	job_record_t *rec = find_job_record(job->job_id);
	pb_watts_t gpu_w = rec ? jobpower_hint(w->m, rec, NULL) : 0;

	xstrfmtcatat(
	    *w->buf, w->pos,
	    "Job=%u Watts=%" PRId64 " GpuLimitW=%" PRId64
	    " Suspended=%s ExpectedEnd=%" PRId64 " Nodes=",
	    job->job_id, job->watts, gpu_w, job->suspended ? "yes" : "no",
	    job->expected_end == PB_TIME_NEVER ? -1 : job->expected_end);
	for (int64_t i = 0; i < n && i < (int64_t)w->max; i++) {
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
static void _render_caps(const model_t *m, uint32_t d, int64_t now, char **buf,
			 char **pos)
{
	const char *win = capwin_at(m, d, now);
	int64_t at = -1;
	pb_watts_t next = 0;

	if (pb_ledger_next_cap(m->ledger, d, now, &at, &next) && !win)
		return;
	xstrfmtcatat(*buf, pos, " CapNowW=%" PRId64 " CapWindow=",
		     pb_ledger_cap_at(m->ledger, d, now));
	_value(buf, pos, win ? win : "-");
	xstrfmtcatat(
	    *buf, pos,
	    " NextCapAt=%" PRId64 " NextCapW=%" PRId64 " NextCapWindow=", at,
	    at < 0 ? 0 : next);
	win = at < 0 ? NULL : capwin_at(m, d, at);
	_value(buf, pos, win ? win : "-");
}

extern char *status_render(const model_t *m)
{
	const pb_site_t *s = m->site;
	const pb_facility_t *fac = pb_site_facility(s);
	int64_t now = time(NULL);
	char *buf = NULL, *pos = NULL;
	job_walk_t walk = {0};

	xstrfmtcatat(buf, &pos,
		     "# powerbudget ledger status, format 1; see pb-status(1)\n"
		     "Status=1 Generated=%" PRId64 " Config=",
		     now);
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

extern void status_write(const char *path, const char *text)
{
	char *tmp = xstrdup_printf("%s.tmp", path);
	size_t len = strlen(text);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		error("select/cons_tres_power: status file %s: %m", tmp);
		goto out;
	}
	if (write(fd, text, len) != (ssize_t)len) {
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
