/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which running jobs a curtailment sheds.  When the grid asks the site to
 * come down to a lower cap by a deadline, the jobs still running at the
 * deadline must fit under it; the rest end on their own first (a time
 * limit is a hard end), so only jobs running past the deadline are
 * candidates.  They go in the site's order (CurtailOrder= class, then
 * lowest priority, then the latest started, which loses the least work),
 * and only as many as the excess needs: after the ordered pick, a job
 * whose shedding turns out not to be needed (a later, larger one covers
 * the excess) is kept.
 *
 * Pure: no allocation, no I/O.
 */
#ifndef PB_POLICY_CURTAIL_H
#define PB_POLICY_CURTAIL_H

#include <stdint.h>

#include "policy/power.h"

typedef struct {
	uint32_t job_id;
	uint32_t rank;	   /* CurtailOrder= class: 0 sheds first */
	uint32_t priority; /* lower sheds first */
	int64_t start;	   /* later sheds first */
	pb_watts_t watts;  /* what shedding it takes off the domain */
	bool shed;	   /* out: shed it */
} pb_curtail_job_t;

/*
 * Sorts jobs[0..n) into shed order and marks the ones to shed so that
 * their watts cover need_w, as few watts over it as the order allows.
 * Returns the watts shed; less than need_w only when every job together
 * is not enough (then all are marked).  need_w <= 0 marks none.
 */
pb_watts_t pb_curtail_pick(pb_curtail_job_t *jobs, uint32_t n,
			   pb_watts_t need_w);

#endif
