/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power-aware compact placement (see place.h for the rule).  Everything a
 * decision touches is sized at create time: per-domain available watts
 * and watts taken, per-node needs, and the picked node lists.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/place.h"

struct attempt {
	uint32_t picked;
	pb_watts_t leftover;
	int32_t why_domain; /* lowest-index domain that refused a node */
	pb_watts_t why_short;
};

struct pb_placer {
	const pb_site_t *site;
	const pb_net_t *net;
	uint32_t nn, nd;
	pb_watts_t *avail;   /* [nd] */
	pb_watts_t *pathmin; /* [nd] min avail from the domain to the root */
	pb_watts_t *used;    /* [nd] */
	uint32_t *dom_mark;  /* [nd] */
	uint32_t *touched;   /* [nd] */
	uint32_t epoch, ntouched;
	pb_watts_t
	    *class_incr;  /* [classes] one node's increment, per request */
	pb_watts_t *need; /* [nn] increment + wake-up */
	pb_watts_t *incr; /* [nn] increment */
	uint32_t *usable_before; /* [nn + 1] prefix counts over order */
	uint32_t *all;		 /* [nn] identity order, when there is no net */
	uint32_t *pick;		 /* [nn] */
	uint32_t *best;		 /* [nn] */
	/* per-node site data, copied once: the loops stay in this file */
	uint32_t *node_cls, *node_dom; /* [nn] */
	pb_watts_t *node_wake;	       /* [nn] idle - standby */
	const uint32_t **node_path;    /* [nn] */
	uint32_t *node_plen;	       /* [nn] */
};

void pb_place_destroy(pb_placer_t *p)
{
	if (!p)
		return;
	free(p->avail);
	free(p->pathmin);
	free(p->used);
	free(p->dom_mark);
	free(p->touched);
	free(p->class_incr);
	free(p->need);
	free(p->incr);
	free(p->usable_before);
	free(p->all);
	free(p->pick);
	free(p->best);
	free(p->node_cls);
	free(p->node_dom);
	free(p->node_wake);
	free(p->node_path);
	free(p->node_plen);
	free(p);
}

pb_placer_t *pb_place_create(const pb_site_t *site, const pb_net_t *net,
			     pb_error_t *err)
{
	pb_placer_t *p;
	uint32_t nn, nd;

	if (!site || !pb_site_is_final(site)) {
		pb_error_set(err, "placer: the site is not finalized");
		return NULL;
	}
	nn = pb_site_node_count(site);
	nd = pb_site_domain_count(site);
	if (net && pb_net_node_count(net) != nn) {
		pb_error_set(err, "placer: network tree has %u nodes, site %u",
			     pb_net_node_count(net), nn);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	p->site = site;
	p->net = net;
	p->nn = nn;
	p->nd = nd;
	p->avail = calloc(nd, sizeof(*p->avail));
	p->pathmin = calloc(nd, sizeof(*p->pathmin));
	p->used = calloc(nd, sizeof(*p->used));
	p->dom_mark = calloc(nd, sizeof(*p->dom_mark));
	p->touched = calloc(nd, sizeof(*p->touched));
	p->class_incr =
	    calloc(pb_site_class_count(site) + 1, sizeof(*p->class_incr));
	p->need = calloc(nn, sizeof(*p->need));
	p->incr = calloc(nn, sizeof(*p->incr));
	p->usable_before = calloc((size_t)nn + 1, sizeof(*p->usable_before));
	p->all = calloc(nn, sizeof(*p->all));
	p->pick = calloc(nn, sizeof(*p->pick));
	p->best = calloc(nn, sizeof(*p->best));
	p->node_cls = calloc(nn, sizeof(*p->node_cls));
	p->node_dom = calloc(nn, sizeof(*p->node_dom));
	p->node_wake = calloc(nn, sizeof(*p->node_wake));
	p->node_path = calloc(nn, sizeof(*p->node_path));
	p->node_plen = calloc(nn, sizeof(*p->node_plen));
	if (!p->avail || !p->pathmin || !p->used || !p->dom_mark ||
	    !p->touched || !p->class_incr || !p->need || !p->incr ||
	    !p->usable_before || !p->all || !p->pick || !p->best ||
	    !p->node_cls || !p->node_dom || !p->node_wake || !p->node_path ||
	    !p->node_plen)
		goto oom;
	for (uint32_t i = 0; i < nn; i++) {
		p->all[i] = i;
		p->node_cls[i] = pb_site_node_class(site, i);
		p->node_dom[i] = pb_site_node_domain(site, i);
		p->node_wake[i] =
		    pb_site_node_idle_w(site, i) - pb_site_node_off_w(site, i);
		p->node_plen[i] = pb_site_node_path(site, i, &p->node_path[i]);
	}
	return p;
oom:
	pb_place_destroy(p);
	pb_error_set(err, "placer: out of memory");
	return NULL;
}

/*
 * Rule 1: avail per domain, and its minimum along every root path; one
 * node's increment per class (every node of a class takes the same).
 */
static void _prepare(pb_placer_t *p, const pb_ledger_t *l,
		     const pb_place_req_t *req)
{
	pb_ledger_window_avail(l, req->now, req->end, p->avail);
	/* parents precede children: one forward pass */
	for (uint32_t d = 0; d < p->nd; d++) {
		int32_t up = pb_site_domain_parent(p->site, d);
		pb_watts_t a = p->avail[d];

		if (up >= 0 && p->pathmin[up] < a)
			a = p->pathmin[up];
		p->pathmin[d] = a;
	}
	for (uint32_t c = 0; c < pb_site_class_count(p->site); c++) {
		const pb_power_class_t *cls = pb_site_class(p->site, c);

		p->class_incr[c] = pb_power_increment_w(
		    cls, req->gpus, req->cores,
		    pb_power_hint_on(cls, req->gpu_watts_hint,
				     req->hint_scope));
	}
}

static void _node_need(pb_placer_t *p, const pb_ledger_t *l, uint32_t n)
{
	p->incr[n] = p->class_incr[p->node_cls[n]];
	p->need[n] =
	    p->incr[n] + (pb_ledger_node_is_on(l, n) ? 0 : p->node_wake[n]);
}

static bool _usable(const pb_placer_t *p, uint32_t n)
{
	return p->need[n] <= p->pathmin[p->node_dom[n]];
}

uint32_t pb_place_filter(pb_placer_t *p, const pb_ledger_t *l,
			 pb_bitset_t *cand, const pb_place_req_t *req)
{
	uint32_t left = 0;

	if (pb_bitset_size(cand) != p->nn)
		return 0;
	_prepare(p, l, req);
	for (int64_t i = pb_bitset_next(cand, 0); i >= 0;
	     i = pb_bitset_next(cand, (uint32_t)i + 1)) {
		uint32_t n = (uint32_t)i;

		_node_need(p, l, n);
		if (_usable(p, n))
			left++;
		else
			pb_bitset_clear(cand, n);
	}
	return left;
}

static pb_watts_t _used(const pb_placer_t *p, uint32_t d)
{
	return p->dom_mark[d] == p->epoch ? p->used[d] : 0;
}

/* Can node n be added to the current attempt?  Records a refusal. */
static bool _fits(pb_placer_t *p, uint32_t n, struct attempt *a)
{
	const uint32_t *path = p->node_path[n];
	uint32_t len = p->node_plen[n];
	bool ok = true;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t d = path[i];
		pb_watts_t over = _used(p, d) + p->need[n] - p->avail[d];

		if (over <= 0)
			continue;
		ok = false;
		if (a->why_domain < 0 || d < (uint32_t)a->why_domain) {
			a->why_domain = (int32_t)d;
			a->why_short = over;
		}
	}
	return ok;
}

static void _take(pb_placer_t *p, uint32_t n)
{
	const uint32_t *path = p->node_path[n];
	uint32_t len = p->node_plen[n];

	for (uint32_t i = 0; i < len; i++) {
		uint32_t d = path[i];

		if (p->dom_mark[d] != p->epoch) {
			p->dom_mark[d] = p->epoch;
			p->used[d] = 0;
			p->touched[p->ntouched++] = d;
		}
		p->used[d] += p->need[n];
	}
}

/* Rule 2 on one list of nodes: greedy in list order, shared headroom. */
static void _attempt(pb_placer_t *p, const pb_bitset_t *cand,
		     const uint32_t *nodes, uint32_t count, uint32_t want,
		     struct attempt *a)
{
	*a = (struct attempt){.why_domain = -1};
	p->epoch++;
	p->ntouched = 0;
	for (uint32_t i = 0; i < count && a->picked < want; i++) {
		uint32_t n = nodes[i];

		if (!pb_bitset_test(cand, n) || !_fits(p, n, a))
			continue;
		_take(p, n);
		p->pick[a->picked++] = n;
	}
	/* rule 3: what the job leaves free in the leaf domains it uses */
	for (uint32_t i = 0; i < p->ntouched; i++) {
		uint32_t d = p->touched[i];

		if (pb_site_domain_is_leaf(p->site, d))
			a->leftover += p->avail[d] - p->used[d];
	}
}

/* Count usable candidates per position of the net order (prefix sums). */
static void _count_usable(pb_placer_t *p, const pb_bitset_t *cand,
			  const uint32_t *order, uint32_t count)
{
	p->usable_before[0] = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t n = order[i];
		bool u = pb_bitset_test(cand, n) && _usable(p, n);

		p->usable_before[i + 1] = p->usable_before[i] + u;
	}
}

/*
 * Best switch of one level (rule 3); returns its index or -1.  The
 * winning pick is left in p->best.
 */
static int32_t _best_at_level(pb_placer_t *p, const pb_bitset_t *cand,
			      uint32_t level, uint32_t want)
{
	const uint32_t *base;
	int32_t best = -1;
	pb_watts_t best_left = 0;

	pb_net_order(p->net, &base);
	for (uint32_t s = 0; s < pb_net_switch_count(p->net); s++) {
		const uint32_t *nodes;
		uint32_t cnt, off;
		struct attempt a;

		if (pb_net_switch_level(p->net, s) != level)
			continue;
		cnt = pb_net_switch_nodes(p->net, s, &nodes);
		off = (uint32_t)(nodes - base);
		if (p->usable_before[off + cnt] - p->usable_before[off] < want)
			continue;
		_attempt(p, cand, nodes, cnt, want, &a);
		if (a.picked < want || (best >= 0 && a.leftover >= best_left))
			continue;
		best = (int32_t)s;
		best_left = a.leftover;
		memcpy(p->best, p->pick, want * sizeof(*p->best));
	}
	return best;
}

static void _fill_needs(pb_placer_t *p, const pb_ledger_t *l,
			const pb_bitset_t *cand)
{
	for (int64_t i = pb_bitset_next(cand, 0); i >= 0;
	     i = pb_bitset_next(cand, (uint32_t)i + 1))
		_node_need(p, l, (uint32_t)i);
}

static int _finish(pb_placer_t *p, const uint32_t *pick, uint32_t want,
		   pb_bitset_t *out, pb_verdict_t *why)
{
	pb_watts_t job_w = 0;

	for (uint32_t i = 0; i < want; i++) {
		pb_bitset_set(out, pick[i]);
		job_w += p->incr[pick[i]];
	}
	if (why)
		*why = (pb_verdict_t){.ok = true, .domain = -1, .job_w = job_w};
	return 0;
}

int pb_place_choose(pb_placer_t *p, const pb_ledger_t *l,
		    const pb_bitset_t *cand, const pb_place_req_t *req,
		    pb_bitset_t *out, pb_verdict_t *why)
{
	const uint32_t *order = p->all;
	uint32_t want = req->nnodes;
	struct attempt a;

	if (why)
		*why =
		    (pb_verdict_t){.ok = false, .domain = -1, .at = req->now};
	if (want == 0 || pb_bitset_size(cand) != p->nn ||
	    pb_bitset_size(out) != p->nn)
		return -1;
	pb_bitset_clear_all(out);
	_prepare(p, l, req);
	_fill_needs(p, l, cand);
	if (p->net && pb_net_switch_count(p->net)) {
		pb_net_order(p->net, &order);
		_count_usable(p, cand, order, p->nn);
		for (uint32_t lv = 0; lv <= pb_net_max_level(p->net); lv++)
			if (_best_at_level(p, cand, lv, want) >= 0)
				return _finish(p, p->best, want, out, why);
	}
	/* the virtual root: every candidate, in net order */
	_attempt(p, cand, order, p->nn, want, &a);
	if (a.picked == want)
		return _finish(p, p->pick, want, out, why);
	if (why && pb_bitset_count(cand) >= want) {
		why->domain = a.why_domain;
		why->short_w = a.why_short;
	}
	if (why) {
		for (uint32_t i = 0; i < a.picked; i++)
			why->job_w += p->incr[p->pick[i]];
	}
	return 1;
}
