/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prom.c - Prometheus text format of a status file (see prom.h). */
#include "tools/pb_status/prom.h"

#include <inttypes.h>
#include <stddef.h>

/* A label value: backslash, double quote and newline escaped. */
static void _label(const char *v, FILE *out)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void _head(const char *name, const char *help, FILE *out)
{
	fprintf(out, "# HELP powerbudget_%s %s\n# TYPE powerbudget_%s gauge\n",
		name, help, name);
}

typedef struct {
	const char *name, *help;
	size_t off; /* of the int64_t in pb_status_domain_t */
} metric_t;

static const metric_t domain_metrics[] = {
    {"domain_cap_watts", "Cap of the power domain (W).",
     offsetof(pb_status_domain_t, cap_w)},
    {"domain_cap_now_watts",
     "Cap of the power domain now: lower while a cap window is on (W).",
     offsetof(pb_status_domain_t, cap_now_w)},
    {"domain_limit_watts",
     "IT watts the domain may carry: cap after reserve, PUE, cooling, less "
     "measured draw above the model.",
     offsetof(pb_status_domain_t, limit_w)},
    {"domain_committed_watts", "Modelled IT watts committed in the domain.",
     offsetof(pb_status_domain_t, committed_w)},
    {"domain_headroom_watts",
     "Limit less committed (W); negative after a "
     "cap cut.",
     offsetof(pb_status_domain_t, headroom_w)},
    {"domain_reserved_watts", "Watts held for power-blocked jobs.",
     offsetof(pb_status_domain_t, reserved_w)},
    {"domain_unmodelled_watts",
     "Measured draw above the model (meter file, node energy), counted "
     "against the limit.",
     offsetof(pb_status_domain_t, unmodelled_w)},
};

static void _domains(const pb_status_t *s, FILE *out)
{
	for (size_t m = 0; m < sizeof(domain_metrics) / sizeof(*domain_metrics);
	     m++) {
		_head(domain_metrics[m].name, domain_metrics[m].help, out);
		for (size_t d = 0; d < s->n_domains; d++) {
			const char *base = (const char *)&s->domains[d];

			fprintf(out, "powerbudget_%s{domain=\"",
				domain_metrics[m].name);
			_label(s->domains[d].name, out);
			fprintf(
			    out, "\"} %" PRId64 "\n",
			    *(const int64_t *)(base + domain_metrics[m].off));
		}
	}
}

static void _jobs(const pb_status_t *s, FILE *out)
{
	_head("job_watts", "Modelled watts of a running job over idle.", out);
	for (size_t i = 0; i < s->n_jobs; i++)
		fprintf(out,
			"powerbudget_job_watts{job=\"%" PRIu32 "\"} %" PRId64
			"\n",
			s->jobs[i].id, s->jobs[i].watts);
	_head("job_gpu_limit_watts",
	      "Per-GPU power limit a running job is held to (0: none).", out);
	for (size_t i = 0; i < s->n_jobs; i++)
		fprintf(out,
			"powerbudget_job_gpu_limit_watts{job=\"%" PRIu32
			"\"} %" PRId64 "\n",
			s->jobs[i].id, s->jobs[i].gpu_limit_w);
}

int pb_render_prometheus(const pb_status_t *s, FILE *out)
{
	_domains(s, out);
	_jobs(s, out);
	_head("held_jobs", "Pending jobs held by power.", out);
	fprintf(out, "powerbudget_held_jobs %zu\n", s->n_held);
	_head("status_generated_seconds",
	      "When slurmctld wrote the status file (Unix time).", out);
	fprintf(out, "powerbudget_status_generated_seconds %" PRId64 "\n",
		s->generated);
	return ferror(out) ? -1 : 0;
}
