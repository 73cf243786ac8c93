// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_draw: jobs' true GPU draw from a measured power CDF (see sim_draw.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_draw.h"

void sim_cdf_free(struct sim_cdf *c)
{
	free(c->pct);
	free(c->w);
	memset(c, 0, sizeof(*c));
}

int sim_cdf_parse(const char *text, const char *name, struct sim_cdf *c,
		  pb_error_t *err)
{
	const char *p = text;
	size_t cap = 0;
	unsigned line = 0;

	memset(c, 0, sizeof(*c));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char buf[128], *e1, *e2;
		double pc, w;

		line++;
		if (len >= sizeof(buf)) {
			pb_error_set(err, "%s:%u: line too long", name, line);
			goto fail;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (line == 1 || !buf[strspn(buf, " \t\r")] || buf[0] == '#')
			continue;
		pc = strtod(buf, &e1);
		if (e1 == buf || *e1 != ',') {
			pb_error_set(err, "%s:%u: expected percentile,watts",
				     name, line);
			goto fail;
		}
		w = strtod(e1 + 1, &e2);
		if (e2 == e1 + 1 || e2[strspn(e2, " \t\r")] || !isfinite(pc) ||
		    !isfinite(w) || pc < 0 || pc > 100 || w < 0 ||
		    (c->n && (pc <= c->pct[c->n - 1] || w < c->w[c->n - 1]))) {
			pb_error_set(err,
				     "%s:%u: need percentile 0..100 rising and "
				     "watts >= 0 not falling",
				     name, line);
			goto fail;
		}
		if (c->n == cap) {
			size_t nc = cap ? 2 * cap : 256;
			double *a = realloc(c->pct, nc * sizeof(*a));

			if (a)
				c->pct = a;
			a = a ? realloc(c->w, nc * sizeof(*a)) : NULL;
			if (!a) {
				pb_error_set(err, "%s: out of memory", name);
				goto fail;
			}
			c->w = a;
			cap = nc;
		}
		c->pct[c->n] = pc;
		c->w[c->n++] = w;
	}
	if (c->n < 2) {
		pb_error_set(err, "%s: a CDF needs two rows or more", name);
		goto fail;
	}
	return 0;
fail:
	sim_cdf_free(c);
	return -1;
}

int sim_cdf_load(const char *path, struct sim_cdf *c, pb_error_t *err)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!f)
		return pb_error_set(err, "%s: %s", path, strerror(errno));
	if (getdelim(&text, &len, '\0', f) < 0 || ferror(f)) {
		pb_error_set(err, "%s: read error", path);
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	rc = sim_cdf_parse(text, path, c, err);
	free(text);
	return rc;
}

double sim_cdf_watts(const struct sim_cdf *c, double p)
{
	size_t i = 1;

	if (p <= c->pct[0])
		return c->w[0];
	if (p >= c->pct[c->n - 1])
		return c->w[c->n - 1];
	while (c->pct[i] < p)
		i++;
	return c->w[i - 1] + (c->w[i] - c->w[i - 1]) * (p - c->pct[i - 1]) /
				 (c->pct[i] - c->pct[i - 1]);
}

double sim_cdf_pct(const struct sim_cdf *c, double w)
{
	size_t i = 1;

	if (w <= c->w[0])
		return c->pct[0];
	if (w >= c->w[c->n - 1])
		return c->pct[c->n - 1];
	while (c->w[i] <= w)
		i++;
	/* w[i-1] <= w < w[i] */
	return c->pct[i - 1] + (c->pct[i] - c->pct[i - 1]) * (w - c->w[i - 1]) /
				   (c->w[i] - c->w[i - 1]);
}

/* splitmix64 finalizer */
static uint64_t _mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

double sim_draw_u01(uint64_t seed, const char *key, uint64_t salt)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *k = key; k && *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	h = _mix(_mix(h ^ _mix(seed)) ^ _mix(salt + 1));
	return (double)(h >> 11) / 9007199254740992.0;
}

static double _map(const struct sim_draw_rule *r, const struct sim_site *s,
		   double a)
{
	double h = s->gpu_idle_w + (a - r->src_idle_w) /
				       (r->src_max_w - r->src_idle_w) *
				       (s->gpu_max_w - s->gpu_idle_w);

	return fmin(s->gpu_max_w, fmax(s->gpu_idle_w, h));
}

int sim_draw_apply(const struct sim_cdf *c, struct sim_draw_rule *r,
		   const struct sim_site *s, struct sim_trace *t)
{
	double p0 = 0, gs = 0, gw = 0, ns = 0, nw = 0;
	double *level = malloc((t->ncls ? t->ncls : 1) * sizeof(*level));

	if (!level || r->src_max_w <= r->src_idle_w) {
		free(level);
		return -1;
	}
	if (r->kind == SIM_DRAW_BUSY) {
		p0 = sim_cdf_pct(c, r->busy_w);
		if (p0 >= c->pct[c->n - 1]) {
			free(level);
			return -1;
		}
	}
	r->busy_pct = p0;
	for (uint32_t k = 0; k < t->ncls; k++) {
		double u = sim_draw_u01(r->seed, t->cls[k], 0);

		level[k] = sim_cdf_watts(c, p0 + u * (c->pct[c->n - 1] - p0));
	}
	for (size_t i = 0; i < t->n; i++) {
		struct sim_job *j = &t->jobs[i];
		double u = sim_draw_u01(r->seed, "run", j->row);
		double a = level[j->cls] * (1 + r->jitter * (2 * u - 1));
		double g = (double)j->nodes * j->gpus_per_node * j->dur;

		j->draw_w = _map(r, s, a);
		gs += g;
		gw += g * j->draw_w;
		ns += (double)j->nodes * j->dur;
		nw += (double)j->nodes * j->dur *
		      sim_site_node_w(s, j->gpus_per_node, j->draw_w);
	}
	r->mean_gpu_w = gs > 0 ? gw / gs : 0;
	r->mean_node_w = ns > 0 ? nw / ns : 0;
	free(level);
	return 0;
}
