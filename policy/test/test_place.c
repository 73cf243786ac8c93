/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Placement tests.  Hand-computed site: facility (#0) over racks r0 (#1:
 * nodes 0-3) and r1 (#2: nodes 4-7), all of class tiny (idle 220, full
 * +600).  Network: top (#0) over s0 (#1: nodes 0 1 4 5) and s1 (#2:
 * nodes 2 3 6 7), so switches and racks cross and shared rack headroom
 * matters.  Rack idle: 880 W.
 */
#include "random_site.h"

#include "policy/place.h"

struct fx {
	pb_site_t *site;
	pb_net_t *net;
	pb_ledger_t *l;
	pb_placer_t *p;
	pb_bitset_t *cand, *out;
};

static struct fx setup(bool with_net)
{
	pb_error_t err;
	struct fx f = {0};
	char name[8];

	f.site = pb_site_create();
	tiny_class(f.site);
	pb_site_add_domain(f.site, "fac", -1, 100000, &err);
	pb_site_add_domain(f.site, "r0", 0, 50000, &err);
	pb_site_add_domain(f.site, "r1", 0, 50000, &err);
	for (uint32_t i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		pb_site_add_node(f.site, name, 0, i < 4 ? 1 : 2, &err);
	}
	assert_int_equal(pb_site_finalize(f.site, &err), 0);
	if (with_net) {
		static const uint32_t s0[] = {0, 1, 4, 5}, s1[] = {2, 3, 6, 7};

		f.net = pb_net_create(8);
		pb_net_add_switch(f.net, "top", -1, &err);
		pb_net_add_switch(f.net, "s0", 0, &err);
		pb_net_add_switch(f.net, "s1", 0, &err);
		for (uint32_t i = 0; i < 4; i++) {
			pb_net_attach_node(f.net, 1, s0[i], &err);
			pb_net_attach_node(f.net, 2, s1[i], &err);
		}
		assert_int_equal(pb_net_finalize(f.net, &err), 0);
	}
	f.l = pb_ledger_create(f.site, NULL, &err);
	f.p = pb_place_create(f.site, f.net, &err);
	assert_non_null(f.p);
	f.cand = pb_bitset_create(8);
	f.out = pb_bitset_create(8);
	pb_bitset_set_all(f.cand);
	return f;
}

static void teardown(struct fx *f)
{
	pb_bitset_destroy(f->cand);
	pb_bitset_destroy(f->out);
	pb_place_destroy(f->p);
	pb_ledger_destroy(f->l);
	pb_net_destroy(f->net);
	pb_site_destroy(f->site);
}

static const pb_place_req_t full2 = {
    2, 2, 10, 0, 1000, 2000, PB_HINT_EVERYWHERE};

static void set_of(const pb_bitset_t *b, uint32_t *out, uint32_t max)
{
	uint32_t k = 0;

	for (int64_t i = pb_bitset_next(b, 0); i >= 0 && k < max;
	     i = pb_bitset_next(b, (uint32_t)i + 1))
		out[k++] = (uint32_t)i;
}

static void test_compact_under_one_leaf(void **state)
{
	struct fx f = setup(true);
	pb_verdict_t v;
	uint32_t got[2];

	(void)state;
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	assert_true(v.ok);
	assert_int_equal(v.job_w, 1200);
	set_of(f.out, got, 2);
	/* s0 first in net order, nodes 0 1 */
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	/* nodes 0 and 2 only: no leaf holds both, top does */
	pb_bitset_clear_all(f.cand);
	pb_bitset_set(f.cand, 0);
	pb_bitset_set(f.cand, 2);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	assert_int_equal(pb_bitset_count(f.out), 2);
	teardown(&f);
}

static void test_shared_rack_headroom(void **state)
{
	struct fx f = setup(true);
	pb_verdict_t v;
	pb_error_t err;
	uint32_t got[2];
	const pb_place_req_t three = {
	    3, 2, 10, 0, 1000, 2000, PB_HINT_EVERYWHERE};

	(void)state;
	/* each rack takes one full node: 880 + 600 <= 1500, 2 do not */
	pb_ledger_set_cap(f.l, 1, 1500, &err);
	pb_ledger_set_cap(f.l, 2, 1500, &err);
	/* every node alone fits, so the filter keeps all 8 */
	assert_int_equal(pb_place_filter(f.p, f.l, f.cand, &full2), 8);
	/* but 0 and 1 share r0: s0 gives 0 (r0) + 4 (r1) */
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	set_of(f.out, got, 2);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 4);
	/* 3 nodes cannot be fed anywhere: r0 short 600 + 600 - 620 */
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &three, f.out, &v),
			 1);
	assert_false(v.ok);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 580);
	assert_int_equal(pb_bitset_count(f.out), 0);
	/* more nodes than candidates: not a power reason */
	pb_bitset_clear_all(f.cand);
	pb_bitset_set(f.cand, 3);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 1);
	assert_int_equal(v.domain, -1);
	assert_int_equal(v.short_w, 0);
	teardown(&f);
}

static void test_best_fit(void **state)
{
	struct fx f = setup(true);
	pb_verdict_t v;
	pb_error_t err;
	uint32_t got[2];

	(void)state;
	/* candidates 0 1 (s0, r0) and 6 7 (s1, r1) */
	pb_bitset_clear_all(f.cand);
	pb_bitset_set(f.cand, 0);
	pb_bitset_set(f.cand, 1);
	pb_bitset_set(f.cand, 6);
	pb_bitset_set(f.cand, 7);
	/* r0 tighter (leftover 2500 - 880 - 1200) than r1: take r0 */
	pb_ledger_set_cap(f.l, 1, 2500, &err);
	pb_ledger_set_cap(f.l, 2, 9000, &err);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	set_of(f.out, got, 2);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	/* flip the caps: now r1 is the snug fit */
	pb_ledger_set_cap(f.l, 1, 9000, &err);
	pb_ledger_set_cap(f.l, 2, 2500, &err);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	set_of(f.out, got, 2);
	assert_int_equal(got[0], 6);
	assert_int_equal(got[1], 7);
	teardown(&f);
}

/*
 * A facility short of two nodes' increments (600 W each, 1760 W idle)
 * refuses a two-node job with or without a why_not, and takes it at
 * exactly enough; one node fits either way.
 */
static void test_root_short(void **state)
{
	struct fx f = setup(true);
	pb_place_req_t one = full2;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	one.nnodes = 1;
	pb_ledger_set_cap(f.l, 0, 1760 + 1199, &err);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, NULL),
			 1);
	assert_int_equal(pb_bitset_count(f.out), 0);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &one, f.out, NULL),
			 0);
	pb_ledger_set_cap(f.l, 0, 1760 + 1200, &err);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, NULL),
			 0);
	assert_int_equal(pb_bitset_count(f.out), 2);
	teardown(&f);
}

static void test_filter_and_no_net(void **state)
{
	struct fx f = setup(false);
	pb_verdict_t v;
	pb_error_t err;
	struct whole w;
	uint32_t got[2];
	const pb_place_req_t later = {
	    2, 2, 10, 0, 1000, 3000, PB_HINT_EVERYWHERE};

	(void)state;
	/* r0 full: a running job leaves 300 W; r1 roomy */
	pb_ledger_set_cap(f.l, 1, 880 + 600 + 300, &err);
	assert_int_equal(pb_ledger_commit(f.l, 1, whole(&w, 1, 0), 5000, &err),
			 0);
	assert_int_equal(pb_place_filter(f.p, f.l, f.cand, &full2), 4);
	for (uint32_t n = 0; n < 4; n++)
		assert_false(pb_bitset_test(f.cand, n));
	/* without a net: lowest indices that fit */
	pb_bitset_set_all(f.cand);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &full2, f.out, &v),
			 0);
	set_of(f.out, got, 2);
	assert_int_equal(got[0], 4);
	assert_int_equal(got[1], 5);
	/* a reservation on r1 from 2500: a job running to 3000 avoids it */
	pb_ledger_set_cap(f.l, 2, 880 + 1200, &err);
	assert_int_equal(
	    pb_ledger_reserve(f.l, 9, whole(&w, 2, 6, 7), 2500, 4000, &err), 0);
	assert_int_equal(pb_place_filter(f.p, f.l, f.cand, &later), 0);
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &later, f.out, &v),
			 1);
	/* ... but one ending at 2000 may use that power */
	pb_bitset_set_all(f.cand);
	assert_int_equal(pb_place_filter(f.p, f.l, f.cand, &full2), 4);
	teardown(&f);
}

static void test_bad_args(void **state)
{
	struct fx f = setup(true);
	pb_bitset_t *small = pb_bitset_create(3);
	pb_place_req_t zero = full2;
	pb_error_t err;
	pb_net_t *wrong = pb_net_create(3);

	(void)state;
	zero.nnodes = 0;
	assert_int_equal(pb_place_choose(f.p, f.l, f.cand, &zero, f.out, NULL),
			 -1);
	assert_int_equal(pb_place_choose(f.p, f.l, small, &full2, f.out, NULL),
			 -1);
	assert_int_equal(pb_place_filter(f.p, f.l, small, &full2), 0);
	assert_null(pb_place_create(f.site, wrong, &err));
	assert_non_null(strstr(err.text, "3 nodes"));
	pb_net_destroy(wrong);
	pb_bitset_destroy(small);
	teardown(&f);
}

/*
 * The choice rule of place.h written out plainly, node by node, as a
 * reference for pb_place_choose's faster passes: the same set and the
 * same verdict.
 */
struct ref {
	const pb_site_t *s;
	const pb_ledger_t *l;
	const pb_bitset_t *cand;
	const pb_place_req_t *req;
	pb_watts_t avail[512], used[512];
	uint32_t pick[64], picked;
	pb_watts_t leftover;
	int32_t why_d;
	pb_watts_t why_w;
};

static pb_watts_t ref_need(const struct ref *x, uint32_t n)
{
	return pb_ledger_node_increment(x->l, n, x->req->gpus, x->req->cores,
					x->req->gpu_watts_hint,
					x->req->hint_scope) +
	       pb_ledger_node_wake_w(x->l, n);
}

static bool ref_usable(const struct ref *x, uint32_t n)
{
	const uint32_t *path;
	uint32_t len = pb_site_node_path(x->s, n, &path);

	for (uint32_t i = 0; i < len; i++)
		if (ref_need(x, n) > x->avail[path[i]])
			return false;
	return pb_bitset_test(x->cand, n);
}

static void ref_attempt(struct ref *x, const uint32_t *nodes, uint32_t cnt)
{
	uint32_t nd = pb_site_domain_count(x->s);
	bool touched[512] = {false};

	memset(x->used, 0, sizeof(x->used));
	x->picked = 0;
	x->leftover = 0;
	x->why_d = -1;
	x->why_w = 0;
	for (uint32_t i = 0; i < cnt && x->picked < x->req->nnodes; i++) {
		uint32_t n = nodes[i], len;
		const uint32_t *path;
		bool ok = true;

		if (!pb_bitset_test(x->cand, n))
			continue;
		len = pb_site_node_path(x->s, n, &path);
		for (uint32_t k = 0; k < len; k++) {
			pb_watts_t over = x->used[path[k]] + ref_need(x, n) -
					  x->avail[path[k]];

			if (over <= 0)
				continue;
			ok = false;
			if (x->why_d < 0 || path[k] < (uint32_t)x->why_d) {
				x->why_d = (int32_t)path[k];
				x->why_w = over;
			}
		}
		if (!ok)
			continue;
		for (uint32_t k = 0; k < len; k++) {
			x->used[path[k]] += ref_need(x, n);
			touched[path[k]] = true;
		}
		x->pick[x->picked++] = n;
	}
	for (uint32_t d = 0; d < nd; d++)
		if (touched[d] && pb_site_domain_is_leaf(x->s, d))
			x->leftover += x->avail[d] - x->used[d];
}

/* Returns pb_place_choose's rc; out and *why as it fills them. */
static int ref_choose(struct ref *x, const pb_net_t *net, pb_bitset_t *out,
		      pb_verdict_t *why)
{
	uint32_t nn = pb_site_node_count(x->s), want = x->req->nnodes;
	uint32_t all[64];
	const uint32_t *order = all;

	assert_true(nn <= 64 && pb_site_domain_count(x->s) <= 512);
	pb_ledger_window_avail(x->l, x->req->now, x->req->end, x->avail);
	pb_bitset_clear_all(out);
	*why = (pb_verdict_t){.ok = false, .domain = -1, .at = x->req->now};
	for (uint32_t i = 0; i < nn; i++)
		all[i] = i;
	if (net && pb_net_switch_count(net)) {
		pb_net_order(net, &order);
		for (uint32_t lv = 0; lv <= pb_net_max_level(net); lv++) {
			int32_t best = -1;
			pb_watts_t best_left = 0;
			uint32_t best_pick[64];

			for (uint32_t sw = 0; sw < pb_net_switch_count(net);
			     sw++) {
				const uint32_t *nodes;
				uint32_t cnt, usable = 0;

				if (pb_net_switch_level(net, sw) != lv)
					continue;
				cnt = pb_net_switch_nodes(net, sw, &nodes);
				for (uint32_t i = 0; i < cnt; i++)
					usable += ref_usable(x, nodes[i]);
				if (usable < want)
					continue;
				ref_attempt(x, nodes, cnt);
				if (x->picked < want ||
				    (best >= 0 && x->leftover >= best_left))
					continue;
				best = (int32_t)sw;
				best_left = x->leftover;
				memcpy(best_pick, x->pick, sizeof(best_pick));
			}
			if (best >= 0) {
				memcpy(x->pick, best_pick, sizeof(best_pick));
				x->picked = want;
				goto found;
			}
		}
	}
	ref_attempt(x, order, nn);
	if (x->picked == want)
		goto found;
	if (pb_bitset_count(x->cand) >= want) {
		why->domain = x->why_d;
		why->short_w = x->why_w;
	}
	for (uint32_t i = 0; i < x->picked; i++)
		why->job_w += ref_need(x, x->pick[i]) -
			      pb_ledger_node_wake_w(x->l, x->pick[i]);
	return 1;
found:
	*why = (pb_verdict_t){.ok = true, .domain = -1};
	for (uint32_t i = 0; i < want; i++) {
		pb_bitset_set(out, x->pick[i]);
		why->job_w += ref_need(x, x->pick[i]) -
			      pb_ledger_node_wake_w(x->l, x->pick[i]);
	}
	return 0;
}

/*
 * Property: on random sites, nets and ledger states, every chosen set has
 * exactly nnodes candidates and passes pb_ledger_admit; filter keeps a
 * node exactly when that node alone passes admit.
 */
static uint64_t chosen, refused;

static void check_random(uint64_t seed)
{
	struct rng r;
	pb_error_t err;
	pb_site_t *s;
	pb_net_t *net;
	pb_ledger_t *l;
	pb_placer_t *p;
	pb_bitset_t *cand, *out, *filt;
	uint32_t nn;
	int64_t now = 1000;

	rng_seed(&r, seed);
	s = random_site(&r, 40);
	nn = pb_site_node_count(s);
	net = rng_below(&r, 4) ? random_net(&r, nn) : NULL;
	l = pb_ledger_create(s, NULL, &err);
	p = pb_place_create(s, net, &err);
	cand = pb_bitset_create(nn);
	out = pb_bitset_create(nn);
	filt = pb_bitset_create(nn);
	/* some running jobs, some off nodes, maybe a reservation */
	for (uint32_t j = 0; j < nn / 2; j++) {
		pb_alloc_node_t an = {rng_below(&r, nn), 1, 1};
		pb_alloc_t a = {&an, 1, 0, PB_HINT_EVERYWHERE};
		pb_verdict_t v;

		if (pb_ledger_admit(l, &a, now, now + 500, &v) == 0)
			pb_ledger_commit(l, j + 1, &a, now + rng_below(&r, 900),
					 &err);
	}
	for (uint32_t n = 0; n < nn; n++)
		if (rng_below(&r, 6) == 0)
			pb_ledger_set_node_power(l, n, false, NULL);
	if (rng_below(&r, 2)) {
		pb_alloc_node_t an = {rng_below(&r, nn), 8, 0};
		pb_alloc_t a = {&an, 1, 0, PB_HINT_EVERYWHERE};

		pb_ledger_reserve(l, 1, &a, now + rng_below(&r, 600), now + 900,
				  &err);
	}
	for (uint32_t round = 0; round < 8; round++) {
		pb_place_req_t req = {1 + rng_below(&r, 6),
				      (uint16_t)rng_below(&r, 9),
				      (uint16_t)rng_below(&r, 97),
				      rng_below(&r, 3) ? 0 : 400,
				      now,
				      now + 1 + rng_below(&r, 900),
				      rng_below(&r, 2)
					  ? PB_HINT_EVERYWHERE
					  : PB_HINT_WHERE_ENFORCED};
		pb_alloc_node_t an[64];
		pb_alloc_t a = {an, 0, req.gpu_watts_hint, req.hint_scope};
		pb_verdict_t v;
		int rc;

		for (uint32_t n = 0; n < nn; n++)
			if (rng_below(&r, 4))
				pb_bitset_set(cand, n);
			else
				pb_bitset_clear(cand, n);
		pb_bitset_copy(filt, cand);
		pb_place_filter(p, l, filt, &req);
		for (int64_t i = pb_bitset_next(cand, 0); i >= 0;
		     i = pb_bitset_next(cand, (uint32_t)i + 1)) {
			pb_alloc_node_t one = {(uint32_t)i, req.gpus,
					       req.cores};
			pb_alloc_t oa = {&one, 1, req.gpu_watts_hint,
					 req.hint_scope};
			bool fits =
			    pb_ledger_admit(l, &oa, now, req.end, &v) == 0;

			if (fits != pb_bitset_test(filt, (uint32_t)i))
				fail_msg(
				    "seed %llu: filter disagrees on node %lld",
				    (unsigned long long)seed, (long long)i);
		}
		rc = pb_place_choose(p, l, cand, &req, out, &v);
		{
			struct ref x = {
			    .s = s, .l = l, .cand = cand, .req = &req};
			pb_bitset_t *rout = pb_bitset_create(nn);
			pb_verdict_t rv;
			int rrc = ref_choose(&x, net, rout, &rv);

			if (rrc != rc || v.ok != rv.ok ||
			    v.domain != rv.domain || v.short_w != rv.short_w ||
			    v.job_w != rv.job_w)
				fail_msg(
				    "seed %llu: rc %d/%d domain %d/%d short "
				    "%lld/%lld job %lld/%lld (choose/ref)",
				    (unsigned long long)seed, rc, rrc, v.domain,
				    rv.domain, (long long)v.short_w,
				    (long long)rv.short_w, (long long)v.job_w,
				    (long long)rv.job_w);
			for (uint32_t n = 0; n < nn; n++)
				if (pb_bitset_test(out, n) !=
				    pb_bitset_test(rout, n))
					fail_msg("seed %llu: node %u differs",
						 (unsigned long long)seed, n);
			/* without a verdict asked for: the same answer */
			if (pb_place_choose(p, l, cand, &req, rout, NULL) != rc)
				fail_msg("seed %llu: rc without why_not",
					 (unsigned long long)seed);
			for (uint32_t n = 0; n < nn; n++)
				if (pb_bitset_test(out, n) !=
				    pb_bitset_test(rout, n))
					fail_msg("seed %llu: node %u differs "
						 "without why_not",
						 (unsigned long long)seed, n);
			/* and the most one candidate needs */
			{
				pb_watts_t most = 0;

				for (uint32_t n = 0; n < nn; n++)
					if (pb_bitset_test(cand, n) &&
					    ref_need(&x, n) > most)
						most = ref_need(&x, n);
				assert_int_equal(
				    pb_place_need_max(p, l, cand, &req), most);
			}
			pb_bitset_destroy(rout);
		}
		if (rc != 0) {
			refused++;
			assert_int_equal(rc, 1);
			assert_int_equal(pb_bitset_count(out), 0);
			continue;
		}
		chosen++;
		assert_int_equal(pb_bitset_count(out), req.nnodes);
		for (int64_t i = pb_bitset_next(out, 0); i >= 0;
		     i = pb_bitset_next(out, (uint32_t)i + 1)) {
			assert_true(pb_bitset_test(cand, (uint32_t)i));
			an[a.count++] =
			    (pb_alloc_node_t){(uint32_t)i, req.gpus, req.cores};
		}
		if (pb_ledger_admit(l, &a, now, req.end, &v) != 0)
			fail_msg("seed %llu: chosen set refused at domain %d",
				 (unsigned long long)seed, v.domain);
	}
	pb_bitset_destroy(cand);
	pb_bitset_destroy(out);
	pb_bitset_destroy(filt);
	pb_place_destroy(p);
	pb_ledger_destroy(l);
	pb_net_destroy(net);
	pb_site_destroy(s);
}

static void test_random_choices_admissible(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		check_random(base + i);
	printf("%u sites: %llu sets chosen and admitted, %llu refused\n", iters,
	       (unsigned long long)chosen, (unsigned long long)refused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compact_under_one_leaf),
	    cmocka_unit_test(test_shared_rack_headroom),
	    cmocka_unit_test(test_best_fit),
	    cmocka_unit_test(test_root_short),
	    cmocka_unit_test(test_filter_and_no_net),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_random_choices_admissible),
	};

	return cmocka_run_group_tests_name("policy_place", tests, NULL, NULL);
}
