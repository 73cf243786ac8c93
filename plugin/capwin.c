/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cap windows inside slurmctld (see capwin.h).
 */
#include "config.h"

#include <inttypes.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"

#include "policy/capsched.h"
#include "plugin/capwin.h"

#define PLUGIN "select/cons_tres_power"

/* Ledger reservation ids of windows: above any Slurm job id. */
#define CAPWIN_ID_BASE 0xFF000000u
/* Intervals held at once, over all rules (8 a rule: a week of dailies). */
#define CAPWIN_LIVE_MAX 48
#define CAPWIN_PER_RULE 8
/* Look again at least this often for intervals entering the horizon. */
#define CAPWIN_RESYNC_S 3600

typedef struct {
	uint32_t rule; /* index into settings->windows */
	int64_t start, end;
} live_t;

static live_t live[CAPWIN_LIVE_MAX];
static uint32_t n_live;
static const pb_ledger_t *synced; /* the ledger the live ones are in */
static int64_t next_due;
static bool full_logged;

extern void capwin_invalidate(void)
{
	synced = NULL;
}

static void _drop_all(model_t *m)
{
	if (synced == m->ledger) {
		for (uint32_t i = 0; i < n_live; i++)
			pb_ledger_unreserve(m->ledger, CAPWIN_ID_BASE + i);
	}
	n_live = 0;
}

/* Hold one interval of rule @r; false when no more fit. */
static bool _hold(model_t *m, uint32_t r, int64_t start, int64_t end)
{
	const pb_window_setting_t *ws = &m->settings->windows[r];
	pb_error_t err;

	if (n_live == CAPWIN_LIVE_MAX ||
	    pb_ledger_cap_window(m->ledger, CAPWIN_ID_BASE + n_live,
				 ws->w.domain, ws->w.cap_w, start, end, &err)) {
		if (!full_logged)
			error(PLUGIN ": CapWindow %s: interval from %" PRId64
				     " not planned with (%s)",
			      ws->name, start,
			      n_live == CAPWIN_LIVE_MAX ? "too many at once"
							: err.text);
		full_logged = true;
		return false;
	}
	live[n_live++] = (live_t){r, start, end};
	return true;
}

/* The intervals of rule @r that are on at @now or begin in the horizon. */
static void _rule(model_t *m, uint32_t r, int64_t now)
{
	const pb_cap_window_t *w = &m->settings->windows[r].w;
	int64_t t = now, start, end;

	for (int k = 0; k < CAPWIN_PER_RULE; k++) {
		if (pb_cap_window_after(w, t, &start, &end) ||
		    start >= now + CAPWIN_HORIZON_S)
			return;
		if (!_hold(m, r, start, end))
			return;
		if (end < next_due)
			next_due = end;
		t = end;
	}
}

extern void capwin_sync(model_t *m, time_t now)
{
	if (!m->settings->n_windows)
		return;
	if (synced == m->ledger && (int64_t)now < next_due)
		return;
	_drop_all(m);
	synced = m->ledger;
	next_due = (int64_t)now + CAPWIN_RESYNC_S;
	for (uint32_t r = 0; r < m->settings->n_windows; r++)
		_rule(m, r, (int64_t)now);
	debug(PLUGIN ": %u cap window interval(s) planned with", n_live);
}

extern const char *capwin_during(const model_t *m, int32_t domain, int64_t from,
				 int64_t to, int64_t *start)
{
	const char *name = NULL;
	pb_watts_t low = 0;

	if (synced != m->ledger || domain < 0)
		return NULL;
	for (uint32_t i = 0; i < n_live; i++) {
		const pb_window_setting_t *ws =
		    &m->settings->windows[live[i].rule];

		if ((int32_t)ws->w.domain != domain || live[i].end <= from ||
		    live[i].start >= to ||
		    ws->w.cap_w >= pb_ledger_cap(m->ledger, domain))
			continue;
		if (!name || ws->w.cap_w < low) {
			name = ws->name;
			low = ws->w.cap_w;
			*start = live[i].start;
		}
	}
	return name;
}

extern const char *capwin_at(const model_t *m, int32_t domain, int64_t at)
{
	int64_t start;

	/* on at @at: the windows that meet [at, at + 1) */
	return capwin_during(m, domain, at, at + 1, &start);
}
