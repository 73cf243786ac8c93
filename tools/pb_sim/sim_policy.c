// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_policy: the power-budget policy as pb-sim drives it -- the one module
 * of the simulator that calls policy/, the code select/cons_tres_power runs
 * inside slurmctld.  It builds policy's site model (node class, domain tree
 * facility -> halls -> rows -> racks, facility settings) and network tree
 * (core -> spine groups -> leaf switches) from a struct sim_site, and turns
 * each start decision into what the plugin does on RUN_NOW: filter the free
 * nodes by power headroom, choose the most compact set the domains can feed
 * (or, without topology, the best fit on headroom alone), check it against
 * the ledger and commit it.  A job's end releases it from the ledger.
 *
 * With power saving on, a node without a job is off in the ledger (standby
 * draw): committing a job powers its nodes on, and they go off again at the
 * job's end, as Slurm's power saving would with a short SuspendTime.  The
 * resume delay of a real boot is not modelled.
 *
 * Every simulated node enforces GPU power limits (GpuLimitEnforced=yes):
 * a job's per-GPU watts hint is set as its GPUs' limit.  On top of the
 * plain policy:
 *   limits    a job that does not fit at the watts it would be charged
 *             is placed as if at the site floor and started at the
 *             highest limit in [floor, those watts] the ledger admits
 *             (pb_ledger_fit_limit), planned to run as long as the
 *             fitted curve says a board-limit job would at that limit;
 *   efficient the same, and no job is charged above the limit that gives
 *             a node the most work per watt (pb_limit_efficient_w);
 *   learned   a job of a class with a learned draw (policy/learn.h) is
 *             charged, and limited to, the class's estimate; a class's
 *             first run is charged at the board limit.  At a job's end
 *             the table learns what the nodes measured.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/bitset.h"
#include "policy/curtail.h"
#include "policy/error.h"
#include "policy/gpulimit.h"
#include "policy/learn.h"
#include "policy/ledger.h"
#include "policy/net.h"
#include "policy/place.h"
#include "policy/power.h"
#include "policy/ramp.h"
#include "policy/site.h"

#include "sim_pols.h"

#define SIM_CORES_PER_PKG 56 /* Xeon Platinum 8480C, as in DGX H100 */
/*
 * Default site floor: 70% of the board limit.  The fitted curve gives a
 * board-limit job 86% of its speed there, and it stays clear of the
 * region below 60% where the curve is least trustworthy (gpulimit.h).
 */
#define SIM_FLOOR_SHARE 0.7

struct sim_power {
	const struct sim_site *s;
	pb_site_t *site;
	pb_net_t *net; /* NULL without topology preference */
	pb_ledger_t *led;
	pb_placer_t *pl;
	pb_bitset_t *freeset, *cand, *out;
	pb_alloc_node_t *an;
	uint32_t nfree, cores, root;
	int power_save;
	int held; /* the head job's reservation is in the ledger */
	struct sim_power_opts o;
	const struct sim_trace *t; /* class keys */
	pb_speed_curve_t curve;
	pb_learn_t *learn; /* learned mode */
	/*
	 * The table's answer per class, asked for every queued job whenever
	 * an estimate moves: valid while est_gen[c] == gen and est_ver[c] ==
	 * cls_ver[c].  An observation of a known class moves its cls_ver
	 * only; one of a new class moves gen (it may evict another class).
	 * clock moves at every observation that may change an estimate
	 * (one of a new class, or one that moved its class's): what
	 * job_w_gen gives.
	 */
	uint64_t gen, clock, *est_gen, *est_ver, *cls_ver;
	pb_watts_t *est_w;
	int *est_rc;
	pb_watts_t max_w, floor_w, eff_w;
	pb_watts_t granted; /* the last started job's limit, 0 = none */
	/*
	 * _job_w per trace job, asked for every queued job whenever clock
	 * moves: valid while jw_gen[id] == gen + 1 and, when learning,
	 * jw_ver[id] == cls_ver of its class (it follows the estimates).
	 */
	uint64_t *jw_gen, *jw_ver;
	double *jw;
	/*
	 * RampLimit= as the plugin has it: the facility's rise over a
	 * minute; the highest-priority job it holds (ramp_hold, lower ids go
	 * first) keeps later ones waiting until ramp_hold_until; ramp_at is
	 * when a refused start may be tried again.
	 */
	pb_ramp_t *ramp;
	int ramp_stale; /* a job ended: note its drop at the next start */
	uint32_t ramp_hold;
	int64_t ramp_hold_until;
	double ramp_at;
	/*
	 * A curtailment (plugin/curtail.c): the IT watts the facility may
	 * commit under its target (0: none in force), its deadline; and
	 * scratch: the shed candidates, a job's and the free watts per
	 * domain.
	 */
	pb_watts_t curtail_limit;
	double curtail_deadline;
	pb_curtail_job_t *cj;
	uint32_t cj_cap;
	pb_watts_t *dom_w, *avail_w;
};

#define SIM_HOLD_ID 1		   /* the one reservation EASY makes */
#define SIM_CURTAIL_ID 0xE0000000u /* a curtailment's cap window */

static pb_watts_t _w(double w)
{
	return (pb_watts_t)llround(w);
}

/* The per-GPU hint for a job's load: 0 (none, full draw) at load 1. */
static pb_watts_t _hint(const struct sim_site *s, const struct sim_job *j)
{
	return j->load >= 1 ? 0 : _w(sim_site_gpu_w(s, j->load));
}

/* pb_learn_estimate for class c, once per class and observation. */
static int _estimate(struct sim_power *p, uint32_t c, pb_watts_t *w)
{
	if (p->est_gen[c] != p->gen || p->est_ver[c] != p->cls_ver[c]) {
		p->est_rc[c] = pb_learn_estimate(p->learn, p->t->cls[c],
						 _w(p->s->gpu_min_w), p->max_w,
						 &p->est_w[c]);
		p->est_gen[c] = p->gen;
		p->est_ver[c] = p->cls_ver[c];
	}
	*w = p->est_w[c];
	return p->est_rc[c];
}

/*
 * The per-GPU watts j is charged and limited to when it fits (0: the
 * board limit): the declared hint, the class's learned draw, the
 * efficient limit, whichever is lowest.
 */
static pb_watts_t _want(struct sim_power *p, const struct sim_job *j)
{
	pb_watts_t w = _hint(p->s, j), est;

	if (!w)
		w = p->max_w;
	if (p->learn && !_estimate(p, j->cls, &est) && est < w)
		w = est;
	if (p->o.limits == SIM_LIMITS_EFFICIENT && p->eff_w < w)
		w = p->eff_w;
	return w >= p->max_w ? 0 : w;
}

/* The lowest per-GPU watts j may start at (0: the board limit). */
static pb_watts_t _lowest(struct sim_power *p, const struct sim_job *j)
{
	pb_watts_t w = _want(p, j);

	if (p->o.limits && (!w || w > p->floor_w))
		w = p->floor_w;
	return w;
}

/* What a node's draw rises by when it runs j at per-GPU watts w. */
static double _rise(const struct sim_power *p, const struct sim_job *j,
		    pb_watts_t w)
{
	double from = p->power_save ? p->s->standby_w : sim_site_idle_w(p->s);
	double g = w ? (double)w : p->s->gpu_max_w;

	if (g < p->s->gpu_min_w)
		g = p->s->gpu_min_w;
	return sim_site_node_w(p->s, j->gpus_per_node, g) - from;
}

static int _free_on(void *ctx, uint32_t node)
{
	(void)node;
	return !((struct sim_power *)ctx)->power_save;
}

static double _job_w(void *ctx, const struct sim_job *j)
{
	struct sim_power *p = ctx;
	uint32_t id = j->id;

	if (!p->jw || id >= p->t->n || j != &p->t->jobs[id])
		return j->nodes * _rise(p, j, _lowest(p, j));
	if (p->jw_gen[id] != p->gen + 1 ||
	    (p->cls_ver && p->jw_ver[id] != p->cls_ver[j->cls])) {
		p->jw[id] = j->nodes * _rise(p, j, _lowest(p, j));
		p->jw_gen[id] = p->gen + 1;
		p->jw_ver[id] = p->cls_ver ? p->cls_ver[j->cls] : 0;
	}
	return p->jw[id];
}

/* _job_w follows the estimates alone, which move only with clock */
static uint64_t _job_w_gen(void *ctx)
{
	return ((struct sim_power *)ctx)->clock;
}

static int _fits_ever(void *ctx, const struct sim_job *j)
{
	struct sim_power *p = ctx;
	double base = p->power_save ? p->s->standby_w : sim_site_idle_w(p->s);

	return j->nodes <= p->s->nodes &&
	       base * p->s->nodes + _job_w(ctx, j) <=
		   (double)pb_ledger_limit(p->led, p->root);
}

/*
 * Choose nodes for j among p->cand at per-GPU watts hint (0: full) on
 * [now, end), as the plugin does: filter by headroom, then the most
 * compact set the domains can feed.  Fills p->an and *alloc; returns the
 * node count, or 0.
 */
static uint32_t _choose(struct sim_power *p, const struct sim_job *j,
			int64_t now, int64_t end, pb_watts_t hint,
			pb_alloc_t *alloc)
{
	pb_place_req_t req = {
	    .nnodes = j->nodes,
	    .gpus = (uint16_t)j->gpus_per_node,
	    .cores = (uint16_t)p->cores,
	    .gpu_watts_hint = hint,
	    .hint_scope =
		p->o.enforced ? PB_HINT_WHERE_ENFORCED : PB_HINT_EVERYWHERE,
	    .now = now,
	    .end = end,
	};
	const uint64_t *words = pb_bitset_words(p->out);
	uint32_t k = 0, nw = pb_bitset_word_count(p->out);

	if (pb_place_filter(p->pl, p->led, p->cand, &req) < j->nodes ||
	    pb_place_choose(p->pl, p->led, p->cand, &req, p->out, NULL))
		return 0;
	/* the chosen nodes in index order, a word of the set at a time */
	for (uint32_t w = 0; w < nw && k < j->nodes; w++) {
		for (uint64_t bits = words[w]; bits && k < j->nodes;
		     bits &= bits - 1) {
			p->an[k].node =
			    w * 64 + (uint32_t)__builtin_ctzll(bits);
			p->an[k].gpus = req.gpus;
			p->an[k].cores = req.cores;
			k++;
		}
	}
	alloc->nodes = p->an;
	alloc->count = k;
	alloc->gpu_watts_hint = req.gpu_watts_hint;
	alloc->hint_scope = req.hint_scope;
	return k == j->nodes ? k : 0;
}

static int64_t _end(int64_t now, int64_t run)
{
	return run == PB_TIME_NEVER || run > PB_TIME_NEVER - now ? PB_TIME_NEVER
								 : now + run;
}

/* What alloc adds to the facility's committed power, wake-ups too. */
static pb_watts_t _adds(const struct sim_power *p, const pb_alloc_t *a)
{
	pb_watts_t w = 0;

	for (uint32_t i = 0; i < a->count; i++)
		w += pb_ledger_node_increment(
			 p->led, a->nodes[i].node, a->nodes[i].gpus,
			 a->nodes[i].cores, a->gpu_watts_hint, a->hint_scope) +
		     pb_ledger_node_wake_w(p->led, a->nodes[i].node);
	return w;
}

/*
 * Does the ramp limit keep j, which would add w to the facility, from
 * starting at t? (plugin/ramplimit.c)
 */
static int _ramp_waits_w(struct sim_power *p, const struct sim_job *j,
			 int64_t t, pb_watts_t w)
{
	int64_t at;

	if (!p->ramp)
		return 0;
	if (p->ramp_hold && t > p->ramp_hold_until)
		p->ramp_hold = 0;
	if (p->ramp_hold && j->id > p->ramp_hold)
		return 1; /* behind the held job */
	if (!pb_ramp_check(p->ramp, t, w, &at))
		return 0;
	if (!p->ramp_hold || j->id <= p->ramp_hold) {
		p->ramp_hold = j->id;
		p->ramp_hold_until = at + 5;
	}
	if (!(p->ramp_at > (double)t) || (double)at < p->ramp_at)
		p->ramp_at = (double)at;
	return 1;
}

static int _ramp_waits(struct sim_power *p, const struct sim_job *j, int64_t t,
		       const pb_alloc_t *a)
{
	return p->ramp ? _ramp_waits_w(p, j, t, _adds(p, a)) : 0;
}

/* A start or resume raised committed power at t: the ramp's new base. */
static void _ramp_started(struct sim_power *p, const struct sim_job *j,
			  int64_t t)
{
	if (!p->ramp)
		return;
	pb_ramp_note(p->ramp, t, pb_ledger_committed(p->led, p->root));
	if (p->ramp_hold == j->id)
		p->ramp_hold = 0;
}

static int _start(void *ctx, const struct sim_job *j, double now,
		  uint32_t *outn)
{
	struct sim_power *p = ctx;
	int64_t t = (int64_t)now, dur = (int64_t)j->dur;
	pb_watts_t want = _want(p, j), lo, lim;
	pb_alloc_t alloc;
	pb_verdict_t v;
	pb_limit_ask_t ask;

	if (p->ramp && p->ramp_stale) {
		pb_ramp_note(p->ramp, t, pb_ledger_committed(p->led, p->root));
		p->ramp_stale = 0;
	}
	if (j->nodes > p->nfree)
		return 0;
	/* behind a job the ramp holds: no placement needed to say no */
	if (p->ramp && p->ramp_hold && j->id > p->ramp_hold &&
	    t <= p->ramp_hold_until)
		return 0;
	pb_bitset_copy(p->cand, p->freeset);
	if (_choose(p, j, t, t + dur, want, &alloc))
		goto commit;
	lo = _lowest(p, j);
	if (!p->o.limits || lo == want)
		return 0;
	/* the nodes that could run it at the floor; then the highest limit */
	pb_bitset_copy(p->cand, p->freeset);
	if (!_choose(p, j, t,
		     _end(t, pb_limit_duration(&p->curve, lo, p->max_w, dur)),
		     lo, &alloc))
		return 0;
	ask = (pb_limit_ask_t){.lo_w = lo,
			       .hi_w = want ? want : p->max_w,
			       .max_w = p->max_w,
			       .duration = dur,
			       .curve = &p->curve};
	if (pb_ledger_fit_limit(p->led, &alloc, t, &ask, &lim, &v))
		return 0;
	want = lim >= p->max_w ? 0 : lim;
	dur = pb_limit_duration(&p->curve, lim, p->max_w, dur);
	alloc.gpu_watts_hint = want;
	alloc.hint_scope = PB_HINT_WHERE_ENFORCED;
commit:
	if (_ramp_waits(p, j, t, &alloc))
		return 0;
	/* the plugin re-checks what it is about to start: so do we */
	if (pb_ledger_commit(p->led, j->id, &alloc, _end(t, dur), NULL))
		return 0;
	_ramp_started(p, j, t);
	for (uint32_t m = 0; m < alloc.count; m++) {
		outn[m] = alloc.nodes[m].node;
		pb_bitset_clear(p->freeset, outn[m]);
	}
	p->nfree -= alloc.count;
	p->granted = p->o.enforced ? want : 0;
	return 1;
}

static void _grant(void *ctx, const struct sim_job *j, double *limit_w,
		   double *held_w)
{
	struct sim_power *p = ctx;

	*limit_w = (double)p->granted;
	*held_w = j->nodes * _rise(p, j, p->granted);
}

static void _observe(void *ctx, const struct sim_job *j, double gpu_w,
		     double now)
{
	struct sim_power *p = ctx;

	/* a full table or a bad figure only means less is learned */
	if (p->learn) {
		const char *key = p->t->cls[j->cls];
		int known = pb_learn_runs(p->learn, key) > 0;
		pb_watts_t was = 0, est = 0;
		int was_rc = known ? _estimate(p, j->cls, &was) : 0;

		(void)pb_learn_observe(p->learn, key, _w(gpu_w), (int64_t)now);
		if (!known) {
			p->gen++;
			p->clock++;
			return;
		}
		p->cls_ver[j->cls]++;
		/* most runs leave their class's estimate, and so job_w, as is
		 */
		if (_estimate(p, j->cls, &est) != was_rc || est != was)
			p->clock++;
	}
}

static void _finish(void *ctx, const struct sim_job *j, const uint32_t *nodes)
{
	struct sim_power *p = ctx;

	pb_ledger_release(p->led, j->id);
	if (p->power_save)
		pb_ledger_set_nodes_power(p->led, nodes, j->nodes, false);
	for (uint32_t k = 0; k < j->nodes; k++)
		pb_bitset_set(p->freeset, nodes[k]);
	p->nfree += j->nodes;
	/*
	 * The end is not known here (a limited job may run past its
	 * expected end): the next start notes the drop, no earlier than it
	 * was, which only overstates a rise.
	 */
	p->ramp_stale = 1;
}

static double _wake(void *ctx, double after)
{
	struct sim_power *p = ctx;

	return p->ramp && p->ramp_at > after ? p->ramp_at : INFINITY;
}

static double _committed(void *ctx)
{
	struct sim_power *p = ctx;

	return (double)pb_ledger_committed(p->led, p->root) * p->s->pue;
}

/* ------------------------------------------------------------------ */
/* A curtailment, as plugin/curtail.c handles one                      */

static void _curtail(void *ctx, const struct sim_curtail *c)
{
	struct sim_power *p = ctx;
	pb_watts_t cap = _w(c->cap_w);

	/* planned with from the issue on: nothing new breaks the target */
	if (pb_ledger_cap_window(p->led, SIM_CURTAIL_ID, p->root, cap,
				 (int64_t)c->issue, (int64_t)ceil(c->until),
				 NULL))
		return;
	p->curtail_limit = pb_site_it_limit(p->site, p->root, cap);
	if (p->curtail_limit < 1)
		p->curtail_limit = 1;
	p->curtail_deadline = c->deadline;
}

/* Job id's increment per domain into dom_w; its facility share. */
static pb_watts_t _job_adds(struct sim_power *p, uint32_t id)
{
	memset(p->dom_w, 0, pb_site_domain_count(p->site) * sizeof(*p->dom_w));
	if (pb_ledger_job_add(p->led, id, NULL, p->dom_w))
		return 0;
	return p->dom_w[p->root];
}

/*
 * The candidates among c[0..n): jobs running past the deadline; the
 * watts of the others, which end by then, come off *load.
 */
static uint32_t _shed_candidates(struct sim_power *p, int64_t deadline,
				 const struct sim_shed *c, uint32_t n,
				 pb_watts_t *load)
{
	uint32_t m = 0;

	for (uint32_t i = 0; i < n; i++) {
		pb_job_info_t info;
		pb_watts_t w;

		if (pb_ledger_job_info(p->led, c[i].job, &info) ||
		    info.suspended || (w = _job_adds(p, c[i].job)) <= 0)
			continue;
		if (info.expected_end <= deadline) {
			*load -= w;
			continue;
		}
		/* priority order is submit order: a later job sheds first */
		p->cj[m++] =
		    (pb_curtail_job_t){.job_id = c[i].job,
				       .priority = UINT32_MAX - c[i].job,
				       .start = (int64_t)c[i].start,
				       .watts = w};
	}
	return m;
}

static int _cmp_cj_id(const void *a, const void *b)
{
	const pb_curtail_job_t *x = a, *y = b;

	return x->job_id < y->job_id ? -1 : x->job_id > y->job_id;
}

/* Mark in c (its order kept) what the pick shed, suspending it. */
static uint32_t _shed_mark(struct sim_power *p, struct sim_shed *c, uint32_t n,
			   uint32_t m)
{
	uint32_t done = 0;

	qsort(p->cj, m, sizeof(*p->cj), _cmp_cj_id);
	for (uint32_t i = 0; i < n; i++) {
		pb_curtail_job_t key = {.job_id = c[i].job};
		const pb_curtail_job_t *hit =
		    bsearch(&key, p->cj, m, sizeof(*p->cj), _cmp_cj_id);

		if (hit && hit->shed && !pb_ledger_suspend(p->led, c[i].job)) {
			c[i].shed = 1;
			done++;
		}
	}
	if (done)
		p->ramp_stale = 1;
	return done;
}

static uint32_t _shed(void *ctx, double now, struct sim_shed *c, uint32_t n)
{
	struct sim_power *p = ctx;
	int64_t deadline = (int64_t)fmax(p->curtail_deadline, now);
	pb_watts_t load = pb_ledger_committed(p->led, p->root);
	uint32_t m;

	if (!p->curtail_limit || load <= p->curtail_limit)
		return 0;
	if (n > p->cj_cap) {
		pb_curtail_job_t *cj = realloc(p->cj, n * sizeof(*cj));

		if (!cj)
			return 0; /* shedding nothing: counted as violations */
		p->cj = cj;
		p->cj_cap = n;
	}
	m = _shed_candidates(p, deadline, c, n, &load);
	if (load <= p->curtail_limit)
		return 0;
	pb_curtail_pick(p->cj, m, load - p->curtail_limit);
	return _shed_mark(p, c, n, m);
}

/* A shed job resumes when it fits every cap and the ramp, as a start. */
static int _resume(void *ctx, const struct sim_job *j, double now, double end)
{
	struct sim_power *p = ctx;
	int64_t t = (int64_t)now;
	uint32_t nd = pb_site_domain_count(p->site);
	pb_watts_t w = _job_adds(p, j->id);

	pb_ledger_window_avail(p->led, t, _end(t, (int64_t)ceil(end - now)),
			       p->avail_w);
	for (uint32_t d = 0; d < nd; d++)
		if (p->dom_w[d] > 0 && p->dom_w[d] > p->avail_w[d])
			return 0;
	if (_ramp_waits_w(p, j, t, w) || pb_ledger_resume(p->led, j->id))
		return 0;
	_ramp_started(p, j, t);
	return 1;
}

/*
 * What the plugin does for a job blocked by power: hold its power at its
 * expected start, on nodes free by then, chosen by the same placement
 * evaluated at that time.  If no set can be found the job simply has no
 * hold (the node reservation in the engine still protects it).
 */
static void _hold(void *ctx, const struct sim_job *j, double start,
		  const uint64_t *idle, const uint32_t *ending, uint32_t n)
{
	struct sim_power *p = ctx;
	int64_t t = (int64_t)start;
	uint64_t *w = pb_bitset_words_mut(p->cand);
	pb_alloc_t alloc;

	/* the engine's nodes are in range: set the words directly */
	memcpy(w, idle, pb_bitset_word_count(p->cand) * sizeof(*w));
	for (uint32_t i = 0; i < n; i++)
		w[ending[i] / 64] |= UINT64_C(1) << (ending[i] % 64);
	if (!_choose(p, j, t, t + (int64_t)j->dur, _want(p, j), &alloc))
		return;
	p->held = !pb_ledger_reserve(p->led, SIM_HOLD_ID, &alloc, t,
				     t + (int64_t)j->dur, NULL);
}

static void _unhold(void *ctx)
{
	struct sim_power *p = ctx;

	if (p->held)
		pb_ledger_unreserve(p->led, SIM_HOLD_ID);
	p->held = 0;
}

static uint32_t _free_nodes(void *ctx)
{
	return ((struct sim_power *)ctx)->nfree;
}

static double _headroom(void *ctx)
{
	struct sim_power *p = ctx;

	return (double)pb_ledger_headroom(p->led, p->root);
}

static void _destroy(void *ctx)
{
	struct sim_power *p = ctx;

	if (!p)
		return;
	pb_place_destroy(p->pl);
	pb_ledger_destroy(p->led);
	pb_net_destroy(p->net);
	pb_site_destroy(p->site);
	pb_bitset_destroy(p->freeset);
	pb_bitset_destroy(p->cand);
	pb_bitset_destroy(p->out);
	pb_learn_destroy(p->learn);
	pb_ramp_destroy(p->ramp);
	free(p->cj);
	free(p->dom_w);
	free(p->avail_w);
	free(p->est_gen);
	free(p->est_ver);
	free(p->cls_ver);
	free(p->est_w);
	free(p->est_rc);
	free(p->jw_gen);
	free(p->jw_ver);
	free(p->jw);
	free(p->an);
	free(p);
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
    .hold = _hold,
    .unhold = _unhold,
    .grant = _grant,
    .observe = _observe,
    .wake = _wake,
    .committed_w = _committed,
    .curtail = _curtail,
    .shed = _shed,
    .resume = _resume,
    .destroy = _destroy,
};

/* Domain index of each level's current domain while nodes are added. */
static int _build_site(struct sim_power *p, pb_error_t *e)
{
	const struct sim_site *s = p->s;
	pb_class_spec_t cls = {
	    .name = "gpu",
	    .gpu_model = s->gpu_model,
	    .gpus = (uint16_t)s->gpn,
	    .cpu_packages = (uint16_t)s->cpu_pkgs,
	    .cores = p->cores,
	    .cpu_idle_w = _w(s->cpu_idle_w),
	    .cpu_max_w = _w(s->cpu_max_w),
	    .base_w = _w(s->base_w),
	    .standby_w = _w(s->standby_w),
	    .gpu_limit_enforced = p->o.enforced,
	};
	pb_facility_t fac = {
	    .pue_milli = (uint32_t)lround(s->pue * 1000),
	    .cooling_w = _w(s->cooling_w),
	    .reserve_ppm = (uint32_t)lround(s->reserve * 1e6),
	};
	pb_gpu_model_t gm;
	int32_t root, hall = -1, row = -1, rack = -1, c;
	char name[48];

	memset(&gm, 0, sizeof(gm));
	snprintf(gm.name, sizeof(gm.name), "%s", s->gpu_model);
	snprintf(gm.match, sizeof(gm.match), "%s", s->gpu_model);
	gm.idle_w = _w(s->gpu_idle_w);
	gm.max_w = _w(s->gpu_max_w);
	gm.min_cap_w = _w(s->gpu_min_w);
	p->site = pb_site_create();
	if (!p->site || pb_site_set_gpu_model(p->site, &gm, e))
		return -1;
	c = pb_site_add_class(p->site, &cls, e);
	root = pb_site_add_domain(p->site, "facility", -1, _w(s->cap_w), e);
	if (c < 0 || root < 0 || pb_site_set_facility(p->site, &fac, e))
		return -1;
	for (uint32_t n = 0; n < s->nodes; n++) {
		if (n % (s->rack_nodes * s->row_racks * s->hall_rows) == 0) {
			snprintf(name, sizeof(name), "hall%u",
				 sim_site_hall(s, n));
			hall = pb_site_add_domain(p->site, name, root,
						  _w(s->hall_cap_w), e);
		}
		if (n % (s->rack_nodes * s->row_racks) == 0) {
			snprintf(name, sizeof(name), "row%u",
				 sim_site_row(s, n));
			row = pb_site_add_domain(p->site, name, hall,
						 _w(s->row_cap_w), e);
		}
		if (n % s->rack_nodes == 0) {
			snprintf(name, sizeof(name), "rack%u",
				 sim_site_rack(s, n));
			rack = pb_site_add_domain(p->site, name, row,
						  _w(s->rack_cap_w), e);
		}
		snprintf(name, sizeof(name), "n%05u", n);
		if (hall < 0 || row < 0 || rack < 0 ||
		    pb_site_add_node(p->site, name, (uint32_t)c, (uint32_t)rack,
				     e) < 0)
			return -1;
	}
	if (pb_site_finalize(p->site, e))
		return -1;
	p->root = pb_site_root(p->site);
	return 0;
}

/* core -> spine groups -> leaf switches, nodes in order under the leaves. */
static int _build_net(struct sim_power *p, pb_error_t *e)
{
	const struct sim_site *s = p->s;
	int32_t core, grp = -1, leaf = -1;
	char name[48];

	p->net = pb_net_create(s->nodes);
	if (!p->net)
		return -1;
	core = pb_net_add_switch(p->net, "core", -1, e);
	if (core < 0)
		return -1;
	for (uint32_t n = 0; n < s->nodes; n++) {
		if (n % (s->leaf_nodes * s->group_leaves) == 0) {
			snprintf(name, sizeof(name), "spine%u",
				 n / (s->leaf_nodes * s->group_leaves));
			grp = pb_net_add_switch(p->net, name, core, e);
		}
		if (n % s->leaf_nodes == 0) {
			snprintf(name, sizeof(name), "leaf%u",
				 sim_site_leaf(s, n));
			leaf = pb_net_add_switch(p->net, name, grp, e);
		}
		if (grp < 0 || leaf < 0 ||
		    pb_net_attach_node(p->net, (uint32_t)leaf, n, e))
			return -1;
	}
	return pb_net_finalize(p->net, e);
}

/* Cap windows into the ledger, and the ramp limit in IT watts. */
static int _grid(struct sim_power *p, pb_error_t *e)
{
	const struct sim_site *s = p->s;

	for (uint32_t i = 0; i < s->nwindows; i++)
		if (pb_ledger_cap_window(p->led, 0xF0000000u + i, p->root,
					 _w(s->windows[i].cap_w),
					 (int64_t)s->windows[i].start,
					 (int64_t)s->windows[i].end, e))
			return -1;
	if (s->ramp_w > 0) {
		p->ramp = pb_ramp_create(_w(s->ramp_w / s->pue), 60, 0, e);
		if (!p->ramp)
			return -1;
		pb_ramp_note(p->ramp, 0, pb_ledger_committed(p->led, p->root));
	}
	return 0;
}

static int _build(struct sim_power *p, int topo, pb_error_t *e)
{
	const struct sim_site *s = p->s;

	if (_build_site(p, e) || (topo && _build_net(p, e)))
		return -1;
	p->led = pb_ledger_create(p->site, NULL, e);
	p->pl = p->led ? pb_place_create(p->site, p->net, e) : NULL;
	p->freeset = pb_bitset_create(s->nodes);
	p->cand = pb_bitset_create(s->nodes);
	p->out = pb_bitset_create(s->nodes);
	p->an = calloc(s->nodes, sizeof(*p->an));
	if (!p->pl || !p->freeset || !p->cand || !p->out || !p->an)
		return -1;
	p->dom_w = calloc(pb_site_domain_count(p->site), sizeof(*p->dom_w));
	p->avail_w = calloc(pb_site_domain_count(p->site), sizeof(*p->avail_w));
	if (!p->dom_w || !p->avail_w)
		return -1;
	pb_bitset_set_all(p->freeset);
	p->nfree = s->nodes;
	pb_speed_curve_default(&p->curve);
	p->max_w = _w(s->gpu_max_w);
	p->floor_w = p->o.floor_w > 0 ? _w(p->o.floor_w)
				      : _w(s->gpu_max_w * SIM_FLOOR_SHARE);
	if (p->floor_w < _w(s->gpu_min_w))
		p->floor_w = _w(s->gpu_min_w);
	if (p->floor_w > p->max_w)
		p->floor_w = p->max_w;
	p->eff_w = pb_limit_efficient_w(pb_site_class(p->site, 0), &p->curve,
					p->floor_w, 10);
	if (p->o.learned) {
		uint32_t n = p->t->ncls ? p->t->ncls : 1;

		p->learn = pb_learn_create(NULL, e);
		p->gen = 1; /* est_gen starts at 0: nothing cached */
		p->est_gen = calloc(n, sizeof(*p->est_gen));
		p->est_ver = calloc(n, sizeof(*p->est_ver));
		p->cls_ver = calloc(n, sizeof(*p->cls_ver));
		p->est_w = calloc(n, sizeof(*p->est_w));
		p->est_rc = calloc(n, sizeof(*p->est_rc));
		if (!p->learn || !p->est_gen || !p->est_ver || !p->cls_ver ||
		    !p->est_w || !p->est_rc)
			return -1;
	}
	if (p->t && p->t->n) {
		p->jw_gen = calloc(p->t->n, sizeof(*p->jw_gen));
		p->jw_ver = calloc(p->t->n, sizeof(*p->jw_ver));
		p->jw = calloc(p->t->n, sizeof(*p->jw));
		if (!p->jw_gen || !p->jw_ver || !p->jw)
			return -1;
	}
	for (uint32_t n = 0; p->power_save && n < s->nodes; n++)
		if (pb_ledger_set_node_power(p->led, n, false, e))
			return -1;
	return _grid(p, e);
}

int sim_policy_power(const struct sim_site *s, int topo, int power_save,
		     struct sim_pol *pol, pb_error_t *err)
{
	struct sim_power_opts o = {.topo = topo, .power_save = power_save};

	return sim_policy_power_ex(s, &o, NULL, pol, err);
}

int sim_policy_power_ex(const struct sim_site *s,
			const struct sim_power_opts *o,
			const struct sim_trace *t, struct sim_pol *pol,
			pb_error_t *err)
{
	struct sim_power *p = calloc(1, sizeof(*p));
	pb_error_t e;

	pb_error_clear(&e);
	if (!p)
		return pb_error_set(err, "power policy: out of memory");
	if (o->learned && !t) {
		pb_error_set(err, "power policy: learning needs the trace");
		free(p);
		return -1;
	}
	p->s = s;
	p->o = *o;
	p->t = t;
	p->power_save = o->power_save;
	p->cores = s->cpu_pkgs * SIM_CORES_PER_PKG;
	if (_build(p, o->topo, &e)) {
		pb_error_set(err, "power policy: %s",
			     e.text[0] ? e.text : "out of memory");
		_destroy(p);
		return -1;
	}
	memset(pol, 0, sizeof(*pol));
	if (o->name && o->name[0])
		snprintf(pol->name, sizeof(pol->name), "%s", o->name);
	else
		snprintf(pol->name, sizeof(pol->name), "%s",
			 o->topo ? "power" : "power-notopo");
	pol->ops = &_ops;
	pol->ctx = p;
	pol->powered = o->power_save ? 0 : s->nodes;
	pol->observe_after = o->learned ? o->learned_after : 0;
	return 0;
}

static double _speed(void *arg, double limit_w, double draw_w)
{
	return pb_speed_of_limit(arg, _w(limit_w), _w(draw_w)) / 1000.0;
}

void sim_policy_physics(struct sim_physics *ph)
{
	static pb_speed_curve_t curve;

	pb_speed_curve_default(&curve);
	ph->speed = _speed;
	ph->arg = &curve;
}

double sim_policy_efficient_w(const struct sim_site *s, double floor_w)
{
	pb_power_class_t c = {
	    .gpus = (uint16_t)s->gpn,
	    .cpu_packages = (uint16_t)s->cpu_pkgs,
	    .cores = s->cpu_pkgs * SIM_CORES_PER_PKG,
	    .cpu_idle_w = _w(s->cpu_idle_w),
	    .cpu_max_w = _w(s->cpu_max_w),
	    .base_w = _w(s->base_w),
	    .standby_w = _w(s->standby_w),
	};
	pb_speed_curve_t curve;

	c.gpu.idle_w = _w(s->gpu_idle_w);
	c.gpu.max_w = _w(s->gpu_max_w);
	c.gpu.min_cap_w = _w(s->gpu_min_w);
	pb_speed_curve_default(&curve);
	return (double)pb_limit_efficient_w(&c, &curve, _w(floor_w), 10);
}

int sim_policy_gpu_table(struct sim_site *s, const char *model, pb_error_t *err)
{
	size_t n;
	const pb_gpu_model_t *m = pb_power_builtin_models(&n);
	int i = pb_power_match(m, n, model);

	for (size_t k = 0; i < 0 && k < n; k++)
		if (!strcasecmp(m[k].name, model))
			i = (int)k;
	if (i < 0)
		return pb_error_set(err,
				    "GPU model '%s' is not in policy's power "
				    "table",
				    model);
	snprintf(s->gpu_model, sizeof(s->gpu_model), "%s", m[i].name);
	s->gpu_idle_w = (double)m[i].idle_w;
	s->gpu_max_w = (double)m[i].max_w;
	s->gpu_min_w = (double)m[i].min_cap_w;
	return 0;
}
