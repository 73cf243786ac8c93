/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power held for blocked pending jobs: a ledger reservation from a job's
 * expected start for a few of the highest-priority jobs that power keeps
 * waiting, so that a stream of smaller jobs cannot take the power they
 * will need (DESIGN "Placement semantics").
 *
 * While one job is tested, the power held for it and for every job it
 * outranks is free to it (held_lift); held_unlift puts the reservations
 * back before job_test returns. All calls happen under slurmctld's job
 * write lock, with the model they are given.
 */
#ifndef PB_PLUGIN_HELD_H
#define PB_PLUGIN_HELD_H

#include <stdbool.h>
#include <stdint.h>

#include "src/slurmctld/slurmctld.h"

#include "plugin/model.h"

/* Does @job_id hold power? */
extern bool held_has(uint32_t job_id);

/* Give back what @job_id holds (NULL-safe @m: a model being replaced). */
extern void held_drop(model_t *m, uint32_t job_id);
extern void held_drop_all(model_t *m);

/* Jobs that started, ended or left the queue give their power back. */
extern void held_sweep(model_t *m);

/* While @job is tested: free what it and the jobs it outranks hold. */
extern void held_lift(model_t *m, const job_record_t *job);
extern void held_unlift(model_t *m);

/*
 * Hold power for @job on @alloc from @start to @end (end <= start: open
 * ended). Keeps the highest priorities when the table is full. Returns
 * true if @job now holds a reservation.
 */
extern bool held_update(model_t *m, const job_record_t *job,
			const pb_alloc_t *alloc, int64_t start, int64_t end);

#endif
