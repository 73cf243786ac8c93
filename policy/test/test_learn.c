/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the learned-draw table: the estimate (percentile, margin,
 * clamps, minimum runs), the bounds (ring of runs, least recently
 * observed class evicted), and the state file (round trip, whole-file
 * rejection with a line number).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/learn.h"

static pb_learn_t *table(uint32_t classes, uint32_t runs, uint32_t min_runs)
{
	pb_learn_params_t p;
	pb_error_t err = {{0}};
	pb_learn_t *t;

	pb_learn_params_default(&p);
	p.max_classes = classes;
	p.max_runs = runs;
	p.min_runs = min_runs;
	t = pb_learn_create(&p, &err);
	if (!t)
		fail_msg("create: %s", err.text);
	return t;
}

static void test_defaults(void **state)
{
	pb_learn_params_t p;
	pb_error_t err = {{0}};

	(void)state;
	pb_learn_params_default(&p);
	assert_int_equal(p.max_runs, 32);
	assert_int_equal(p.percentile, 95);
	assert_int_equal(p.margin_pct, 10);
	assert_int_equal(p.min_runs, 1);
	p.min_runs = 33;
	errno = 0;
	assert_null(pb_learn_create(&p, &err));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err.text, "learned draw"));
	pb_learn_params_default(&p);
	p.percentile = 0;
	assert_null(pb_learn_create(&p, &err));
	pb_learn_destroy(NULL);
}

static void test_estimate(void **state)
{
	pb_learn_t *t = table(16, 32, 1);
	pb_watts_t w = -1;

	(void)state;
	assert_int_equal(pb_learn_estimate(t, "u/a", 0, 0, &w), 1);
	assert_int_equal(w, -1); /* untouched */
	assert_int_equal(pb_learn_observe(t, "u/a", 500, 10), 0);
	/* one run: p95 is that run; + 10% */
	assert_int_equal(pb_learn_estimate(t, "u/a", 0, 0, &w), 0);
	assert_int_equal(w, 550);
	/* 20 runs 401..420: nearest rank ceil(0.95 * 20) = 19th -> 419 */
	for (int i = 20; i >= 1; i--)
		assert_int_equal(pb_learn_observe(t, "u/b", 400 + i, 20), 0);
	assert_int_equal(pb_learn_estimate(t, "u/b", 0, 0, &w), 0);
	assert_int_equal(w, 461); /* ceil(419 * 1.1) = ceil(460.9) */
	/* clamps */
	assert_int_equal(pb_learn_estimate(t, "u/b", 0, 450, &w), 0);
	assert_int_equal(w, 450);
	assert_int_equal(pb_learn_estimate(t, "u/a", 600, 700, &w), 0);
	assert_int_equal(w, 600);
	assert_int_equal(pb_learn_runs(t, "u/b"), 20);
	assert_int_equal(pb_learn_runs(t, "nobody"), 0);
	assert_int_equal(pb_learn_count(t), 2);
	/* bad keys and watts change nothing */
	errno = 0;
	assert_int_equal(pb_learn_observe(t, "has space", 300, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pb_learn_observe(t, "", 300, 1), -1);
	assert_int_equal(pb_learn_observe(t, "u/a", 0, 1), -1);
	assert_int_equal(pb_learn_observe(t, "u/a", PB_LEARN_W_MAX + 1, 1), -1);
	assert_int_equal(pb_learn_count(t), 2);
	assert_int_equal(pb_learn_runs(t, "u/a"), 1);
	assert_int_equal(pb_learn_estimate(t, "has space", 0, 0, &w), 1);
	pb_learn_destroy(t);
}

static void test_min_runs_and_ring(void **state)
{
	pb_learn_t *t = table(4, 4, 3);
	pb_watts_t w = 0;

	(void)state;
	assert_int_equal(pb_learn_observe(t, "k", 900, 1), 0);
	assert_int_equal(pb_learn_observe(t, "k", 100, 2), 0);
	assert_int_equal(pb_learn_estimate(t, "k", 0, 0, &w), 1);
	assert_int_equal(pb_learn_observe(t, "k", 100, 3), 0);
	assert_int_equal(pb_learn_estimate(t, "k", 0, 0, &w), 0);
	assert_int_equal(w, 990); /* the 900 run is still in */
	/* two more runs push the 900 out of the ring of 4 */
	assert_int_equal(pb_learn_observe(t, "k", 100, 4), 0);
	assert_int_equal(pb_learn_observe(t, "k", 200, 5), 0);
	assert_int_equal(pb_learn_runs(t, "k"), 4);
	assert_int_equal(pb_learn_estimate(t, "k", 0, 0, &w), 0);
	assert_int_equal(w, 220);
	pb_learn_destroy(t);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The estimate keeps its runs in order as they come and go: against a
 * sort of the last max_runs runs, for every percentile, with duplicates
 * and through many ring wrap-arounds.
 */
static void test_estimate_matches_sort(void **state)
{
	uint64_t rng = 12345;

	(void)state;
	for (uint32_t runs = 1; runs <= 9; runs += 4) {
		for (uint32_t pct = 1; pct <= 100; pct += 33) {
			pb_learn_params_t p;
			pb_error_t err = {{0}};
			int64_t hist[200], v[PB_LEARN_RUNS_MAX];
			pb_learn_t *t;

			pb_learn_params_default(&p);
			p.max_runs = runs;
			p.min_runs = 1;
			p.percentile = pct;
			t = pb_learn_create(&p, &err);
			assert_non_null(t);
			for (uint32_t i = 0; i < 200; i++) {
				uint32_t n = i + 1 < runs ? i + 1 : runs, k;
				pb_watts_t w = 0, want;

				rng = rng * 6364136223846793005ull + 1;
				hist[i] = 1 + (int64_t)((rng >> 33) % 40) * 25;
				assert_int_equal(
				    pb_learn_observe(t, "k", hist[i], i), 0);
				memcpy(v, hist + i + 1 - n, n * sizeof(*v));
				qsort(v, n, sizeof(*v), cmp_i64);
				k = (pct * n + 99) / 100;
				want = (v[k - 1] * (100 + p.margin_pct) + 99) /
				       100;
				assert_int_equal(
				    pb_learn_estimate(t, "k", 0, 0, &w), 0);
				assert_int_equal(w, want);
			}
			pb_learn_destroy(t);
		}
	}
}

static void test_evict(void **state)
{
	pb_learn_t *t = table(3, 2, 1);
	pb_watts_t w;
	char key[16];

	(void)state;
	assert_int_equal(pb_learn_observe(t, "a", 100, 10), 0);
	assert_int_equal(pb_learn_observe(t, "b", 100, 20), 0);
	assert_int_equal(pb_learn_observe(t, "c", 100, 30), 0);
	/* a is used again: b is now the least recently observed */
	assert_int_equal(pb_learn_observe(t, "a", 100, 40), 0);
	/* looking up b does not keep it */
	assert_int_equal(pb_learn_estimate(t, "b", 0, 0, &w), 0);
	assert_int_equal(pb_learn_observe(t, "d", 100, 50), 0);
	assert_int_equal(pb_learn_count(t), 3);
	assert_int_equal(pb_learn_runs(t, "b"), 0);
	assert_int_equal(pb_learn_runs(t, "a"), 2);
	assert_int_equal(pb_learn_runs(t, "c"), 1);
	assert_int_equal(pb_learn_runs(t, "d"), 1);
	/* equal times: the earlier call goes first */
	assert_int_equal(pb_learn_observe(t, "e", 100, 30), 0);
	assert_int_equal(pb_learn_runs(t, "c"), 0);
	pb_learn_destroy(t);

	/* many classes through a small table: the hash stays consistent */
	t = table(50, 1, 1);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(pb_learn_observe(t, key, 100 + i, i), 0);
	}
	assert_int_equal(pb_learn_count(t), 50);
	for (int i = 0; i < 2000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(pb_learn_runs(t, key), i >= 1950 ? 1 : 0);
	}
	pb_learn_destroy(t);
}

static void test_roundtrip(void **state)
{
	pb_learn_t *t = table(8, 4, 1), *u;
	pb_error_t err = {{0}};
	char a[1024], b[1024], small[16];
	size_t n, m;

	(void)state;
	assert_int_equal(pb_learn_observe(t, "alice/train", 612, 100), 0);
	assert_int_equal(pb_learn_observe(t, "bob/eval", 300, -5), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(
		    pb_learn_observe(t, "alice/train", 600 + i, 200 + i), 0);
	n = pb_learn_format_buf(t, a, sizeof(a));
	assert_true(n < sizeof(a));
	assert_non_null(strstr(a, "pb-learn 1\n"));
	/* oldest observation first: bob (-5) before alice */
	assert_true(strstr(a, "class bob/eval -5 1 300\n") <
		    strstr(a, "class alice/train 205 4 602 603 604 605\n"));
	assert_non_null(strstr(a, "end 2\n"));
	/* truncation is snprintf's */
	m = pb_learn_format_buf(t, small, sizeof(small));
	assert_int_equal(m, n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	u = pb_learn_parse(pb_learn_params(t), a, n, &err);
	if (!u)
		fail_msg("parse: %s", err.text);
	assert_int_equal(pb_learn_format_buf(u, b, sizeof(b)), n);
	assert_string_equal(a, b);
	pb_learn_destroy(u);
	/* smaller bounds: newest runs, most recent classes */
	{
		pb_learn_params_t p = *pb_learn_params(t);
		pb_watts_t w;

		p.max_classes = 1;
		p.max_runs = 2;
		u = pb_learn_parse(&p, a, n, &err);
		assert_non_null(u);
		assert_int_equal(pb_learn_count(u), 1);
		assert_int_equal(pb_learn_runs(u, "alice/train"), 2);
		assert_int_equal(pb_learn_estimate(u, "alice/train", 0, 0, &w),
				 0);
		assert_int_equal(w, 666); /* ceil(605 * 1.1) */
		pb_learn_destroy(u);
	}
	pb_learn_destroy(t);
	/* an empty table round-trips too */
	t = table(8, 4, 1);
	n = pb_learn_format_buf(t, a, sizeof(a));
	u = pb_learn_parse(NULL, a, n, &err);
	assert_non_null(u);
	assert_int_equal(pb_learn_count(u), 0);
	pb_learn_destroy(u);
	pb_learn_destroy(t);
}

/* A file that must be refused, with the given line in the message. */
static void refuse(const char *text, size_t len, const char *want)
{
	pb_error_t err = {{0}};
	pb_learn_t *t;

	errno = 0;
	t = pb_learn_parse(NULL, text, len, &err);
	if (t) {
		pb_learn_destroy(t);
		fail_msg("accepted: %s", text);
	}
	assert_int_equal(errno, EINVAL);
	if (!strstr(err.text, want))
		fail_msg("'%s' lacks '%s'", err.text, want);
}

#define REFUSE(text, want) refuse(text, sizeof(text) - 1, want)

static void test_corrupt(void **state)
{
	pb_error_t err = {{0}};
	pb_learn_t *t;
	static const char ok[] = "# saved\n\npb-learn 1\r\n"
				 "class a 5 2 100 200\n"
				 "\tclass b -7 1 50  \n"
				 "end 2\n";

	(void)state;
	t = pb_learn_parse(NULL, ok, sizeof(ok) - 1, &err);
	if (!t)
		fail_msg("parse: %s", err.text);
	assert_int_equal(pb_learn_count(t), 2);
	assert_int_equal(pb_learn_runs(t, "a"), 2);
	pb_learn_destroy(t);

	REFUSE("", "line 0: no end line");
	REFUSE("pb-learn 2\nend 0\n", "line 1: not a learned-draw file");
	REFUSE("class a 1 1 100\nend 1\n", "line 1: not a learned-draw");
	REFUSE("pb-learn 1\nclass a 1 1 100\n", "line 2: no end line");
	REFUSE("pb-learn 1\nclass a 1 1 100\nend 2\n", "line 3: the end line");
	REFUSE("pb-learn 1\nend 0\nclass a 1 1 1\n", "line 3: text after");
	REFUSE("pb-learn 1\nclass a 1 2 100\nend 1\n",
	       "line 2: class a: run 2");
	REFUSE("pb-learn 1\nclass a 1 1 100 7\nend 1\n", "more than 1 runs");
	REFUSE("pb-learn 1\nclass a 1 1 0\nend 1\n", "line 2: class a: run 1");
	REFUSE("pb-learn 1\nclass a 1 1 100001\nend 1\n", "watts of 1");
	REFUSE("pb-learn 1\nclass a 1 0\nend 1\n", "a run count");
	REFUSE("pb-learn 1\nclass a x 1 5\nend 1\n", "line 2: class a:");
	REFUSE("pb-learn 1\nclass a 99999999999999999999 1 5\nend 1\n",
	       "last time");
	REFUSE("pb-learn 1\nclass\nend 0\n", "line 2: a class needs a key");
	REFUSE("pb-learn 1\nclass a 1 1 5\nclass a 2 1 5\nend 2\n",
	       "line 3: class a again");
	REFUSE("pb-learn 1\nclass \x7f 1 1 5\nend 1\n", "printable");
	REFUSE("pb-learn 1\nbogus\nend 0\n", "line 2: unknown line 'bogus'");
	REFUSE("pb-learn 1\nend 0\0\n", "line 2: NUL byte");
	/* a cut-short file: every prefix of a good one is refused */
	for (size_t n = 0; n + 1 < sizeof(ok) - 1; n++) {
		t = pb_learn_parse(NULL, ok, n, &err);
		if (t) {
			pb_learn_destroy(t);
			fail_msg("prefix of %zu bytes accepted", n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_estimate),
	    cmocka_unit_test(test_min_runs_and_ring),
	    cmocka_unit_test(test_estimate_matches_sort),
	    cmocka_unit_test(test_evict),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests_name("policy_learn", tests, NULL, NULL);
}
