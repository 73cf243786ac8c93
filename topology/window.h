/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Values of power_budget.conf's CapWindow= lines: day lists, times of day
 * and local dates.  Each parser takes one value as written and returns 0,
 * or -1 with a message in err that quotes it; none reads past the string
 * or allocates.
 */
#ifndef PB_TOPOLOGY_WINDOW_H
#define PB_TOPOLOGY_WINDOW_H

#include <stdint.h>

#include "policy/error.h"

/*
 * Days=Mon-Fri, Sat,Sun, Fri-Mon (wrapping), Daily or All, case-
 * insensitive: *days gets bit 0 for Sunday ... bit 6 for Saturday.
 */
extern int pb_window_parse_days(const char *s, unsigned *days, pb_error_t *err);

/* Start=/End=: HH:MM, 00:00 to 23:59; *min gets minutes after midnight. */
extern int pb_window_parse_hhmm(const char *s, unsigned *min, pb_error_t *err);

/*
 * From=/Until=: YYYY-MM-DDTHH:MM[:SS] in the local time of the process
 * (slurmctld's TZ); *t gets epoch seconds.  Years 2000 to 2199.
 */
extern int pb_window_parse_datetime(const char *s, int64_t *t, pb_error_t *err);

#endif
