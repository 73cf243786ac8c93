/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.c - table and JSON views of the status (see render.h).
 *
 * Both views walk the same subtree in the same order (depth first, children
 * as the file lists them, which is the order of power_budget.conf), so a
 * script reading the JSON and an admin reading the table see one thing.
 */
#include "tools/pb_status/render.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* build.h's stand-in for Cap=unlimited is 1 PW. */
#define RENDER_UNLIMITED_W 1000000000000000LL
#define RENDER_NAME_MAX 40

/* Per-domain figures derived once for both views. */
typedef struct {
	const pb_status_t *s;
	const pb_render_opts_t *o;
	long focus;
	size_t *nodes, *nodes_on;    /* per domain, at or under it */
	pb_status_holder_t *holders; /* top per domain */
	unsigned *n_holders;
	int name_w; /* table: width of the tree column */
} view_t;

void pb_render_watts(int64_t w, char *buf, size_t len)
{
	static const char *unit[] = {"W", "kW", "MW", "GW", "TW"};
	double v = (double)(w < 0 ? -w : w);
	int u = 0;

	if (w >= RENDER_UNLIMITED_W) {
		snprintf(buf, len, "unlimited");
		return;
	}
	/* step up while the rounded value would need a 4th digit */
	while (u < 4 && v >= 999.5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%s%.*f %s", w < 0 ? "-" : "",
		 (u == 0 || v >= 99.95) ? 0
		 : v >= 9.995		? 1
					: 2,
		 v, unit[u]);
	/* "1.50 kW" -> "1.5 kW", "2.00 MW" -> "2 MW" */
	{
		char *dot = strchr(buf, '.'), *sp = strchr(buf, ' ');

		if (dot && sp && dot < sp) {
			char *e = sp;

			while (e[-1] == '0')
				e--;
			if (e[-1] == '.')
				e--;
			memmove(e, sp, strlen(sp) + 1);
		}
	}
}

void pb_render_age(int64_t t, char *buf, size_t len)
{
	if (t < 0) /* the writer's clock is ahead of ours */
		t = 0;
	if (t < 120)
		snprintf(buf, len, "%" PRId64 " s", t);
	else if (t < 7200)
		snprintf(buf, len, "%" PRId64 " min", t / 60);
	else if (t < 2 * 86400)
		snprintf(buf, len, "%.1f h", t / 3600.0);
	else
		snprintf(buf, len, "%.1f d", t / 86400.0);
}

bool pb_render_stale(const pb_status_t *s, const pb_render_opts_t *o)
{
	return o->max_age > 0 && o->now - s->generated > o->max_age;
}

static bool _shown(const view_t *v, long d, unsigned *level)
{
	unsigned l = 0;

	for (long a = d; a >= 0; a = v->s->domains[a].parent, l++)
		if (a == v->focus) {
			*level = l;
			return !v->o->depth || l <= v->o->depth;
		}
	return false;
}

static void _view_free(view_t *v)
{
	free(v->nodes);
	free(v->nodes_on);
	free(v->holders);
	free(v->n_holders);
}

static int _view_init(view_t *v, const pb_status_t *s,
		      const pb_render_opts_t *o)
{
	size_t nd = s->n_domains ? s->n_domains : 1;
	unsigned top = o->top ? o->top : 1;

	memset(v, 0, sizeof(*v));
	v->s = s;
	v->o = o;
	v->focus = o->focus >= 0 ? o->focus : s->root;
	v->nodes = calloc(nd, sizeof(*v->nodes));
	v->nodes_on = calloc(nd, sizeof(*v->nodes_on));
	v->holders = calloc(nd * top, sizeof(*v->holders));
	v->n_holders = calloc(nd, sizeof(*v->n_holders));
	if (!v->nodes || !v->nodes_on || !v->holders || !v->n_holders ||
	    pb_status_top_holders(s, o->top, v->holders, v->n_holders)) {
		_view_free(v);
		return -1;
	}
	for (size_t i = 0; i < s->n_nodes; i++) {
		long d = s->nodes[i].domain;

		for (size_t k = 0; d >= 0 && k < s->n_domains;
		     k++, d = s->domains[d].parent) {
			v->nodes[d]++;
			v->nodes_on[d] += s->nodes[i].on;
		}
	}
	v->name_w = 6;
	for (size_t i = 0; i < s->n_domains; i++) {
		unsigned level;
		int w;

		if (!_shown(v, (long)i, &level))
			continue;
		w = (int)(3 * level + strlen(s->domains[i].name));
		if (w > v->name_w)
			v->name_w = w > RENDER_NAME_MAX ? RENDER_NAME_MAX : w;
	}
	return 0;
}

/* Share of the limit in use, in tenths of a percent (rounding down). */
static int64_t _used_permille(const pb_status_domain_t *dm)
{
	if (dm->limit_w <= 0)
		return dm->committed_w > 0 ? 1000 : 0;
	return dm->committed_w * 1000 / dm->limit_w;
}

static bool _held_shown(const view_t *v, const pb_status_held_t *h)
{
	unsigned level;

	/* a reason naming no domain (no powered nodes) concerns everyone */
	return h->domain < 0 || _shown(v, h->domain, &level) ||
	       v->focus == v->s->root;
}

/* ---- table ---- */

typedef struct {
	char cap[24], limit[24], comm[24], head[24], resv[24], used[24];
} cells_t;

static void _cells(const pb_status_domain_t *dm, cells_t *c)
{
	int64_t pm = _used_permille(dm);

	pb_render_watts(dm->cap_w, c->cap, sizeof(c->cap));
	pb_render_watts(dm->limit_w, c->limit, sizeof(c->limit));
	pb_render_watts(dm->committed_w, c->comm, sizeof(c->comm));
	pb_render_watts(dm->headroom_w, c->head, sizeof(c->head));
	pb_render_watts(dm->reserved_w, c->resv, sizeof(c->resv));
	snprintf(c->used, sizeof(c->used), "%" PRId64 "%%", pm / 10);
}

/* The tree prefix: "|  " for open ancestors, then "|- " or "`- ". */
static void _prefix(const view_t *v, long d, unsigned level, char *buf,
		    size_t len)
{
	size_t at = level * 3;

	if (at + 1 > len)
		at = len - 1;
	memset(buf, ' ', at);
	buf[at] = '\0';
	for (unsigned l = level; l > 0 && d >= 0; l--) {
		long p = v->s->domains[d].parent;
		const pb_status_domain_t *pd = &v->s->domains[p];
		bool last = pd->children[pd->n_children - 1] == d;
		size_t col = (l - 1) * 3;

		if (col + 2 < len) {
			if (l == level) {
				buf[col] = last ? '`' : '|';
				buf[col + 1] = '-';
			} else if (!last) {
				buf[col] = '|';
			}
		}
		d = p;
	}
}

static void _table_domain(const view_t *v, long d, unsigned level, FILE *out)
{
	const pb_status_domain_t *dm = &v->s->domains[d];
	unsigned top = v->o->top;
	char pre[3 * 64 + 1], name[3 * 64 + 256], w[24];
	cells_t c;

	if (v->o->depth && level > v->o->depth)
		return;
	_prefix(v, d, level, pre, sizeof(pre));
	snprintf(name, sizeof(name), "%s%s", pre, dm->name);
	_cells(dm, &c);
	fprintf(out, "%-*s %9s %9s %9s %9s %5s %9s %7zu/%-7zu", v->name_w, name,
		c.cap, c.limit, c.comm, c.head, c.used, c.resv, v->nodes_on[d],
		v->nodes[d]);
	for (unsigned i = 0; i < v->n_holders[d]; i++) {
		const pb_status_holder_t *h = &v->holders[(size_t)d * top + i];

		pb_render_watts(h->watts, w, sizeof(w));
		fprintf(out, "%s%" PRIu32 " (%s)", i ? ", " : " ", h->job, w);
	}
	fputc('\n', out);
	for (size_t i = 0; i < dm->n_children; i++)
		_table_domain(v, dm->children[i], level + 1, out);
}

static void _table_header(const view_t *v, FILE *out)
{
	const pb_status_t *s = v->s;
	char when[64], age[32], cool[24];
	time_t t = (time_t)s->generated;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(when, sizeof(when), "%" PRId64, s->generated);
	pb_render_age(v->o->now - s->generated, age, sizeof(age));
	fprintf(out, "Status file %s, written %s (%s ago)%s\n", s->file, when,
		age, pb_render_stale(s, v->o) ? " STALE" : "");
	if (s->config)
		fprintf(out, "Config %s\n", s->config);
	if (s->cooling_w > 0)
		pb_render_watts(s->cooling_w, cool, sizeof(cool));
	else
		snprintf(cool, sizeof(cool), "not modelled");
	fprintf(out, "Facility %s: PUE %.2f, cooling %s, reserve %.1f%%\n\n",
		s->facility ? s->facility : "?", s->pue_milli / 1000.0, cool,
		s->reserve_ppm / 10000.0);
	fprintf(out, "%-*s %9s %9s %9s %9s %5s %9s %15s %s\n", v->name_w,
		"DOMAIN", "CAP", "LIMIT", "COMMITTED", "HEADROOM", "USED",
		"RESERVED", "NODES ON/ALL  ", "LARGEST HOLDERS (JOB)");
}

static void _table_held(const view_t *v, FILE *out)
{
	const pb_status_t *s = v->s;
	size_t n = 0;
	char w[24];

	for (size_t i = 0; i < s->n_held; i++)
		n += _held_shown(v, &s->held[i]);
	fprintf(out, "\nJobs held by power: %zu\n", n);
	if (!n)
		return;
	fprintf(out, "%10s %9s  %s\n", "JOB", "SHORT", "REASON");
	for (size_t i = 0; i < s->n_held; i++) {
		const pb_status_held_t *h = &s->held[i];

		if (!_held_shown(v, h))
			continue;
		if (h->short_w >= 0)
			pb_render_watts(h->short_w, w, sizeof(w));
		else
			snprintf(w, sizeof(w), "-");
		fprintf(out, "%10" PRIu32 " %9s  %s\n", h->id, w, h->reason);
	}
}

/* Local time for cap changes: windows are set in local time. */
static void _local(int64_t at, char *buf, size_t len)
{
	time_t t = (time_t)at;
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(buf, len, "%Y-%m-%d %H:%M %Z", &tm);
	else
		snprintf(buf, len, "%" PRId64, at);
}

/* One line per domain that cap windows apply to: its cap now and next. */
static void _table_caps(const view_t *v, FILE *out)
{
	const pb_status_t *s = v->s;
	bool any = false;
	char now[24], next[24], when[64];

	for (size_t i = 0; i < s->n_domains; i++) {
		const pb_status_domain_t *dm = &s->domains[i];

		if (!dm->has_caps || !_shown(v, (long)i, &(unsigned){0}))
			continue;
		if (!any)
			fprintf(out, "\nCap windows:\n");
		any = true;
		pb_render_watts(dm->cap_now_w, now, sizeof(now));
		fprintf(out, "  %s: cap %s now%s%s%s", dm->name, now,
			dm->window ? " (CapWindow " : "",
			dm->window ? dm->window : "", dm->window ? ")" : "");
		if (dm->next_cap_at >= 0) {
			pb_render_watts(dm->next_cap_w, next, sizeof(next));
			_local(dm->next_cap_at, when, sizeof(when));
			fprintf(out, "; %s from %s%s%s%s", next, when,
				dm->next_window ? " (CapWindow " : "",
				dm->next_window ? dm->next_window : "",
				dm->next_window ? ")" : "");
		}
		fputc('\n', out);
	}
}

/* The curtailment in force (pb-ctl(8)), if any. */
static void _table_curtail(const pb_status_t *s, FILE *out)
{
	char tw[24], cw[24], aw[24], dl[64], un[64];

	if (!s->curtail_domain)
		return;
	pb_render_watts(s->curtail_target_w, tw, sizeof(tw));
	pb_render_watts(s->curtail_committed_w, cw, sizeof(cw));
	pb_render_watts(s->curtail_allowed_w, aw, sizeof(aw));
	_local(s->curtail_deadline, dl, sizeof(dl));
	if (s->curtail_until == INT64_MAX)
		snprintf(un, sizeof(un), "pb-ctl restore");
	else
		_local(s->curtail_until, un, sizeof(un));
	fprintf(out,
		"\nCurtailment: %s to %s by %s, until %s (asked by %s)\n"
		"  %s: %s IT committed of %s allowed; %zu job(s) shed\n",
		s->curtail_domain, tw, dl, un,
		s->curtail_by ? s->curtail_by : "-",
		s->curtail_state ? s->curtail_state : "?", cw, aw, s->n_shed);
}

int pb_render_table(const pb_status_t *s, const pb_render_opts_t *o, FILE *out)
{
	view_t v;

	if (_view_init(&v, s, o))
		return -1;
	_table_header(&v, out);
	if (v.focus >= 0)
		_table_domain(&v, v.focus, 0, out);
	_table_caps(&v, out);
	_table_curtail(s, out);
	_table_held(&v, out);
	_view_free(&v);
	return ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

static void _json_str(const char *str, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)str; p && *p;
	     p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void _json_domain(const view_t *v, long d, unsigned level, bool *first,
			 FILE *out)
{
	const pb_status_t *s = v->s;
	const pb_status_domain_t *dm = &s->domains[d];
	int64_t pm = _used_permille(dm);

	if (v->o->depth && level > v->o->depth)
		return;
	fprintf(out, "%s\n    {\"name\": ", *first ? "" : ",");
	*first = false;
	_json_str(dm->name, out);
	fprintf(out, ", \"parent\": ");
	if (dm->parent_name)
		_json_str(dm->parent_name, out);
	else
		fprintf(out, "null");
	fprintf(out,
		", \"level\": %u, \"cap_w\": %" PRId64 ", \"limit_w\": %" PRId64
		", \"committed_w\": %" PRId64 ", \"headroom_w\": %" PRId64
		", \"reserved_w\": %" PRId64 ", \"unmodelled_w\": %" PRId64
		", \"used_pct\": %" PRId64 ".%" PRId64
		", \"cap_now_w\": %" PRId64 ", \"next_cap_at\": %" PRId64
		", \"next_cap_w\": %" PRId64
		", \"nodes\": %zu, \"nodes_on\": %zu, \"holders\": [",
		level, dm->cap_w, dm->limit_w, dm->committed_w, dm->headroom_w,
		dm->reserved_w, dm->unmodelled_w, pm / 10, pm % 10,
		dm->cap_now_w, dm->next_cap_at,
		dm->next_cap_at >= 0 ? dm->next_cap_w : dm->cap_now_w,
		v->nodes[d], v->nodes_on[d]);
	for (unsigned i = 0; i < v->n_holders[d]; i++) {
		const pb_status_holder_t *h =
		    &v->holders[(size_t)d * v->o->top + i];

		fprintf(out,
			"%s{\"job\": %" PRIu32 ", \"watts\": %" PRId64
			", \"nodes\": %zu}",
			i ? ", " : "", h->job, h->watts, h->nodes);
	}
	fprintf(out, "]}");
	for (size_t i = 0; i < dm->n_children; i++)
		_json_domain(v, dm->children[i], level + 1, first, out);
}

static bool _job_shown(const view_t *v, const pb_status_job_t *j)
{
	unsigned level;

	for (size_t k = 0; k < j->n_nodes; k++)
		if (_shown(v, v->s->nodes[j->nodes[k]].domain, &level))
			return true;
	return false;
}

static void _json_jobs(const view_t *v, FILE *out)
{
	const pb_status_t *s = v->s;
	bool first = true;

	fprintf(out, ",\n  \"jobs\": [");
	for (size_t i = 0; i < s->n_jobs; i++) {
		const pb_status_job_t *j = &s->jobs[i];

		if (v->focus != s->root && !_job_shown(v, j))
			continue;
		fprintf(out,
			"%s\n    {\"job\": %" PRIu32 ", \"watts\": %" PRId64
			", \"gpu_limit_w\": %" PRId64
			", \"suspended\": %s, \"expected_end\": ",
			first ? "" : ",", j->id, j->watts, j->gpu_limit_w,
			j->suspended ? "true" : "false");
		first = false;
		if (j->expected_end < 0)
			fprintf(out, "null");
		else
			fprintf(out, "%" PRId64, j->expected_end);
		fprintf(out, ", \"nodes\": [");
		for (size_t k = 0; k < j->n_nodes; k++) {
			fprintf(out, "%s", k ? ", " : "");
			_json_str(s->nodes[j->nodes[k]].name, out);
		}
		fprintf(out, "]}");
	}
	fprintf(out, "%s]", first ? "" : "\n  ");
}

static void _json_held(const view_t *v, FILE *out)
{
	const pb_status_t *s = v->s;
	bool first = true;

	fprintf(out, ",\n  \"held\": [");
	for (size_t i = 0; i < s->n_held; i++) {
		const pb_status_held_t *h = &s->held[i];

		if (!_held_shown(v, h))
			continue;
		fprintf(out, "%s\n    {\"job\": %" PRIu32 ", \"reason\": ",
			first ? "" : ",", h->id);
		first = false;
		_json_str(h->reason, out);
		fprintf(out, ", \"domain\": ");
		if (h->domain >= 0)
			_json_str(s->domains[h->domain].name, out);
		else
			fprintf(out, "null");
		if (h->short_w >= 0)
			fprintf(out, ", \"short_w\": %" PRId64 "}", h->short_w);
		else
			fprintf(out, ", \"short_w\": null}");
	}
	fprintf(out, "%s]", first ? "" : "\n  ");
}

int pb_render_json(const pb_status_t *s, const pb_render_opts_t *o, FILE *out)
{
	bool first = true;
	view_t v;

	if (_view_init(&v, s, o))
		return -1;
	fprintf(out, "{\n  \"file\": ");
	_json_str(s->file, out);
	fprintf(out,
		",\n  \"generated\": %" PRId64 ", \"age_s\": %" PRId64
		", \"stale\": %s,\n  \"config\": ",
		s->generated, o->now - s->generated,
		pb_render_stale(s, o) ? "true" : "false");
	if (s->config)
		_json_str(s->config, out);
	else
		fprintf(out, "null");
	fprintf(out, ",\n  \"facility\": {\"name\": ");
	_json_str(s->facility, out);
	fprintf(out,
		", \"pue_milli\": %u, \"cooling_w\": %" PRId64
		", \"reserve_ppm\": %u},\n  \"domains\": [",
		s->pue_milli, s->cooling_w, s->reserve_ppm);
	if (v.focus >= 0)
		_json_domain(&v, v.focus, 0, &first, out);
	fprintf(out, "%s]", first ? "" : "\n  ");
	_json_jobs(&v, out);
	_json_held(&v, out);
	if (s->curtail_domain) {
		fprintf(out, ",\n  \"curtail\": {\"domain\": ");
		_json_str(s->curtail_domain, out);
		fprintf(out, ", \"state\": ");
		_json_str(s->curtail_state, out);
		fprintf(out,
			", \"target_w\": %" PRId64 ", \"deadline\": %" PRId64
			", \"until\": ",
			s->curtail_target_w, s->curtail_deadline);
		if (s->curtail_until == INT64_MAX)
			fprintf(out, "null");
		else
			fprintf(out, "%" PRId64, s->curtail_until);
		fprintf(out,
			", \"committed_w\": %" PRId64
			", \"allowed_w\": %" PRId64 ", \"shed_jobs\": %zu}",
			s->curtail_committed_w, s->curtail_allowed_w,
			s->n_shed);
	}
	fprintf(out, "\n}\n");
	_view_free(&v);
	return ferror(out) ? -1 : 0;
}
