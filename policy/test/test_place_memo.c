/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The placer keeps attempts and preparations from one decision to the
 * next (place_memo.h, the ledger generation).  Property: on seeded random
 * sites under a net in node index order, with jobs starting, ending,
 * nodes powering off and reservations coming and going between
 * decisions, and caps changed now and then, a long-lived placer answers
 * every filter and choice exactly as a placer created for that one
 * decision.
 */
#include "random_site.h"

#include "policy/place.h"
#include "policy/place_memo.h"

static unsigned long long compared;

/* Leaf switches over consecutive nodes, all attached, 0-2 levels above. */
static pb_net_t *ident_net(struct rng *r, uint32_t nn)
{
	return random_net_of(r, nn, 1);
}

struct world {
	pb_site_t *s;
	pb_net_t *net;
	pb_ledger_t *l;
	pb_placer_t *keep;
	uint32_t nn, njobs;
	uint32_t job_of[256]; /* 0: free */
	bool held;
	uint32_t shape;
	uint64_t seed;
	bool varying;	/* only the shapes whose draw varies */
	bool repeat;	/* one shape for the whole run */
	pb_site_t *ref; /* if set, the fresh placer's site */
	/* with repeat, every this many decisions (0: never) shape other */
	uint32_t every, other, count, main;
};

/*
 * A few request shapes, mostly the last one again: a memo entry is only
 * of use to a request of its own shape, or (hint -1) of its nnodes with
 * a GPU draw that varies from one request to the next, as learned draw
 * and limits make it.
 */
static pb_place_req_t _request(struct world *w, struct rng *r, int64_t now)
{
	static const pb_place_req_t shapes[] = {
	    {.nnodes = 1, .gpus = 8},
	    {.nnodes = 2, .gpus = 8},
	    {.nnodes = 3, .gpus = 8},
	    {.nnodes = 5, .gpus = 8},
	    {.nnodes = 2, .gpus = 2, .cores = 48},
	    {.nnodes = 4, .gpus = 0, .gpu_watts_hint = 400},
	    {.nnodes = 3, .gpus = 8, .gpu_watts_hint = -1},
	    {.nnodes = 1, .gpus = 4, .gpu_watts_hint = -1},
	};
	pb_place_req_t req;

	uint32_t nshapes = sizeof(shapes) / sizeof(shapes[0]);

	if (w->varying)
		w->shape = nshapes - 2 + (rng_below(r, 4) == 0);
	else if (w->repeat)
		w->shape =
		    w->every && ++w->count % w->every == 0 ? w->other : w->main;
	else if (rng_below(r, 4) == 0)
		w->shape = rng_below(r, nshapes);
	req = shapes[w->shape];
	if (req.gpu_watts_hint < 0)
		req.gpu_watts_hint = 100 + 100 * (pb_watts_t)rng_below(r, 10);
	req.now = now;
	req.end = now + 100 + rng_below(r, 2) * 500;
	req.hint_scope = PB_HINT_EVERYWHERE;
	return req;
}

/* Between decisions: ends, power-offs, a reservation made or dropped. */
static void _churn(struct world *w, struct rng *r, int64_t now)
{
	if (w->njobs && rng_below(r, 3) == 0) {
		uint32_t id = 1 + rng_below(r, w->njobs);

		if (pb_ledger_release(w->l, id) == 0)
			for (uint32_t n = 0; n < w->nn; n++)
				if (w->job_of[n] == id)
					w->job_of[n] = 0;
	}
	/* one at a time, or as one change (both log the nodes) */
	if (rng_below(r, 2)) {
		for (uint32_t n = 0; n < w->nn; n++)
			if (!w->job_of[n] && rng_below(r, 40) == 0)
				pb_ledger_set_node_power(w->l, n, false, NULL);
	} else {
		uint32_t off[64], k = 0;

		for (uint32_t n = 0; n < w->nn && k < 64; n++)
			if (!w->job_of[n] && rng_below(r, 40) == 0)
				off[k++] = n;
		pb_ledger_set_nodes_power(w->l, off, k, false);
	}
	if (rng_below(r, 12) == 0) {
		uint32_t d = rng_below(r, pb_site_domain_count(w->s));
		pb_watts_t cap = pb_ledger_cap(w->l, d);

		pb_ledger_set_cap(
		    w->l, d, cap + cap / 8 - rng_below(r, 2) * (cap / 4), NULL);
	}
	if (rng_below(r, 5) == 0) {
		if (w->held) {
			pb_ledger_unreserve(w->l, 1);
			w->held = false;
		} else {
			pb_alloc_node_t an = {rng_below(r, w->nn), 8, 0};
			pb_alloc_t a = {&an, 1, 0, PB_HINT_EVERYWHERE};

			w->held = !pb_ledger_reserve(
			    w->l, 1, &a, now + 50 + rng_below(r, 100),
			    now + 400, NULL);
		}
	}
}

static void _same(const struct world *w, const pb_bitset_t *a,
		  const pb_bitset_t *b, const char *what)
{
	for (uint32_t n = 0; n < w->nn; n++)
		if (pb_bitset_test(a, n) != pb_bitset_test(b, n))
			fail_msg("seed %llu: %s differs at node %u",
				 (unsigned long long)w->seed, what, n);
}

/* One decision by the long-lived placer and by a fresh one. */
static void _decide(struct world *w, struct rng *r, int64_t now)
{
	pb_error_t err = {{0}};
	pb_placer_t *fresh =
	    pb_place_create(w->ref ? w->ref : w->s, w->net, &err);
	pb_place_req_t req = _request(w, r, now);
	pb_bitset_t *ck = pb_bitset_create(w->nn),
		    *cf = pb_bitset_create(w->nn);
	pb_bitset_t *ok = pb_bitset_create(w->nn),
		    *of = pb_bitset_create(w->nn);
	pb_verdict_t vk, vf;
	bool some = rng_below(r, 8) == 0;
	int rk, rf;

	assert_non_null(fresh);
	/* the free nodes; now and then not all of them */
	for (uint32_t n = 0; n < w->nn; n++)
		if (!w->job_of[n] && (!some || rng_below(r, 2)))
			pb_bitset_set(ck, n);
	pb_bitset_copy(cf, ck);
	assert_int_equal(pb_place_filter(w->keep, w->l, ck, &req),
			 pb_place_filter(fresh, w->l, cf, &req));
	_same(w, ck, cf, "filter");
	rk = pb_place_choose(w->keep, w->l, ck, &req, ok,
			     rng_below(r, 2) ? &vk : NULL);
	rf = pb_place_choose(fresh, w->l, cf, &req, of, &vf);
	if (rk != rf)
		fail_msg("seed %llu: choose %d, fresh %d",
			 (unsigned long long)w->seed, rk, rf);
	_same(w, ok, of, "choice");
	compared++;
	if (rk == 0 && rng_below(r, 2)) {
		pb_alloc_node_t an[256];
		pb_alloc_t a = {an, 0, req.gpu_watts_hint, req.hint_scope};

		for (int64_t i = pb_bitset_next(ok, 0); i >= 0;
		     i = pb_bitset_next(ok, (uint32_t)i + 1))
			an[a.count++] =
			    (pb_alloc_node_t){(uint32_t)i, req.gpus, req.cores};
		if (!pb_ledger_commit(w->l, ++w->njobs, &a, req.end, NULL))
			for (uint32_t k = 0; k < a.count; k++)
				w->job_of[an[k].node] = w->njobs;
	}
	pb_bitset_destroy(ck);
	pb_bitset_destroy(cf);
	pb_bitset_destroy(ok);
	pb_bitset_destroy(of);
	pb_place_destroy(fresh);
}

static void check_seed(uint64_t seed, bool varying)
{
	pb_error_t err = {{0}};
	struct world w = {.seed = seed, .varying = varying};
	struct rng r;

	rng_seed(&r, seed);
	w.s = random_site(&r, 60);
	w.nn = pb_site_node_count(w.s);
	w.net = ident_net(&r, w.nn);
	w.l = pb_ledger_create(w.s, NULL, &err);
	w.keep = pb_place_create(w.s, w.net, &err);
	assert_non_null(w.keep);
	for (uint32_t round = 0; round < 60; round++) {
		int64_t now = 1000 + round * 10;

		if (rng_below(&r, 3) == 0)
			_churn(&w, &r, now);
		_decide(&w, &r, now);
	}
	pb_place_destroy(w.keep);
	pb_ledger_destroy(w.l);
	pb_net_destroy(w.net);
	pb_site_destroy(w.s);
}

/*
 * Rows of leaf switches of two racks of two tiny nodes, under one top
 * switch: rows and the facility are outer domains of the leaves, and
 * with every rack's cap the same (half the sites) leftovers tie.  With
 * unused, more classes than the memo takes: its placer walks every
 * switch each time, without the memo.
 */
static pb_site_t *regular_site(struct rng *r, uint32_t rows, bool unused)
{
	pb_error_t err = {{0}};
	pb_site_t *s = pb_site_create();
	uint32_t cls = (uint32_t)tiny_class(s);
	const pb_power_class_t *c = pb_site_class(s, cls);
	pb_watts_t idle = pb_power_idle_w(c), span = pb_power_max_w(c) - idle;
	bool same = rng_below(r, 2);
	int32_t root = pb_site_add_domain(
	    s, "fac", -1, 8 * rows * (idle + span / 2 + rng_below(r, 50)),
	    &err);
	char name[32];

	for (uint32_t row = 0, n = 0; row < rows; row++) {
		int32_t d = pb_site_add_domain(
		    s, (snprintf(name, sizeof(name), "row%u", row), name), root,
		    4 * (2 * idle + span) + 3 * rng_below(r, (uint32_t)span),
		    &err);

		for (uint32_t rack = 0; rack < 4; rack++) {
			pb_watts_t cap =
			    2 * idle + span + 7 + (same ? 0 : rng_below(r, 50));
			int32_t k = pb_site_add_domain(
			    s, (snprintf(name, sizeof(name), "r%u", n), name),
			    d, cap, &err);

			for (uint32_t i = 0; i < 2; i++, n++) {
				snprintf(name, sizeof(name), "n%u", n);
				assert_true(pb_site_add_node(s, name, cls,
							     (uint32_t)k,
							     &err) >= 0);
			}
		}
	}
	for (uint32_t i = 0; unused && i < PB_PLACE_MEMO_CLASSES; i++) {
		pb_class_spec_t spec = tiny_spec("tiny");

		snprintf(name, sizeof(name), "unused%u", i);
		spec.name = name;
		assert_true(pb_site_add_class(s, &spec, &err) >= 0);
	}
	if (pb_site_finalize(s, &err))
		fail_msg("regular site: %s", err.text);
	return s;
}

/* A top switch over leaf switches of four consecutive nodes. */
static pb_net_t *regular_net(uint32_t nn)
{
	pb_error_t err = {{0}};
	pb_net_t *net = pb_net_create(nn);
	int32_t top = pb_net_add_switch(net, "top", -1, &err), leaf = -1;
	char name[32];

	for (uint32_t n = 0; n < nn; n++) {
		if (n % 4 == 0) {
			snprintf(name, sizeof(name), "leaf%u", n / 4);
			leaf = pb_net_add_switch(net, name, top, &err);
		}
		pb_net_attach_node(net, (uint32_t)leaf, n, &err);
	}
	if (pb_net_finalize(net, &err))
		fail_msg("regular net: %s", err.text);
	return net;
}

/*
 * One request shape again and again on a regular site, with something
 * changing before every decision: a walk re-attempts only the switches
 * the memo calls stale, and must still pick as a placer without the
 * memo, on the same site with unused classes.
 */
static void check_repeat(uint64_t seed, uint32_t every, uint32_t rounds)
{
	pb_error_t err = {{0}};
	struct world w = {.seed = seed, .repeat = true};
	struct rng r;

	struct rng again;
	uint32_t rows;

	rng_seed(&r, seed);
	rows = 2 + rng_below(&r, 4);
	again = r;
	w.s = regular_site(&r, rows, false);
	w.ref = regular_site(&again, rows, true);
	w.nn = pb_site_node_count(w.s);
	w.net = regular_net(w.nn);
	w.every = every;
	w.main = rng_below(&r, 6);
	w.other = (w.main + 1 + rng_below(&r, 5)) % 6;
	w.l = pb_ledger_create(w.s, NULL, &err);
	w.keep = pb_place_create(w.s, w.net, &err);
	assert_non_null(w.keep);
	for (uint32_t round = 0; round < rounds; round++) {
		int64_t now = 1000 + round * 10;

		_churn(&w, &r, now);
		_decide(&w, &r, now);
	}
	pb_place_destroy(w.keep);
	pb_ledger_destroy(w.l);
	pb_net_destroy(w.net);
	pb_site_destroy(w.s);
	pb_site_destroy(w.ref);
}

static void test_memo_repeated_shape(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	compared = 0;
	for (uint32_t i = 0; i < iters; i++)
		check_repeat(base + i, 0, 80);
	printf("%u regular sites, one shape: %llu decisions the same as a "
	       "fresh placer's\n",
	       iters, compared);
}

/*
 * As above, with another shape every 40th decision: the memo's walk
 * for it is kept while the log of changes runs past it.
 */
static void test_memo_rare_shape(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500) / 3;
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	compared = 0;
	for (uint32_t i = 0; i < iters; i++)
		check_repeat(base + i, 40, 240);
	printf("%u regular sites, a rare shape: %llu decisions the same as "
	       "a fresh placer's\n",
	       iters, compared);
}

static void test_memo_matches_fresh(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		check_seed(base + i, false);
	printf("%u sites: %llu decisions the same as a fresh placer's\n", iters,
	       compared);
}

/*
 * As above, with every request's GPU draw new (learned draw, limits):
 * entries are reused at lower increments, or not, by the usable
 * candidates and refusals they saw.
 */
static void test_memo_varying_draw(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	compared = 0;
	for (uint32_t i = 0; i < iters; i++)
		check_seed(base + i, true);
	printf("%u sites, varying draw: %llu decisions the same as a fresh "
	       "placer's\n",
	       iters, compared);
}

/* Flip c random nodes' power state or candidacy; mark their leaves. */
static uint32_t _flip(struct rng *r, uint32_t nn, uint32_t c, bool *on,
		      uint64_t *cand, const uint32_t *leaf, bool *want)
{
	bool was_on[256];
	uint64_t was_cand[4];
	uint32_t nwant = 0;

	memcpy(was_on, on, nn * sizeof(*on));
	memcpy(was_cand, cand, sizeof(was_cand));
	for (uint32_t i = 0; i < c; i++) {
		uint32_t n = rng_below(r, nn);

		if (rng_below(r, 2))
			on[n] = !on[n];
		else
			cand[n / 64] ^= UINT64_C(1) << (n % 64);
	}
	for (uint32_t n = 0; n < nn; n++) {
		bool moved =
		    on[n] != was_on[n] ||
		    ((cand[n / 64] ^ was_cand[n / 64]) >> (n % 64) & 1);

		if (moved && !want[leaf[n]]) {
			want[leaf[n]] = true;
			nwant++;
		}
	}
	return nwant;
}

/*
 * Tell the memo which nodes' power states may have changed: those that
 * did, and as many again that did not (the ledger may list a node
 * written back as it was), shuffled in.  list (512 entries) is the
 * caller's, because the memo reads it at the next begin.
 */
static void _tell_powered(pb_place_memo_t *m, struct rng *r, uint32_t nn,
			  const bool *was_on, const bool *on, uint32_t *list)
{
	uint32_t k = 0;

	for (uint32_t n = 0; n < nn; n++) {
		if (on[n] != was_on[n])
			list[k++] = n;
		if (on[n] != was_on[n] || rng_below(r, 64) == 0)
			list[k++] = rng_below(r, nn);
	}
	for (uint32_t i = k; i > 1; i--) {
		uint32_t j = rng_below(r, i), t = list[i - 1];

		list[i - 1] = list[j];
		list[j] = t;
	}
	pb_place_memo_powered(m, list, k);
}

/*
 * The memo's own tracking: with no domain changed, flipping a few nodes'
 * power states or candidacies between two decisions makes exactly the
 * leaf switches over the nodes that changed stale, on random sites (a
 * word's tail of nodes too).
 */
static void check_tracking(uint64_t seed, bool listed)
{
	bool was_on[256];
	uint32_t list[512];
	struct rng r;
	pb_site_t *s;
	pb_net_t *net;
	pb_place_memo_t *m;
	uint32_t nn, leaf[256], slot, got, nwant = 0;
	uint64_t cand[4] = {0};
	bool on[256], want[512], all;
	pb_watts_t avail[RS_MAX_DOMAINS] = {0},
		   incr[PB_PLACE_MEMO_CLASSES] = {1};
	const uint32_t *sw;

	rng_seed(&r, seed);
	s = random_site(&r, 200);
	nn = pb_site_node_count(s);
	net = random_net_of(&r, nn, 1);
	m = pb_place_memo_create(s, net);
	assert_non_null(m);
	for (uint32_t k = 0; k < pb_net_switch_count(net); k++) {
		const uint32_t *nodes;
		uint32_t cnt = pb_net_switch_nodes(net, k, &nodes);

		for (uint32_t i = 0;
		     pb_net_switch_level(net, k) == 0 && i < cnt; i++)
			leaf[nodes[i]] = k;
	}
	for (uint32_t n = 0; n < nn; n++) {
		on[n] = true;
		cand[n / 64] |= UINT64_C(1) << (n % 64);
	}
	for (uint32_t i = 0; i <= nn; i++) {
		memset(want, 0, sizeof(want));
		memcpy(was_on, on, nn * sizeof(*on));
		if (i)
			nwant = _flip(&r, nn, 1 + rng_below(&r, 4), on, cand,
				      leaf, want);
		if (listed)
			_tell_powered(m, &r, nn, was_on, on, list);
		pb_place_memo_begin(m, s, avail, NULL, 0, cand, on);
		pb_place_memo_request(m, 1, incr, 1, cand);
		got = pb_place_memo_stale(m, 0, &slot, &sw, &all);
		for (uint32_t k = 0; i && !all && k < got; k++)
			if (!want[sw[k]])
				got = UINT32_MAX;
		if (i && (all || got != nwant))
			fail_msg("seed %llu round %u: %u leaves changed, %u "
				 "stale%s",
				 (unsigned long long)seed, i, nwant, got,
				 all ? " (all)" : "");
	}
	pb_place_memo_destroy(m);
	pb_net_destroy(net);
	pb_site_destroy(s);
}

static void test_memo_tracks_nodes(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500) / 5;
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		check_tracking(base + i, false);
}

/* The same, with the nodes powered named (pb_place_memo_powered). */
static void test_memo_tracks_listed_nodes(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500) / 5;
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		check_tracking(base + i, true);
}

/*
 * The memo's log of changed domains: a row made tight once, then more
 * changes to another row than the log holds, all between two walks of
 * one request: the second walk calls the leaf switches under both rows
 * stale (from a pass over every outer domain, once the log has run past
 * the walk), and no other.
 */
static void test_memo_domain_log_overrun(void **state)
{
	struct rng r;
	pb_site_t *s;
	pb_net_t *net;
	pb_place_memo_t *m;
	uint32_t nn, nd, row0, rowl, slot, got;
	uint64_t cand[1] = {0};
	bool on[64], all, seen[64] = {false};
	pb_watts_t avail[64], incr[PB_PLACE_MEMO_CLASSES] = {1}, bound = 1000;
	const uint32_t *sw;

	(void)state;
	rng_seed(&r, 7);
	s = regular_site(&r, 4, false);
	nn = pb_site_node_count(s);
	nd = pb_site_domain_count(s);
	assert_true(nn <= 64 && nd <= 64);
	net = regular_net(nn);
	m = pb_place_memo_create(s, net);
	assert_non_null(m);
	row0 = (uint32_t)pb_site_domain_by_name(s, "row0");
	rowl = (uint32_t)pb_site_domain_by_name(s, "row3");
	for (uint32_t n = 0; n < nn; n++) {
		on[n] = true;
		cand[0] |= UINT64_C(1) << n;
	}
	for (uint32_t d = 0; d < nd; d++)
		avail[d] = 1000000;
	pb_place_memo_begin(m, s, avail, NULL, 0, cand, on);
	pb_place_memo_request(m, 1, incr, bound, cand);
	pb_place_memo_stale(m, 0, &slot, &sw, &all);
	assert_true(all);
	avail[row0] = bound / 2;
	pb_place_memo_begin(m, s, avail, &row0, 1, cand, on);
	/* another request's walks in between, each after a change of row3 */
	for (uint32_t i = 0; i < 3 * nd + 64; i++) {
		pb_place_memo_request(m, 2, incr, bound, cand);
		pb_place_memo_stale(m, 0, &slot, &sw, &all);
		avail[rowl] = bound / (3 + i % 2);
		pb_place_memo_begin(m, s, avail, &rowl, 1, cand, on);
	}
	pb_place_memo_request(m, 1, incr, bound, cand);
	got = pb_place_memo_stale(m, 0, &slot, &sw, &all);
	assert_false(all);
	for (uint32_t k = 0; k < got; k++)
		seen[sw[k]] = true;
	/* the leaf switches over rows 0 and 3 (eight nodes each), no other */
	for (uint32_t k = 0; k < pb_net_switch_count(net); k++) {
		const uint32_t *nodes;

		if (pb_net_switch_level(net, k) != 0)
			continue;
		pb_net_switch_nodes(net, k, &nodes);
		if (seen[k] != (nodes[0] < 8 || nodes[0] >= 24))
			fail_msg("leaf switch %u (node %u on): stale %d", k,
				 nodes[0], seen[k]);
	}
	pb_place_memo_destroy(m);
	pb_net_destroy(net);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memo_matches_fresh),
	    cmocka_unit_test(test_memo_varying_draw),
	    cmocka_unit_test(test_memo_repeated_shape),
	    cmocka_unit_test(test_memo_rare_shape),
	    cmocka_unit_test(test_memo_domain_log_overrun),
	    cmocka_unit_test(test_memo_tracks_nodes),
	    cmocka_unit_test(test_memo_tracks_listed_nodes),
	};

	return cmocka_run_group_tests_name("policy_place_memo", tests, NULL,
					   NULL);
}
