/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-computed timeline and reservation cases on the two-rack site
 * (util.h: idle 440 W per rack, 880 W facility; full node +600 W;
 * one GPU alone +250 W).
 */
#include "util.h"

#define NOW 1000

static void test_earliest_start_from_job_ends(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	int64_t t;

	(void)state;
	assert_int_equal(pb_ledger_commit(l, 1, whole(&w, 1, 0), 2000, NULL),
			 0);
	assert_int_equal(pb_ledger_commit(l, 2, whole(&w, 1, 2), 3000, NULL),
			 0);
	/* a1 full: rackA 1640 now; job 1 frees rackA at 2000 */
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 1), 500, NOW, &t, &v), 0);
	assert_int_equal(t, 2000);
	assert_true(v.ok);
	/* a1 + b1 full: rackB is short until job 2 ends at 3000 */
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 2, 1, 3), 500, NOW, &t, NULL),
	    0);
	assert_int_equal(t, 3000);
	/* b1 alone: rackB 1040 + 600 > 1500 until job 2 ends */
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 3), 500, NOW, &t, NULL),
	    0);
	assert_int_equal(t, 3000);
	/* once job 2 is gone, it fits now */
	assert_int_equal(pb_ledger_release(l, 2), 0);
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 3), 500, NOW, &t, NULL),
	    0);
	assert_int_equal(t, NOW);
	/* a0 + a1 full can never fit rackA: 440 + 1200 - 1500 */
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 2, 0, 1), 10, NOW, &t, &v),
	    1);
	assert_int_equal(t, PB_TIME_NEVER);
	assert_false(v.ok);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(v.at, 2000);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_job_without_end_and_overdue(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	int64_t t;

	(void)state;
	assert_int_equal(
	    pb_ledger_commit(l, 1, whole(&w, 1, 0), PB_TIME_NEVER, NULL), 0);
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 1), 10, NOW, &t, NULL), 1);
	/* overdue (expected end already past): assumed gone right after now */
	assert_int_equal(pb_ledger_update_end(l, 1, 500), 0);
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 1), 10, NOW, &t, NULL), 0);
	assert_int_equal(t, NOW + 1);
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 1, 1), 0, NOW, &t, NULL), -1);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/*
 * A lifted reservation is out of every figure, keeps its id and nodes,
 * and comes back as it was; a cap window cannot be lifted.
 */
static void test_lifted_reservation_comes_back_whole(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w, r;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	assert_int_equal(
	    pb_ledger_reserve(l, 7, whole(&r, 1, 0), 2000, 4000, &err), 0);
	assert_int_equal(pb_ledger_cap_window(l, 9, 0, 1000, 5000, 6000, &err),
			 0);
	assert_int_equal(pb_ledger_lift(l, 9), -1);
	assert_int_equal(pb_ledger_lift(l, 8), -1);
	assert_int_equal(pb_ledger_lift(l, 7), 0);
	/* out of every figure: a1 running past 2000 fits, node 0 may sleep */
	assert_int_equal(pb_ledger_reserved_at(l, 1, 2000), 0);
	assert_int_equal(pb_ledger_reservation_count(l), 1);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), NOW, 2500, &v), 0);
	/* its id stays taken until it is put back or dropped */
	assert_int_equal(pb_ledger_reserve(l, 7, &r.a, 2000, 4000, &err), -1);
	verify_ok(l);
	assert_int_equal(pb_ledger_unlift(l, 7), 0);
	assert_int_equal(pb_ledger_unlift(l, 7), -1);
	assert_int_equal(pb_ledger_reserved_at(l, 1, 2000), 600);
	assert_int_equal(pb_ledger_admit(l, &w.a, NOW, 2500, &v), 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(pb_ledger_set_node_power(l, 0, false, &err), -1);
	verify_ok(l);
	/* lifted, then dropped: gone, and its id free again */
	assert_int_equal(pb_ledger_lift(l, 7), 0);
	assert_int_equal(pb_ledger_unreserve(l, 7), 0);
	assert_int_equal(pb_ledger_unlift(l, 7), -1);
	assert_int_equal(pb_ledger_reserve(l, 7, &r.a, 2000, 4000, &err), 0);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/*
 * Reservation R (id 7): a0 full (600 W) on [2000, 4000).  Load at 2000
 * with nothing else: rackA 1040, fac 1480.
 */
static void test_reservation_blocks_only_overlapping_jobs(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w, r;
	pb_verdict_t v;
	pb_error_t err;

	(void)state;
	assert_int_equal(
	    pb_ledger_reserve(l, 7, whole(&r, 1, 0), 2000, 4000, &err), 0);
	assert_int_equal(pb_ledger_reservation_count(l), 1);
	assert_int_equal(pb_ledger_reserved_at(l, 1, 1999), 0);
	assert_int_equal(pb_ledger_reserved_at(l, 1, 2000), 600);
	assert_int_equal(pb_ledger_reserved_at(l, 0, 4000), 0);
	/* nothing is held now: committed is unchanged */
	assert_int_equal(pb_ledger_committed(l, 1), 440);
	/* a1 full ending before R needs the power: admitted */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), NOW, 1900, &v), 0);
	/* ending exactly at R's start: admitted */
	assert_int_equal(pb_ledger_admit(l, &w.a, NOW, 2000, &v), 0);
	/* still running at 2000: 1040 + 600 - 1500 in rackA, at 2000 */
	assert_int_equal(pb_ledger_admit(l, &w.a, NOW, 2500, &v), 1);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 140);
	assert_int_equal(v.at, 2000);
	/* in rackB the reserved power is not in the way */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), NOW, 2500, &v), 0);
	/* once R's start has passed, it is held now */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), 2100, 2200, &v),
			 1);
	assert_int_equal(v.at, 2100);
	assert_int_equal(v.short_w, 140);
	/* ... and after its end no longer */
	assert_int_equal(pb_ledger_admit(l, &w.a, 4000, 4500, &v), 0);
	/* a reservation pins its nodes on */
	assert_int_equal(pb_ledger_set_node_power(l, 0, false, &err), -1);
	assert_int_equal(pb_ledger_reserve(l, 7, &r.a, 1, 2, &err), -1);
	assert_int_equal(pb_ledger_reserve(l, 8, &r.a, 5, 5, &err), -1);
	verify_ok(l);
	assert_int_equal(pb_ledger_unreserve(l, 7), 0);
	assert_int_equal(pb_ledger_unreserve(l, 7), -1);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 1), NOW, 2500, &v), 0);
	assert_int_equal(pb_ledger_set_node_power(l, 0, false, &err), 0);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/*
 * Facility-level case: fac cap 2100; R as above; job X full on b0 until
 * 2500.  At 2000: fac 880 + 600 (R) + 600 (X) = 2080.  Y = one GPU on a1
 * (250 W): fits now (fac 1730) but not at 2000 (2330, short 230).
 */
static void test_reservation_at_facility_and_earliest(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w, r;
	pb_alloc_node_t yn = {1, 1, 0};
	pb_alloc_t y = {&yn, 1, 0, PB_HINT_EVERYWHERE};
	pb_watts_t avail[3];
	pb_verdict_t v;
	pb_error_t err;
	int64_t t;

	(void)state;
	assert_int_equal(pb_ledger_set_cap(l, 0, 2100, &err), 0);
	assert_int_equal(
	    pb_ledger_reserve(l, 7, whole(&r, 1, 0), 2000, 4000, &err), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), NOW, 2500, &v), 0);
	assert_int_equal(pb_ledger_commit(l, 1, &w.a, 2500, &err), 0);
	verify_ok(l);
	assert_int_equal(pb_ledger_admit(l, &y, NOW, 2500, &v), 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(v.short_w, 230);
	assert_int_equal(v.at, 2000);
	assert_int_equal(pb_ledger_admit(l, &y, NOW, 1999, &v), 0);
	/* window avail: fac 2100 - max(1480 now, 2080 at 2000) */
	pb_ledger_window_avail(l, NOW, 2500, avail);
	assert_int_equal(avail[0], 20);
	assert_int_equal(avail[1], 1500 - 1040);
	assert_int_equal(avail[2], 1500 - 1040);
	pb_ledger_window_avail(l, NOW, 1500, avail);
	assert_int_equal(avail[0], 2100 - 1480);
	/* Y for 1000 s fits now (ends at 2000) */
	assert_int_equal(pb_ledger_earliest_start(l, &y, 1000, NOW, &t, NULL),
			 0);
	assert_int_equal(t, NOW);
	/*
	 * Y for 1500 s: blocked by R now; at 2000 the facility holds
	 * 2080 + 250; at 2500 X has ended: 1480 + 250 fits until R ends.
	 */
	assert_int_equal(pb_ledger_earliest_start(l, &y, 1500, NOW, &t, &v), 0);
	assert_int_equal(t, 2500);
	/* extending X moves the answer with it */
	assert_int_equal(pb_ledger_update_end(l, 1, 3000), 0);
	verify_ok(l);
	assert_int_equal(pb_ledger_earliest_start(l, &y, 1500, NOW, &t, &v), 0);
	assert_int_equal(t, 3000);
	/* X shortened to end before R: Y fits now, whatever its length */
	assert_int_equal(pb_ledger_update_end(l, 1, 1500), 0);
	verify_ok(l);
	assert_int_equal(pb_ledger_admit(l, &y, NOW, PB_TIME_NEVER, &v), 0);
	assert_int_equal(
	    pb_ledger_earliest_start(l, &y, PB_TIME_NEVER, NOW, &t, NULL), 0);
	assert_int_equal(t, NOW);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

/* Two overlapping reservations: each one's start-time load sees the other. */
static void test_overlapping_reservations(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole r1, r2, w;
	pb_verdict_t v;
	pb_error_t err;
	int64_t t;

	(void)state;
	/* R1: b0 on [2000, 5000); R2: b1 on [3000, 4000) */
	assert_int_equal(
	    pb_ledger_reserve(l, 1, whole(&r1, 1, 2), 2000, 5000, &err), 0);
	assert_int_equal(
	    pb_ledger_reserve(l, 2, whole(&r2, 1, 3), 3000, 4000, &err), 0);
	verify_ok(l);
	/* fac at 3000: 880 + 1200 = 2080; a0 full +600 = 2680 > 2500 */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 3500, &v), 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(v.short_w, 180);
	assert_int_equal(v.at, 3000);
	/* ending before R2 starts: fac at 2000 is 1480 + 600, fine */
	assert_int_equal(pb_ledger_admit(l, &w.a, NOW, 3000, &v), 0);
	/* for 2500 s from now it overlaps R2: earliest is R2's end */
	assert_int_equal(pb_ledger_earliest_start(l, &w.a, 2500, NOW, &t, NULL),
			 0);
	assert_int_equal(t, 4000);
	assert_int_equal(pb_ledger_unreserve(l, 1), 0);
	verify_ok(l);
	/* without R1 the facility at 3000 is 1480 + 600 */
	assert_int_equal(pb_ledger_admit(l, &w.a, NOW, 3500, &v), 0);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_reservation_table_full(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_opts_t o = {.max_reservations = 2};
	pb_error_t err;
	pb_ledger_t *l = pb_ledger_create(s, &o, &err);
	struct whole r;

	(void)state;
	assert_int_equal(pb_ledger_reserve(l, 1, whole(&r, 1, 0), 10, 20, &err),
			 0);
	assert_int_equal(pb_ledger_reserve(l, 2, &r.a, 10, 20, &err), 0);
	assert_int_equal(pb_ledger_reserve(l, 3, &r.a, 10, 20, &err), -1);
	assert_non_null(strstr(err.text, "full"));
	pb_ledger_reset(l);
	assert_int_equal(pb_ledger_reservation_count(l), 0);
	assert_int_equal(pb_ledger_reserve(l, 3, &r.a, 10, 20, &err), 0);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_earliest_start_from_job_ends),
	    cmocka_unit_test(test_job_without_end_and_overdue),
	    cmocka_unit_test(test_reservation_blocks_only_overlapping_jobs),
	    cmocka_unit_test(test_lifted_reservation_comes_back_whole),
	    cmocka_unit_test(test_reservation_at_facility_and_earliest),
	    cmocka_unit_test(test_overlapping_reservations),
	    cmocka_unit_test(test_reservation_table_full),
	};

	return cmocka_run_group_tests_name("policy_timeline", tests, NULL,
					   NULL);
}
