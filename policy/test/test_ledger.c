/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the ledger on the hand-computed two-rack site (util.h):
 * committed watts, verdicts (domain, short_w), off/standby nodes,
 * suspend/resume, cap changes with running jobs, PUE/cooling/reserve at
 * the root, rebuild and the job views; and, on random sites, a batch of
 * node power changes against the same changes one by one.
 */
#include "random_site.h"

static void expect(const pb_ledger_t *l, pb_watts_t fac, pb_watts_t ra,
		   pb_watts_t rb)
{
	assert_int_equal(pb_ledger_committed(l, 0), fac);
	assert_int_equal(pb_ledger_committed(l, 1), ra);
	assert_int_equal(pb_ledger_committed(l, 2), rb);
	verify_ok(l);
}

static void test_admit_commit_release(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;

	(void)state;
	expect(l, 880, 440, 440);
	assert_int_equal(pb_ledger_headroom(l, 0), 2500 - 880);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), 0, 100, &v), 0);
	assert_true(v.ok);
	assert_int_equal(v.job_w, 600);
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 100, NULL), 0);
	expect(l, 1480, 1040, 440);
	assert_int_equal(pb_ledger_node_draw(l, 0), 820);
	/* a second full node in rackA: 1040 + 600 - 1500 */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), 0, 100, &v), 1);
	assert_false(v.ok);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(v.job_w, 600);
	assert_int_equal(v.at, 0);
	/* both rackB nodes: rackB short 140, fac short 180; fac (#0) first */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 2, 3), 0, 100, &v), 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(v.short_w, 180);
	assert_int_equal(v.job_w, 1200);
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 2), 100, NULL),
			 -1);
	assert_int_equal(pb_ledger_release(l, 1), 0);
	assert_int_equal(pb_ledger_release(l, 1), -1);
	expect(l, 880, 440, 440);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_invalid_alloc(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 1, 1), 0, 1, &v), -1);
	assert_int_equal(v.domain, -1);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 4), 0, 1, &v), -1);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 0), 0, 1, &v), -1);
	assert_int_equal(pb_ledger_commit(l, 5, whole(&w, 2, 0, 0), 1, &err),
			 -1);
	assert_non_null(strstr(err.text, "invalid"));
	expect(l, 880, 440, 440);
	assert_int_equal(pb_ledger_job_count(l), 0);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_off_nodes_and_wake(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	assert_int_equal(pb_ledger_set_node_power(l, 2, false, &err), 0);
	assert_int_equal(pb_ledger_set_node_power(l, 3, false, &err), 0);
	expect(l, 460, 440, 20);
	assert_false(pb_ledger_node_is_on(l, 2));
	/* the state array is the live one */
	assert_false(pb_ledger_node_states(l)[2]);
	assert_true(pb_ledger_node_states(l)[1]);
	assert_int_equal(pb_ledger_node_draw(l, 2), 10);
	assert_int_equal(pb_ledger_node_wake_w(l, 2), 210);
	/* rackB cap 900: 20 + 210 wake + 600 = 830 fits, both nodes do not */
	assert_int_equal(pb_ledger_set_cap(l, 2, 900, &err), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 2, 3), 0, 9, &v), 1);
	assert_int_equal(v.domain, 2);
	assert_int_equal(v.short_w, 20 + 2 * 810 - 900);
	assert_int_equal(v.job_w, 1200); /* wake-ups not in job_w */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), 0, 9, &v), 0);
	assert_int_equal(v.job_w, 600);
	assert_int_equal(pb_ledger_commit(l, 7, whole(&w, 1, 2), 9, &err), 0);
	assert_true(pb_ledger_node_is_on(l, 2));
	assert_true(pb_ledger_node_states(l)[2]);
	expect(l, 1270, 440, 830);
	/* a node in use cannot be powered off; no side effect */
	assert_int_equal(pb_ledger_set_node_power(l, 2, false, &err), -1);
	assert_non_null(strstr(err.text, "b0"));
	expect(l, 1270, 440, 830);
	/* release leaves the node on, at idle */
	assert_int_equal(pb_ledger_release(l, 7), 0);
	expect(l, 670, 440, 230);
	assert_int_equal(pb_ledger_set_node_power(l, 2, false, &err), 0);
	expect(l, 460, 440, 20);
	assert_int_equal(pb_ledger_set_node_power(l, 9, true, &err), -1);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_suspend_resume(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_job_info_t info;

	(void)state;
	assert_int_equal(pb_ledger_commit(l, 3, whole(&w, 1, 0), 50, NULL), 0);
	assert_int_equal(pb_ledger_suspend(l, 3), 0);
	assert_int_equal(pb_ledger_suspend(l, 3), -1);
	expect(l, 880, 440, 440);
	assert_int_equal(pb_ledger_node_draw(l, 0), TINY_IDLE);
	assert_int_equal(pb_ledger_job_info(l, 3, &info), 0);
	assert_true(info.suspended);
	assert_int_equal(info.watts, 600);
	/* the freed power is usable; resuming then would be refused */
	assert_int_equal(pb_ledger_commit(l, 4, whole(&w, 1, 1), 50, NULL), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), 0, 50, &v), 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(pb_ledger_release(l, 4), 0);
	assert_int_equal(pb_ledger_resume(l, 3), 0);
	assert_int_equal(pb_ledger_resume(l, 3), -1);
	expect(l, 1480, 1040, 440);
	/* a suspended job releases cleanly too */
	assert_int_equal(pb_ledger_suspend(l, 3), 0);
	assert_int_equal(pb_ledger_release(l, 3), 0);
	expect(l, 880, 440, 440);
	assert_int_equal(pb_ledger_suspend(l, 99), -1);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_cap_change_running_jobs(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_error_t err;
	pb_alloc_node_t one = {1, 1, 0}; /* 1 GPU: 250 W */
	pb_alloc_t small = {&one, 1, 0, PB_HINT_EVERYWHERE};

	(void)state;
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 50, NULL), 0);
	assert_int_equal(pb_ledger_set_cap(l, 1, 900, &err), 0);
	assert_int_equal(pb_ledger_cap(l, 1), 900);
	assert_int_equal(pb_ledger_headroom(l, 1), 900 - 1040);
	/* the running job stays; new starts obey the new cap */
	assert_int_equal(pb_ledger_job_count(l), 1);
	assert_int_equal(pb_ledger_admit(l, &small, 0, 50, &v), 1);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 1040 + 250 - 900);
	assert_int_equal(pb_ledger_set_cap(l, 1, 0, &err), -1);
	assert_int_equal(pb_ledger_set_cap(l, 7, 100, &err), -1);
	assert_int_equal(pb_ledger_cap(l, 1), 900);
	assert_int_equal(pb_ledger_release(l, 1), 0);
	assert_int_equal(pb_ledger_admit(l, &small, 0, 50, &v), 0);
	assert_int_equal(v.job_w, 250);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_facility_pue_cooling_reserve(void **state)
{
	pb_facility_t f = {1250, 1900, 10000};
	pb_site_t *s = two_racks(&f);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	assert_int_equal(pb_ledger_limit(l, 0), 1881);
	assert_int_equal(pb_ledger_limit(l, 1), 1485);
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 50, NULL), 0);
	/* 1480 + 600 against 1881 IT W (cooling binds) */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), 0, 50, &v), 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(v.short_w, 199);
	/* at 200 W per GPU: 2 * 150 + 100 = 400 -> 1880 fits exactly */
	w.a.gpu_watts_hint = 200;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 50, &v), 0);
	assert_int_equal(v.job_w, 400);
	w.a.gpu_watts_hint = 201;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 50, &v), 1);
	assert_int_equal(v.short_w, 1);
	/* a hint below the min cap is clamped up to it: 2 * 50 + 100 */
	w.a.gpu_watts_hint = 10;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 50, &v), 0);
	assert_int_equal(v.job_w, 200);
	/* raise the facility cap: PUE then binds (2600 - 26 -> 2059 IT W) */
	assert_int_equal(pb_ledger_set_cap(l, 0, 2600, &err), 0);
	assert_int_equal(pb_ledger_limit(l, 0), 1881);
	pb_ledger_destroy(l);
	pb_site_destroy(s);

	f.cooling_w = 0;
	s = two_racks(&f);
	l = new_ledger(s);
	assert_int_equal(pb_ledger_set_cap(l, 0, 2600, &err), 0);
	assert_int_equal(pb_ledger_limit(l, 0), 2059);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static int count_jobs(const pb_job_info_t *j, void *arg)
{
	pb_watts_t *sum = arg;

	*sum += j->watts;
	return 0;
}

static int stop_at_first(const pb_job_info_t *j, void *arg)
{
	(void)arg;
	return (int)j->job_id;
}

/*
 * A user's hint under UserWattHints=enforced holds only on nodes whose
 * class enforces it as a GPU power limit: rackA here (class "capped", the
 * same hardware as "tiny"), not rackB.  A site-vouched hint holds on both.
 */
static void test_hint_scope(void **state)
{
	pb_error_t err = {{0}};
	pb_site_t *s = pb_site_create();
	pb_class_spec_t capped = tiny_spec("capped");
	pb_ledger_t *l;
	struct whole w;
	pb_verdict_t v;
	int32_t root, ra, rb;

	(void)state;
	capped.gpu_limit_enforced = true;
	assert_int_equal(tiny_class(s), 0);
	assert_int_equal(pb_site_add_class(s, &capped, &err), 1);
	root = pb_site_add_domain(s, "fac", -1, 2500, &err);
	ra = pb_site_add_domain(s, "rackA", root, 1500, &err);
	rb = pb_site_add_domain(s, "rackB", root, 1500, &err);
	assert_int_equal(pb_site_add_node(s, "a0", 1, ra, &err), 0);
	assert_int_equal(pb_site_add_node(s, "a1", 1, ra, &err), 1);
	assert_int_equal(pb_site_add_node(s, "b0", 0, rb, &err), 2);
	assert_int_equal(pb_site_add_node(s, "b1", 0, rb, &err), 3);
	assert_int_equal(pb_site_finalize(s, &err), 0);
	assert_true(pb_site_class(s, 1)->gpu_limit_enforced);
	assert_false(pb_site_class(s, 0)->gpu_limit_enforced);
	l = new_ledger(s);

	/* enforced only: 2 * (150 - 50) + 100 on a0, full 600 on b0 */
	whole(&w, 2, 0, 2);
	w.a.gpu_watts_hint = 150;
	w.a.hint_scope = PB_HINT_WHERE_ENFORCED;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 100, &v), 0);
	assert_int_equal(v.job_w, 300 + 600);
	assert_int_equal(
	    pb_ledger_node_increment(l, 0, 2, 10, 150, PB_HINT_WHERE_ENFORCED),
	    300);
	assert_int_equal(
	    pb_ledger_node_increment(l, 2, 2, 10, 150, PB_HINT_WHERE_ENFORCED),
	    TINY_FULL);
	assert_int_equal(pb_ledger_commit(l, 7, &w.a, 100, NULL), 0);
	expect(l, 880 + 900, 440 + 300, 440 + 600);

	/*
	 * b1 at full draw would break rackB (1040 + 600 > 1500): the
	 * enforced-only hint cannot talk past it there; the same hint the
	 * site vouches for can.
	 */
	whole(&w, 1, 3);
	w.a.gpu_watts_hint = 150;
	w.a.hint_scope = PB_HINT_WHERE_ENFORCED;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 100, &v), 1);
	assert_int_equal(v.domain, rb);
	assert_int_equal(v.short_w, 1040 + 600 - 1500);
	w.a.hint_scope = PB_HINT_EVERYWHERE;
	assert_int_equal(pb_ledger_admit(l, &w.a, 0, 100, &v), 0);
	assert_int_equal(v.job_w, 300);

	assert_int_equal(pb_ledger_release(l, 7), 0);
	expect(l, 880, 440, 440);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_rebuild_and_views(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	pb_alloc_node_t n1[] = {{0, 2, 10}, {2, 1, 3}};
	pb_alloc_node_t n2[] = {{1, 1, 0}};
	pb_running_job_t jobs[] = {
	    {11, {n1, 2, 0, PB_HINT_EVERYWHERE}, 500, false},
	    {12, {n2, 1, 0, PB_HINT_EVERYWHERE}, 600, true},
	};
	pb_alloc_node_t got[4];
	pb_watts_t sum = 0;
	pb_error_t err;
	pb_job_info_t info;

	(void)state;
	assert_int_equal(pb_ledger_rebuild(l, jobs, 2, &err), 0);
	/* job 11: 600 on a0, 280 on b0; job 12 suspended */
	expect(l, 880 + 880, 440 + 600, 440 + 280);
	assert_int_equal(pb_ledger_job_count(l), 2);
	assert_int_equal(pb_ledger_foreach_job(l, count_jobs, &sum), 0);
	assert_int_equal(sum, 880 + 250);
	assert_int_not_equal(pb_ledger_foreach_job(l, stop_at_first, NULL), 0);
	assert_int_equal(pb_ledger_job_nodes(l, 11, got, 4), 2);
	assert_int_equal(got[1].node, 2);
	assert_int_equal(got[1].cores, 3);
	assert_int_equal(pb_ledger_job_nodes(l, 11, got, 1), 2);
	assert_int_equal(pb_ledger_job_nodes(l, 13, got, 4), -1);
	assert_int_equal(pb_ledger_update_end(l, 11, 900), 0);
	assert_int_equal(pb_ledger_job_info(l, 11, &info), 0);
	assert_int_equal(info.expected_end, 900);
	assert_int_equal(pb_ledger_update_end(l, 13, 900), -1);
	/* a duplicate id: error, and the ledger is empty, not half-built */
	jobs[1].job_id = 11;
	assert_int_equal(pb_ledger_rebuild(l, jobs, 2, &err), -1);
	assert_non_null(strstr(err.text, "11"));
	assert_int_equal(pb_ledger_job_count(l), 0);
	expect(l, 880, 440, 440);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_growth_beyond_capacity(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_opts_t o = {
	    .max_jobs = 2, .max_alloc_nodes = 3, .max_reservations = 1};
	pb_error_t err;
	pb_ledger_t *l = pb_ledger_create(s, &o, &err);
	pb_alloc_node_t n = {0, 0, 1};
	pb_alloc_t a = {&n, 1, 0, PB_HINT_EVERYWHERE};

	(void)state;
	assert_non_null(l);
	/* 1-core jobs on every node, far past the sized capacity */
	for (uint32_t j = 0; j < 40; j++) {
		n.node = j % 4;
		assert_int_equal(pb_ledger_commit(l, j, &a, 10, &err), 0);
	}
	verify_ok(l);
	/* each core is 10 W: 10 jobs per node */
	expect(l, 880 + 400, 440 + 200, 440 + 200);
	for (uint32_t j = 0; j < 40; j += 2)
		assert_int_equal(pb_ledger_release(l, j), 0);
	expect(l, 880 + 200, 440 + 100, 440 + 100);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_create_needs_final_site(void **state)
{
	pb_site_t *s = pb_site_create();
	pb_error_t err;

	(void)state;
	assert_null(pb_ledger_create(s, NULL, &err));
	assert_non_null(strstr(err.text, "finalized"));
	pb_site_destroy(s);
	pb_ledger_destroy(NULL);
}

/* Every changing call moves the generation on; queries do not. */
static void test_generation(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	uint64_t g = pb_ledger_generation(l);

	(void)state;
#define MOVED()                                                                \
	do {                                                                   \
		assert_true(pb_ledger_generation(l) != g);                     \
		g = pb_ledger_generation(l);                                   \
	} while (0)
	pb_ledger_admit(l, whole(&w, 1, 0), 0, 100, &v);
	(void)pb_ledger_headroom(l, 0);
	assert_true(pb_ledger_generation(l) == g);
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 100, NULL), 0);
	MOVED();
	assert_int_equal(pb_ledger_update_end(l, 1, 200), 0);
	MOVED();
	assert_int_equal(pb_ledger_suspend(l, 1), 0);
	MOVED();
	assert_int_equal(pb_ledger_resume(l, 1), 0);
	MOVED();
	assert_int_equal(pb_ledger_release(l, 1), 0);
	MOVED();
	assert_int_equal(pb_ledger_set_node_power(l, 3, false, NULL), 0);
	MOVED();
	assert_int_equal(pb_ledger_set_cap(l, 1, 1400, NULL), 0);
	MOVED();
	pb_ledger_set_unmodelled(l, NULL);
	MOVED();
	assert_int_equal(
	    pb_ledger_reserve(l, 7, whole(&w, 1, 1), 50, 150, NULL), 0);
	MOVED();
	assert_int_equal(pb_ledger_unreserve(l, 7), 0);
	MOVED();
	pb_ledger_reset(l);
	MOVED();
	assert_int_equal(pb_ledger_rebuild(l, NULL, 0, NULL), 0);
	MOVED();
#undef MOVED
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/* The domains a change touched, and -1 when the ledger cannot say. */
static void test_changed_domains(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	uint64_t c = pb_ledger_change_cursor(l);
	struct whole w;
	uint32_t out[8];

	(void)state;
	assert_int_equal(pb_ledger_changed_since(l, c, out, 8), 0);
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 2), 100, NULL), 0);
	/* node 2 is in rackB (#2) under the facility (#0), once each */
	assert_int_equal(pb_ledger_changed_since(l, c, out, 8), 2);
	assert_true((out[0] == 0 && out[1] == 2) ||
		    (out[0] == 2 && out[1] == 0));
	assert_int_equal(pb_ledger_changed_since(l, c, out, 1), -1);
	c = pb_ledger_change_cursor(l);
	assert_int_equal(pb_ledger_set_cap(l, 1, 1400, NULL), 0);
	assert_int_equal(pb_ledger_changed_since(l, c, out, 8), 1);
	assert_int_equal(out[0], 1);
	c = pb_ledger_change_cursor(l);
	pb_ledger_set_unmodelled(l, NULL);
	assert_int_equal(pb_ledger_changed_since(l, c, out, 8), -1);
	c = pb_ledger_change_cursor(l);
	pb_ledger_reset(l);
	assert_int_equal(pb_ledger_changed_since(l, c, out, 8), -1);
	assert_int_equal(pb_ledger_changed_since(l, c + 1000, out, 8), -1);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/*
 * The nodes whose power state changed, from any call that changes one
 * (one at a time, as a list, a commit waking nodes), are among those
 * pb_ledger_powered_since names; -1 for a cursor from before the ledger
 * and when they are more than max.
 */
static void _powered_op(pb_ledger_t *l, struct rng *r, uint32_t nn,
			uint32_t *id)
{
	uint32_t list[8], k = 1 + rng_below(r, 8);
	pb_alloc_node_t an = {rng_below(r, nn), 1, 0};
	pb_alloc_t a = {&an, 1, 0, PB_HINT_EVERYWHERE};

	for (uint32_t i = 0; i < k; i++)
		list[i] = rng_below(r, nn);
	switch (rng_below(r, 4)) {
	case 0:
		(void)pb_ledger_set_node_power(l, list[0], rng_below(r, 2),
					       NULL);
		break;
	case 1:
		(void)pb_ledger_set_nodes_power(l, list, k, rng_below(r, 2));
		break;
	case 2:
		if (!pb_ledger_commit(l, ++*id, &a, 5000, NULL))
			break;
		--*id;
		break;
	default:
		if (*id)
			(void)pb_ledger_release(l, 1 + rng_below(r, *id));
	}
}

static void test_powered_nodes(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		pb_error_t err = {{0}};
		bool was[256], listed[256];
		uint32_t out[256], nn, id = 0;
		struct rng r;
		pb_site_t *s;
		pb_ledger_t *l;

		rng_seed(&r, seed);
		s = random_site(&r, 60);
		nn = pb_site_node_count(s);
		l = pb_ledger_create(s, NULL, &err);
		assert_non_null(l);
		assert_int_equal(pb_ledger_powered_since(l, 0, out, nn), -1);
		for (uint32_t round = 0; round < 40; round++) {
			uint64_t c = pb_ledger_power_cursor(l);
			uint32_t ops = 1 + rng_below(&r, 3);
			int64_t n;

			memcpy(was, pb_ledger_node_states(l),
			       nn * sizeof(*was));
			for (uint32_t i = 0; i < ops; i++)
				_powered_op(l, &r, nn, &id);
			n = pb_ledger_powered_since(l, c, out, nn);
			/* more writes than the ring holds: the caller looks */
			if (pb_ledger_power_cursor(l) - c > nn) {
				assert_int_equal(n, -1);
				continue;
			}
			assert_int_equal(n, pb_ledger_power_cursor(l) - c);
			memset(listed, 0, sizeof(listed));
			for (int64_t i = 0; i < n; i++) {
				assert_true(out[i] < nn);
				listed[out[i]] = true;
			}
			for (uint32_t k = 0; k < nn; k++)
				if (pb_ledger_node_states(l)[k] != was[k] &&
				    !listed[k])
					fail_msg("seed %llu round %u: node %u "
						 "changed, not named",
						 (unsigned long long)seed,
						 round, k);
			if (n > 0)
				assert_int_equal(
				    pb_ledger_powered_since(l, c, out,
							    (uint32_t)n - 1),
				    -1);
		}
		pb_ledger_destroy(l);
		pb_site_destroy(s);
	}
}

/* The same random job and reservation, pinning nodes, in ledger l. */
static void _pin(pb_ledger_t *l, struct rng r, uint32_t nn)
{
	pb_alloc_node_t an[3];
	pb_alloc_t a = {an, 0, 0, PB_HINT_EVERYWHERE};

	for (uint32_t i = 0; i < 3; i++)
		an[a.count++] = (pb_alloc_node_t){(nn + i * 7) % nn, 1, 0};
	a.count = 1 + rng_below(&r, 3);
	if (a.count > nn)
		a.count = nn;
	(void)pb_ledger_commit(l, 1, &a, 5000, NULL);
	an[0].node = rng_below(&r, nn);
	a.count = 1;
	(void)pb_ledger_reserve(l, 2, &a, 1100, 1200, NULL);
}

/*
 * pb_ledger_set_nodes_power against pb_ledger_set_node_power node by
 * node, on random sites with a job and a reservation pinning nodes, and
 * lists with repeats and bad indices: both leave every node's state,
 * every domain's headroom and window the same, and count the changes.
 */
static void test_nodes_power_batch(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		pb_error_t err = {{0}};
		struct rng r;
		pb_site_t *s;
		pb_ledger_t *a, *b;
		uint32_t nn, nd;
		pb_watts_t wa[RS_MAX_DOMAINS], wb[RS_MAX_DOMAINS];

		rng_seed(&r, seed);
		s = random_site(&r, 60);
		nn = pb_site_node_count(s);
		nd = pb_site_domain_count(s);
		a = pb_ledger_create(s, NULL, &err);
		b = pb_ledger_create(s, NULL, &err);
		assert_non_null(a);
		assert_non_null(b);
		_pin(a, r, nn);
		_pin(b, r, nn);
		for (uint32_t round = 0; round < 8; round++) {
			uint32_t list[12], k = rng_below(&r, 13), got = 0;
			bool on = rng_below(&r, 2);

			for (uint32_t i = 0; i < k; i++)
				list[i] = rng_below(&r, nn + 2);
			for (uint32_t i = 0; i < k; i++) {
				bool was = pb_ledger_node_is_on(b, list[i]);

				(void)pb_ledger_set_node_power(b, list[i], on,
							       NULL);
				got += list[i] < nn &&
				       pb_ledger_node_is_on(b, list[i]) != was;
			}
			assert_int_equal(
			    pb_ledger_set_nodes_power(a, list, k, on), got);
			for (uint32_t n = 0; n < nn; n++)
				assert_int_equal(pb_ledger_node_is_on(a, n),
						 pb_ledger_node_is_on(b, n));
			pb_ledger_window_avail(a, 1000, 1300, wa);
			pb_ledger_window_avail(b, 1000, 1300, wb);
			for (uint32_t d = 0; d < nd; d++) {
				assert_true(pb_ledger_headroom(a, d) ==
					    pb_ledger_headroom(b, d));
				assert_true(wa[d] == wb[d]);
			}
		}
		pb_ledger_destroy(a);
		pb_ledger_destroy(b);
		pb_site_destroy(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_admit_commit_release),
	    cmocka_unit_test(test_invalid_alloc),
	    cmocka_unit_test(test_off_nodes_and_wake),
	    cmocka_unit_test(test_suspend_resume),
	    cmocka_unit_test(test_cap_change_running_jobs),
	    cmocka_unit_test(test_facility_pue_cooling_reserve),
	    cmocka_unit_test(test_hint_scope),
	    cmocka_unit_test(test_rebuild_and_views),
	    cmocka_unit_test(test_growth_beyond_capacity),
	    cmocka_unit_test(test_create_needs_final_site),
	    cmocka_unit_test(test_generation),
	    cmocka_unit_test(test_changed_domains),
	    cmocka_unit_test(test_nodes_power_batch),
	    cmocka_unit_test(test_powered_nodes),
	};

	return cmocka_run_group_tests_name("policy_ledger", tests, NULL, NULL);
}
