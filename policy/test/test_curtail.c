/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Curtailment shedding (policy/curtail.h): the site's order is followed,
 * only the excess is shed, and over random job sets the pick always
 * covers the excess (or takes everything) with no job shed that is not
 * needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "policy/curtail.h"

static bool _shed(const pb_curtail_job_t *j, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (j[i].job_id == id)
			return j[i].shed;
	fail_msg("job %u missing", id);
	return false;
}

static void test_order(void **state)
{
	pb_curtail_job_t j[] = {
	    {.job_id = 1,
	     .rank = 1,
	     .priority = 10,
	     .start = 100,
	     .watts = 1000},
	    {.job_id = 2,
	     .rank = 0,
	     .priority = 50,
	     .start = 100,
	     .watts = 1000},
	    {.job_id = 3,
	     .rank = 1,
	     .priority = 5,
	     .start = 100,
	     .watts = 1000},
	    {.job_id = 4,
	     .rank = 1,
	     .priority = 5,
	     .start = 200,
	     .watts = 1000},
	};

	(void)state;
	/* class 0 first, then priority 5 (latest start first), then 10 */
	assert_int_equal(pb_curtail_pick(j, 4, 1500), 2000);
	assert_true(_shed(j, 4, 2));
	assert_true(_shed(j, 4, 4));
	assert_false(_shed(j, 4, 3));
	assert_false(_shed(j, 4, 1));
	assert_int_equal(j[0].job_id, 2);
	assert_int_equal(j[1].job_id, 4);
	assert_int_equal(j[2].job_id, 3);
	assert_int_equal(j[3].job_id, 1);
}

static void test_only_what_is_needed(void **state)
{
	pb_curtail_job_t j[] = {
	    {.job_id = 1, .rank = 0, .watts = 100},
	    {.job_id = 2, .rank = 1, .watts = 5000},
	    {.job_id = 3, .rank = 2, .watts = 5000},
	};

	(void)state;
	/* 1 then 2 reach 5000; 1 is not needed once 2 is shed */
	assert_int_equal(pb_curtail_pick(j, 3, 5000), 5000);
	assert_false(_shed(j, 3, 1));
	assert_true(_shed(j, 3, 2));
	assert_false(_shed(j, 3, 3));
	/* nothing to shed */
	assert_int_equal(pb_curtail_pick(j, 3, 0), 0);
	assert_false(_shed(j, 3, 2));
	/* not enough: all */
	assert_int_equal(pb_curtail_pick(j, 3, 20000), 10100);
	for (int i = 0; i < 3; i++)
		assert_true(j[i].shed);
}

static void test_random(void **state)
{
	pb_curtail_job_t j[64];

	(void)state;
	srand(7);
	for (int it = 0; it < 20000; it++) {
		uint32_t n = (uint32_t)(rand() % 64);
		pb_watts_t total = 0, need = rand() % 200000 - 10000, shed;
		pb_watts_t got = 0;

		for (uint32_t i = 0; i < n; i++) {
			j[i] = (pb_curtail_job_t){
			    .job_id = i + 1,
			    .rank = rand() % 3,
			    .priority = rand() % 5,
			    .start = rand() % 4,
			    .watts = rand() % 10 ? rand() % 20000 : 0};
			total += j[i].watts;
		}
		shed = pb_curtail_pick(j, n, need);
		for (uint32_t i = 0; i < n; i++)
			if (j[i].shed)
				got += j[i].watts;
		assert_int_equal(got, shed);
		if (need <= 0) {
			assert_int_equal(shed, 0);
			continue;
		}
		if (total < need) {
			assert_int_equal(shed, total);
			continue;
		}
		assert_true(shed >= need);
		for (uint32_t i = 0; i < n; i++) {
			if (j[i].shed) /* every shed job is needed */
				assert_true(shed - j[i].watts < need);
			if (i && j[i].shed) /* sorted into shed order */
				assert_true(j[i - 1].rank <= j[i].rank);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_only_what_is_needed),
	    cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
