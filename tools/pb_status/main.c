/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-status: shows the power ledger slurmctld's select/cons_tres_power
 * keeps -- per power domain the cap, limit, committed watts, headroom,
 * reserved watts and the largest holders, then the jobs held by power --
 * from the status file the plugin rewrites as the ledger changes.
 * Exit status: 0 shown, 1 file missing, malformed or stale, 2 usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/pb_status/locate.h"
#include "tools/pb_status/prom.h"
#include "tools/pb_status/render.h"
#include "tools/pb_status/status.h"

#define DEFAULT_MAX_AGE 300
#define DEFAULT_TOP 3

typedef struct {
	const char *file, *domain;
	bool json, prometheus;
	pb_render_opts_t r;
} args_t;

static void _usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: pb-status [-f FILE] [-d DOMAIN] [--depth N] [--top N] "
	    "[--max-age S] [-j]\n"
	    "  -f, --file FILE   status file (default: StatusFile= of the "
	    "power_budget.conf\n"
	    "                    beside $SLURM_CONF or /etc/slurm/slurm.conf,"
	    " else\n"
	    "                    power_budget.status in its "
	    "StateSaveLocation)\n"
	    "  -d, --domain NAME show only this domain's subtree\n"
	    "      --depth N     show N levels below it (default: all)\n"
	    "      --top N       largest holders per domain (default %d)\n"
	    "      --max-age S   older than S seconds is stale (default %d,"
	    " 0: never)\n"
	    "  -j, --json        JSON, raw watts\n"
	    "  -P, --prometheus  Prometheus text format (node_exporter's "
	    "textfile collector)\n",
	    DEFAULT_TOP, DEFAULT_MAX_AGE);
}

static bool _num(const char *s, int64_t max, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* 0 parsed, 1 help shown, 2 usage error. */
static int _args(int argc, char **argv, args_t *a)
{
	static const struct option opts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"domain", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"prometheus", no_argument, NULL, 'P'},
	    {"depth", required_argument, NULL, 'D'},
	    {"top", required_argument, NULL, 'T'},
	    {"max-age", required_argument, NULL, 'A'},
	    {"now", required_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "f:d:jPh", opts, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'f':
			a->file = optarg;
			break;
		case 'd':
			a->domain = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'P':
			a->prometheus = true;
			break;
		case 'D':
			if ((ok = _num(optarg, 1000, &v)))
				a->r.depth = (unsigned)v;
			break;
		case 'T':
			if ((ok = _num(optarg, 1000, &v)))
				a->r.top = (unsigned)v;
			break;
		case 'A':
			ok = _num(optarg, INT64_MAX, &a->r.max_age);
			break;
		case 'N': /* evaluate the age as of this time (tests) */
			ok = _num(optarg, INT64_MAX, &a->r.now);
			break;
		case 'h':
			_usage(stdout);
			return 1;
		default:
			_usage(stderr);
			return 2;
		}
		if (!ok) {
			fprintf(stderr, "pb-status: bad number '%s'\n", optarg);
			return 2;
		}
	}
	if (optind != argc) {
		_usage(stderr);
		return 2;
	}
	return 0;
}

/* The path of the status file, malloc'd; NULL after saying why. */
static char *_find(const args_t *a, char *how, size_t how_len)
{
	const char *env = getenv("SLURM_CONF");
	pb_error_t err;
	char *path;

	if (a->file) {
		snprintf(how, how_len, "--file");
		return strdup(a->file);
	}
	path = pb_locate_status(env && *env ? env : "/etc/slurm/slurm.conf",
				how, how_len, &err);
	if (!path)
		fprintf(stderr, "pb-status: %s\n", err.text);
	return path;
}

static pb_status_t *_load(const char *path, const char *how)
{
	pb_diag_t *d = pb_diag_create();
	pb_status_t *s = NULL;

	if (!d) {
		fprintf(stderr, "pb-status: out of memory\n");
		return NULL;
	}
	if (pb_status_parse_file(path, &s, d)) {
		for (size_t i = 0; i < pb_diag_count(d); i++)
			fprintf(stderr, "pb-status: %s\n", pb_diag_text(d, i));
		if (pb_diag_errors(d) > pb_diag_count(d))
			fprintf(stderr, "pb-status: ... and %zu more errors\n",
				pb_diag_errors(d) - pb_diag_count(d));
		fprintf(stderr,
			"pb-status: no ledger to show (status file from %s; "
			"slurmctld writes it while SelectType="
			"select/cons_tres_power is loaded)\n",
			how);
	}
	pb_diag_destroy(d);
	return s;
}

static void _stale(const pb_status_t *s, const pb_render_opts_t *r)
{
	char age[32];

	pb_render_age(r->now - s->generated, age, sizeof(age));
	fprintf(stderr,
		"pb-status: %s is stale: written %s ago, more than the "
		"%" PRId64 " s allowed (--max-age); is slurmctld down, or "
		"running without select/cons_tres_power?\n",
		s->file, age, r->max_age);
}

static int _render(const args_t *a, const pb_status_t *s)
{
	if (a->prometheus)
		return pb_render_prometheus(s, stdout);
	if (a->json)
		return pb_render_json(s, &a->r, stdout);
	return pb_render_table(s, &a->r, stdout);
}

int main(int argc, char **argv)
{
	args_t a = {
	    .r = {.focus = -1, .top = DEFAULT_TOP, .max_age = DEFAULT_MAX_AGE}};
	char how[600];
	pb_status_t *s;
	char *path;
	int rc;

	a.r.now = (int64_t)time(NULL);
	if ((rc = _args(argc, argv, &a)))
		return rc == 1 ? 0 : 2;
	if (!(path = _find(&a, how, sizeof(how))))
		return 1;
	s = _load(path, how);
	free(path);
	if (!s)
		return 1;
	if (a.domain && (a.r.focus = pb_status_find_domain(s, a.domain)) < 0) {
		fprintf(stderr, "pb-status: no domain '%s' in %s\n", a.domain,
			s->file);
		pb_status_destroy(s);
		return 2;
	}
	rc = pb_render_stale(s, &a.r) ? 1 : 0;
	if (rc)
		_stale(s, &a.r);
	if (_render(&a, s) || fflush(stdout)) {
		fprintf(stderr, "pb-status: cannot write the output\n");
		rc = 1;
	}
	pb_status_destroy(s);
	return rc;
}
