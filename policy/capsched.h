/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cap schedules: time windows in which a domain's cap is lower, as a
 * grid operator or a power contract sets them (a weekday 14:00-19:00
 * peak at 80 MW, a one-off curtailment).  This module owns only the
 * calendar: which concrete [start, end) intervals a window rule gives.
 * The ledger holds those intervals (pb_ledger_cap_window) and plans with
 * them like with any reservation, so a job may start before a lower
 * window only if it fits that window too or ends before it begins.
 *
 * Weekly rules are in local time (the TZ of the process, as cron and
 * Slurm's reservations use), so a 14:00 window stays at 14:00 across a
 * daylight-saving change; a local time that a change skips or repeats
 * resolves as mktime(3) resolves it.  Pure computation, no allocation.
 */
#ifndef PB_POLICY_CAPSCHED_H
#define PB_POLICY_CAPSCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/power.h"

/* Days: bit 0 is Sunday ... bit 6 Saturday (struct tm's tm_wday). */
#define PB_DAYS_ALL 0x7f

typedef struct pb_cap_window {
	uint32_t domain;     /* site domain index */
	pb_watts_t cap_w;    /* the domain's cap inside the window */
	bool weekly;	     /* weekly rule, else one-off */
	int64_t from, until; /* one-off: [from, until), epoch seconds */
	uint8_t days;	     /* weekly: days on which a window starts */
	uint16_t start_min;  /* weekly: minutes after local midnight */
	uint16_t end_min;    /* <= start_min: ends on the next day */
} pb_cap_window_t;

/*
 * The first interval of @w that ends after @t: *start may be <= t (the
 * window is on at t).  Returns 0, or -1 when there is none (a one-off
 * window that is over, or a weekly rule without days).
 */
int pb_cap_window_after(const pb_cap_window_t *w, int64_t t, int64_t *start,
			int64_t *end);

#endif /* PB_POLICY_CAPSCHED_H */
