/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Choosing the jobs a curtailment sheds (see curtail.h).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "policy/curtail.h"

static int _order(const void *pa, const void *pb)
{
	const pb_curtail_job_t *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->start != b->start)
		return a->start > b->start ? -1 : 1;
	if (a->job_id != b->job_id)
		return a->job_id > b->job_id ? -1 : 1;
	return 0;
}

pb_watts_t pb_curtail_pick(pb_curtail_job_t *jobs, uint32_t n,
			   pb_watts_t need_w)
{
	pb_watts_t shed = 0;
	uint32_t last = 0;

	for (uint32_t i = 0; i < n; i++)
		jobs[i].shed = false;
	if (need_w <= 0 || !n)
		return 0;
	qsort(jobs, n, sizeof(*jobs), _order);
	for (; last < n && shed < need_w; last++) {
		if (jobs[last].watts <= 0)
			continue;
		jobs[last].shed = true;
		shed += jobs[last].watts;
	}
	/*
	 * The last one picked is needed by construction; an earlier one is
	 * not if the others still cover the excess without it.
	 */
	for (uint32_t i = 0; last && i + 1 < last; i++) {
		if (jobs[i].shed && shed - jobs[i].watts >= need_w) {
			jobs[i].shed = false;
			shed -= jobs[i].watts;
		}
	}
	return shed;
}
