// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_base: the two baselines, which need no policy code.
 *
 * Both place first fit in node order (what select/cons_tres does without a
 * topology plugin) on whole nodes.  Power-oblivious keeps every node
 * powered and never looks at power: the engine then reports how far and
 * how long the site would have gone over its caps.  Static provisioning
 * decides once which nodes may ever be powered: walking nodes in order it
 * powers a node if, with every powered node at full draw and the rest at
 * standby, no rack, row, hall, the cooling or the facility (after the
 * reserve) would go over; the others stay off.  It never needs a run-time
 * power check, and never uses the cap that idle or partly loaded nodes
 * leave unused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_pols.h"

struct sim_base {
	const struct sim_site *s;
	uint8_t *usable; /* may run jobs (powered) */
	uint8_t *busy;
	uint32_t nusable, nfree;
};

static int _free_on(void *ctx, uint32_t node)
{
	struct sim_base *b = ctx;

	return b->usable[node];
}

static int _fits_ever(void *ctx, const struct sim_job *j)
{
	struct sim_base *b = ctx;

	return j->nodes <= b->nusable;
}

static int _start(void *ctx, const struct sim_job *j, double now, uint32_t *out)
{
	struct sim_base *b = ctx;
	uint32_t got = 0;

	(void)now;
	if (j->nodes > b->nfree)
		return 0;
	for (uint32_t n = 0; n < b->s->nodes && got < j->nodes; n++)
		if (b->usable[n] && !b->busy[n])
			out[got++] = n;
	for (uint32_t k = 0; k < got; k++)
		b->busy[out[k]] = 1;
	b->nfree -= got;
	return 1;
}

static void _finish(void *ctx, const struct sim_job *j, const uint32_t *nodes)
{
	struct sim_base *b = ctx;

	for (uint32_t k = 0; k < j->nodes; k++)
		b->busy[nodes[k]] = 0;
	b->nfree += j->nodes;
}

static uint32_t _free_nodes(void *ctx)
{
	return ((struct sim_base *)ctx)->nfree;
}

static double _headroom(void *ctx)
{
	(void)ctx;
	return INFINITY;
}

static double _job_w(void *ctx, const struct sim_job *j)
{
	(void)ctx;
	(void)j;
	return 0;
}

/* job_w is always 0 */
static uint64_t _job_w_gen(void *ctx)
{
	(void)ctx;
	return 0;
}

static void _destroy(void *ctx)
{
	struct sim_base *b = ctx;

	if (!b)
		return;
	free(b->usable);
	free(b->busy);
	free(b);
}

static const struct sim_pol_ops _ops = {
    .free_on = _free_on,
    .fits_ever = _fits_ever,
    .start = _start,
    .finish = _finish,
    .free_nodes = _free_nodes,
    .headroom_w = _headroom,
    .job_w = _job_w,
    .job_w_gen = _job_w_gen,
    .destroy = _destroy,
};

static struct sim_base *_create(const struct sim_site *s)
{
	struct sim_base *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->s = s;
	b->usable = calloc(s->nodes, 1);
	b->busy = calloc(s->nodes, 1);
	if (!b->usable || !b->busy) {
		_destroy(b);
		return NULL;
	}
	return b;
}

int sim_base_oblivious(const struct sim_site *s, struct sim_pol *p,
		       pb_error_t *err)
{
	struct sim_base *b = _create(s);

	if (!b)
		return pb_error_set(err, "oblivious: out of memory");
	memset(b->usable, 1, s->nodes);
	b->nusable = b->nfree = s->nodes;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "oblivious");
	p->ops = &_ops;
	p->ctx = b;
	p->powered = s->nodes;
	return 0;
}

/* Choose the powered set greedily under every cap at full draw. */
static void _provision(struct sim_base *b)
{
	const struct sim_site *s = b->s;
	double keep = 1 - s->reserve,
	       add = sim_site_busy_w(s, s->gpn, 1) - s->standby_w;
	double it_lim = fmin(s->cap_w * keep / s->pue,
			     s->cooling_w > 0 ? s->cooling_w * keep : INFINITY);
	double it = s->standby_w * s->nodes, rack = 0, row = 0, hall = 0;

	for (uint32_t n = 0; n < s->nodes; n++) {
		uint32_t rk = s->rack_nodes, rw = rk * s->row_racks,
			 hl = rw * s->hall_rows;

		/* a new domain starts with its nodes at standby */
		if (n % rk == 0)
			rack = s->standby_w * fmin(rk, s->nodes - n);
		if (n % rw == 0)
			row = s->standby_w * fmin(rw, s->nodes - n);
		if (n % hl == 0)
			hall = s->standby_w * fmin(hl, s->nodes - n);
		if (it + add > it_lim || rack + add > s->rack_cap_w * keep ||
		    row + add > s->row_cap_w * keep ||
		    hall + add > s->hall_cap_w * keep)
			continue;
		b->usable[n] = 1;
		b->nusable++;
		it += add;
		rack += add;
		row += add;
		hall += add;
	}
	b->nfree = b->nusable;
}

int sim_base_static(const struct sim_site *s, struct sim_pol *p,
		    pb_error_t *err)
{
	struct sim_base *b = _create(s);

	if (!b)
		return pb_error_set(err, "static: out of memory");
	_provision(b);
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "static");
	p->ops = &_ops;
	p->ctx = b;
	p->powered = b->nusable;
	return 0;
}

void sim_pol_destroy(struct sim_pol *p)
{
	if (p->ops && p->ctx)
		p->ops->destroy(p->ctx);
	p->ctx = NULL;
}
