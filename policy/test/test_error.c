/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error text (policy/error.h): pb_error_set returns -1 whether or not it
 * has somewhere to write, so "return pb_error_set(err, ...)" is a failure
 * for every caller, and a message too long for the buffer is cut, not
 * overrun.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "policy/error.h"

static void test_set_returns_failure(void **state)
{
	pb_error_t err = {{0}};

	(void)state;
	assert_int_equal(pb_error_set(&err, "node %s: %d", "n1", 7), -1);
	assert_string_equal(err.text, "node n1: 7");
	assert_int_equal(pb_error_set(NULL, "dropped %d", 1), -1);
	pb_error_clear(&err);
	assert_string_equal(err.text, "");
	pb_error_clear(NULL);
}

static void test_set_truncates(void **state)
{
	char long_text[2 * sizeof(((pb_error_t *)0)->text)];
	pb_error_t err;

	(void)state;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	assert_int_equal(pb_error_set(&err, "%s", long_text), -1);
	assert_int_equal(strlen(err.text), sizeof(err.text) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_returns_failure),
	    cmocka_unit_test(test_set_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
