/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and writing the curtailment request (see curtailfile.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "topology/curtailfile.h"
#include "topology/lex.h"

static bool _epoch(pb_line_t *l, const char *key, bool never_ok, int64_t *out,
		   const char *file, int lineno, pb_diag_t *d)
{
	const char *v = pb_line_get(l, key);
	uint64_t u;

	if (!v) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Curtail needs %s=", key);
		return false;
	}
	if (never_ok && !strcasecmp(v, "never")) {
		*out = PB_CURTAIL_NEVER;
		return true;
	}
	if (pb_parse_uint(v, PB_CURTAIL_EPOCH_MAX, &u, NULL) ||
	    u < PB_CURTAIL_EPOCH_MIN) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "%s: '%.64s' is not a time (epoch seconds%s)", key,
			    v, never_ok ? " or never" : "");
		return false;
	}
	*out = (int64_t)u;
	return true;
}

static bool _record(pb_line_t *l, const char *file, int lineno,
		    pb_curtail_req_t *out, pb_diag_t *d)
{
	const char *v;
	pb_error_t err = {""};
	bool ok = true;

	if (pb_check_name(l->pair[0].value, &err)) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno, "Curtail: %s",
			    err.text);
		ok = false;
	} else {
		snprintf(out->domain, sizeof(out->domain), "%s",
			 l->pair[0].value);
	}
	pb_error_clear(&err); /* a name error is not Target's */
	if (!(v = pb_line_get(l, "Target"))) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Curtail needs Target=");
		ok = false;
	} else if (pb_parse_power(v, &out->target_w, &err) ||
		   out->target_w < PB_CURTAIL_MIN_W) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno, "Target: %s",
			    err.text[0]		 ? err.text
			    : out->target_w <= 0 ? "must be positive"
						 : "must be at least 1 W");
		ok = false;
	}
	ok &= _epoch(l, "Issued", false, &out->issued, file, lineno, d);
	ok &= _epoch(l, "Deadline", false, &out->deadline, file, lineno, d);
	ok &= _epoch(l, "Until", true, &out->until, file, lineno, d);
	if ((v = pb_line_get(l, "By")))
		snprintf(out->by, sizeof(out->by), "%s", v);
	if (ok && out->deadline < out->issued) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Deadline is before Issued");
		ok = false;
	}
	if (ok && out->until <= out->deadline) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Until is not after Deadline");
		ok = false;
	}
	if (pb_line_unknown(l, "Curtail", file, lineno, d))
		ok = false;
	return ok;
}

int pb_curtail_parse(const char *buf, size_t len, const char *file,
		     pb_curtail_req_t *out, pb_diag_t *d)
{
	pb_lines_t it;
	const char *s;
	size_t n;
	int records = 0;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;
		int pairs = pb_line_split(&l, s, n, file, it.lineno, d);

		if (pairs < 0) {
			ok = false;
		} else if (pairs > 0) {
			l.pair[0].used = true;
			if (strcasecmp(l.pair[0].key, "Curtail")) {
				pb_diag_add(d, PB_DIAG_ERROR, file, it.lineno,
					    "unknown record '%.64s' (expected "
					    "Curtail=)",
					    l.pair[0].key);
				ok = false;
			} else if (records++) {
				pb_diag_add(d, PB_DIAG_ERROR, file, it.lineno,
					    "second Curtail record");
				ok = false;
			} else {
				ok &= _record(&l, file, it.lineno, out, d);
			}
		}
		pb_line_free(&l);
	}
	if (!records && ok) {
		pb_diag_add(d, PB_DIAG_ERROR, file, 1, "no Curtail record");
		ok = false;
	}
	return ok ? 0 : -1;
}

int pb_curtail_render(const pb_curtail_req_t *r, char *buf, size_t len)
{
	char until[32];
	int n;

	if (r->until == PB_CURTAIL_NEVER)
		snprintf(until, sizeof(until), "never");
	else
		snprintf(until, sizeof(until), "%" PRId64, r->until);
	n = snprintf(buf, len,
		     "# powerbudget curtailment, see pb-ctl(8); "
		     "pb-ctl restore ends it\n"
		     "Curtail=%s Target=%.0fW Issued=%" PRId64
		     " Deadline=%" PRId64 " Until=%s By=%s\n",
		     r->domain, floor(r->target_w), r->issued, r->deadline,
		     until, r->by[0] ? r->by : "-");
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static bool _shed_line(pb_line_t *l, const char *file, int lineno,
		       pb_curtail_shed_t *e, pb_diag_t *d)
{
	const char *v;
	uint64_t id;

	if (strcasecmp(l->pair[0].key, "Shed")) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "unknown record '%.64s' (expected Shed=)",
			    l->pair[0].key);
		return false;
	}
	if (pb_parse_uint(l->pair[0].value, UINT32_MAX, &id, NULL) || !id) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Shed: '%.64s' is not a job id", l->pair[0].value);
		return false;
	}
	e->job_id = (uint32_t)id;
	if (!(v = pb_line_get(l, "How")) ||
	    (strcasecmp(v, "suspend") && strcasecmp(v, "requeue"))) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "Shed=%u: How= must be suspend or requeue",
			    e->job_id);
		return false;
	}
	e->requeued = !strcasecmp(v, "requeue");
	return pb_line_unknown(l, "Shed", file, lineno, d) == 0;
}

int pb_curtail_shed_parse(const char *buf, size_t len, const char *file,
			  pb_curtail_shed_t *out, size_t max, size_t *n,
			  pb_diag_t *d)
{
	pb_lines_t it;
	const char *s;
	size_t ln;
	bool ok = true;

	*n = 0;
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &ln)) {
		pb_line_t l;
		int pairs = pb_line_split(&l, s, ln, file, it.lineno, d);

		if (pairs < 0) {
			ok = false;
		} else if (pairs > 0) {
			l.pair[0].used = true;
			if (*n == max) {
				pb_diag_add(d, PB_DIAG_ERROR, file, it.lineno,
					    "more than %zu shed jobs", max);
				ok = false;
			} else if (_shed_line(&l, file, it.lineno, &out[*n],
					      d)) {
				(*n)++;
			} else {
				ok = false;
			}
		}
		pb_line_free(&l);
	}
	return ok ? 0 : -1;
}
