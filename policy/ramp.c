/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ramp limit over a trailing period (see ramp.h).
 */
#include "policy/ramp.h"

#include <stdlib.h>

struct step {
	int64_t t;    /* from this time on ... */
	pb_watts_t w; /* ... committed power was this, until the next step */
};

struct pb_ramp {
	pb_watts_t limit;
	uint32_t period;
	uint32_t cap, head, n; /* ring: oldest at head */
	struct step *s;
};

pb_ramp_t *pb_ramp_create(pb_watts_t limit_w, uint32_t period_s, uint32_t steps,
			  pb_error_t *err)
{
	pb_ramp_t *r;

	if (limit_w <= 0 || period_s == 0) {
		pb_error_set(err, "ramp limit and period must be positive");
		return NULL;
	}
	if (steps < 2)
		steps = 1024;
	if (!(r = calloc(1, sizeof(*r))) ||
	    !(r->s = calloc(steps, sizeof(*r->s)))) {
		free(r);
		pb_error_set(err, "out of memory");
		return NULL;
	}
	r->limit = limit_w;
	r->period = period_s;
	r->cap = steps;
	return r;
}

void pb_ramp_destroy(pb_ramp_t *r)
{
	if (!r)
		return;
	free(r->s);
	free(r);
}

pb_watts_t pb_ramp_limit(const pb_ramp_t *r)
{
	return r->limit;
}

uint32_t pb_ramp_period(const pb_ramp_t *r)
{
	return r->period;
}

static struct step *_at(const pb_ramp_t *r, uint32_t i)
{
	return &r->s[(r->head + i) % r->cap];
}

/* Steps no longer in force anywhere in (now - period, now] go. */
static void _trim(pb_ramp_t *r, int64_t now)
{
	while (r->n >= 2 && _at(r, 1)->t <= now - (int64_t)r->period) {
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
}

/* Full: the two oldest steps become one at the lower value (safe side). */
static void _merge_oldest(pb_ramp_t *r)
{
	struct step *a = _at(r, 0), *b = _at(r, 1);

	if (a->w < b->w)
		b->w = a->w;
	b->t = a->t;
	r->head = (r->head + 1) % r->cap;
	r->n--;
}

void pb_ramp_note(pb_ramp_t *r, int64_t t, pb_watts_t w)
{
	struct step *last = r->n ? _at(r, r->n - 1) : NULL;

	if (last && last->w == w)
		return;
	if (last && t < last->t)
		t = last->t;
	_trim(r, t);
	if (r->n == r->cap)
		_merge_oldest(r);
	*_at(r, r->n) = (struct step){t, w};
	r->n++;
}

/* The lowest power in force in (now - period, now]; the last if none. */
static pb_watts_t _low(const pb_ramp_t *r, int64_t now)
{
	pb_watts_t low = _at(r, r->n - 1)->w;

	for (uint32_t i = r->n - 1; i-- > 0;) {
		if (_at(r, i + 1)->t <= now - (int64_t)r->period)
			break;
		if (_at(r, i)->w < low)
			low = _at(r, i)->w;
	}
	return low;
}

pb_watts_t pb_ramp_rise(const pb_ramp_t *r, int64_t now)
{
	if (!r->n)
		return 0;
	return _at(r, r->n - 1)->w - _low(r, now);
}

int pb_ramp_check(const pb_ramp_t *r, int64_t now, pb_watts_t add, int64_t *at)
{
	pb_watts_t cur, need;
	int64_t t = now;

	if (!r->n)
		return 0;
	cur = _at(r, r->n - 1)->w;
	need = add > r->limit ? cur : cur + add - r->limit;
	if (_low(r, now) >= need)
		return 0;
	/* the newest step below what is needed must leave the period */
	for (uint32_t i = r->n - 1; i-- > 0;) {
		if (_at(r, i)->w < need) {
			t = _at(r, i + 1)->t + (int64_t)r->period;
			break;
		}
	}
	if (at)
		*at = t > now ? t : now + 1;
	return 1;
}

void pb_ramp_reset(pb_ramp_t *r, int64_t now, pb_watts_t w)
{
	r->head = 0;
	r->n = 0;
	pb_ramp_note(r, now, w);
}
