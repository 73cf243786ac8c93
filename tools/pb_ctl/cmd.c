/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-ctl's command line, checked (see cmd.h).
 */
#define _GNU_SOURCE /* strptime */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/pb_ctl/cmd.h"
#include "topology/lex.h"

enum { O_TO, O_WITHIN, O_UNTIL, O_FOR, O_DOMAIN, O_STATE_DIR, O_HELP, O_N };

/* Index by the enum above; no name is a prefix of another. */
static const struct {
	const char *name;
	char letter;
} _opts[O_N] = {
    {"to", 't'},     {"within", 'w'},	 {"until", 'u'}, {"for", 'f'},
    {"domain", 'd'}, {"state-dir", 's'}, {"help", 'h'},
};

static const char *const _verbs[] = {
    [PB_CTL_CURTAIL] = "curtail",
    [PB_CTL_RESTORE] = "restore",
    [PB_CTL_SHOW] = "show",
};

/* The option a long name (n bytes of it) or a prefix of one names. */
static int _long(const char *name, size_t n)
{
	for (int o = 0; n && o < O_N; o++)
		if (!strncmp(_opts[o].name, name, n))
			return o;
	return -1;
}

static int _short(char c)
{
	for (int o = 0; o < O_N; o++)
		if (_opts[o].letter == c)
			return o;
	return -1;
}

/* "90", "90s", "10min", "10m", "2h", "1d" -> seconds. */
static int _duration(int o, const char *s, int64_t *out, pb_error_t *err)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t mul = 1;

	if (end == s || v < 0)
		goto bad;
	if (!*end || !strcmp(end, "s"))
		mul = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60;
	else if (!strcmp(end, "h"))
		mul = 3600;
	else if (!strcmp(end, "d"))
		mul = 86400;
	else
		goto bad;
	if (v > PB_CTL_MAX_DURATION / mul)
		return pb_error_set(err, "--%s '%.64s': longer than 366 days",
				    _opts[o].name, s);
	*out = (int64_t)v * mul;
	return 0;
bad:
	return pb_error_set(err,
			    "--%s '%.64s': expected a duration such as 90s, "
			    "10min or 2h",
			    _opts[o].name, s);
}

/*
 * strptime of the whole of s into a copy of *base: each form must start
 * from the deadline's date, since a failed strptime leaves behind what it
 * read ("18" of "18:00" as the year 18).
 */
static bool _strptime(const char *s, const char *fmt, const struct tm *base,
		      struct tm *tm)
{
	const char *end;

	*tm = *base;
	return (end = strptime(s, fmt, tm)) && !*end;
}

static int _month_days(int year, int mon)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return days[mon] + (mon == 1 && leap);
}

/* "HH:MM" (the next such time after @after) or an ISO local time. */
static int _time(const char *s, int64_t after, int64_t *out, pb_error_t *err)
{
	struct tm base, tm, want;
	time_t t = (time_t)after;

	if (!localtime_r(&t, &base))
		goto bad;
	base.tm_sec = 0;
	if (_strptime(s, "%Y-%m-%dT%H:%M:%S", &base, &tm) ||
	    _strptime(s, "%Y-%m-%dT%H:%M", &base, &tm)) {
		/* strptime takes 31 February and second 61; mktime would
		 * silently make them 3 March and the next minute */
		if (tm.tm_mday > _month_days(tm.tm_year + 1900, tm.tm_mon) ||
		    tm.tm_sec > 59)
			return pb_error_set(err,
					    "--until '%.64s': no such date "
					    "or time",
					    s);
	} else if (_strptime(s, "%H:%M", &base, &tm)) {
		tm.tm_isdst = -1;
		want = tm;
		t = mktime(&tm);
		tm = want; /* not as mktime moved it out of a DST gap */
		if (t != (time_t)-1 && (int64_t)t <= after)
			tm.tm_mday++;
	} else {
		goto bad;
	}
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		goto bad;
	*out = (int64_t)t;
	return 0;
bad:
	return pb_error_set(err,
			    "--until '%.64s': expected HH:MM or "
			    "YYYY-MM-DDTHH:MM[:SS]",
			    s);
}

/* The values of a curtail command, in the order pb-ctl always checked. */
static int _curtail(const char *const val[O_N], int64_t now, pb_ctl_cmd_t *out,
		    pb_error_t *err)
{
	pb_error_t e = {""};
	int64_t within = 0, dur;
	int late = -1;

	if (!val[O_TO])
		return pb_error_set(err, "curtail needs --to POWER");
	if (pb_parse_power(val[O_TO], &out->target_w, &e))
		return pb_error_set(err, "--to '%.64s': %s", val[O_TO], e.text);
	if (out->target_w < PB_CURTAIL_MIN_W)
		return pb_error_set(err, "--to '%.64s': %s", val[O_TO],
				    out->target_w <= 0
					? "must be a positive power"
					: "must be at least 1 W");
	if (val[O_WITHIN] && _duration(O_WITHIN, val[O_WITHIN], &within, err))
		return -1;
	if (val[O_DOMAIN] && pb_check_name(val[O_DOMAIN], &e))
		return pb_error_set(err, "--domain '%.64s': %s", val[O_DOMAIN],
				    e.text);
	if (now < PB_CURTAIL_EPOCH_MIN || now > PB_CURTAIL_EPOCH_MAX)
		return pb_error_set(err,
				    "the clock says %" PRId64 ", outside the "
				    "years 2000 to 2200 a request can hold",
				    now);
	out->domain = val[O_DOMAIN];
	out->issued = now;
	out->deadline = now + within;
	out->until = PB_CURTAIL_NEVER;
	if (val[O_UNTIL] &&
	    _time(val[O_UNTIL], out->deadline, &out->until, err))
		return -1;
	if (val[O_FOR]) {
		if (_duration(O_FOR, val[O_FOR], &dur, err))
			return -1;
		if (!dur)
			return pb_error_set(err,
					    "--for '%.64s': must be longer "
					    "than 0 s",
					    val[O_FOR]);
		out->until = out->deadline + dur;
	}
	if (out->until <= out->deadline)
		return pb_error_set(err,
				    "--until '%.64s': the curtailment would "
				    "end before its deadline",
				    val[O_UNTIL]);
	/* what the plugin would refuse to read back */
	if (out->deadline > PB_CURTAIL_EPOCH_MAX)
		late = O_WITHIN;
	else if (out->until != PB_CURTAIL_NEVER &&
		 out->until > PB_CURTAIL_EPOCH_MAX)
		late = val[O_UNTIL] ? O_UNTIL : O_FOR;
	if (late >= 0)
		return pb_error_set(err,
				    "--%s '%.64s': ends after 2200-01-01 UTC, "
				    "later than a request can hold",
				    _opts[late].name, val[late]);
	return 0;
}

int pb_ctl_parse(int argc, char *const argv[], int64_t now, pb_ctl_cmd_t *out,
		 pb_error_t *err)
{
	const char *val[O_N] = {NULL}, *verb = NULL, *extra = NULL;
	bool options = true;
	size_t v;

	memset(out, 0, sizeof(*out));
	out->usage = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *value = NULL;
		int o;

		if (!options || a[0] != '-' || !a[1]) {
			if (!verb)
				verb = a;
			else if (!extra)
				extra = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (a[1] == '-') {
			size_t n = strcspn(a + 2, "=");

			if ((o = _long(a + 2, n)) < 0)
				return pb_error_set(
				    err, "unknown option '%.64s'", a);
			if (a[2 + n] == '=')
				value = a + 3 + n;
		} else {
			if ((o = _short(a[1])) < 0)
				return pb_error_set(err, "unknown option '-%c'",
						    a[1]);
			if (o != O_HELP && a[2])
				value = a + 2;
		}
		if (o == O_HELP) {
			if (value)
				return pb_error_set(err,
						    "--help takes no value");
			out->verb = PB_CTL_HELP;
			out->usage = false;
			return 0;
		}
		if (!value && i + 1 == argc)
			return pb_error_set(err, "--%s needs a value",
					    _opts[o].name);
		val[o] = value ? value : argv[++i];
	}
	if (!verb)
		return pb_error_set(err, "no command (curtail, restore or "
					 "show)");
	if (extra)
		return pb_error_set(err,
				    "one command at a time: '%.64s', then "
				    "'%.64s'",
				    verb, extra);
	for (v = PB_CTL_CURTAIL; v <= PB_CTL_SHOW; v++)
		if (!strcmp(verb, _verbs[v]))
			break;
	if (v > PB_CTL_SHOW)
		return pb_error_set(err,
				    "unknown command '%.64s' (curtail, "
				    "restore or show)",
				    verb);
	out->verb = (pb_ctl_verb_t)v;
	for (int o = O_TO; out->verb != PB_CTL_CURTAIL && o <= O_DOMAIN; o++)
		if (val[o])
			return pb_error_set(err,
					    "--%s goes with curtail, not "
					    "with %s",
					    _opts[o].name, verb);
	if (val[O_UNTIL] && val[O_FOR])
		return pb_error_set(err, "--until and --for do not go "
					 "together (give one)");
	out->usage = false;
	if (val[O_STATE_DIR] && !val[O_STATE_DIR][0])
		return pb_error_set(err, "--state-dir '': no directory");
	out->state_dir = val[O_STATE_DIR];
	if (out->verb == PB_CTL_CURTAIL && _curtail(val, now, out, err))
		return -1;
	return 0;
}

int pb_ctl_request(const pb_ctl_cmd_t *c, const char *domain, double cap_w,
		   const char *by, pb_curtail_req_t *r, pb_error_t *err)
{
	char w1[32], w2[32];

	memset(r, 0, sizeof(*r));
	if (c->verb != PB_CTL_CURTAIL)
		return pb_error_set(err, "not a curtail command");
	if (c->target_w >= cap_w) {
		pb_fmt_power(c->target_w, w1, sizeof(w1));
		pb_fmt_power(cap_w, w2, sizeof(w2));
		return pb_error_set(err, "--to %s is not below %s's cap of %s",
				    w1, domain, w2);
	}
	if (strlen(domain) >= sizeof(r->domain) || strlen(by) >= sizeof(r->by))
		return pb_error_set(err,
				    "domain '%.64s' or user '%.64s' is "
				    "too long for the request file",
				    domain, by);
	snprintf(r->domain, sizeof(r->domain), "%s", domain);
	snprintf(r->by, sizeof(r->by), "%s", by);
	r->target_w = c->target_w;
	r->issued = c->issued;
	r->deadline = c->deadline;
	r->until = c->until;
	return 0;
}
