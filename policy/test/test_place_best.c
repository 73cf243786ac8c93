/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The placer's tournament (place_best.h) against a walk over every
 * entry: on random sizes, with keys from a small range (so that ties
 * are common) and entries losing and gaining their keys, one at a time
 * or many at once, it always names the entry of least key, ties to the
 * lowest index, or none.
 */
#include "random_site.h"

#include "policy/place_best.h"

#define MAXN 300

/* The walk the placer made before: first strictly better wins. */
static int64_t _walk(const bool *ok, const pb_watts_t *key, uint32_t n)
{
	int64_t best = -1;

	for (uint32_t i = 0; i < n; i++)
		if (ok[i] && (best < 0 || key[i] < key[best]))
			best = i;
	return best;
}

static void check_seed(uint64_t seed)
{
	struct rng r;
	uint32_t n, range;
	bool ok[MAXN] = {false};
	pb_watts_t key[MAXN] = {0};
	pb_best_t *b;

	rng_seed(&r, seed);
	n = rng_below(&r, MAXN + 1);
	range = 1 + rng_below(&r, 8);
	b = pb_best_create(n);
	assert_non_null(b);
	assert_int_equal(pb_best_get(b), -1);
	for (uint32_t step = 0; n && step < 200; step++) {
		bool many = rng_below(&r, 10) == 0;
		uint32_t changes = many ? n : 1 + rng_below(&r, 3);

		for (uint32_t c = 0; c < changes; c++) {
			uint32_t i = many ? c : rng_below(&r, n);

			ok[i] = rng_below(&r, 3) != 0;
			key[i] = (pb_watts_t)rng_below(&r, range) - 2;
			if (many)
				pb_best_load(b, i, ok[i], key[i]);
			else
				pb_best_set(b, i, ok[i], key[i]);
		}
		if (many)
			pb_best_build(b);
		if (pb_best_get(b) != _walk(ok, key, n))
			fail_msg("seed %llu step %u: %lld, the walk %lld",
				 (unsigned long long)seed, step,
				 (long long)pb_best_get(b),
				 (long long)_walk(ok, key, n));
	}
	pb_best_destroy(b);
}

static void test_best_matches_walk(void **state)
{
	uint32_t iters = env_u32("PB_PLACE_ITERS", 1500);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		check_seed(base + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_best_matches_walk),
	};

	return cmocka_run_group_tests_name("policy_place_best", tests, NULL,
					   NULL);
}
