/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_test by mode, around cons_tres: TEST_ONLY (could the job ever fit
 * the budget?), WILL_RUN (when will there be nodes and power, planned at
 * full draw or at a chosen GPU limit, with power held for it) and RUN_NOW
 * (narrow the candidates to nodes with headroom, a compact set when power
 * binds, and check cons_tres's choice against every cap). cons_tres's own
 * time is counted apart (jobcost.h). The ledger is expected up to date:
 * the caller (hooks.c) does the upkeep first. Under slurmctld's job write
 * lock, with the model it is given; scratch sized once per model.
 */
#ifndef PB_PLUGIN_JOBTEST_H
#define PB_PLUGIN_JOBTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "src/slurmctld/slurmctld.h"

#include "plugin/compat.h"
#include "plugin/model.h"

/* select_p_job_test's arguments, as slurmctld gave them. */
typedef struct {
	job_record_t *job;
	bitstr_t *bitmap; /* in: candidates; out: cons_tres's choice */
	uint32_t min_nodes, max_nodes, req_nodes;
	uint16_t mode;
	List preemptee_candidates;
	List *preemptee_job_list;
	const pb_job_test_tail_t *tail;
} jobtest_args_t;

/* Size the scratch for @m and slurmctld's node table (node_init). */
extern void jobtest_configure(const model_t *m);
extern void jobtest_fini(void);

/* cons_tres's job_test alone, its time counted apart. */
extern int jobtest_cons_tres(const jobtest_args_t *a);

/* The power policy's job_test in a->mode, on @m (which has a placer). */
extern int jobtest_run(model_t *m, const jobtest_args_t *a);

/* Did cons_tres give @job the resources slurmctld starts it on? */
static inline bool jobtest_has_resources(const job_record_t *job)
{
	return job->job_resrcs && job->job_resrcs->nodes;
}

#endif
