/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CapWindow= value parsers (see window.h).
 */
#include "topology/window.h"

#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed",
					 "Thu", "Fri", "Sat"};

/* Day index of the three letters at s, or -1. */
static int _day(const char *s, size_t n)
{
	if (n != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (!strncasecmp(s, day_names[i], 3))
			return i;
	return -1;
}

/* One "Mon" or "Mon-Fri" of n characters into *days. */
static int _day_item(const char *s, size_t n, unsigned *days)
{
	const char *dash = memchr(s, '-', n);
	int a, b;

	if (!dash) {
		if ((a = _day(s, n)) < 0)
			return -1;
		*days |= 1u << a;
		return 0;
	}
	a = _day(s, (size_t)(dash - s));
	b = _day(dash + 1, n - (size_t)(dash - s) - 1);
	if (a < 0 || b < 0)
		return -1;
	for (int i = a;; i = (i + 1) % 7) {
		*days |= 1u << i;
		if (i == b)
			break;
	}
	return 0;
}

int pb_window_parse_days(const char *s, unsigned *days, pb_error_t *err)
{
	*days = 0;
	if (!strcasecmp(s, "daily") || !strcasecmp(s, "all")) {
		*days = 0x7f;
		return 0;
	}
	for (const char *p = s;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (_day_item(p, n, days))
			return pb_error_set(
			    err,
			    "'%.64s': expected days such as Mon-Fri, "
			    "Sat,Sun or Daily",
			    s);
		if (!end)
			return 0;
		p = end + 1;
	}
}

/* n decimal digits at s, exactly. */
static int _digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

int pb_window_parse_hhmm(const char *s, unsigned *min, pb_error_t *err)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || _digits(s, 2, &h) ||
	    _digits(s + 3, 2, &m) || h > 23 || m > 59) {
		return pb_error_set(
		    err,
		    "'%.64s': expected a time of day HH:MM, 00:00 to "
		    "23:59",
		    s);
	}
	*min = (unsigned)(h * 60 + m);
	return 0;
}

/* The fields of YYYY-MM-DDTHH:MM[:SS]; -1 if the shape is wrong. */
static int _fields(const char *s, struct tm *tm)
{
	size_t n = strlen(s);
	int y, mo, d, h, mi, sec = 0;

	if ((n != 16 && n != 19) || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    _digits(s, 4, &y) || _digits(s + 5, 2, &mo) ||
	    _digits(s + 8, 2, &d) || _digits(s + 11, 2, &h) ||
	    _digits(s + 14, 2, &mi))
		return -1;
	if (n == 19 && (s[16] != ':' || _digits(s + 17, 2, &sec)))
		return -1;
	if (y < 2000 || y > 2199 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	*tm = (struct tm){.tm_year = y - 1900,
			  .tm_mon = mo - 1,
			  .tm_mday = d,
			  .tm_hour = h,
			  .tm_min = mi,
			  .tm_sec = sec,
			  .tm_isdst = -1};
	return 0;
}

int pb_window_parse_datetime(const char *s, int64_t *t, pb_error_t *err)
{
	struct tm tm, check;
	time_t v;

	if (_fields(s, &tm))
		return pb_error_set(
		    err, "'%.64s': expected a local time YYYY-MM-DDTHH:MM", s);
	check = tm;
	v = mktime(&tm);
	/* 31 February comes back as 3 March: not a date */
	if (v == (time_t)-1 || tm.tm_mday != check.tm_mday ||
	    tm.tm_mon != check.tm_mon) {
		return pb_error_set(err, "'%.64s': no such date", s);
	}
	*t = (int64_t)v;
	return 0;
}
