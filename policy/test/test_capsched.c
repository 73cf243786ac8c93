/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cap windows: the calendar (policy/capsched.h) in UTC and across a
 * daylight-saving change, and the ledger planning with windows on the
 * two-rack site (util.h: idle 440 W per rack, 880 W facility; full node
 * +600 W; caps fac 2500, racks 1500).
 */
#include <time.h>

#include "policy/capsched.h"
#include "util.h"

#define NOW 1000
#define WIN 0xF0000000u

/* 2026-12-02 is a Wednesday. */
static int64_t _utc(int y, int mon, int d, int h, int min)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mon - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = min};

	return (int64_t)timegm(&tm);
}

static void _tz(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static void test_weekly_in_utc(void **state)
{
	pb_cap_window_t w = {.weekly = true,
			     .days = 0x3e, /* Mon-Fri */
			     .start_min = 14 * 60,
			     .end_min = 19 * 60};
	int64_t s, e;

	(void)state;
	_tz("UTC");
	assert_int_equal(
	    pb_cap_window_after(&w, _utc(2026, 12, 2, 10, 0), &s, &e), 0);
	assert_int_equal(s, _utc(2026, 12, 2, 14, 0));
	assert_int_equal(e, _utc(2026, 12, 2, 19, 0));
	/* on at 15:00: the same window */
	assert_int_equal(
	    pb_cap_window_after(&w, _utc(2026, 12, 2, 15, 0), &s, &e), 0);
	assert_int_equal(s, _utc(2026, 12, 2, 14, 0));
	/* Friday evening: next Monday */
	assert_int_equal(
	    pb_cap_window_after(&w, _utc(2026, 12, 4, 19, 0), &s, &e), 0);
	assert_int_equal(s, _utc(2026, 12, 7, 14, 0));
	assert_int_equal(e, _utc(2026, 12, 7, 19, 0));
	w.days = 0;
	assert_int_equal(pb_cap_window_after(&w, 0, &s, &e), -1);
}

static void test_overnight_and_one_off(void **state)
{
	/* Saturdays 22:00 to Sunday 06:00 */
	pb_cap_window_t w = {.weekly = true,
			     .days = 1u << 6,
			     .start_min = 22 * 60,
			     .end_min = 6 * 60};
	pb_cap_window_t once = {.from = 5000, .until = 9000};
	int64_t s, e;

	(void)state;
	_tz("UTC");
	assert_int_equal(
	    pb_cap_window_after(&w, _utc(2026, 12, 6, 1, 0), &s, &e), 0);
	assert_int_equal(s, _utc(2026, 12, 5, 22, 0));
	assert_int_equal(e, _utc(2026, 12, 6, 6, 0));
	assert_int_equal(pb_cap_window_after(&once, 100, &s, &e), 0);
	assert_int_equal(s, 5000);
	assert_int_equal(e, 9000);
	assert_int_equal(pb_cap_window_after(&once, 8999, &s, &e), 0);
	assert_int_equal(pb_cap_window_after(&once, 9000, &s, &e), -1);
}

static void test_weekly_keeps_local_time_across_dst(void **state)
{
	/* Texas: CST (UTC-6) until 2026-03-08 02:00, CDT (UTC-5) after */
	pb_cap_window_t w = {.weekly = true,
			     .days = PB_DAYS_ALL,
			     .start_min = 14 * 60,
			     .end_min = 19 * 60};
	int64_t s, e;

	(void)state;
	_tz("America/Chicago");
	assert_int_equal(
	    pb_cap_window_after(&w, _utc(2026, 3, 7, 12, 0), &s, &e), 0);
	assert_int_equal(s, _utc(2026, 3, 7, 20, 0));
	assert_int_equal(e, _utc(2026, 3, 8, 1, 0));
	assert_int_equal(pb_cap_window_after(&w, e, &s, &e), 0);
	assert_int_equal(s, _utc(2026, 3, 8, 19, 0));
	assert_int_equal(e, _utc(2026, 3, 9, 0, 0));
	_tz("UTC");
}

static void test_window_admits_only_what_fits_or_ends_before(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;
	pb_watts_t cap;
	int64_t t;

	(void)state;
	/* facility at 1500 W on [2000, 3000) */
	assert_int_equal(
	    pb_ledger_cap_window(l, WIN, 0, 1500, 2000, 3000, NULL), 0);
	/* two full nodes: 880 + 1200 fits 2500, not 1500 */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 0, 2), NOW, 2000, &v),
			 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 0, 2), NOW, 2500, &v),
			 1);
	assert_int_equal(v.domain, 0);
	assert_int_equal(v.at, 2000);
	assert_int_equal(v.short_w, 580);
	/* one full node fits the window too */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 2500, &v), 0);
	/* too long to end before it: starts when it is over */
	assert_int_equal(
	    pb_ledger_earliest_start(l, whole(&w, 2, 0, 2), 1500, NOW, &t, &v),
	    0);
	assert_int_equal(t, 3000);
	assert_int_equal(pb_ledger_cap_at(l, 0, NOW), 2500);
	assert_int_equal(pb_ledger_cap_at(l, 0, 2500), 1500);
	assert_int_equal(pb_ledger_next_cap(l, 0, NOW, &t, &cap), 0);
	assert_int_equal(t, 2000);
	assert_int_equal(cap, 1500);
	assert_int_equal(pb_ledger_next_cap(l, 0, 2500, &t, &cap), 0);
	assert_int_equal(t, 3000);
	assert_int_equal(cap, 2500);
	assert_int_equal(pb_ledger_next_cap(l, 1, NOW, &t, &cap), -1);
	verify_ok(l);
	/* on now, it binds now */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 0, 2), 2100, 2200, &v),
			 1);
	assert_int_equal(v.at, 2100);
	assert_int_equal(pb_ledger_unreserve(l, WIN), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 2, 0, 2), NOW, 2500, &v),
			 0);
	verify_ok(l);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

static void test_window_on_a_rack_and_cap_changes(void **state)
{
	pb_site_t *s = two_racks(NULL);
	pb_ledger_t *l = new_ledger(s);
	struct whole w;
	pb_verdict_t v;

	(void)state;
	/* rackA at 700 W on [2000, 3000): 440 idle + 600 does not fit */
	assert_int_equal(pb_ledger_cap_window(l, WIN, 1, 700, 2000, 3000, NULL),
			 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 2500, &v), 1);
	assert_int_equal(v.domain, 1);
	assert_int_equal(v.short_w, 340);
	/* rackB and the facility are not touched */
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 2), NOW, 2500, &v), 0);
	assert_int_equal(pb_ledger_commit(l, 7, whole(&w, 1, 2), 2500, NULL),
			 0);
	/* a reservation after the window start sees the window's hold */
	assert_int_equal(
	    pb_ledger_reserve(l, 9, whole(&w, 1, 1), 2200, 2800, NULL), 0);
	verify_ok(l);
	/* a higher window cap than the domain's holds nothing */
	assert_int_equal(pb_ledger_set_cap(l, 1, 600, NULL), 0);
	assert_int_equal(pb_ledger_cap_at(l, 1, 2500), 600);
	verify_ok(l);
	assert_int_equal(pb_ledger_set_cap(l, 1, 1500, NULL), 0);
	assert_int_equal(pb_ledger_cap_at(l, 1, 2500), 700);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 2500, &v), 1);
	/* the first checkpoint that fails is reported: the window's start */
	assert_int_equal(v.short_w, 340);
	assert_int_equal(v.at, 2000);
	/* the reservation of a1 takes what is left in the window */
	assert_int_equal(
	    pb_ledger_cap_window(l, WIN + 1, 1, 1100, 2000, 3000, NULL), 0);
	assert_int_equal(pb_ledger_release(l, 7), 0);
	assert_int_equal(pb_ledger_unreserve(l, WIN), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 2100, &v), 0);
	assert_int_equal(pb_ledger_admit(l, whole(&w, 1, 0), NOW, 2300, &v), 1);
	assert_int_equal(v.at, 2200);
	assert_int_equal(v.short_w, 540);
	verify_ok(l);
	/* errors */
	assert_int_equal(
	    pb_ledger_cap_window(l, WIN + 1, 1, 700, 2000, 3000, NULL), -1);
	assert_int_equal(pb_ledger_cap_window(l, WIN + 2, 9, 700, 0, 10, NULL),
			 -1);
	assert_int_equal(pb_ledger_cap_window(l, WIN + 2, 1, 0, 0, 10, NULL),
			 -1);
	assert_int_equal(pb_ledger_cap_window(l, WIN + 2, 1, 5, 10, 10, NULL),
			 -1);
	pb_ledger_reset(l);
	assert_int_equal(pb_ledger_reservation_count(l), 0);
	pb_ledger_destroy(l);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_weekly_in_utc),
	    cmocka_unit_test(test_overnight_and_one_off),
	    cmocka_unit_test(test_weekly_keeps_local_time_across_dst),
	    cmocka_unit_test(test_window_admits_only_what_fits_or_ends_before),
	    cmocka_unit_test(test_window_on_a_rack_and_cap_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
