/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ramp limits (policy/ramp.h): hand cases, then random histories against
 * a reference that keeps every step: a start the ramp admits never makes
 * the true rise exceed the limit (unless it starts alone), the time it
 * names is admitted, no start waits longer than a period, and a full
 * history only ever overstates the rise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "policy/ramp.h"

static void test_rise_and_wait(void **state)
{
	pb_ramp_t *r = pb_ramp_create(1000, 60, 0, NULL);
	int64_t at;

	(void)state;
	assert_non_null(r);
	assert_int_equal(pb_ramp_check(r, 0, 5000, NULL), 0); /* no history */
	pb_ramp_note(r, 0, 10000);
	assert_int_equal(pb_ramp_rise(r, 0), 0);
	assert_int_equal(pb_ramp_check(r, 0, 1000, NULL), 0);
	pb_ramp_note(r, 10, 10600); /* +600 at 10 */
	assert_int_equal(pb_ramp_rise(r, 10), 600);
	assert_int_equal(pb_ramp_check(r, 10, 400, NULL), 0);
	assert_int_equal(pb_ramp_check(r, 10, 401, &at), 1);
	assert_int_equal(at, 70); /* the 10000 W low leaves (t-60, t] */
	assert_int_equal(pb_ramp_check(r, 70, 401, NULL), 0);
	/* a drop then a rise counts from the low */
	pb_ramp_note(r, 80, 9000);
	pb_ramp_note(r, 90, 9900);
	assert_int_equal(pb_ramp_rise(r, 90), 900);
	assert_int_equal(pb_ramp_check(r, 90, 200, &at), 1);
	assert_int_equal(at, 150);
	/* larger than the limit: alone, once nothing rose in the period */
	assert_int_equal(pb_ramp_check(r, 100, 5000, &at), 1);
	assert_int_equal(at, 150);
	assert_int_equal(pb_ramp_check(r, 150, 5000, NULL), 0);
	pb_ramp_reset(r, 200, 300);
	assert_int_equal(pb_ramp_rise(r, 200), 0);
	assert_null(pb_ramp_create(0, 60, 0, NULL));
	assert_null(pb_ramp_create(10, 0, 0, NULL));
	pb_ramp_destroy(r);
}

#define REF_MAX 4096

/* Every step kept: the exact rise. */
struct ref {
	int64_t t[REF_MAX];
	pb_watts_t w[REF_MAX];
	int n;
};

static pb_watts_t _ref_rise(const struct ref *f, int64_t now, int64_t per)
{
	pb_watts_t low = f->w[f->n - 1];

	for (int i = f->n - 1; i-- > 0;) {
		if (f->t[i + 1] <= now - per)
			break;
		if (f->w[i] < low)
			low = f->w[i];
	}
	return f->w[f->n - 1] - low;
}

static void _ref_note(struct ref *f, int64_t t, pb_watts_t w)
{
	if (f->n && f->w[f->n - 1] == w)
		return;
	f->t[f->n] = t;
	f->w[f->n++] = w;
}

static void _sequence(unsigned seed, uint32_t steps)
{
	const pb_watts_t limit = 1000;
	pb_ramp_t *r = pb_ramp_create(limit, 60, steps, NULL);
	struct ref *f = calloc(1, sizeof(*f));
	pb_watts_t cur = 5000;
	int64_t now = 0, at;

	srand(seed);
	assert_non_null(r);
	assert_non_null(f);
	pb_ramp_note(r, now, cur);
	_ref_note(f, now, cur);
	for (int k = 0; k < 1000 && f->n < REF_MAX - 2; k++) {
		pb_watts_t add = rand() % 1500;
		pb_watts_t before = _ref_rise(f, now, 60);

		now += rand() % 20;
		before = _ref_rise(f, now, 60);
		assert_true(pb_ramp_rise(r, now) >= before);
		if (rand() % 3 == 0) { /* a job ends */
			cur -= rand() % 800;
		} else if (pb_ramp_check(r, now, add, &at) == 0) {
			cur += add;
			/* within the limit, or alone after a quiet period */
			assert_true(before + add <= limit || before == 0);
		} else {
			assert_true(at > now && at <= now + 60);
			assert_int_equal(pb_ramp_check(r, at, add, NULL), 0);
			continue;
		}
		pb_ramp_note(r, now, cur);
		_ref_note(f, now, cur);
	}
	free(f);
	pb_ramp_destroy(r);
}

static void test_random_histories(void **state)
{
	(void)state;
	for (unsigned i = 1; i <= 300; i++)
		_sequence(i, i % 3 ? 1024 : 4); /* 4 steps: merging at once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rise_and_wait),
	    cmocka_unit_test(test_random_histories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
