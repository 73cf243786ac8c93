/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.c - reader of the ledger status file (see status.h).
 *
 * Two passes: the first splits every line and stores the records with
 * their names as written; the second resolves the names (a domain's parent,
 * a node's domain, a job's nodes), so records may come in any order and a
 * dangling name is reported at the line that uses it.
 */
#include "tools/pb_status/status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/lex.h"

typedef struct {
	pb_status_t *s;
	pb_line_t *l;
	const char *file;
	int lineno;
	pb_diag_t *d;
	size_t errors;	  /* errors reported while reading */
	bool line_failed; /* one error per line is enough */
	bool seen_header, seen_facility;
	char **job_nodes; /* Nodes= text per job, resolved later */
	pb_namemap_t *domain_map, *node_map;
} _ctx_t;

static void _verr(_ctx_t *x, int line, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pb_diag_add(x->d, PB_DIAG_ERROR, x->file, line, "%s", msg);
	x->errors++;
}

__attribute__((format(printf, 3, 4))) static void _err(_ctx_t *x, int line,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	_verr(x, line, fmt, ap);
	va_end(ap);
}

/* An error in the current line; later ones in the same line are dropped. */
__attribute__((format(printf, 2, 3))) static void
_line_err(_ctx_t *x, const char *fmt, ...)
{
	va_list ap;

	if (x->line_failed)
		return;
	x->line_failed = true;
	va_start(ap, fmt);
	_verr(x, x->lineno, fmt, ap);
	va_end(ap);
}

/* Whole-string signed decimal within [min, max]. */
static bool _int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long n;

	if (!v || !*v || (*v != '-' && (*v < '0' || *v > '9')))
		return false;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

/* A required integer key of the current record. */
static int64_t _get_int(_ctx_t *x, const char *key, int64_t min, int64_t max)
{
	const char *v = pb_line_get(x->l, key);
	int64_t n = 0;

	if (!v)
		_line_err(x, "%s record without %s=", x->l->pair[0].key, key);
	else if (!_int(v, min, max, &n))
		_line_err(x, "%s=%.64s: not a whole number in range", key, v);
	return n;
}

/* An optional key (later additions to the format): 0 when absent. */
static int64_t _get_opt_int(_ctx_t *x, const char *key, int64_t min,
			    int64_t max)
{
	return pb_line_get(x->l, key) ? _get_int(x, key, min, max) : 0;
}

static char *_dup(_ctx_t *x, const char *v)
{
	char *s = v ? strdup(v) : NULL;

	if (v && !s)
		_line_err(x, "out of memory");
	return s;
}

/* Appends one zeroed element to *arr of *n; NULL when out of memory. */
static void *_push(_ctx_t *x, void **arr, size_t *n, size_t size)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (!p) {
		_line_err(x, "out of memory");
		return NULL;
	}
	*arr = p;
	memset((char *)p + *n * size, 0, size);
	return (char *)p + (*n)++ * size;
}

static void _header(_ctx_t *x)
{
	pb_status_t *s = x->s;
	int64_t fmt = 0;

	if (_int(x->l->pair[0].value, 0, 1000, &fmt) &&
	    fmt != PB_STATUS_FORMAT) {
		_line_err(x,
			  "status format %s; this pb-status reads format 1 "
			  "(is it older than the plugin?)",
			  x->l->pair[0].value);
		return;
	}
	if (fmt != PB_STATUS_FORMAT) {
		_line_err(x, "Status=%.64s: not a format number",
			  x->l->pair[0].value);
		return;
	}
	if (x->seen_header) {
		_line_err(x, "second Status= line");
		return;
	}
	x->seen_header = true;
	s->generated = _get_int(x, "Generated", 0, INT64_MAX);
	s->config = _dup(x, pb_line_get(x->l, "Config"));
}

static void _facility(_ctx_t *x)
{
	pb_status_t *s = x->s;

	if (x->seen_facility) {
		_line_err(x, "second Facility= line");
		return;
	}
	x->seen_facility = true;
	s->facility = _dup(x, x->l->pair[0].value);
	s->pue_milli = (unsigned)_get_int(x, "PUEMilli", 1000, 100000);
	s->cooling_w = _get_int(x, "CoolingW", 0, INT64_MAX);
	s->reserve_ppm = (unsigned)_get_int(x, "ReservePPM", 0, 1000000);
}

static void _name(_ctx_t *x, pb_namemap_t *map, const char *what,
		  const char *name, long idx)
{
	long old;
	int rc = pb_namemap_put(map, name, idx, &old);

	if (rc < 0)
		_line_err(x, "out of memory");
	else if (rc == 1)
		_line_err(x, "%s '%.64s' listed twice", what, name);
}

/* A window's name, "-" for none. */
static char *_window(_ctx_t *x, const char *key)
{
	const char *v = pb_line_get(x->l, key);

	return v && strcmp(v, "-") ? _dup(x, v) : NULL;
}

/* CapNowW= and the rest, written for domains cap windows apply to. */
static void _domain_caps(_ctx_t *x, pb_status_domain_t *dm)
{
	dm->cap_now_w = dm->cap_w;
	dm->next_cap_at = -1;
	if (!pb_line_get(x->l, "CapNowW"))
		return;
	dm->has_caps = true;
	dm->cap_now_w = _get_int(x, "CapNowW", 0, INT64_MAX);
	dm->next_cap_at = _get_int(x, "NextCapAt", -1, INT64_MAX);
	dm->next_cap_w = _get_int(x, "NextCapW", 0, INT64_MAX);
	dm->window = _window(x, "CapWindow");
	dm->next_window = _window(x, "NextCapWindow");
}

static void _domain(_ctx_t *x)
{
	pb_status_t *s = x->s;
	pb_status_domain_t *dm;
	const char *parent = pb_line_get(x->l, "Parent");

	if (!(dm = _push(x, (void **)&s->domains, &s->n_domains, sizeof(*dm))))
		return;
	dm->line = x->lineno;
	dm->parent = -1;
	dm->name = _dup(x, x->l->pair[0].value);
	_name(x, x->domain_map, "domain", x->l->pair[0].value,
	      (long)s->n_domains - 1);
	if (!parent)
		_line_err(x, "Domain record without Parent=");
	else if (strcmp(parent, "-"))
		dm->parent_name = _dup(x, parent);
	dm->cap_w = _get_int(x, "CapW", 0, INT64_MAX);
	dm->limit_w = _get_int(x, "LimitW", INT64_MIN, INT64_MAX);
	dm->committed_w = _get_int(x, "CommittedW", 0, INT64_MAX);
	dm->headroom_w = _get_int(x, "HeadroomW", INT64_MIN, INT64_MAX);
	dm->reserved_w = _get_int(x, "ReservedW", 0, INT64_MAX);
	dm->unmodelled_w = _get_opt_int(x, "UnmodelledW", 0, INT64_MAX);
	_domain_caps(x, dm);
}

/* The node's domain name is kept in the slot of its index until resolved. */
static void _node(_ctx_t *x, char ***dnames)
{
	pb_status_t *s = x->s;
	pb_status_node_t *n;
	const char *dom = pb_line_get(x->l, "Domain");
	const char *power = pb_line_get(x->l, "Power");
	char **arr;

	if (!(n = _push(x, (void **)&s->nodes, &s->n_nodes, sizeof(*n))))
		return;
	if (!(arr = realloc(*dnames, s->n_nodes * sizeof(*arr)))) {
		s->n_nodes--;
		_line_err(x, "out of memory");
		return;
	}
	*dnames = arr;
	arr[s->n_nodes - 1] = _dup(x, dom);
	n->line = x->lineno;
	n->domain = -1;
	n->name = _dup(x, x->l->pair[0].value);
	_name(x, x->node_map, "node", x->l->pair[0].value,
	      (long)s->n_nodes - 1);
	if (!dom)
		_line_err(x, "Node record without Domain=");
	if (!power)
		_line_err(x, "Node record without Power=");
	else if (!strcmp(power, "on"))
		n->on = true;
	else if (strcmp(power, "off"))
		_line_err(x, "Power=%.64s: want on or off", power);
	n->draw_w = _get_int(x, "DrawW", 0, INT64_MAX);
}

static void _job(_ctx_t *x)
{
	pb_status_t *s = x->s;
	pb_status_job_t *j;
	const char *susp = pb_line_get(x->l, "Suspended");
	const char *nodes = pb_line_get(x->l, "Nodes");
	int64_t id = 0;
	char **arr;

	if (!_int(x->l->pair[0].value, 1, UINT32_MAX, &id)) {
		_line_err(x, "Job=%.64s: not a job id", x->l->pair[0].value);
		return;
	}
	if (!(j = _push(x, (void **)&s->jobs, &s->n_jobs, sizeof(*j))))
		return;
	if (!(arr = realloc(x->job_nodes, s->n_jobs * sizeof(*arr)))) {
		s->n_jobs--;
		_line_err(x, "out of memory");
		return;
	}
	x->job_nodes = arr;
	arr[s->n_jobs - 1] = _dup(x, nodes);
	j->id = (uint32_t)id;
	j->line = x->lineno;
	j->watts = _get_int(x, "Watts", 0, INT64_MAX);
	j->gpu_limit_w = _get_opt_int(x, "GpuLimitW", 0, INT64_MAX);
	j->expected_end = _get_int(x, "ExpectedEnd", -1, INT64_MAX);
	if (!susp)
		_line_err(x, "Job record without Suspended=");
	else if (!strcmp(susp, "yes"))
		j->suspended = true;
	else if (strcmp(susp, "no"))
		_line_err(x, "Suspended=%.64s: want yes or no", susp);
	if (!nodes)
		_line_err(x, "Job record without Nodes=");
}

/* "... short 12.5 kW ..." as written by the plugin's hold reasons. */
static int64_t _short_watts(const char *reason)
{
	const char *p = strstr(reason, " short ");
	char num[32];
	size_t n = 0;
	double w;

	if (!p)
		return -1;
	for (p += 7; *p && n + 1 < sizeof(num); p++) {
		if (*p == ' ' && n &&
		    (p[1] == 'W' || p[1] == 'k' || p[1] == 'M' || p[1] == 'G'))
			continue; /* "12.5 kW" -> "12.5kW" */
		if (*p == ' ' || *p == '(' || *p == ',' || *p == ';')
			break;
		num[n++] = *p;
	}
	num[n] = '\0';
	if (pb_parse_power(num, &w, NULL))
		return -1;
	return (int64_t)(w + 0.5);
}

static void _held(_ctx_t *x)
{
	pb_status_t *s = x->s;
	pb_status_held_t *h;
	const char *reason = pb_line_get(x->l, "Reason");
	int64_t id = 0;

	if (!_int(x->l->pair[0].value, 1, UINT32_MAX, &id)) {
		_line_err(x, "Held=%.64s: not a job id", x->l->pair[0].value);
		return;
	}
	if (!reason) {
		_line_err(x, "Held record without Reason=");
		return;
	}
	if (!(h = _push(x, (void **)&s->held, &s->n_held, sizeof(*h))))
		return;
	h->id = (uint32_t)id;
	h->line = x->lineno;
	h->reason = _dup(x, reason);
	h->short_w = _short_watts(reason);
}

static void _curtail(_ctx_t *x)
{
	pb_status_t *s = x->s;
	const char *until = pb_line_get(x->l, "Until");

	if (s->curtail_domain) {
		_line_err(x, "second Curtail record");
		return;
	}
	s->curtail_domain = _dup(x, x->l->pair[0].value);
	s->curtail_state = _dup(x, pb_line_get(x->l, "State"));
	s->curtail_by = _dup(x, pb_line_get(x->l, "By"));
	s->curtail_target_w = _get_int(x, "TargetW", 1, INT64_MAX);
	s->curtail_deadline = _get_int(x, "Deadline", 0, INT64_MAX);
	s->curtail_committed_w =
	    _get_int(x, "CommittedW", INT64_MIN, INT64_MAX);
	s->curtail_allowed_w = _get_int(x, "AllowedW", INT64_MIN, INT64_MAX);
	if (until && !strcmp(until, "never"))
		s->curtail_until = INT64_MAX;
	else
		s->curtail_until = _get_int(x, "Until", 0, INT64_MAX);
}

static void _record(_ctx_t *x, char ***dnames)
{
	const char *k = x->l->pair[0].key;

	x->l->pair[0].used = true;
	if (!x->seen_header && strcasecmp(k, "Status")) {
		_line_err(x,
			  "first record is %.64s=, not Status=: not a "
			  "powerbudget status file",
			  k);
		x->seen_header = true; /* say it once */
		return;
	}
	if (!strcasecmp(k, "Status"))
		_header(x);
	else if (!strcasecmp(k, "Facility"))
		_facility(x);
	else if (!strcasecmp(k, "Domain"))
		_domain(x);
	else if (!strcasecmp(k, "Node"))
		_node(x, dnames);
	else if (!strcasecmp(k, "Job"))
		_job(x);
	else if (!strcasecmp(k, "Held"))
		_held(x);
	else if (!strcasecmp(k, "Curtail"))
		_curtail(x);
	else if (!strcasecmp(k, "Shed"))
		x->s->n_shed++;
	/* other records: from a newer plugin, nothing to show for them */
}

static void _read_lines(_ctx_t *x, const char *buf, size_t len, char ***dnames)
{
	pb_lines_t it;
	const char *s;
	size_t n;

	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;
		int rc;

		x->lineno = it.lineno;
		x->line_failed = false;
		x->l = &l;
		rc = pb_line_split(&l, s, n, x->file, it.lineno, x->d);
		if (rc < 0)
			x->errors++;
		else if (rc > 0)
			_record(x, dnames);
		pb_line_free(&l);
	}
	if (!x->seen_header)
		_err(x, 0,
		     "empty: no Status= line (not written yet by "
		     "slurmctld?)");
	else if (!x->seen_facility && !x->errors)
		_err(x, 0, "no Facility= line: file cut short?");
}

static void _resolve_domains(_ctx_t *x)
{
	pb_status_t *s = x->s;

	s->root = -1;
	for (size_t i = 0; i < s->n_domains; i++) {
		pb_status_domain_t *dm = &s->domains[i];
		long *arr;

		if (!dm->parent_name) {
			if (s->root >= 0)
				_err(x, dm->line,
				     "second root domain '%.64s' "
				     "(Parent=-)",
				     dm->name);
			else
				s->root = (long)i;
			continue;
		}
		dm->parent = pb_namemap_get(x->domain_map, dm->parent_name);
		if (dm->parent < 0 || dm->parent == (long)i) {
			_err(x, dm->line, "Parent=%.64s: no such domain",
			     dm->parent_name);
			dm->parent = -1;
			continue;
		}
		arr = realloc(s->domains[dm->parent].children,
			      (s->domains[dm->parent].n_children + 1) *
				  sizeof(*arr));
		if (!arr) {
			_err(x, dm->line, "out of memory");
			continue;
		}
		arr[s->domains[dm->parent].n_children++] = (long)i;
		s->domains[dm->parent].children = arr;
	}
	if (s->n_domains && s->root < 0)
		_err(x, 0,
		     "no root domain (Parent=-): the parents form a "
		     "cycle");
	/* A cycle not through the root leaves domains unreachable from it. */
	for (size_t i = 0; i < s->n_domains && s->root >= 0; i++)
		if (!pb_status_under(s, (long)i, s->root)) {
			_err(x, s->domains[i].line,
			     "domain '%.64s' is not "
			     "under the root (a cycle of parents)",
			     s->domains[i].name);
			break;
		}
}

static void _resolve_nodes(_ctx_t *x, char **dnames)
{
	pb_status_t *s = x->s;

	for (size_t i = 0; i < s->n_nodes; i++) {
		if (!dnames[i])
			continue;
		s->nodes[i].domain = pb_namemap_get(x->domain_map, dnames[i]);
		if (s->nodes[i].domain < 0)
			_err(x, s->nodes[i].line,
			     "Domain=%.64s: no such "
			     "domain",
			     dnames[i]);
	}
}

static void _resolve_job(_ctx_t *x, pb_status_job_t *j, char *list)
{
	size_t n = 1;
	char *save = NULL;

	for (const char *p = list; *p; p++)
		n += *p == ',';
	if (!(j->nodes = calloc(n, sizeof(*j->nodes)))) {
		_err(x, j->line, "out of memory");
		return;
	}
	for (char *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		long idx = pb_namemap_get(x->node_map, t);

		if (idx < 0) {
			_err(x, j->line, "Nodes: no Node record for '%.64s'",
			     t);
			return;
		}
		j->nodes[j->n_nodes++] = idx;
	}
}

/* The domain a hold reason names: "PowerNotAvail: rack7 short 12 kW". */
static void _resolve_held(_ctx_t *x, pb_status_held_t *h)
{
	const char *p = strstr(h->reason, ": ");
	char name[128];
	size_t n = 0;

	h->domain = -1;
	if (!p)
		return;
	for (p += 2; *p && *p != ' ' && n + 1 < sizeof(name); p++)
		name[n++] = *p;
	name[n] = '\0';
	h->domain = pb_namemap_get(x->domain_map, name);
}

static void _resolve(_ctx_t *x, char **dnames)
{
	_resolve_domains(x);
	_resolve_nodes(x, dnames);
	for (size_t i = 0; i < x->s->n_jobs; i++)
		if (x->job_nodes[i])
			_resolve_job(x, &x->s->jobs[i], x->job_nodes[i]);
	for (size_t i = 0; i < x->s->n_held; i++)
		_resolve_held(x, &x->s->held[i]);
}

int pb_status_parse_buffer(const char *file, const char *buf, size_t len,
			   pb_status_t **out, pb_diag_t *d)
{
	_ctx_t x = {.file = file, .d = d};
	char **dnames = NULL;
	size_t n_nodes = 0, n_jobs = 0;

	*out = NULL;
	x.s = calloc(1, sizeof(*x.s));
	x.domain_map = pb_namemap_create();
	x.node_map = pb_namemap_create();
	if (!x.s || !x.domain_map || !x.node_map ||
	    !(x.s->file = strdup(file))) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		x.errors++;
		goto out;
	}
	_read_lines(&x, buf, len, &dnames);
	n_nodes = x.s->n_nodes;
	n_jobs = x.s->n_jobs;
	if (!x.errors)
		_resolve(&x, dnames);
out:
	for (size_t i = 0; i < n_nodes; i++)
		free(dnames[i]);
	free(dnames);
	for (size_t i = 0; i < n_jobs; i++)
		free(x.job_nodes[i]);
	free(x.job_nodes);
	pb_namemap_destroy(x.domain_map);
	pb_namemap_destroy(x.node_map);
	if (x.errors) {
		pb_status_destroy(x.s);
		return -1;
	}
	*out = x.s;
	return 0;
}

/* pb_read_and_parse() passes the result pointer untyped. */
static int _parse_buffer(const char *file, const char *buf, size_t len,
			 void *out, pb_diag_t *d)
{
	return pb_status_parse_buffer(file, buf, len, out, d);
}

int pb_status_parse_file(const char *path, pb_status_t **out, pb_diag_t *d)
{
	*out = NULL;
	return pb_read_and_parse(path, _parse_buffer, out, d);
}

void pb_status_destroy(pb_status_t *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_domains; i++) {
		free(s->domains[i].name);
		free(s->domains[i].parent_name);
		free(s->domains[i].window);
		free(s->domains[i].next_window);
		free(s->domains[i].children);
	}
	for (size_t i = 0; i < s->n_nodes; i++)
		free(s->nodes[i].name);
	for (size_t i = 0; i < s->n_jobs; i++)
		free(s->jobs[i].nodes);
	for (size_t i = 0; i < s->n_held; i++)
		free(s->held[i].reason);
	free(s->domains);
	free(s->nodes);
	free(s->jobs);
	free(s->held);
	free(s->file);
	free(s->config);
	free(s->curtail_domain);
	free(s->curtail_state);
	free(s->curtail_by);
	free(s->facility);
	free(s);
}

long pb_status_find_domain(const pb_status_t *s, const char *name)
{
	for (size_t i = 0; i < s->n_domains; i++)
		if (!strcmp(s->domains[i].name, name))
			return (long)i;
	return -1;
}

bool pb_status_under(const pb_status_t *s, long d, long ancestor)
{
	/* bounded walk: a cycle cannot loop forever */
	for (size_t steps = 0; d >= 0 && steps <= s->n_domains; steps++) {
		if (d == ancestor)
			return true;
		d = s->domains[d].parent;
	}
	return false;
}

static bool _before(const pb_status_holder_t *a, const pb_status_holder_t *b)
{
	return a->watts > b->watts || (a->watts == b->watts && a->job < b->job);
}

/* Insertion into a sorted list of at most top entries. */
static void _offer(pb_status_holder_t *list, unsigned *n, unsigned top,
		   const pb_status_holder_t *h)
{
	unsigned i = *n < top ? (*n)++ : top;

	if (i == top && !_before(h, &list[top - 1]))
		return;
	if (i == top)
		i = top - 1;
	while (i > 0 && _before(h, &list[i - 1])) {
		list[i] = list[i - 1];
		i--;
	}
	list[i] = *h;
}

int pb_status_top_holders(const pb_status_t *s, unsigned top,
			  pb_status_holder_t *out, unsigned *n)
{
	size_t *count = calloc(s->n_domains + 1, sizeof(*count));
	long *touched = calloc(s->n_domains + 1, sizeof(*touched));

	memset(n, 0, s->n_domains * sizeof(*n));
	if (!count || !touched) {
		free(count);
		free(touched);
		return -1;
	}
	for (size_t i = 0; i < s->n_jobs && top; i++) {
		const pb_status_job_t *j = &s->jobs[i];
		size_t nt = 0;

		if (j->suspended || !j->n_nodes)
			continue;
		for (size_t k = 0; k < j->n_nodes; k++) {
			long d = s->nodes[j->nodes[k]].domain;

			for (size_t steps = 0; d >= 0 && steps < s->n_domains;
			     steps++, d = s->domains[d].parent)
				if (!count[d]++)
					touched[nt++] = d;
		}
		for (size_t t = 0; t < nt; t++) {
			long d = touched[t];
			pb_status_holder_t h = {
			    .job = j->id,
			    .nodes = count[d],
			    .watts = j->watts * (int64_t)count[d] /
				     (int64_t)j->n_nodes,
			};

			_offer(&out[(size_t)d * top], &n[d], top, &h);
			count[d] = 0;
		}
	}
	free(count);
	free(touched);
	return 0;
}
