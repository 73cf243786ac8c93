/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cap windows inside slurmctld (CapWindow= lines, policy/capsched.h):
 * keeps the intervals of every rule that begin within the next
 * CAPWIN_HORIZON_S, and any that is on now, in the live ledger, so that
 * admission, power reservations and backfill's expected starts plan with
 * the lower caps. Called under slurmctld's locks; no I/O, and it changes
 * the ledger only when an interval ends or a new one comes within the
 * horizon, or after the ledger was reset.
 */
#ifndef PB_PLUGIN_CAPWIN_H
#define PB_PLUGIN_CAPWIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "plugin/model.h"

/* Intervals are planned with this far ahead: a week and a day. */
#define CAPWIN_HORIZON_S (8 * 86400)

/* Bring @m's ledger's windows up to date for @now. */
extern void capwin_sync(model_t *m, time_t now);

/* The ledger was reset or replaced: put the windows back at next sync. */
extern void capwin_invalidate(void);

/*
 * The name of the window that sets @domain's cap at time @at, or NULL
 * when no window does (then the domain has its own cap then).
 */
extern const char *capwin_at(const model_t *m, int32_t domain, int64_t at);

/*
 * The window that lowers @domain's cap at some time in [@from, @to): the
 * lowest one, its name returned and its start (<= @from: on already) in
 * *start; NULL when none does.
 */
extern const char *capwin_during(const model_t *m, int32_t domain, int64_t from,
				 int64_t to, int64_t *start);

#endif
