/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the curtailment request file: a good file and its round trip
 * through the renderer, then one test per error with its "file:line:". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "topology/curtailfile.h"

static int _parse(const char *text, pb_curtail_req_t *r, pb_diag_t **d)
{
	*d = pb_diag_create();
	assert_non_null(*d);
	return pb_curtail_parse(text, strlen(text), "c.txt", r, *d);
}

static void _expect_error(const char *text, const char *want)
{
	pb_curtail_req_t r;
	pb_diag_t *d;

	if (_parse(text, &r, &d) != -1 || !pb_diag_find(d, want)) {
		pb_diag_print(d, stderr);
		fail_msg("expected error '%s'", want);
	}
	pb_diag_destroy(d);
}

/* Like _expect_error, and no other message repeats the name error. */
static void _expect_only(const char *text, const char *want)
{
	pb_curtail_req_t r;
	pb_diag_t *d;

	_expect_error(text, want);
	assert_int_equal(_parse(text, &r, &d), -1);
	for (size_t i = 0; i < pb_diag_count(d); i++) {
		const char *m = pb_diag_text(d, i);

		if (strstr(m, "Target:") && strstr(m, "may only hold"))
			fail_msg("Target reports the name's error: %s", m);
	}
	pb_diag_destroy(d);
}

static void test_good_and_round_trip(void **state)
{
	pb_curtail_req_t r, back;
	pb_diag_t *d;
	char buf[512];

	(void)state;
	assert_int_equal(
	    _parse("# comment\n"
		   "Curtail=site Target=60MW Issued=1800000000 "
		   "Deadline=1800000600 Until=1800018000 By=root\n",
		   &r, &d),
	    0);
	pb_diag_destroy(d);
	assert_string_equal(r.domain, "site");
	assert_true(r.target_w == 60e6);
	assert_int_equal(r.issued, 1800000000);
	assert_int_equal(r.deadline, 1800000600);
	assert_int_equal(r.until, 1800018000);
	assert_string_equal(r.by, "root");
	assert_int_equal(pb_curtail_render(&r, buf, sizeof(buf)), 0);
	assert_int_equal(_parse(buf, &back, &d), 0);
	pb_diag_destroy(d);
	assert_memory_equal(&r, &back, sizeof(r));
	assert_int_equal(pb_curtail_render(&r, buf, 20), -1);

	assert_int_equal(_parse("Curtail=row1 Target=5000 Issued=1800000000 "
				"Deadline=1800000000 Until=never\n",
				&r, &d),
			 0);
	pb_diag_destroy(d);
	assert_int_equal(r.until, PB_CURTAIL_NEVER);
	assert_true(r.target_w == 5000);
	assert_int_equal(pb_curtail_render(&r, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "Until=never"));

	/* whole watts, rounded down: never above the target asked for */
	assert_int_equal(_parse("Curtail=row1 Target=1.9999W Issued=1800000000 "
				"Deadline=1800000000 Until=never\n",
				&r, &d),
			 0);
	pb_diag_destroy(d);
	assert_int_equal(pb_curtail_render(&r, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, " Target=1W "));
	assert_int_equal(_parse(buf, &back, &d), 0);
	pb_diag_destroy(d);
	assert_true(back.target_w == 1);
}

static void test_errors(void **state)
{
	const char *t = " Issued=1800000000 Deadline=1800000600 "
			"Until=1800018000\n";
	char buf[256];

	(void)state;
	_expect_error("", "c.txt:1: no Curtail record");
	_expect_error("Restore=1\n", "c.txt:1: unknown record 'Restore'");
	snprintf(buf, sizeof(buf), "Curtail=site%s", t);
	_expect_error(buf, "c.txt:1: Curtail needs Target=");
	snprintf(buf, sizeof(buf), "Curtail=site Target=0%s", t);
	_expect_error(buf, "c.txt:1: Target: must be positive");
	snprintf(buf, sizeof(buf), "Curtail=site Target=5mW%s", t);
	_expect_error(buf, "c.txt:1: Target: ");
	snprintf(buf, sizeof(buf), "Curtail=site Target=5MW Bogus=1%s", t);
	_expect_error(buf, "c.txt:1: unknown key 'Bogus' in Curtail line");
	snprintf(buf, sizeof(buf),
		 "Curtail=site Target=5MW%s"
		 "Curtail=site Target=5MW%s",
		 t, t);
	_expect_error(buf, "c.txt:2: second Curtail record");
	_expect_error("\nCurtail=site Target=5MW Issued=12 "
		      "Deadline=1800000600 Until=never\n",
		      "c.txt:2: Issued: '12' is not a time");
	_expect_error("Curtail=site Target=5MW Issued=1800000000 "
		      "Deadline=1800000600\n",
		      "c.txt:1: Curtail needs Until=");
	_expect_error("Curtail=site Target=5MW Issued=1800000600 "
		      "Deadline=1800000000 Until=never\n",
		      "c.txt:1: Deadline is before Issued");
	_expect_error("Curtail=site Target=5MW Issued=1800000000 "
		      "Deadline=1800000600 Until=1800000600\n",
		      "c.txt:1: Until is not after Deadline");
	_expect_error("Curtail=a/b Target=5MW Issued=1800000000 "
		      "Deadline=1800000600 Until=never\n",
		      "c.txt:1: Curtail: ");
	_expect_error("Curtail=site Target=0.4W Issued=1800000000 "
		      "Deadline=1800000600 Until=never\n",
		      "c.txt:1: Target: must be at least 1 W");
	_expect_only("Curtail=a/b Target=0 Issued=1800000000 "
		     "Deadline=1800000600 Until=never\n",
		     "c.txt:1: Target: must be positive");
}

static void test_shed_list(void **state)
{
	pb_curtail_shed_t e[2];
	pb_diag_t *d = pb_diag_create();
	size_t n;
	const char *t = "# shed\nShed=12 How=suspend\nShed=7 How=requeue\n";

	(void)state;
	assert_int_equal(pb_curtail_shed_parse(t, strlen(t), "s", e, 2, &n, d),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].job_id, 12);
	assert_false(e[0].requeued);
	assert_int_equal(e[1].job_id, 7);
	assert_true(e[1].requeued);
	t = "Shed=1 How=suspend\nShed=0 How=suspend\nShed=2 How=kill\n"
	    "Job=3\nShed=4 How=requeue X=1\nShed=5 How=suspend\n"
	    "Shed=6 How=suspend\n";
	assert_int_equal(pb_curtail_shed_parse(t, strlen(t), "s", e, 2, &n, d),
			 -1);
	assert_non_null(pb_diag_find(d, "s:2: Shed: '0' is not a job id"));
	assert_non_null(pb_diag_find(d, "s:3: Shed=2: How= must be"));
	assert_non_null(pb_diag_find(d, "s:4: unknown record 'Job'"));
	assert_non_null(pb_diag_find(d, "s:5: unknown key 'X'"));
	assert_non_null(pb_diag_find(d, "s:7: more than 2 shed jobs"));
	assert_int_equal(n, 2); /* the good lines 1 and 6 */
	assert_int_equal(e[0].job_id, 1);
	assert_int_equal(e[1].job_id, 5);
	pb_diag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_and_round_trip),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_shed_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
