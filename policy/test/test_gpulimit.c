/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for scheduler-chosen GPU limits: the speed curve, stretch,
 * the efficient limit and the highest limit that fits the ledger, on the
 * two-rack site (util.h) with and without node-enforced limits.
 */
#include "util.h"

#include "policy/gpulimit.h"

static void test_curve(void **state)
{
	pb_speed_curve_t c;
	pb_error_t err;

	(void)state;
	pb_speed_curve_default(&c);
	assert_int_equal(pb_speed_curve_check(&c, &err), 0);
	assert_int_equal(pb_speed_at(&c, 1000), 1000);
	assert_int_equal(pb_speed_at(&c, 1500), 1000);
	assert_int_equal(pb_speed_at(&c, 800), 939);
	assert_int_equal(pb_speed_at(&c, 550), 687); /* 619 + 137 / 2 */
	assert_int_equal(pb_speed_at(&c, 250), 309); /* towards (0, 0) */
	assert_int_equal(pb_speed_at(&c, 0), 1);     /* never zero */
	/* a job drawing less than its limit is not slowed */
	assert_int_equal(pb_speed_of_limit(&c, 400, 350), 1000);
	assert_int_equal(pb_speed_of_limit(&c, 0, 350), 1000);
	assert_int_equal(pb_speed_of_limit(&c, 560, 700), 939);

	c.s_milli[2] = 500; /* falls */
	assert_int_equal(pb_speed_curve_check(&c, &err), -1);
	assert_non_null(strstr(err.text, "point 3"));
	pb_speed_curve_default(&c);
	c.r_milli[c.n - 1] = 990;
	assert_int_equal(pb_speed_curve_check(&c, &err), -1);
	c.n = 0;
	assert_int_equal(pb_speed_curve_check(&c, &err), -1);
}

static void test_stretch(void **state)
{
	pb_speed_curve_t c;

	(void)state;
	pb_speed_curve_default(&c);
	assert_int_equal(pb_stretch_s(1000, 500), 2000);
	assert_int_equal(pb_stretch_s(1, 999), 2); /* rounded up */
	assert_int_equal(pb_stretch_s(3600, 1000), 3600);
	assert_true(pb_stretch_s(PB_TIME_NEVER, 500) == PB_TIME_NEVER);
	assert_true(pb_stretch_s(PB_TIME_NEVER / 10, 500) == PB_TIME_NEVER);
	/* planned against the board limit: 240/300 = 0.8 -> 0.939 */
	assert_int_equal(pb_limit_duration(&c, 240, 300, 939), 1000);
	assert_int_equal(pb_limit_duration(&c, 300, 300, 939), 939);
	/* 939 s of work in 1000 s: no lower than 0.8 of the board */
	assert_int_equal(pb_limit_lowest_w(&c, 300, 939, 1000), 240);
	assert_true(pb_limit_duration(&c, 239, 300, 939) > 1000);
	assert_int_equal(pb_limit_lowest_w(&c, 300, 1001, 1000), 301);
	assert_int_equal(pb_limit_lowest_w(&c, 300, 1000, 1000), 300);
	assert_int_equal(pb_limit_lowest_w(&c, 300, 1000, PB_TIME_NEVER), 1);
}

static void test_efficient(void **state)
{
	pb_site_t *s = two_racks_of(NULL, true);
	pb_speed_curve_t c;
	const pb_power_class_t *cls = pb_site_class(s, 0);

	(void)state;
	pb_speed_curve_default(&c);
	/*
	 * node draw 220 + 2 (L - 50) + 100 against s(L / 300): the best
	 * multiple of 10 from 100 is 210 (s(0.7) = 0.863 over 640 W beats
	 * the full 820 W at 1.0, and 200 W's s(0.667) = 0.827 over 620 W)
	 */
	assert_int_equal(pb_limit_efficient_w(cls, &c, 100, 10), 210);
	/* the floor is raised to the model's lowest cap */
	assert_int_equal(pb_limit_efficient_w(cls, &c, 10, 10), 210);
	/* a floor above the optimum wins */
	assert_int_equal(pb_limit_efficient_w(cls, &c, 280, 10), 280);
	pb_site_destroy(s);
}

/* rackA holds a full job on a0: 440 + 600 = 1040 of its 1500. */
static pb_ledger_t *busy_rack(const pb_site_t *s)
{
	pb_ledger_t *l = new_ledger(s);
	struct whole w;

	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 1000, NULL),
			 0);
	return l;
}

static void test_fit(void **state)
{
	pb_site_t *s = two_racks_of(NULL, true);
	pb_ledger_t *l = busy_rack(s);
	pb_speed_curve_t c;
	pb_limit_ask_t ask = {.lo_w = 100,
			      .hi_w = 300,
			      .max_w = 300,
			      .duration = 100,
			      .curve = &c};
	struct whole w;
	pb_verdict_t v;
	pb_watts_t lim = 0;

	(void)state;
	pb_speed_curve_default(&c);
	/* full draw on a1 is 140 W short; 2 (L - 50) + 100 <= 460 */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), 0, 100, &v), 1);
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 1), 0, &ask, &lim, &v), 0);
	assert_int_equal(lim, 230);
	assert_true(v.ok);
	assert_int_equal(v.job_w, 460);
	/* an ample rack needs no limit: the highest asked for */
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 2), 0, &ask, &lim, &v), 0);
	assert_int_equal(lim, 300);
	/* efficient mode asks for no more than its limit */
	ask.hi_w = 210;
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 2), 0, &ask, &lim, &v), 0);
	assert_int_equal(lim, 210);
	/* a floor above what fits: refused, naming rackA and the watts */
	ask = (pb_limit_ask_t){.lo_w = 250,
			       .hi_w = 300,
			       .max_w = 300,
			       .duration = 100,
			       .curve = &c};
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 1), 0, &ask, &lim, &v), 1);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 40); /* 2 * 200 + 100 - 460 */
	/* bad asks */
	ask.lo_w = 0;
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 1), 0, &ask, &lim, &v), -1);
	ask.lo_w = 301;
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 1), 0, &ask, &lim, &v), -1);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_fit_unenforced(void **state)
{
	pb_site_t *s = two_racks_of(NULL, false);
	pb_ledger_t *l = busy_rack(s);
	pb_speed_curve_t c;
	pb_limit_ask_t ask = {.lo_w = 100,
			      .hi_w = 300,
			      .max_w = 300,
			      .duration = 100,
			      .curve = &c};
	struct whole w;
	pb_verdict_t v;
	pb_watts_t lim = 0;

	(void)state;
	pb_speed_curve_default(&c);
	/* no node enforces a limit, so none can make the job fit */
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 1), 0, &ask, &lim, &v), 1);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(v.job_w, 600);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/*
 * A reservation from t = 130: a job that runs past it must fit beside it.
 */
static void test_fit_stretch_meets_reservation(void **state)
{
	pb_site_t *s = two_racks_of(NULL, true);
	pb_ledger_t *l = busy_rack(s);
	pb_speed_curve_t c;
	pb_limit_ask_t ask = {.lo_w = 100,
			      .hi_w = 300,
			      .max_w = 300,
			      .duration = 100,
			      .curve = &c};
	struct whole w, r;
	pb_verdict_t v;
	pb_watts_t lim = 0;
	pb_error_t err;

	(void)state;
	pb_speed_curve_default(&c);
	/* b1 reserved at full draw from 130 */
	assert_int_equal(
	    pb_ledger_reserve(l, 7, whole(&r, 1, 3), 130, PB_TIME_NEVER, &err),
	    0);
	/* on b0 from 0, full draw ends at 100, before the reservation */
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 2), 0, &ask, &lim, &v), 0);
	assert_int_equal(lim, 300);
	/*
	 * from 40 every run spans 130, where fac holds 1480 + 600 reserved:
	 * 2080 + 2 L <= 2500 gives L <= 210 (rackB alone would allow 230)
	 */
	assert_int_equal(
	    pb_ledger_fit_limit(l, whole(&w, 1, 2), 40, &ask, &lim, &v), 0);
	assert_int_equal(lim, 210);
	assert_true(v.ok);
	assert_int_equal(v.job_w, 420);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_curve),
	    cmocka_unit_test(test_stretch),
	    cmocka_unit_test(test_efficient),
	    cmocka_unit_test(test_fit),
	    cmocka_unit_test(test_fit_unenforced),
	    cmocka_unit_test(test_fit_stretch_meets_reservation),
	};

	return cmocka_run_group_tests_name("policy_gpulimit", tests, NULL,
					   NULL);
}
