/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meter.c - the meter file reader (see meter.h). */
#include "topology/meter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/lex.h"

typedef struct {
	const char *file;
	pb_diag_t *d;
	int lineno;
	pb_meter_t *m;
	size_t cap;
	pb_namemap_t *seen[2];
	int time_line;
} _ctx_t;

#define ERR(x, ...)                                                            \
	pb_diag_add((x)->d, PB_DIAG_ERROR, (x)->file, (x)->lineno, __VA_ARGS__)

static void _time(_ctx_t *x, const char *v)
{
	pb_error_t err;
	uint64_t t;

	if (x->time_line) {
		ERR(x, "Time= given again (first at line %d)", x->time_line);
		return;
	}
	x->time_line = x->lineno;
	if (pb_parse_uint(v, INT64_MAX, &t, &err))
		ERR(x, "Time: %s (Unix seconds)", err.text);
	else
		x->m->time = (int64_t)t;
}

static pb_meter_reading_t *_grow(_ctx_t *x)
{
	pb_meter_reading_t *r;

	if (x->m->n == PB_METER_MAX_READINGS) {
		ERR(x, "more than %d readings", PB_METER_MAX_READINGS);
		return NULL;
	}
	if (x->m->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;

		r = realloc(x->m->readings, cap * sizeof(*r));
		if (!r) {
			ERR(x, "out of memory");
			return NULL;
		}
		x->m->readings = r;
		x->cap = cap;
	}
	return &x->m->readings[x->m->n];
}

static void _reading(_ctx_t *x, pb_line_t *l, int is_node, const char *name)
{
	const char *what = is_node ? "Node" : "Domain";
	const char *v = pb_line_get(l, "Watts");
	pb_error_t err;
	pb_meter_reading_t *r;
	double w;
	long old;

	if (pb_check_name(name, &err)) {
		ERR(x, "%s: %s", what, err.text);
		return;
	}
	if (!v) {
		ERR(x, "%s '%s' needs Watts=", what, name);
		return;
	}
	if (pb_parse_power(v, &w, &err)) {
		ERR(x, "Watts: %s", err.text);
		return;
	}
	switch (pb_namemap_put(x->seen[is_node], name, x->lineno, &old)) {
	case 1:
		ERR(x, "%s '%s' read twice (first at line %ld)", what, name,
		    old);
		return;
	case -1:
		ERR(x, "out of memory");
		return;
	}
	if (!(r = _grow(x)))
		return;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->line = x->lineno;
	r->is_node = (uint8_t)is_node;
	r->watts = (pb_watts_t)ceil(w);
	x->m->n++;
	pb_line_unknown(l, what, x->file, x->lineno, x->d);
}

static void _line(_ctx_t *x, pb_line_t *l)
{
	const char *k = l->pair[0].key, *v = l->pair[0].value;

	l->pair[0].used = true;
	if (!strcasecmp(k, "Time")) {
		_time(x, v);
		pb_line_unknown(l, "Time", x->file, x->lineno, x->d);
	} else if (!strcasecmp(k, "Domain"))
		_reading(x, l, 0, v);
	else if (!strcasecmp(k, "Node"))
		_reading(x, l, 1, v);
	else
		ERR(x,
		    "unknown record '%.64s' (a meter file has Time=, "
		    "Domain= and Node= lines)",
		    k);
}

int pb_meter_parse(const char *file, const char *buf, size_t len,
		   pb_meter_t *out, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	_ctx_t x = {.file = file ? file : "(buffer)", .d = d, .m = out};
	pb_lines_t it;
	const char *s;
	size_t n;

	memset(out, 0, sizeof(*out));
	x.seen[0] = pb_namemap_create();
	x.seen[1] = pb_namemap_create();
	if (!x.seen[0] || !x.seen[1]) {
		pb_diag_add(d, PB_DIAG_ERROR, x.file, 0, "out of memory");
		goto out;
	}
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n) && pb_diag_errors(d) == errors0) {
		pb_line_t l;

		x.lineno = it.lineno;
		if (pb_line_split(&l, s, n, x.file, it.lineno, d) > 0)
			_line(&x, &l);
		pb_line_free(&l);
	}
	if (!x.time_line && pb_diag_errors(d) == errors0) {
		x.lineno = it.lineno > 0 ? it.lineno : 1;
		ERR(&x, "no Time= line (when the readings were taken)");
	}
out:
	pb_namemap_destroy(x.seen[0]);
	pb_namemap_destroy(x.seen[1]);
	if (pb_diag_errors(d) == errors0)
		return 0;
	pb_meter_free(out);
	return -1;
}

void pb_meter_free(pb_meter_t *m)
{
	if (!m)
		return;
	free(m->readings);
	memset(m, 0, sizeof(*m));
}

size_t pb_meter_resolve(const pb_meter_t *m, const char *file,
			const pb_site_t *site, pb_watts_t *node_w,
			pb_watts_t *dom_w, pb_diag_t *d)
{
	size_t used = 0;

	for (uint32_t i = 0; i < pb_site_node_count(site); i++)
		node_w[i] = -1;
	for (uint32_t i = 0; i < pb_site_domain_count(site); i++)
		dom_w[i] = -1;
	for (size_t i = 0; i < m->n; i++) {
		const pb_meter_reading_t *r = &m->readings[i];
		int32_t idx = r->is_node
				  ? pb_site_node_by_name(site, r->name)
				  : pb_site_domain_by_name(site, r->name);

		if (idx < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, file, r->line,
				    "%s '%s' is not in the power budget",
				    r->is_node ? "node" : "domain", r->name);
			continue;
		}
		(r->is_node ? node_w : dom_w)[idx] = r->watts;
		used++;
	}
	return used;
}
