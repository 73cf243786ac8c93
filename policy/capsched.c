/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cap window calendar (see capsched.h).
 */
#include "policy/capsched.h"

#include <time.h>

/* Local time @min minutes after midnight of @day (a normalised date). */
static int64_t _at(const struct tm *day, int add_days, unsigned min)
{
	struct tm tm = *day;

	tm.tm_mday += add_days;
	tm.tm_hour = (int)(min / 60);
	tm.tm_min = (int)(min % 60);
	tm.tm_sec = 0;
	tm.tm_isdst = -1; /* let mktime say whether DST holds then */
	return (int64_t)mktime(&tm);
}

static int _weekly_after(const pb_cap_window_t *w, int64_t t, int64_t *start,
			 int64_t *end)
{
	time_t tt = (time_t)t;
	struct tm today;

	if (!(w->days & PB_DAYS_ALL) || !localtime_r(&tt, &today))
		return -1;
	/*
	 * A window lasts under a day, so the one on at t started yesterday
	 * at the earliest; one of the next seven days starts another.
	 */
	for (int k = -1; k <= 7; k++) {
		struct tm day = today;
		int64_t s, e;

		day.tm_mday += k;
		day.tm_hour =
		    12; /* noon: no DST change moves it to another day */
		day.tm_isdst = -1;
		if (mktime(&day) == (time_t)-1)
			return -1;
		if (!(w->days & (1u << day.tm_wday)))
			continue;
		s = _at(&day, 0, w->start_min);
		e = _at(&day, w->end_min <= w->start_min ? 1 : 0, w->end_min);
		if (e > t && e > s) {
			*start = s;
			*end = e;
			return 0;
		}
	}
	return -1;
}

int pb_cap_window_after(const pb_cap_window_t *w, int64_t t, int64_t *start,
			int64_t *end)
{
	if (w->weekly)
		return _weekly_after(w, t, start, end);
	if (w->until <= t || w->until <= w->from)
		return -1;
	*start = w->from;
	*end = w->until;
	return 0;
}
