// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_engine: event loop, EASY backfill and measurement.
 *
 * Time advances from event to event (a submit or a job end).  At each
 * instant all ends are applied first, then the new submits queue, then one
 * scheduling pass runs, and only then is power observed: a start and an end
 * at the same second never show as a transient sum.
 *
 * The scheduling pass is EASY backfill in priority order (FCFS: submit
 * time, then trace row).  Jobs start in order until one cannot; that head
 * job gets a reservation at the earliest time when enough nodes *and*
 * enough policy power headroom will be free, counting the running jobs' end
 * times (run times are known exactly: the trace gives no time limits).  A
 * later job may then start now only if it ends before that time, or if it
 * fits in the nodes and power the head job will leave over.  A policy that
 * can hold power ahead (the ledger's reservations) is also asked to hold
 * the head job's power at that time on nodes free by then, so backfill
 * cannot use rack, row or hall headroom the head job will need.
 *
 * Power is accounted here, not by the policy: a node draws standby when off,
 * idle when powered without a job, idle + its GPUs' increment with one; IT
 * watts sum up racks, rows, halls; facility = IT x PUE.  A violation is an
 * episode during which a domain is above its full cap (the reserve is a
 * policy margin, not part of the cap).  Two accounts run side by side: the
 * modelled one (each GPU at its load's draw, capped by the job's limit:
 * what a site that believed the model would see) and the true one (each
 * GPU at min(its job's true draw, the limit)), which gives the power curve.
 *
 * A job whose GPUs are limited below their true draw runs slower (the
 * physics' speed s): its run takes dur / s and delivers dur x GPUs of
 * full-speed work.  The policy sees only the limit it set and, at the
 * job's end (or once it has run the policy's observe_after, an event of
 * its own applied after the ends of that instant), the draw the nodes
 * measured.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_engine.h"
#include "sim_queue.h"

#define SIM_TAU 10.0 /* s, bounded-slowdown threshold */

struct sim_run_job {
	double end;
	uint32_t job;
	uint32_t *nodes; /* owned */
	double w;	 /* policy power held, released at the end */
};

/* Per-level IT watts and over-cap state; level 3 is cooling (one domain). */
struct sim_dom {
	uint32_t n;
	double cap;
	double *w;
	double *since; /* over since; < 0 when under */
	uint8_t *touched;
	uint32_t *tlist;
	uint32_t ntouched;
};

/* One power account: node watts, domain watts, what went over. */
struct sim_acct {
	double *node_w;
	double it_w;
	struct sim_dom dom[4];
	int fac_over;
	uint32_t fac_viol, dom_viol;
	double fac_worst_w, dom_worst_w, fac_over_s, dom_over_s, fac_max;
};

enum { SIM_MODEL, SIM_TRUE };

/*
 * Facility power of the last minute, for its largest rise: the points
 * (t, w) in force at some time since t - 60, oldest first.
 */
struct sim_rise {
	struct sim_point *p;
	size_t n, cap;
};

struct sim_state {
	const struct sim_site *s;
	const struct sim_trace *t;
	const struct sim_pol *p;
	const struct sim_physics *phys;
	struct sim_result *r;
	struct sim_acct a[2];
	double *speed;	   /* per job: its speed (1 unless limited) */
	double *gpu_true;  /* per job: each GPU's true draw under its limit */
	double *gpu_model; /* per job: each GPU's modelled draw, the same */
	/*
	 * A curtailment: suspended jobs (end: the run time left), in job
	 * order; per job when it was suspended (< 0: not), its seconds
	 * suspended and those within the arrival span, whether it was shed.
	 */
	struct sim_run_job *susp;
	size_t nsusp;
	double *susp_at, *paused, *paused_span;
	uint8_t *was_shed;
	struct sim_shed *shedc; /* scratch, one per running job */
	int curtail_told;
	/* running jobs: binary min-heap on (end, job) */
	struct sim_run_job *heap;
	size_t nheap;
	/* observations due while jobs run: min-heap on (time, job) */
	struct sim_run_job *obs;
	size_t nobs;
	uint8_t *observed; /* per job: observed while it ran */
	struct sim_run_job
	    *scan;	 /* scratch copy of the heap, popped in order */
	size_t *scan_at; /* scratch: heap indices, a min-heap by their jobs */
	/*
	 * Pending jobs in priority order, each with its node count and
	 * job_w as of the policy's job_w_gen qgen (a job takes its job_w
	 * when it is queued): every pass looks for queued jobs that fit the
	 * room left, so it does so without a call.
	 */
	struct sim_queue queue;
	size_t *started; /* scratch: where a pass started jobs in queue */
	uint64_t qgen;
	double *start; /* per job; < 0 until it starts */
	uint32_t *nodes_buf;
	uint64_t *freew; /* a bit per node not in a running job */
	/*
	 * each node's rack, row and hall ([nodes * 3]): every start and
	 * end adds to them, in both accounts, and a division each is slow
	 */
	uint32_t *node_dom;
	uint32_t *cand; /* scratch: nodes of jobs ending by a hold */
	double last_t, last_w, span, energy_window;
	size_t curve_cap;
	double cost_ns;
	struct sim_rise rise[2]; /* over a minute: true, committed */
};

static double _now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int _heap_less(const struct sim_run_job *a, const struct sim_run_job *b)
{
	if (a->end != b->end)
		return a->end < b->end;
	return a->job < b->job;
}

/* Push rj onto the min-heap h[0..*n). */
static void _push(struct sim_run_job *h, size_t *n, struct sim_run_job rj)
{
	size_t i = (*n)++;

	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!_heap_less(&rj, &h[up]))
			break;
		h[i] = h[up];
		i = up;
	}
	h[i] = rj;
}

static void _heap_push(struct sim_state *st, struct sim_run_job rj)
{
	_push(st->heap, &st->nheap, rj);
}

/* Pop the least of the min-heap h[0..*n). */
static struct sim_run_job _pop(struct sim_run_job *h, size_t *n)
{
	struct sim_run_job top = h[0], last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && _heap_less(&h[c + 1], &h[c]))
			c++;
		if (!_heap_less(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

static struct sim_run_job _heap_pop(struct sim_state *st)
{
	return _pop(st->heap, &st->nheap);
}

/* Push index i of h onto x[0..*n), a min-heap of indices by their jobs. */
static void _push_at(const struct sim_run_job *h, size_t *x, size_t *n,
		     size_t i)
{
	size_t at = (*n)++;

	while (at > 0) {
		size_t up = (at - 1) / 2;

		if (!_heap_less(&h[i], &h[x[up]]))
			break;
		x[at] = x[up];
		at = up;
	}
	x[at] = i;
}

/* Pop the index of the least job from x[0..*n). */
static size_t _pop_at(const struct sim_run_job *h, size_t *x, size_t *n)
{
	size_t top = x[0], last = x[--*n], at = 0;

	for (;;) {
		size_t c = 2 * at + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && _heap_less(&h[x[c + 1]], &h[x[c]]))
			c++;
		if (!_heap_less(&h[x[c]], &h[last]))
			break;
		x[at] = x[c];
		at = c;
	}
	if (*n)
		x[at] = last;
	return top;
}

/*
 * The next running job in end order, from the heap left as it is: the
 * least not yet taken is the root or a child of one taken, so the
 * frontier (x, *n) holds those.  Taking k jobs costs k log k, not a copy
 * of the whole heap.
 */
static struct sim_run_job _next_end(const struct sim_state *st, size_t *x,
				    size_t *n)
{
	size_t i = _pop_at(st->heap, x, n);

	if (2 * i + 1 < st->nheap)
		_push_at(st->heap, x, n, 2 * i + 1);
	if (2 * i + 2 < st->nheap)
		_push_at(st->heap, x, n, 2 * i + 2);
	return st->heap[i];
}

static int _dom_init(struct sim_dom *d, uint32_t n, double cap)
{
	d->n = n;
	d->cap = cap;
	d->w = calloc(n, sizeof(*d->w));
	d->since = malloc(n * sizeof(*d->since));
	d->touched = calloc(n, 1);
	d->tlist = malloc(n * sizeof(*d->tlist));
	if (!d->w || !d->since || !d->touched || !d->tlist)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		d->since[i] = -1;
	return 0;
}

static void _dom_free(struct sim_dom *d)
{
	free(d->w);
	free(d->since);
	free(d->touched);
	free(d->tlist);
}

static void _dom_add(struct sim_dom *d, uint32_t i, double dw)
{
	d->w[i] += dw;
	if (!d->touched[i]) {
		d->touched[i] = 1;
		d->tlist[d->ntouched++] = i;
	}
}

/* Node n is in a running job (1) or not (0). */
static void _set_busy(struct sim_state *st, uint32_t n, int busy)
{
	uint64_t bit = UINT64_C(1) << (n % 64);

	st->freew[n / 64] =
	    busy ? st->freew[n / 64] & ~bit : st->freew[n / 64] | bit;
}

/* Set a node's draw in one account, carrying the change up its domains. */
static void _node_set(struct sim_state *st, int acct, uint32_t n, double w)
{
	struct sim_acct *a = &st->a[acct];
	const uint32_t *dom = &st->node_dom[(size_t)n * 3];
	double dw = w - a->node_w[n];

	a->node_w[n] = w;
	a->it_w += dw;
	_dom_add(&a->dom[0], dom[0], dw);
	_dom_add(&a->dom[1], dom[1], dw);
	_dom_add(&a->dom[2], dom[2], dw);
	_dom_add(&a->dom[3], 0, dw);
}

static double _free_w(struct sim_state *st, uint32_t n)
{
	return st->p->ops->free_on(st->p->ctx, n) ? sim_site_idle_w(st->s)
						  : st->s->standby_w;
}

static int _curve_add(struct sim_state *st, double t, double w)
{
	struct sim_result *r = st->r;

	if (r->ncurve && r->curve[r->ncurve - 1].w == w)
		return 0;
	if (r->ncurve && r->curve[r->ncurve - 1].t == t) {
		r->curve[r->ncurve - 1].w = w;
		return 0;
	}
	if (r->ncurve == st->curve_cap) {
		size_t nc = st->curve_cap ? 2 * st->curve_cap : 4096;
		struct sim_point *np = realloc(r->curve, nc * sizeof(*np));

		if (!np)
			return -1;
		r->curve = np;
		st->curve_cap = nc;
	}
	r->curve[r->ncurve].t = t;
	r->curve[r->ncurve].w = w;
	r->ncurve++;
	return 0;
}

/* Check one account's caps after the instant t (the last one at last). */
static void _check(struct sim_state *st, struct sim_acct *a, double t,
		   double last)
{
	double fac = a->it_w * st->s->pue;
	double cap = sim_site_cap_at(st->s, t); /* a window's, if one is on */

	if (a->fac_over)
		a->fac_over_s += t - last;
	if (fac > a->fac_max)
		a->fac_max = fac;
	if (fac > cap) {
		if (!a->fac_over)
			a->fac_viol++;
		a->fac_over = 1;
		if (fac - cap > a->fac_worst_w)
			a->fac_worst_w = fac - cap;
	} else {
		a->fac_over = 0;
	}
	for (int l = 0; l < 4; l++) {
		struct sim_dom *d = &a->dom[l];

		for (uint32_t k = 0; k < d->ntouched; k++) {
			uint32_t i = d->tlist[k];
			double over = d->w[i] - d->cap;

			d->touched[i] = 0;
			if (over > 1e-6) {
				if (d->since[i] < 0) {
					d->since[i] = t;
					a->dom_viol++;
				}
				if (over > a->dom_worst_w)
					a->dom_worst_w = over;
			} else if (d->since[i] >= 0) {
				a->dom_over_s += t - d->since[i];
				d->since[i] = -1;
			}
		}
		d->ntouched = 0;
	}
}

/*
 * Note facility power w from t on in rise account k, and keep the
 * largest rise: w less the lowest power in force in (t - 60, t].
 */
static int _rise(struct sim_state *st, int k, double t, double w, double *max)
{
	struct sim_rise *r = &st->rise[k];
	size_t drop = 0;
	double low = w;

	/* points whose successor began by t - 60 are out of the minute */
	while (drop + 1 < r->n && r->p[drop + 1].t <= t - 60)
		drop++;
	if (drop) {
		memmove(r->p, r->p + drop, (r->n - drop) * sizeof(*r->p));
		r->n -= drop;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 64;
		struct sim_point *np = realloc(r->p, nc * sizeof(*np));

		if (!np)
			return -1;
		r->p = np;
		r->cap = nc;
	}
	r->p[r->n++] = (struct sim_point){t, w};
	/* each point left was in force for a while within the minute */
	for (size_t i = 0; i < r->n; i++)
		low = fmin(low, r->p[i].w);
	if (w - low > *max)
		*max = w - low;
	return 0;
}

/* The first time from a curtailment's issue that w is within its target. */
static void _reach(struct sim_state *st, double t, double w, double *at)
{
	const struct sim_curtail *c = &st->s->curtail;

	if (st->s->curtailed && *at < 0 && t >= c->issue && w <= c->cap_w)
		*at = t - c->issue;
}

/* Close the interval [last_t, t) and check caps after this instant. */
static int _observe(struct sim_state *st, double t)
{
	double fac = st->a[SIM_TRUE].it_w * st->s->pue;

	/* true facility energy of [last_t, t) within the arrival span */
	if (st->last_t < st->span)
		st->energy_window +=
		    st->last_w * (fmin(t, st->span) - st->last_t);
	_check(st, &st->a[SIM_MODEL], t, st->last_t);
	_check(st, &st->a[SIM_TRUE], t, st->last_t);
	st->last_t = t;
	st->last_w = fac;
	_reach(st, t, fac, &st->r->curtail_reach_s);
	if (_rise(st, 0, t, fac, &st->r->rise_max_w))
		return -1;
	if (st->p->ops->committed_w) {
		double c = st->p->ops->committed_w(st->p->ctx);

		_reach(st, t, c, &st->r->curtail_reach_committed_s);
		if (_rise(st, 1, t, c, &st->r->rise_committed_max_w))
			return -1;
	}
	return _curve_add(st, t, fac);
}

static void _finish(struct sim_state *st, struct sim_run_job *rj)
{
	const struct sim_job *j = &st->t->jobs[rj->job];

	if (st->p->ops->observe && !st->observed[rj->job])
		st->p->ops->observe(st->p->ctx, j, st->gpu_true[rj->job],
				    rj->end);
	st->p->ops->finish(st->p->ctx, j, rj->nodes);
	for (uint32_t k = 0; k < j->nodes; k++) {
		double w = _free_w(st, rj->nodes[k]);

		_node_set(st, SIM_MODEL, rj->nodes[k], w);
		_node_set(st, SIM_TRUE, rj->nodes[k], w);
		_set_busy(st, rj->nodes[k], 0);
	}
	free(rj->nodes);
}

static uint32_t _leaves(const struct sim_site *s, const uint32_t *nodes,
			uint32_t n)
{
	uint32_t cnt = 0, last = UINT32_MAX;

	/* policies return nodes ascending; count distinct leaf runs */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t l = sim_site_leaf(s, nodes[k]);

		if (l != last)
			cnt++;
		last = l;
	}
	return cnt;
}

static int _cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort n node indices, after a look whether they already are. */
static void _sort_nodes(uint32_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		if (v[i] < v[i - 1]) {
			qsort(v, n, sizeof(*v), _cmp_u32);
			return;
		}
	}
}

/* Ask the policy to start j; on success account for it.  1/0/-1(ENOMEM). */
static int _try_start(struct sim_state *st, uint32_t id, double now)
{
	const struct sim_job *j = &st->t->jobs[id];
	const struct sim_pol *p = st->p;
	struct sim_run_job rj;
	double t0 = _now_ns(), w = p->ops->job_w(p->ctx, j), lim = 0;
	double model_w, true_w, speed = 1, node_model, node_true;
	int ok;

	ok = p->ops->start(p->ctx, j, now, st->nodes_buf);
	st->cost_ns += _now_ns() - t0;
	st->r->decisions++;
	if (!ok)
		return 0;
	rj.nodes = malloc(j->nodes * sizeof(*rj.nodes));
	if (!rj.nodes)
		return -1;
	memcpy(rj.nodes, st->nodes_buf, j->nodes * sizeof(*rj.nodes));
	/* the power policies hand them over in index order already */
	_sort_nodes(rj.nodes, j->nodes);
	if (p->ops->grant)
		p->ops->grant(p->ctx, j, &lim, &w);
	/* each GPU: modelled and true draw, both held to the limit */
	model_w = sim_site_gpu_w(st->s, j->load);
	true_w = j->draw_w > 0 ? j->draw_w : model_w;
	if (lim > 0) {
		if (lim < true_w && st->phys && st->phys->speed)
			speed = st->phys->speed(st->phys->arg, lim, true_w);
		model_w = fmin(model_w, lim);
		true_w = fmin(true_w, lim);
	}
	if (!(speed > 0) || speed > 1)
		speed = 1;
	st->speed[id] = speed;
	st->gpu_true[id] = true_w;
	st->gpu_model[id] = model_w;
	if (speed < 1) {
		st->r->limited++;
		st->r->speed_mean += speed;
	}
	rj.end = now + (speed < 1 ? ceil(j->dur / speed) : j->dur);
	rj.job = id;
	rj.w = w;
	for (uint32_t k = 0; k < j->nodes; k++)
		_set_busy(st, rj.nodes[k], 1);
	/* every node of the job draws the same */
	node_model = sim_site_node_w(st->s, j->gpus_per_node, model_w);
	node_true = sim_site_node_w(st->s, j->gpus_per_node, true_w);
	for (uint32_t k = 0; k < j->nodes; k++) {
		_node_set(st, SIM_MODEL, rj.nodes[k], node_model);
		_node_set(st, SIM_TRUE, rj.nodes[k], node_true);
	}
	st->start[id] = now;
	if (p->ops->observe && p->observe_after > 0 &&
	    rj.end - now > p->observe_after)
		_push(st->obs, &st->nobs,
		      (struct sim_run_job){.end = now + p->observe_after,
					   .job = id});
	st->r->leaf_mean += _leaves(st->s, rj.nodes, j->nodes);
	st->r->started++;
	_heap_push(st, rj);
	return 1;
}

/*
 * The head job's reservation: the earliest end time after which enough
 * nodes and power are free, and what is left over then for backfill.
 */
static double _shadow(struct sim_state *st, const struct sim_job *h,
		      struct sim_run_job *tmp, size_t *upto, double *extra_n,
		      double *extra_w)
{
	const struct sim_pol *p = st->p;
	double fn = p->ops->free_nodes(p->ctx);
	double hw = p->ops->headroom_w(p->ctx), need = p->ops->job_w(p->ctx, h);
	size_t nx = 0;

	/*
	 * The running jobs in end order, as far as needed: (end, job) is a
	 * total order, so taking them from the heap's frontier gives the
	 * prefix a sort would.
	 */
	if (st->nheap)
		_push_at(st->heap, st->scan_at, &nx, 0);
	for (size_t k = 0; k < st->nheap; k++) {
		tmp[k] = _next_end(st, st->scan_at, &nx);
		fn += st->t->jobs[tmp[k].job].nodes;
		hw += tmp[k].w;
		if (fn >= h->nodes && hw >= need) {
			*upto = k + 1;
			*extra_n = fn - h->nodes;
			*extra_w = hw - need;
			return tmp[k].end;
		}
	}
	*extra_n = 0;
	*extra_w = 0;
	return INFINITY;
}

/* Ask the policy to hold the head's power at its reserved start. */
static void _hold(struct sim_state *st, const struct sim_job *h, double at,
		  const struct sim_run_job *ending, size_t upto)
{
	const struct sim_pol *p = st->p;
	uint32_t n = 0;

	if (!p->ops->hold || isinf(at))
		return;
	for (size_t e = 0; e < upto; e++) {
		const uint32_t *nodes = ending[e].nodes;

		for (uint32_t k = 0; k < st->t->jobs[ending[e].job].nodes; k++)
			st->cand[n++] = nodes[k];
	}
	p->ops->hold(p->ctx, h, at, st->freew, st->cand, n);
}

/*
 * The policy's free nodes and headroom during one pass.  They change only
 * when the policy is asked to start or hold a job, so the pass reads them
 * again after each such call instead of once per queued job.
 */
struct sim_room {
	uint32_t nodes;
	double w;
};

static void _room(struct sim_state *st, struct sim_room *r)
{
	const struct sim_pol *p = st->p;

	r->nodes = p->ops->free_nodes(p->ctx);
	r->w = p->ops->headroom_w(p->ctx);
}

static double _job_w_of(void *arg, uint32_t id)
{
	const struct sim_state *st = arg;

	return st->p->ops->job_w(st->p->ctx, &st->t->jobs[id]);
}

/*
 * Bring the queued jobs' watts up to date: all of them when the policy's
 * estimates moved since they were taken (or it cannot say), none
 * otherwise.
 */
static void _queue_refresh(struct sim_state *st)
{
	const struct sim_pol *p = st->p;
	uint64_t gen = p->ops->job_w_gen ? p->ops->job_w_gen(p->ctx) : 0;

	if (p->ops->job_w_gen && gen == st->qgen)
		return;
	sim_queue_rewatt(&st->queue, _job_w_of, st);
	st->qgen = gen;
}

/*
 * One EASY pass.  The head job's power hold only matters to the backfill
 * starts of this pass (it is dropped at the next event), so it is made
 * lazily, just before the first one is tried: most passes try none.
 * Free nodes never grow during a pass: once none is left, the rest of the
 * queue stays as it is.
 */
static int _schedule(struct sim_state *st, double now, struct sim_run_job *tmp)
{
	double shadow = -1, extra_n = 0, extra_w = 0;
	const struct sim_job *head = NULL;
	size_t nstarted = 0, upto = 0, q;
	struct sim_room room;

	_room(st, &room);
	_queue_refresh(st);
	for (q = 0; q < st->queue.n; q++) {
		const struct sim_queued *e;
		const struct sim_job *j;
		int rc = 0;

		if (shadow >= 0) {
			if (!room.nodes)
				break;
			q = sim_queue_next_fit(&st->queue, q, room.nodes,
					       room.w);
			if (q == st->queue.n)
				break;
		}
		e = &st->queue.e[q];
		j = &st->t->jobs[e->id];
		if (shadow < 0) {
			if (sim_queued_fits(e, room.nodes, room.w)) {
				rc = _try_start(st, e->id, now);
				_room(st, &room);
				_queue_refresh(st);
			}
			if (rc == 0) {
				shadow = _shadow(st, j, tmp, &upto, &extra_n,
						 &extra_w);
				head = j;
			}
		} else {
			int early = now + j->dur <= shadow;
			double w = e->w;
			uint32_t nodes = e->nodes;

			if (early || (nodes <= extra_n && w <= extra_w)) {
				if (head) {
					_hold(st, head, shadow, tmp, upto);
					head = NULL;
				}
				rc = _try_start(st, e->id, now);
				_room(st, &room);
				_queue_refresh(st);
				if (rc == 1 && !early) {
					extra_n -= nodes;
					extra_w -= w;
				}
			}
		}
		if (rc < 0)
			return -1;
		if (rc == 1)
			st->started[nstarted++] = q;
	}
	sim_queue_drop(&st->queue, st->started, nstarted);
	return 0;
}

static int _cmp_w(const void *a, const void *b)
{
	const struct sim_point *x = a, *y = b;

	return x->w < y->w ? -1 : x->w > y->w;
}

double sim_curve_quantile(const struct sim_point *c, size_t n, double end,
			  double q)
{
	struct sim_point *v;
	double total = 0, acc = 0, res;
	size_t m = 0;

	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return NAN;
	/* v[k] = (time spent, power) of each step of the curve */
	for (size_t k = 0; k < n; k++) {
		double until = k + 1 < n ? c[k + 1].t : end;

		if (until > c[k].t) {
			v[m].t = until - c[k].t;
			v[m].w = c[k].w;
			total += v[m].t;
			m++;
		}
	}
	if (!m) {
		free(v);
		return c[n - 1].w;
	}
	qsort(v, m, sizeof(*v), _cmp_w);
	res = v[m - 1].w;
	for (size_t k = 0; k < m; k++) {
		acc += v[k].t;
		if (acc >= q * total) {
			res = v[k].w;
			break;
		}
	}
	free(v);
	return res;
}

static int _cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank quantile of v[0..n), sorting v. */
static double _quantile(double *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), _cmp_d);
	k = (size_t)ceil(q * n);
	return v[k ? k - 1 : 0];
}

/* Per-job and per-curve summaries once every job has ended. */
static int _summarise(struct sim_state *st)
{
	const struct sim_trace *t = st->t;
	struct sim_result *r = st->r;
	double span = t->n ? t->jobs[t->n - 1].submit : 0;
	double *wait = malloc((t->n + 1) * sizeof(*wait));
	double *bsld = malloc((t->n + 1) * sizeof(*bsld));
	double energy = 0;
	size_t m = 0;

	if (!wait || !bsld) {
		free(wait);
		free(bsld);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct sim_job *j = &t->jobs[i];
		double s = st->start[i],
		       gpus = (double)j->nodes * j->gpus_per_node;
		double sp = st->speed[i];
		double run = sp < 1 ? ceil(j->dur / sp) : j->dur;
		double wall = run + st->paused[i]; /* a shed job's too */
		double in;

		if (s < 0)
			continue;
		wait[m] = s - j->submit;
		bsld[m] = fmax(1.0, (wait[m] + wall) / fmax(j->dur, SIM_TAU));
		r->wait_mean += wait[m];
		r->bsld_mean += bsld[m];
		r->gpu_hours += gpus * run / 3600;
		in = fmin(s + wall, span) - s;
		if (in > 0) {
			r->gpu_hours_window += gpus * in / 3600;
			/* full-speed work: all of it once the run is done */
			r->work_gpu_h +=
			    gpus *
			    (s + wall <= span
				 ? j->dur
				 : (in - st->paused_span[i]) * sp) /
			    3600;
		}
		if (s + wall > r->makespan)
			r->makespan = s + wall;
		m++;
	}
	if (r->limited)
		r->speed_mean /= r->limited;
	r->energy_mwh_window = st->energy_window / 3.6e9;
	if (m) {
		r->wait_mean /= m;
		r->bsld_mean /= m;
		r->leaf_mean /= m;
	}
	r->wait_p95 = _quantile(wait, m, 0.95);
	r->bsld_p95 = _quantile(bsld, m, 0.95);
	free(wait);
	free(bsld);
	for (size_t k = 0; k < r->ncurve; k++) {
		double until =
		    k + 1 < r->ncurve ? r->curve[k + 1].t : r->makespan;

		energy += r->curve[k].w * (until - r->curve[k].t);
	}
	r->fac_mean = r->makespan > 0 ? energy / r->makespan : 0;
	r->fac_p95 = sim_curve_quantile(r->curve, r->ncurve, r->makespan, 0.95);
	return isnan(r->fac_p95) ? -1 : 0;
}

static void _state_free(struct sim_state *st)
{
	for (size_t k = 0; k < st->nheap; k++)
		free(st->heap[k].nodes);
	free(st->heap);
	free(st->obs);
	free(st->observed);
	free(st->scan);
	free(st->scan_at);
	sim_queue_free(&st->queue);
	free(st->started);
	free(st->start);
	free(st->nodes_buf);
	free(st->freew);
	free(st->node_dom);
	free(st->cand);
	free(st->speed);
	free(st->gpu_true);
	free(st->gpu_model);
	for (size_t k = 0; k < st->nsusp; k++)
		free(st->susp[k].nodes);
	free(st->susp);
	free(st->susp_at);
	free(st->paused);
	free(st->paused_span);
	free(st->was_shed);
	free(st->shedc);
	free(st->rise[0].p);
	free(st->rise[1].p);
	for (int a = 0; a < 2; a++) {
		free(st->a[a].node_w);
		for (int l = 0; l < 4; l++)
			_dom_free(&st->a[a].dom[l]);
	}
}

static int _acct_init(struct sim_acct *a, const struct sim_site *s)
{
	a->node_w = calloc(s->nodes, sizeof(*a->node_w));
	return !a->node_w ||
	       _dom_init(&a->dom[0], sim_site_count(s, SIM_LVL_RACK),
			 s->rack_cap_w) ||
	       _dom_init(&a->dom[1], sim_site_count(s, SIM_LVL_ROW),
			 s->row_cap_w) ||
	       _dom_init(&a->dom[2], sim_site_count(s, SIM_LVL_HALL),
			 s->hall_cap_w) ||
	       _dom_init(&a->dom[3], 1,
			 s->cooling_w > 0 ? s->cooling_w : INFINITY);
}

static int _state_init(struct sim_state *st)
{
	const struct sim_site *s = st->s;
	size_t n = st->t->n ? st->t->n : 1;

	st->heap = malloc(n * sizeof(*st->heap));
	st->obs = malloc(n * sizeof(*st->obs));
	st->observed = calloc(n, 1);
	st->scan = malloc(n * sizeof(*st->scan));
	st->scan_at = malloc((n + 1) * sizeof(*st->scan_at));
	st->started = malloc(n * sizeof(*st->started));
	st->start = malloc(n * sizeof(*st->start));
	st->nodes_buf = malloc(s->nodes * sizeof(*st->nodes_buf));
	st->freew =
	    calloc(((size_t)s->nodes + 63) / 64 + 1, sizeof(*st->freew));
	st->node_dom =
	    malloc(((size_t)s->nodes + 1) * 3 * sizeof(*st->node_dom));
	st->cand = malloc(s->nodes * sizeof(*st->cand));
	st->speed = malloc(n * sizeof(*st->speed));
	st->gpu_true = malloc(n * sizeof(*st->gpu_true));
	st->gpu_model = malloc(n * sizeof(*st->gpu_model));
	st->susp = malloc(n * sizeof(*st->susp));
	st->susp_at = malloc(n * sizeof(*st->susp_at));
	st->paused = calloc(n, sizeof(*st->paused));
	st->paused_span = calloc(n, sizeof(*st->paused_span));
	st->was_shed = calloc(n, 1);
	st->shedc = malloc(n * sizeof(*st->shedc));
	if (!st->freew || !st->node_dom || !st->cand || !st->heap || !st->obs ||
	    !st->observed || !st->scan || !st->scan_at || !st->started ||
	    !st->start || !st->nodes_buf || !st->speed || !st->gpu_true ||
	    !st->gpu_model || !st->susp || !st->susp_at || !st->paused ||
	    !st->paused_span || !st->was_shed || !st->shedc ||
	    sim_queue_init(&st->queue, n) || _acct_init(&st->a[SIM_MODEL], s) ||
	    _acct_init(&st->a[SIM_TRUE], s))
		return -1;
	for (uint32_t k = 0; k < s->nodes; k++) {
		_set_busy(st, k, 0);
		st->node_dom[(size_t)k * 3] = sim_site_rack(s, k);
		st->node_dom[(size_t)k * 3 + 1] = sim_site_row(s, k);
		st->node_dom[(size_t)k * 3 + 2] = sim_site_hall(s, k);
	}
	for (size_t i = 0; i < st->t->n; i++) {
		st->start[i] = -1;
		st->speed[i] = 1;
		st->susp_at[i] = -1;
	}
	st->span = st->t->n ? st->t->jobs[st->t->n - 1].submit : 0;
	for (uint32_t k = 0; k < s->nodes; k++) {
		double w = _free_w(st, k);

		_node_set(st, SIM_MODEL, k, w);
		_node_set(st, SIM_TRUE, k, w);
	}
	st->last_w = st->a[SIM_TRUE].it_w * s->pue;
	return 0;
}

/* Close open domain episodes at the end of the run; copy the counts. */
static void _close(struct sim_state *st, double t)
{
	struct sim_result *r = st->r;
	const struct sim_acct *m = &st->a[SIM_MODEL], *tr = &st->a[SIM_TRUE];

	for (int a = 0; a < 2; a++)
		for (int l = 0; l < 4; l++)
			for (uint32_t i = 0; i < st->a[a].dom[l].n; i++)
				if (st->a[a].dom[l].since[i] >= 0)
					st->a[a].dom_over_s +=
					    t - st->a[a].dom[l].since[i];
	r->fac_viol = m->fac_viol;
	r->fac_worst_w = m->fac_worst_w;
	r->fac_over_s = m->fac_over_s;
	r->dom_viol = m->dom_viol;
	r->dom_worst_w = m->dom_worst_w;
	r->dom_over_s = m->dom_over_s;
	r->fac_max = tr->fac_max;
	r->true_fac_viol = tr->fac_viol;
	r->true_fac_worst_w = tr->fac_worst_w;
	r->true_dom_viol = tr->dom_viol;
	r->true_dom_worst_w = tr->dom_worst_w;
}

/* ------------------------------------------------------------------ */
/* A curtailment: the policy hears of it, sheds, resumes               */

static int _cmp_run_job(const void *a, const void *b)
{
	const struct sim_run_job *x = a, *y = b;

	return x->job < y->job ? -1 : x->job > y->job;
}

/* Shed job rj at now: off the heap's run, its nodes powered but idle. */
static void _suspend(struct sim_state *st, struct sim_run_job rj, double now)
{
	const struct sim_job *j = &st->t->jobs[rj.job];
	double idle = sim_site_idle_w(st->s);

	rj.end -= now; /* what is left of its run */
	st->susp[st->nsusp++] = rj;
	st->susp_at[rj.job] = now;
	if (!st->was_shed[rj.job]) {
		st->was_shed[rj.job] = 1;
		st->r->shed_jobs++;
	}
	for (uint32_t k = 0; k < j->nodes; k++) {
		_node_set(st, SIM_MODEL, rj.nodes[k], idle);
		_node_set(st, SIM_TRUE, rj.nodes[k], idle);
	}
}

/* Ask the policy what to shed now; suspend that, keep the rest running. */
static void _shed(struct sim_state *st, double now)
{
	size_t keep = 0;

	for (size_t k = 0; k < st->nheap; k++)
		st->shedc[k] = (struct sim_shed){st->heap[k].job,
						 st->start[st->heap[k].job], 0};
	if (!st->nheap ||
	    !st->p->ops->shed(st->p->ctx, now, st->shedc, (uint32_t)st->nheap))
		return;
	for (size_t k = 0; k < st->nheap; k++) {
		if (st->shedc[k].shed)
			_suspend(st, st->heap[k], now);
		else
			st->scan[keep++] = st->heap[k];
	}
	st->nheap = 0;
	for (size_t k = 0; k < keep; k++)
		_heap_push(st, st->scan[k]);
	qsort(st->susp, st->nsusp, sizeof(*st->susp), _cmp_run_job);
}

/* The end of job id's suspension at now: what it cost. */
static void _unpause(struct sim_state *st, uint32_t id, double now)
{
	const struct sim_job *j = &st->t->jobs[id];
	double from = st->susp_at[id], d = now - from;

	st->paused[id] += d;
	st->paused_span[id] +=
	    fmax(0, fmin(now, st->span) - fmin(from, st->span));
	st->r->shed_gpu_h += (double)j->nodes * j->gpus_per_node * d / 3600;
	st->susp_at[id] = -1;
}

/* Resume, first in job order, the shed jobs the policy lets run again. */
static void _resume(struct sim_state *st, double now)
{
	size_t keep = 0;

	for (size_t k = 0; k < st->nsusp; k++) {
		struct sim_run_job rj = st->susp[k];
		const struct sim_job *j = &st->t->jobs[rj.job];

		if (!st->p->ops->resume(st->p->ctx, j, now, now + rj.end)) {
			st->susp[keep++] = rj;
			continue;
		}
		_unpause(st, rj.job, now);
		rj.end += now;
		for (uint32_t n = 0; n < j->nodes; n++) {
			_node_set(st, SIM_MODEL, rj.nodes[n],
				  sim_site_node_w(st->s, j->gpus_per_node,
						  st->gpu_model[rj.job]));
			_node_set(st, SIM_TRUE, rj.nodes[n],
				  sim_site_node_w(st->s, j->gpus_per_node,
						  st->gpu_true[rj.job]));
		}
		_heap_push(st, rj);
	}
	st->nsusp = keep;
}

/* Before the queue at every event: a curtailment's steps due by now. */
static void _curtail_step(struct sim_state *st, double now)
{
	const struct sim_curtail *c = &st->s->curtail;
	const struct sim_pol_ops *ops = st->p->ops;

	if (!st->s->curtailed || now < c->issue)
		return;
	if (!st->curtail_told) {
		st->curtail_told = 1;
		if (ops->curtail)
			ops->curtail(st->p->ctx, c);
	}
	if (!ops->shed)
		return;
	if (now >= c->deadline - c->lead && now < c->until)
		_shed(st, now);
	if (st->nsusp)
		_resume(st, now);
}

/* The curtailment's next step after t: issue, shedding, end. */
static double _curtail_next(const struct sim_state *st, double t)
{
	const struct sim_curtail *c = &st->s->curtail;
	double at[] = {c->issue, c->deadline - c->lead, c->deadline, c->until};
	double next = INFINITY;

	if (!st->s->curtailed)
		return INFINITY;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (at[i] > t)
			next = fmin(next, at[i]);
	return next;
}

/*
 * The next instant with no job event at which the outcome may change: a
 * cap window begins or ends, or the policy's pace allows a start (or a
 * shed job's resume) again, while jobs wait; a curtailment's step, while
 * any job is there.
 */
static double _wake(struct sim_state *st)
{
	double w = INFINITY;

	if (st->nheap || st->queue.n || st->nsusp)
		w = _curtail_next(st, st->last_t);
	if (!st->queue.n && !st->nsusp)
		return w;
	w = fmin(w, sim_site_cap_change_after(st->s, st->last_t));
	if (st->p->ops->wake)
		w = fmin(w, st->p->ops->wake(st->p->ctx, st->last_t));
	return w;
}

/* Observations due by now, of jobs still running (an ended one was). */
static void _observe_due(struct sim_state *st, double now)
{
	while (st->nobs && st->obs[0].end <= now) {
		struct sim_run_job o = _pop(st->obs, &st->nobs);
		const struct sim_job *j = &st->t->jobs[o.job];

		st->observed[o.job] = 1;
		st->p->ops->observe(st->p->ctx, j, st->gpu_true[o.job], o.end);
	}
}

static int _loop(struct sim_state *st, sim_progress_fn progress, void *parg,
		 struct sim_run_job *tmp)
{
	const struct sim_trace *t = st->t;
	size_t next = 0;
	uint32_t ended = 0;

	if (_observe(st, 0))
		return -1;
	while (next < t->n || st->nheap ||
	       ((st->queue.n || st->nsusp) && isfinite(_wake(st)))) {
		double now = _wake(st);

		if (next < t->n && t->jobs[next].submit < now)
			now = t->jobs[next].submit;
		if (st->nheap && st->heap[0].end < now)
			now = st->heap[0].end;
		if (st->nobs && st->obs[0].end < now)
			now = st->obs[0].end;
		if (st->p->ops->unhold)
			st->p->ops->unhold(st->p->ctx);
		while (st->nheap && st->heap[0].end <= now) {
			struct sim_run_job rj = _heap_pop(st);

			_finish(st, &rj);
			st->r->events++;
			ended++;
		}
		_observe_due(st, now);
		for (; next < t->n && t->jobs[next].submit <= now; next++) {
			st->r->events++;
			if (!st->p->ops->fits_ever(st->p->ctx, &t->jobs[next]))
				st->r->rejected++;
			else
				sim_queue_push(&st->queue, (uint32_t)next,
					       t->jobs[next].nodes,
					       st->p->ops->job_w(
						   st->p->ctx, &t->jobs[next]));
		}
		_curtail_step(st, now);
		if (_schedule(st, now, tmp) || _observe(st, now))
			return -1;
		if (progress && !(st->r->events & 1023))
			progress(parg, st->p->name, ended, (uint32_t)t->n, now);
	}
	/*
	 * A queue left with nothing running can never start: count it; so
	 * is a shed job that can never resume (none should be).
	 */
	st->r->rejected += (uint32_t)(st->queue.n + st->nsusp);
	_close(st, st->last_t);
	if (progress)
		progress(parg, st->p->name, ended, (uint32_t)t->n, st->last_t);
	return 0;
}

int sim_run(const struct sim_site *s, const struct sim_trace *t,
	    const struct sim_pol *p, struct sim_result *r,
	    sim_progress_fn progress, void *parg)
{
	return sim_run_ex(s, t, p, NULL, r, progress, parg);
}

int sim_run_ex(const struct sim_site *s, const struct sim_trace *t,
	       const struct sim_pol *p, const struct sim_physics *phys,
	       struct sim_result *r, sim_progress_fn progress, void *parg)
{
	struct sim_state st;
	struct sim_run_job *tmp;
	double w0 = _now_ns();
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	snprintf(r->policy, sizeof(r->policy), "%s", p->name);
	r->curtail_reach_s = r->curtail_reach_committed_s = -1;
	r->jobs = (uint32_t)t->n;
	r->powered = p->powered;
	st.s = s;
	st.t = t;
	st.p = p;
	st.phys = phys;
	st.r = r;
	tmp = malloc((t->n ? t->n : 1) * sizeof(*tmp));
	if (tmp && !_state_init(&st) && !_loop(&st, progress, parg, tmp) &&
	    !_summarise(&st))
		rc = 0;
	free(tmp);
	_state_free(&st);
	r->wall_s = (_now_ns() - w0) / 1e9;
	r->ns_per_decision = r->decisions ? st.cost_ns / r->decisions : 0;
	if (rc)
		sim_result_free(r);
	return rc;
}

void sim_result_free(struct sim_result *r)
{
	free(r->curve);
	r->curve = NULL;
	r->ncurve = 0;
}
