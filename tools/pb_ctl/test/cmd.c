/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of pb-ctl's command line (tools/pb_ctl/cmd.c): each form of
 * the options and commands it takes, each rejection with its message,
 * and the request record a curtailment becomes.  Local time is UTC here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/pb_ctl/cmd.h"

#define NOW 1796299200 /* 2026-12-03 12:00:00 UTC, a Thursday */

static int _run(pb_ctl_cmd_t *c, pb_error_t *err, const char *const *args)
{
	char *argv[32];
	char *copy[32];
	int argc = 0, rc;

	argv[argc++] = "pb-ctl";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	memcpy(copy, argv, sizeof(argv));
	pb_error_clear(err);
	rc = pb_ctl_parse(argc, argv, NOW, c, err);
	/* argv stays as it was (getopt_long would have permuted it) */
	assert_memory_equal(copy, argv, argc * sizeof(argv[0]));
	return rc;
}

static void _ok(pb_ctl_cmd_t *c, const char *const *args)
{
	pb_error_t err;

	if (_run(c, &err, args))
		fail_msg("%s: refused: %s", args[0], err.text);
}

static void _bad(const char *want, bool usage, const char *const *args)
{
	pb_ctl_cmd_t c;
	pb_error_t err;

	assert_int_equal(_run(&c, &err, args), -1);
	assert_string_equal(err.text, want);
	assert_int_equal(c.usage, usage);
}

#define OK(c, ...) _ok(c, (const char *const[]){__VA_ARGS__, NULL})
#define BAD(want, usage, ...)                                                  \
	_bad(want, usage, (const char *const[]){__VA_ARGS__, NULL})

static void test_curtail_defaults(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "curtail", "--to", "60MW");
	assert_int_equal(c.verb, PB_CTL_CURTAIL);
	assert_true(c.target_w == 60e6);
	assert_int_equal(c.issued, NOW);
	assert_int_equal(c.deadline, NOW);
	assert_true(c.until == PB_CURTAIL_NEVER);
	assert_null(c.domain);
	assert_null(c.state_dir);
	assert_false(c.usage);
}

static void test_curtail_everything(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "curtail", "--to", "450kW", "--within", "10min", "--for", "2h",
	   "--domain", "r1", "--state-dir", "/var/spool/slurm");
	assert_true(c.target_w == 450e3);
	assert_int_equal(c.deadline, NOW + 600);
	assert_int_equal(c.until, NOW + 600 + 7200);
	assert_string_equal(c.domain, "r1");
	assert_string_equal(c.state_dir, "/var/spool/slurm");
}

/* What getopt_long took: =VALUE, prefixes, short forms, any order, --. */
static void test_option_forms(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "--to=25000W", "--within=90s", "--until=2026-12-25T18:00",
	   "--domain=r2", "curtail");
	assert_true(c.target_w == 25000);
	assert_int_equal(c.deadline, NOW + 90);
	assert_int_equal(c.until, 1798221600);
	assert_string_equal(c.domain, "r2");

	OK(&c, "--t", "5kW", "curtail", "--wi", "2h", "--f=1d", "--dom", "x",
	   "--st", "/s");
	assert_true(c.target_w == 5000);
	assert_int_equal(c.until, NOW + 7200 + 86400);
	assert_string_equal(c.domain, "x");
	assert_string_equal(c.state_dir, "/s");

	OK(&c, "-t", "5kW", "-w90", "-u", "2026-12-25T18:00:30", "-dx", "-s/s",
	   "curtail");
	assert_int_equal(c.deadline, NOW + 90);
	assert_int_equal(c.until, 1798221630);
	assert_string_equal(c.domain, "x");
	assert_string_equal(c.state_dir, "/s");

	/* the value of an option may start with '-'; the last one counts */
	OK(&c, "curtail", "--domain", "-x-", "--to", "1W", "--to", "2W");
	assert_string_equal(c.domain, "-x-");
	assert_true(c.target_w == 2);

	/* after --, everything is the command */
	OK(&c, "--to", "5W", "--", "curtail");
	assert_int_equal(c.verb, PB_CTL_CURTAIL);
	BAD("unknown command '--to' (curtail, restore or show)", true, "--",
	    "--to");
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int64_t secs;
	} cases[] = {
	    {"0", 0},
	    {"90", 90},
	    {"90s", 90},
	    {"10m", 600},
	    {"10min", 600},
	    {"2h", 7200},
	    {"1d", 86400},
	    {"366d", 366 * 86400},
	    {"8784h", 366 * 86400},
	    {"+5m", 300},
	    {"-0", 0},
	};
	pb_ctl_cmd_t c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		OK(&c, "curtail", "--to", "5W", "--within", cases[i].s);
		assert_int_equal(c.deadline - c.issued, cases[i].secs);
	}
	OK(&c, "curtail", "--to", "5W", "--for", "1");
	assert_int_equal(c.until, NOW + 1);
}

/* HH:MM: the next such time after the deadline, in local time */
static void test_until_time_of_day(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "curtail", "--to", "5W", "--until", "18:00");
	assert_int_equal(c.until, NOW + 6 * 3600);
	OK(&c, "curtail", "--to", "5W", "--until", "9:30");
	assert_int_equal(c.until, NOW + 21 * 3600 + 1800);
	/* the deadline itself is not after the deadline: the next day's */
	OK(&c, "curtail", "--to", "5W", "--until", "12:00");
	assert_int_equal(c.until, NOW + 24 * 3600);
	OK(&c, "curtail", "--to", "5W", "--within", "8h", "--until", "18:00");
	assert_int_equal(c.until, NOW + 30 * 3600);
	OK(&c, "curtail", "--to", "5W", "--within", "366d", "--until", "00:00");
	assert_int_equal(c.until, NOW + 366 * 86400 + 12 * 3600);
	BAD("--until '24:00': expected HH:MM or YYYY-MM-DDTHH:MM[:SS]", false,
	    "curtail", "--to", "5W", "--until", "24:00");
	BAD("--until '18:00:00': expected HH:MM or YYYY-MM-DDTHH:MM[:SS]",
	    false, "curtail", "--to", "5W", "--until", "18:00:00");
}

/* ... across the change to summer time, in the zone's own hours */
static void test_until_across_dst(void **state)
{
	pb_ctl_cmd_t c;
	pb_error_t err;
	char *argv[] = {"pb-ctl",  "curtail", "--to", "5W",
			"--until", "12:00",   NULL};
	/* 2026-03-28 12:00 UTC, 13:00 CET; CEST from 29 March 02:00 CET */
	int64_t now = 1774699200;

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	assert_int_equal(pb_ctl_parse(6, argv, now, &c, &err), 0);
	setenv("TZ", "UTC", 1);
	tzset();
	/* 2026-03-29 12:00 CEST is 10:00 UTC: 22 hours later, not 23 */
	assert_int_equal(c.until, now + 22 * 3600);
}

/* what the request file can hold, and dates that are none */
static void test_until_limits(void **state)
{
	pb_ctl_cmd_t c;
	pb_error_t err;
	char *argv[] = {"pb-ctl", "curtail", "--to", "5W", "--for", "1d", NULL};

	(void)state;
	OK(&c, "curtail", "--to", "5W", "--until", "2199-12-31T23:59:59");
	assert_int_equal(c.until, PB_CURTAIL_EPOCH_MAX - 1);
	BAD("--until '2200-01-01T00:00:01': ends after 2200-01-01 UTC, later "
	    "than a request can hold",
	    false, "curtail", "--to", "5W", "--until", "2200-01-01T00:00:01");
	BAD("--until '9999-12-31T23:59': ends after 2200-01-01 UTC, later "
	    "than a request can hold",
	    false, "curtail", "--to", "5W", "--until", "9999-12-31T23:59");
	assert_int_equal(
	    pb_ctl_parse(6, argv, PB_CURTAIL_EPOCH_MAX - 3600, &c, &err), -1);
	assert_string_equal(err.text, "--for '1d': ends after 2200-01-01 UTC, "
				      "later than a request can hold");
	assert_int_equal(pb_ctl_parse(6, argv, 1000, &c, &err), -1);
	assert_string_equal(err.text, "the clock says 1000, outside the "
				      "years 2000 to 2200 a request can hold");
	/* and no overflow adding to a clock that is far off */
	assert_int_equal(pb_ctl_parse(6, argv, INT64_MAX, &c, &err), -1);
	argv[4] = "--within";
	argv[5] = "366d";
	assert_int_equal(
	    pb_ctl_parse(6, argv, PB_CURTAIL_EPOCH_MAX - 3600, &c, &err), -1);
	assert_string_equal(err.text, "--within '366d': ends after 2200-01-01 "
				      "UTC, later than a request can hold");

	OK(&c, "curtail", "--to", "5W", "--until", "2028-02-29T00:00");
	BAD("--until '2027-02-29T00:00': no such date or time", false,
	    "curtail", "--to", "5W", "--until", "2027-02-29T00:00");
	BAD("--until '2027-02-31T10:00': no such date or time", false,
	    "curtail", "--to", "5W", "--until", "2027-02-31T10:00");
	BAD("--until '2027-04-31T10:00': no such date or time", false,
	    "curtail", "--to", "5W", "--until", "2027-04-31T10:00");
	BAD("--until '2027-01-01T23:59:60': no such date or time", false,
	    "curtail", "--to", "5W", "--until", "2027-01-01T23:59:60");
	BAD("--until '2027-13-01T10:00': expected HH:MM or "
	    "YYYY-MM-DDTHH:MM[:SS]",
	    false, "curtail", "--to", "5W", "--until", "2027-13-01T10:00");
}

static void test_other_commands(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "restore");
	assert_int_equal(c.verb, PB_CTL_RESTORE);
	assert_null(c.state_dir);
	assert_int_equal(c.issued, 0);
	OK(&c, "show", "--state-dir", "/s");
	assert_int_equal(c.verb, PB_CTL_SHOW);
	assert_string_equal(c.state_dir, "/s");
	assert_true(c.target_w == 0);
}

/* --help wins wherever it is, unless an error in the options comes first */
static void test_help(void **state)
{
	pb_ctl_cmd_t c;

	(void)state;
	OK(&c, "--help");
	assert_int_equal(c.verb, PB_CTL_HELP);
	OK(&c, "curtail", "--to", "nonsense", "-h");
	assert_int_equal(c.verb, PB_CTL_HELP);
	OK(&c, "two", "commands", "--he");
	assert_int_equal(c.verb, PB_CTL_HELP);
	BAD("unknown option '--bogus'", true, "--bogus", "--help");
	BAD("--help takes no value", true, "--help=yes");
}

static void test_usage_errors(void **state)
{
	(void)state;
	BAD("no command (curtail, restore or show)", true, "--to", "5W");
	BAD("unknown command 'frob' (curtail, restore or show)", true, "frob");
	BAD("unknown command '' (curtail, restore or show)", true, "");
	BAD("unknown command '-' (curtail, restore or show)", true, "-");
	BAD("one command at a time: 'show', then 'restore'", true, "show",
	    "restore", "curtail");
	BAD("unknown option '--bogus=5'", true, "show", "--bogus=5");
	BAD("unknown option '--=5'", true, "show", "--=5");
	BAD("unknown option '--statedir'", true, "show", "--statedir", "/s");
	BAD("unknown option '-x'", true, "show", "-x");
	BAD("--to needs a value", true, "curtail", "--to");
	BAD("--state-dir needs a value", true, "show", "-s");
	BAD("--to goes with curtail, not with show", true, "show", "--to",
	    "5W");
	BAD("--domain goes with curtail, not with restore", true, "restore",
	    "--domain", "r1");
	BAD("--within goes with curtail, not with restore", true, "restore",
	    "-w", "5m");
	BAD("--until and --for do not go together (give one)", true, "curtail",
	    "--to", "5W", "--until", "18:00", "--for", "1h");
}

static void test_value_errors(void **state)
{
	(void)state;
	BAD("--state-dir '': no directory", false, "show", "--state-dir", "");
	BAD("curtail needs --to POWER", false, "curtail", "--within", "5m");
	BAD("--to '5xW': '5xW': bad power unit 'xW' (use W, kW or MW)", false,
	    "curtail", "--to", "5xW");
	BAD("--to '': '': expected a number", false, "curtail", "--to=");
	BAD("--to '0': must be a positive power", false, "curtail", "--to",
	    "0");
	BAD("--to '0.5W': must be at least 1 W", false, "curtail", "--to",
	    "0.5W");
	BAD("--to '5mW': '5mW': unit 'mW' is ambiguous (milliwatts are not "
	    "supported; write MW for megawatts)",
	    false, "curtail", "--to", "5mW");
	BAD("--within '10x': expected a duration such as 90s, 10min or 2h",
	    false, "curtail", "--to", "5W", "--within", "10x");
	BAD("--within '-5s': expected a duration such as 90s, 10min or 2h",
	    false, "curtail", "--to", "5W", "--within", "-5s");
	BAD("--within '': expected a duration such as 90s, 10min or 2h", false,
	    "curtail", "--to", "5W", "--within", "");
	BAD("--within '367d': longer than 366 days", false, "curtail", "--to",
	    "5W", "--within", "367d");
	BAD("--for '99999999999999999999': longer than 366 days", false,
	    "curtail", "--to", "5W", "--for", "99999999999999999999");
	BAD("--for '0': must be longer than 0 s", false, "curtail", "--to",
	    "5W", "--for", "0");
	BAD("--for '2y': expected a duration such as 90s, 10min or 2h", false,
	    "curtail", "--to", "5W", "--for", "2y");
	BAD("--until 'tomorrow': expected HH:MM or YYYY-MM-DDTHH:MM[:SS]",
	    false, "curtail", "--to", "5W", "--until", "tomorrow");
	BAD("--until '2026-12-25T18:00x': expected HH:MM or "
	    "YYYY-MM-DDTHH:MM[:SS]",
	    false, "curtail", "--to", "5W", "--until", "2026-12-25T18:00x");
	BAD("--until '2020-01-01T00:00': the curtailment would end before "
	    "its deadline",
	    false, "curtail", "--to", "5W", "--until", "2020-01-01T00:00");
	BAD("--until '2026-12-03T12:10': the curtailment would end before "
	    "its deadline",
	    false, "curtail", "--to", "5W", "--within", "10m", "--until",
	    "2026-12-03T12:10");
	BAD("--domain 'a b': name 'a b' may only hold letters, digits, '_', "
	    "'-' and '.'",
	    false, "curtail", "--to", "5W", "--domain", "a b");
}

static void test_request(void **state)
{
	pb_ctl_cmd_t c;
	pb_curtail_req_t r;
	pb_error_t err;
	char name[80];

	(void)state;
	OK(&c, "curtail", "--to", "30.5kW", "--within", "1m", "--for", "1h");
	assert_int_equal(pb_ctl_request(&c, "r1", 40e3, "root", &r, &err), 0);
	assert_string_equal(r.domain, "r1");
	assert_string_equal(r.by, "root");
	assert_true(r.target_w == 30500);
	assert_int_equal(r.issued, NOW);
	assert_int_equal(r.deadline, NOW + 60);
	assert_int_equal(r.until, NOW + 60 + 3600);

	assert_int_equal(pb_ctl_request(&c, "r1", 30.5e3, "root", &r, &err),
			 -1);
	assert_string_equal(err.text,
			    "--to 30.5 kW is not below r1's cap of 30.5 kW");
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(pb_ctl_request(&c, "r1", 1e6, name, &r, &err), -1);

	OK(&c, "restore");
	assert_int_equal(pb_ctl_request(&c, "r1", 1e6, "root", &r, &err), -1);
	assert_string_equal(err.text, "not a curtail command");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_curtail_defaults),
	    cmocka_unit_test(test_curtail_everything),
	    cmocka_unit_test(test_option_forms),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_until_time_of_day),
	    cmocka_unit_test(test_until_across_dst),
	    cmocka_unit_test(test_until_limits),
	    cmocka_unit_test(test_other_commands),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_value_errors),
	    cmocka_unit_test(test_request),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("pb_ctl", tests, NULL, NULL);
}
