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
	    cmocka_unit_test(test_filter_and_no_net),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_random_choices_admissible),
	};

	return cmocka_run_group_tests_name("policy_place", tests, NULL, NULL);
}
