// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_queue: the engine's pending jobs in priority order, each with its
 * node count and watts, and the search for the next one that fits the
 * nodes and power left.
 *
 * Every scheduling pass looks for jobs that fit, and when power binds
 * almost none does: the pass used to read every queued entry at every
 * event, most of pb-sim's first-level cache misses in the power
 * policies.  The queue also keeps, per block of entries, the fewest nodes
 * and the least watts any entry in it asks, so a block none of whose jobs
 * can fit is passed over whole.  A block's minima may be lower than its
 * live entries' (never higher), which only costs a look.
 *
 * Entries are indexed from the queue's head, 0 .. n-1.  Each job is
 * pushed at most once, so the buffer (cap entries) never wraps.
 */
#ifndef PB_SIM_QUEUE_H
#define PB_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct sim_queued {
	uint32_t id, nodes;
	double w;
};

struct sim_queue {
	struct sim_queued *e; /* the head, within buf */
	size_t n;
	struct sim_queued *buf;
	size_t cap;
	/* per block of SIM_QUEUE_BLOCK buffer entries: the minima */
	uint32_t *bmin_nodes;
	double *bmin_w;
};

/* Does e ask at most nodes and w? */
static inline int sim_queued_fits(const struct sim_queued *e, uint32_t nodes,
				  double w)
{
	return e->nodes <= nodes && e->w <= w;
}

/* 0, or -1 when memory runs out. */
int sim_queue_init(struct sim_queue *q, size_t cap);
void sim_queue_free(struct sim_queue *q);

/* Append a job at the tail. */
void sim_queue_push(struct sim_queue *q, uint32_t id, uint32_t nodes, double w);

/* Every entry's watts again, w_of(arg, its job id). */
void sim_queue_rewatt(struct sim_queue *q, double (*w_of)(void *, uint32_t),
		      void *arg);

/*
 * Drop the entries at started[0..n) (ascending, distinct), keeping the
 * order of the others.
 */
void sim_queue_drop(struct sim_queue *q, const size_t *started, size_t n);

/* From entry i on, the first that asks at most nodes and w (or n). */
size_t sim_queue_next_fit(const struct sim_queue *q, size_t i, uint32_t nodes,
			  double w);

#endif
