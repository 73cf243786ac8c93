/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduler-chosen GPU power limits (see gpulimit.h).
 */
#include "policy/gpulimit.h"

/* s(r) = 1 - 1.525 (1 - r)^2 at r = 0.5, 0.6, ..., 1.0 (gpulimit.h). */
static const uint16_t default_r[] = {500, 600, 700, 800, 900, 1000};
static const uint16_t default_s[] = {619, 756, 863, 939, 985, 1000};

void pb_speed_curve_default(pb_speed_curve_t *c)
{
	*c = (pb_speed_curve_t){.n = sizeof(default_r) / sizeof(default_r[0])};
	for (uint32_t i = 0; i < c->n; i++) {
		c->r_milli[i] = default_r[i];
		c->s_milli[i] = default_s[i];
	}
}

int pb_speed_curve_check(const pb_speed_curve_t *c, pb_error_t *err)
{
	if (c->n < 1 || c->n > PB_CURVE_MAX)
		return pb_error_set(err,
				    "a speed curve has 1 to %d points, not %u",
				    PB_CURVE_MAX, c->n);
	for (uint32_t i = 0; i < c->n; i++) {
		uint32_t r = c->r_milli[i], s = c->s_milli[i];

		if (r == 0 || r > PB_MILLI || s == 0 || s > PB_MILLI)
			return pb_error_set(
			    err,
			    "speed curve point %u: limit and speed "
			    "must be in (0, 1]",
			    i + 1);
		if (i && (r <= c->r_milli[i - 1] || s < c->s_milli[i - 1]))
			return pb_error_set(
			    err,
			    "speed curve point %u: limits must rise "
			    "and speeds must not fall",
			    i + 1);
	}
	if (c->r_milli[c->n - 1] != PB_MILLI ||
	    c->s_milli[c->n - 1] != PB_MILLI) {
		return pb_error_set(
		    err, "a speed curve ends at full speed at the full "
			 "limit (1:1)");
	}
	return 0;
}

/* Linear between (r0, s0) and (r1, s1) at r, rounded down. */
static uint32_t _lerp(uint32_t r0, uint32_t s0, uint32_t r1, uint32_t s1,
		      uint32_t r)
{
	return s0 + (uint32_t)((uint64_t)(s1 - s0) * (r - r0) / (r1 - r0));
}

uint32_t pb_speed_at(const pb_speed_curve_t *c, uint32_t r_milli)
{
	uint32_t s;

	if (r_milli >= PB_MILLI)
		return PB_MILLI;
	if (r_milli <= c->r_milli[0])
		s = _lerp(0, 0, c->r_milli[0], c->s_milli[0], r_milli);
	else {
		uint32_t i = 1;

		while (c->r_milli[i] < r_milli)
			i++;
		s = _lerp(c->r_milli[i - 1], c->s_milli[i - 1], c->r_milli[i],
			  c->s_milli[i], r_milli);
	}
	/* a job makes some progress at any limit: never divide by zero */
	return s ? s : 1;
}

uint32_t pb_speed_of_limit(const pb_speed_curve_t *c, pb_watts_t limit_w,
			   pb_watts_t draw_w)
{
	if (limit_w <= 0 || draw_w <= 0 || limit_w >= draw_w)
		return PB_MILLI;
	return pb_speed_at(c, (uint32_t)(limit_w * PB_MILLI / draw_w));
}

int64_t pb_stretch_s(int64_t seconds, uint32_t speed_milli)
{
	if (seconds == PB_TIME_NEVER || speed_milli >= PB_MILLI)
		return seconds;
	if (speed_milli == 0 || seconds > (PB_TIME_NEVER - PB_MILLI) / PB_MILLI)
		return PB_TIME_NEVER;
	return (seconds * PB_MILLI + speed_milli - 1) / speed_milli;
}

int64_t pb_limit_duration(const pb_speed_curve_t *curve, pb_watts_t limit_w,
			  pb_watts_t max_w, int64_t duration)
{
	return pb_stretch_s(duration, pb_speed_of_limit(curve, limit_w, max_w));
}

pb_watts_t pb_limit_lowest_w(const pb_speed_curve_t *curve, pb_watts_t max_w,
			     int64_t work_s, int64_t limit_s)
{
	pb_watts_t lo = 0, hi = max_w; /* lo never fits, hi does */

	if (limit_s == PB_TIME_NEVER)
		return 1;
	if (work_s > limit_s)
		return max_w + 1;
	while (hi - lo > 1) {
		pb_watts_t mid = lo + (hi - lo) / 2;

		if (pb_limit_duration(curve, mid, max_w, work_s) <= limit_s)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Work per watt of a whole node at limit_w, scaled so integers compare. */
static uint64_t _work_per_w(const pb_power_class_t *c,
			    const pb_speed_curve_t *curve, pb_watts_t limit_w)
{
	pb_watts_t node_w = pb_power_idle_w(c) +
			    pb_power_increment_w(c, c->gpus, c->cores, limit_w);
	uint64_t s =
	    pb_speed_at(curve, (uint32_t)(limit_w * PB_MILLI / c->gpu.max_w));

	return node_w > 0 ? s * 1000000000ull / (uint64_t)node_w : 0;
}

pb_watts_t pb_limit_efficient_w(const pb_power_class_t *c,
				const pb_speed_curve_t *curve, pb_watts_t lo_w,
				pb_watts_t step_w)
{
	pb_watts_t best = c->gpu.max_w;
	uint64_t best_v;

	if (!c->gpus || c->gpu.max_w <= 0)
		return c->gpu.max_w;
	if (lo_w < c->gpu.min_cap_w)
		lo_w = c->gpu.min_cap_w;
	if (step_w <= 0)
		step_w = 1;
	best_v = _work_per_w(c, curve, best);
	for (pb_watts_t w = lo_w; w < c->gpu.max_w; w += step_w) {
		uint64_t v = _work_per_w(c, curve, w);

		if (v > best_v) {
			best_v = v;
			best = w;
		}
	}
	return best;
}

/* Admit alloc as a job limited to limit_w on the nodes that enforce it. */
static int _admit_at(const pb_ledger_t *l, const pb_alloc_t *alloc, int64_t now,
		     const pb_limit_ask_t *ask, pb_watts_t limit_w,
		     pb_verdict_t *out)
{
	pb_alloc_t a = *alloc;
	int64_t run = ask->curve ? pb_limit_duration(ask->curve, limit_w,
						     ask->max_w, ask->duration)
				 : ask->duration;
	int64_t end = run == PB_TIME_NEVER || run > PB_TIME_NEVER - now
			  ? PB_TIME_NEVER
			  : now + run;

	a.gpu_watts_hint = limit_w;
	a.hint_scope = PB_HINT_WHERE_ENFORCED;
	return pb_ledger_admit(l, &a, now, end, out);
}

int pb_ledger_fit_limit(const pb_ledger_t *l, const pb_alloc_t *alloc,
			int64_t now, const pb_limit_ask_t *ask,
			pb_watts_t *limit_w, pb_verdict_t *out)
{
	pb_watts_t lo = ask->lo_w, hi = ask->hi_w;
	int rc;

	if (lo <= 0 || lo > hi)
		return -1;
	rc = _admit_at(l, alloc, now, ask, hi, out);
	if (rc <= 0) {
		if (rc == 0)
			*limit_w = hi;
		return rc;
	}
	rc = _admit_at(l, alloc, now, ask, lo, out);
	if (rc != 0)
		return rc;
	/* invariant: lo is admitted, hi is not */
	while (hi - lo > 1) {
		pb_watts_t mid = lo + (hi - lo) / 2;
		pb_verdict_t v;

		if (_admit_at(l, alloc, now, ask, mid, &v) == 0)
			lo = mid;
		else
			hi = mid;
	}
	*limit_w = lo;
	return _admit_at(l, alloc, now, ask, lo, out);
}
