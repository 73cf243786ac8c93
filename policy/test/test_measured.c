/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for measured draw on the two-rack site (util.h): node and
 * domain readings above and below the model, jobs started since the
 * reading, and the ledger's limits lowered by what the model misses.
 */
#include "util.h"

#include "policy/measured.h"

#define NONE (-1)

static void test_rule(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_watts_t node[4] = {900, NONE, NONE, NONE};
	pb_watts_t dom[3] = {NONE, NONE, 600};
	pb_watts_t out[3];

	(void)state;
	/* a0 runs a full job: modelled 820 W; rackB idles at 440 W */
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 100, NULL), 0);
	pb_measured_unmodelled(l, node, dom, NULL, NULL, out);
	assert_int_equal(out[1], 80);  /* a0: 900 - 820 */
	assert_int_equal(out[2], 160); /* rackB: 600 - 440 */
	assert_int_equal(out[0], 240); /* both, no reading of its own */
	/* the facility's own reading says more than its parts */
	dom[0] = 2000; /* committed 1480 */
	pb_measured_unmodelled(l, node, dom, NULL, NULL, out);
	assert_int_equal(out[0], 520);
	/* readings below the model: the model stands */
	node[0] = 700;
	dom[0] = 1000;
	dom[2] = 400;
	pb_measured_unmodelled(l, node, dom, NULL, NULL, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 0);
	/* no readings at all */
	pb_measured_unmodelled(l, NULL, NULL, NULL, NULL, out);
	assert_int_equal(out[0] + out[1] + out[2], 0);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/* A job started after the reading was not in it: it adds to the reading. */
static void test_started_since(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_watts_t dom[3] = {NONE, NONE, 600};
	pb_watts_t node[4] = {NONE, NONE, 300, NONE};
	pb_watts_t since_dom[3] = {0}, since_node[4] = {0}, out[3];

	(void)state;
	/* rackB read at 600 W (model 440); then a full job starts on b0 */
	assert_int_equal(pb_ledger_commit(l, 7, whole(&w, 1, 2), 100, NULL), 0);
	assert_int_equal(pb_ledger_job_add(l, 7, since_node, since_dom), 0);
	assert_int_equal(since_dom[0], 600);
	assert_int_equal(since_dom[2], 600);
	assert_int_equal(since_dom[1], 0);
	assert_int_equal(since_node[2], 600);
	assert_int_equal(pb_ledger_job_add(l, 8, since_node, since_dom), -1);
	pb_measured_unmodelled(l, NULL, dom, NULL, since_dom, out);
	assert_int_equal(out[2], 160); /* 600 + 600 - 1040 */
	/* without since, the new job would hide the excess */
	pb_measured_unmodelled(l, NULL, dom, NULL, NULL, out);
	assert_int_equal(out[2], 0);
	/* b0 read idle-high before the start: 300 + 600 - 820 */
	pb_measured_unmodelled(l, node, NULL, since_node, NULL, out);
	assert_int_equal(out[2], 80);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/* Admission sees the measured draw; the model alone again once cleared. */
static void test_ledger_limits(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_watts_t un[3] = {0, 0, 500};
	pb_error_t err;

	(void)state;
	/* rackB: 440 + 600 fits 1500 by the model */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), 0, 100, &v), 0);
	un[0] = 500;
	/* what set_unmodelled would set: none held yet, none is held */
	assert_true(pb_ledger_unmodelled_is(l, NULL));
	assert_false(pb_ledger_unmodelled_is(l, un));
	pb_ledger_set_unmodelled(l, un);
	assert_true(pb_ledger_unmodelled_is(l, un));
	assert_false(pb_ledger_unmodelled_is(l, NULL));
	un[1] = -7; /* an entry <= 0 holds nothing */
	assert_true(pb_ledger_unmodelled_is(l, un));
	un[1] = 0;
	assert_int_equal(pb_ledger_unmodelled(l, 2), 500);
	assert_int_equal(pb_ledger_limit(l, 2), 1000);
	assert_int_equal(pb_ledger_headroom(l, 2), 1000 - 440);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), 0, 100, &v), 1);
	assert_int_equal(v.domain, 2);
	assert_int_equal(v.short_w, 40);
	verify_ok(l);
	/* a cap change keeps the measured draw counted */
	assert_int_equal(pb_ledger_set_cap(l, 2, 1600, &err), 0);
	assert_int_equal(pb_ledger_limit(l, 2), 1100);
	verify_ok(l);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), 0, 100, &v), 0);
	pb_ledger_set_unmodelled(l, NULL);
	assert_int_equal(pb_ledger_limit(l, 2), 1600);
	assert_int_equal(pb_ledger_unmodelled(l, 2), 0);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),
	    cmocka_unit_test(test_started_since),
	    cmocka_unit_test(test_ledger_limits),
	};

	return cmocka_run_group_tests_name("policy_measured", tests, NULL,
					   NULL);
}
