/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ramp limits: how fast a domain's committed power may rise.  Training
 * starts swing a site's draw by megawatts at once, and the grid wants that
 * rise paced (arXiv 2508.14318 recommends ramp-rate control; H100/H200
 * have no NVML ramp controls, so only the scheduler can stagger starts).
 *
 * The rise at time t is committed(t) less the lowest committed power over
 * the trailing period (t - period, t]: a drop followed by a rise counts,
 * as the grid sees it.  A start of w watts fits when the rise with it is
 * within the limit.  A start larger than the limit alone fits when
 * nothing else rose in the period (rise 0): it starts alone rather than
 * never.  Since lows age out of the period, every start fits at the
 * latest one period after the last change, if nothing else starts.
 *
 * The history is a bounded ring of (time, committed) steps; when it is
 * full, neighbours merge to the lower value, which can only overstate a
 * rise (the safe side).  No allocation after create; not thread-safe.
 */
#ifndef PB_POLICY_RAMP_H
#define PB_POLICY_RAMP_H

#include <stdint.h>

#include "policy/error.h"
#include "policy/power.h"

typedef struct pb_ramp pb_ramp_t;

/*
 * A ramp limit of limit_w per period_s seconds (> 0 both), keeping up to
 * steps history entries (0: 1024).  NULL with err set on bad arguments
 * or no memory.
 */
pb_ramp_t *pb_ramp_create(pb_watts_t limit_w, uint32_t period_s, uint32_t steps,
			  pb_error_t *err);
void pb_ramp_destroy(pb_ramp_t *r);

pb_watts_t pb_ramp_limit(const pb_ramp_t *r);
uint32_t pb_ramp_period(const pb_ramp_t *r);

/*
 * Committed power is @w from time @t on (t not before the last note; an
 * earlier t is taken as the last one).  Notes of an unchanged value are
 * free.
 */
void pb_ramp_note(pb_ramp_t *r, int64_t t, pb_watts_t w);

/* The rise at @now: the last noted power less the period's lowest. */
pb_watts_t pb_ramp_rise(const pb_ramp_t *r, int64_t now);

/*
 * May @add watts start at @now?  Returns 0 if so, else 1 with *at the
 * earliest time it would fit if nothing else changed (always within one
 * period of now).  at may be NULL.
 */
int pb_ramp_check(const pb_ramp_t *r, int64_t now, pb_watts_t add, int64_t *at);

/* Forget the history: the present power is the only step. */
void pb_ramp_reset(pb_ramp_t *r, int64_t now, pb_watts_t w);

#endif /* PB_POLICY_RAMP_H */
