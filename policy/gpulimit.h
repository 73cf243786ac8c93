/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler-chosen GPU power limits: what a per-GPU power limit costs a
 * training job (a throughput curve), which limit gives a node the most
 * work per watt, and the highest limit at which an allocation fits the
 * ledger now.  Pure arithmetic over policy's power model and ledger; no
 * clock (times are parameters), no I/O.
 *
 * The throughput curve.  r is the limit over the job's own uncapped
 * per-GPU draw (a job that draws less than its limit is not slowed:
 * r >= 1 gives full speed); s(r) is its speed relative to uncapped.  The
 * curve is piecewise linear through (r_i, s_i), ascending in r, s
 * non-decreasing, ending at (1, 1); below the first point it falls
 * linearly to (0, 0).  All values in thousandths.
 *
 * The default curve is s(r) = 1 - 1.525 (1 - r)^2 for 0.5 <= r <= 1,
 * sampled every 0.1, a least-squares fit (each source weighted equally)
 * to measured training runs under power limits or locked clocks:
 *   Zeus (NSDI'23, ml-energy/zeus trace): V100 and A40 single-GPU
 *     training of ResNet-50, ShuffleNet-v2, BERT, DeepSpeech2 at set
 *     power limits (NCF, not power-bound, left out);
 *   Perseus (SOSP'24): GPT-3 175B pipeline stages on A100 SXM at locked
 *     SM clocks, r = stage power over its power at the highest clock.
 * Error (897 points with 0.5 <= r <= 1): RMSE 0.073 over all; Perseus
 * 0.038 (the curve is 0.026 slower than measured: conservative for LLM
 * training); Zeus V100 0.048; Zeus A40 0.113, worst below r = 0.6 (up to
 * 0.42 too fast), which is why the site floor should stay above half the
 * board limit.  tools/pb_sim/doc/fit_speed_curve.py reproduces the fit.
 */
#ifndef PB_POLICY_GPULIMIT_H
#define PB_POLICY_GPULIMIT_H

#include <stdint.h>

#include "policy/error.h"
#include "policy/ledger.h"
#include "policy/power.h"

#define PB_CURVE_MAX 16
#define PB_MILLI 1000u

typedef struct pb_speed_curve {
	uint32_t n; /* points, 1..PB_CURVE_MAX */
	uint16_t r_milli[PB_CURVE_MAX];
	uint16_t s_milli[PB_CURVE_MAX];
} pb_speed_curve_t;

/* The fitted default curve (above). */
void pb_speed_curve_default(pb_speed_curve_t *c);

/*
 * Check a curve: 1..PB_CURVE_MAX points, r strictly ascending in
 * (0, 1000], s non-decreasing in (0, 1000], the last point (1000, 1000).
 * Returns 0, or -1 with a message in err.
 */
int pb_speed_curve_check(const pb_speed_curve_t *c, pb_error_t *err);

/* s(r) in thousandths, r in thousandths (any value; >= 1000 gives 1000). */
uint32_t pb_speed_at(const pb_speed_curve_t *c, uint32_t r_milli);

/*
 * Speed of a job whose GPUs draw draw_w uncapped, run at limit_w (<= 0:
 * no limit).  1000 when limit_w >= draw_w.
 */
uint32_t pb_speed_of_limit(const pb_speed_curve_t *c, pb_watts_t limit_w,
			   pb_watts_t draw_w);

/*
 * Wall time of work that takes seconds at full speed, run at speed
 * speed_milli (1..1000): ceil(seconds * 1000 / speed).  PB_TIME_NEVER
 * stays PB_TIME_NEVER; the result saturates there.
 */
int64_t pb_stretch_s(int64_t seconds, uint32_t speed_milli);

/*
 * The per-GPU limit in [lo_w, max_w of c's GPU] (a multiple of step_w
 * from lo_w, plus max_w itself) at which a whole node of class c does
 * the most work per watt of its own draw: s(L / max_w) over
 * idle + increment(all GPUs at L, all cores).  The node's idle draw is
 * counted because it is paid whichever limit is set, which keeps the
 * answer well above the GPU-only optimum.  Ties go to the higher limit.
 * Returns max_w for a class without GPUs.  Not a hot call.
 */
pb_watts_t pb_limit_efficient_w(const pb_power_class_t *c,
				const pb_speed_curve_t *curve, pb_watts_t lo_w,
				pb_watts_t step_w);

/*
 * The run time a job with full-speed run time duration gets at limit_w
 * when planned against its GPUs' max_w (the scheduler does not know the
 * job's own draw, so it assumes the worst: the board limit):
 * pb_stretch_s(duration, pb_speed_of_limit(curve, limit_w, max_w)).
 */
int64_t pb_limit_duration(const pb_speed_curve_t *curve, pb_watts_t limit_w,
			  pb_watts_t max_w, int64_t duration);

/*
 * The lowest whole-watt limit in [1, max_w] at which work of work_s
 * full-speed seconds, planned against max_w, still ends within limit_s
 * seconds (pb_limit_duration <= limit_s): the floor a fixed time limit
 * puts under a job's GPU limit.  max_w + 1 when even full draw does not
 * (work_s > limit_s); 1 when limit_s is PB_TIME_NEVER.
 */
pb_watts_t pb_limit_lowest_w(const pb_speed_curve_t *curve, pb_watts_t max_w,
			     int64_t work_s, int64_t limit_s);

/* What pb_ledger_fit_limit is asked for. */
typedef struct pb_limit_ask {
	pb_watts_t lo_w;  /* lowest acceptable per-GPU limit (the floor) */
	pb_watts_t hi_w;  /* highest one worth setting (efficient mode) */
	pb_watts_t max_w; /* the GPUs' board limit: the planning draw */
	int64_t duration; /* full-speed run time, or PB_TIME_NEVER */
	/* stretches the run at a limit; NULL: the run is duration at any */
	const pb_speed_curve_t *curve;
} pb_limit_ask_t;

/*
 * The highest per-GPU limit L in [ask->lo_w, ask->hi_w] (whole watts) at
 * which alloc, as a job whose limit is enforced on the node (hint L,
 * scope PB_HINT_WHERE_ENFORCED; alloc's own hint fields are ignored),
 * started at now and running pb_limit_duration(L) seconds, is admitted
 * by pb_ledger_admit.  On nodes whose class does not enforce limits the
 * job counts at full draw, whatever L is.  Returns 0 with *limit_w = L and
 * *out the verdict at L; 1 if even lo_w is refused (*out the verdict at
 * lo_w, which names the domain and watts still missing); -1 for an
 * invalid allocation or ask (lo_w > hi_w, lo_w <= 0).  The search is a
 * bisection over admit, O(log(hi - lo)) admits; every answer is
 * admitted.  (A lower limit lengthens the run and so may meet a
 * reservation a higher one would not: then the answer is a limit that
 * fits, not always the highest.)  No side effects.
 */
int pb_ledger_fit_limit(const pb_ledger_t *l, const pb_alloc_t *alloc,
			int64_t now, const pb_limit_ask_t *ask,
			pb_watts_t *limit_w, pb_verdict_t *out);

#endif /* PB_POLICY_GPULIMIT_H */
