// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_queue: pending jobs with per-block minima (see sim_queue.h).
 */
#include "sim_queue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 32 entries of 16 bytes: a block is eight cache lines */
#define SIM_QUEUE_BLOCK 32

int sim_queue_init(struct sim_queue *q, size_t cap)
{
	size_t nb = cap / SIM_QUEUE_BLOCK + 1;

	memset(q, 0, sizeof(*q));
	q->cap = cap ? cap : 1;
	q->buf = q->e = malloc(q->cap * sizeof(*q->buf));
	q->bmin_nodes = malloc(nb * sizeof(*q->bmin_nodes));
	q->bmin_w = malloc(nb * sizeof(*q->bmin_w));
	if (!q->buf || !q->bmin_nodes || !q->bmin_w)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		q->bmin_nodes[b] = UINT32_MAX;
		q->bmin_w[b] = INFINITY;
	}
	return 0;
}

void sim_queue_free(struct sim_queue *q)
{
	free(q->buf);
	free(q->bmin_nodes);
	free(q->bmin_w);
	memset(q, 0, sizeof(*q));
}

static inline size_t _base(const struct sim_queue *q)
{
	return (size_t)(q->e - q->buf);
}

/* Lower block b's minima to entry x's. */
static inline void _lower(struct sim_queue *q, size_t b,
			  const struct sim_queued *x)
{
	if (x->nodes < q->bmin_nodes[b])
		q->bmin_nodes[b] = x->nodes;
	if (x->w < q->bmin_w[b])
		q->bmin_w[b] = x->w;
}

/*
 * The minima of the blocks over buffer positions [lo, hi) again, from
 * the live entries alone (those between the head and the tail).
 */
static void _reblock(struct sim_queue *q, size_t lo, size_t hi)
{
	size_t live_lo = _base(q), live_hi = live_lo + q->n;

	if (lo >= hi)
		return;
	for (size_t b = lo / SIM_QUEUE_BLOCK; b <= (hi - 1) / SIM_QUEUE_BLOCK;
	     b++) {
		size_t from = b * SIM_QUEUE_BLOCK, to = from + SIM_QUEUE_BLOCK;

		q->bmin_nodes[b] = UINT32_MAX;
		q->bmin_w[b] = INFINITY;
		for (size_t p = from > live_lo ? from : live_lo;
		     p < to && p < live_hi; p++)
			_lower(q, b, &q->buf[p]);
	}
}

void sim_queue_push(struct sim_queue *q, uint32_t id, uint32_t nodes, double w)
{
	size_t p = _base(q) + q->n++;

	q->buf[p] = (struct sim_queued){.id = id, .nodes = nodes, .w = w};
	/* a block's first live entry: what it held before is dead */
	if (p % SIM_QUEUE_BLOCK == 0) {
		q->bmin_nodes[p / SIM_QUEUE_BLOCK] = UINT32_MAX;
		q->bmin_w[p / SIM_QUEUE_BLOCK] = INFINITY;
	}
	_lower(q, p / SIM_QUEUE_BLOCK, &q->buf[p]);
}

void sim_queue_rewatt(struct sim_queue *q, double (*w_of)(void *, uint32_t),
		      void *arg)
{
	for (size_t i = 0; i < q->n; i++)
		q->e[i].w = w_of(arg, q->e[i].id);
	_reblock(q, _base(q), _base(q) + q->n);
}

/*
 * Moving each run between two dropped entries once: the runs after the
 * first down, or, when fewer entries lie before the last (the head job
 * started, most often), the runs before it up, and the head then moves n
 * entries on.
 */
void sim_queue_drop(struct sim_queue *q, const size_t *started, size_t n)
{
	size_t to, base = _base(q), old_n = q->n;

	if (!n)
		return;
	if (started[n - 1] < q->n - started[0]) {
		to = started[n - 1] + 1;
		for (size_t i = n; i-- > 0;) {
			size_t from = i ? started[i - 1] + 1 : 0;
			size_t len = started[i] - from;

			memmove(&q->e[to - len], &q->e[from],
				len * sizeof(*q->e));
			to -= len;
		}
		q->e += n;
		q->n -= n;
		_reblock(q, base, base + started[n - 1] + 1);
		return;
	}
	to = started[0];
	for (size_t i = 0; i < n; i++) {
		size_t from = started[i] + 1;
		size_t end = i + 1 < n ? started[i + 1] : q->n;

		memmove(&q->e[to], &q->e[from], (end - from) * sizeof(*q->e));
		to += end - from;
	}
	q->n -= n;
	_reblock(q, base + started[0], base + old_n);
}

size_t sim_queue_next_fit(const struct sim_queue *q, size_t i, uint32_t nodes,
			  double w)
{
	size_t base = _base(q);

	while (i < q->n) {
		size_t b = (base + i) / SIM_QUEUE_BLOCK;
		size_t end = (b + 1) * SIM_QUEUE_BLOCK - base;

		if (end > q->n)
			end = q->n;
		if (q->bmin_nodes[b] > nodes || q->bmin_w[b] > w) {
			i = end;
			continue;
		}
		for (; i < end; i++)
			if (sim_queued_fits(&q->e[i], nodes, w))
				return i;
	}
	return q->n;
}
