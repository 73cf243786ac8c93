/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seams where the power policy meets the select API. The entry points
 * in select_cons_tres_power.c call these around the forwarded cons_tres
 * calls; everything Slurm-facing about the policy lives behind them.
 * All are called by slurmctld with its job and node locks held, except
 * hook_init/hook_fini/hook_reconfigure which hold the config lock.
 */
#ifndef PB_PLUGIN_HOOKS_H
#define PB_PLUGIN_HOOKS_H

#include "src/slurmctld/slurmctld.h"

/* slurmctld only: reads the configuration. A bad file is fatal here. */
extern int hook_init(void);
extern void hook_fini(void);

/* After node_init/state_restore: the node table is final. */
extern void hook_node_init(void);

/* Running jobs recovered from the state files (after any restart). */
extern void hook_job_init(List job_list);

/*
 * Before cons_tres chooses: may clear nodes from @bitmap. Returns
 * SLURM_SUCCESS to go on with cons_tres, or an error code that job_test
 * returns at once (the job stays pending).
 */
extern int hook_job_test_before(job_record_t *job_ptr, bitstr_t *bitmap,
				uint32_t min_nodes, uint32_t req_nodes,
				uint16_t mode);

/*
 * After cons_tres answered @rc with its chosen @bitmap: returns the final
 * answer (it may refuse a choice that breaks a cap).
 */
extern int hook_job_test_after(job_record_t *job_ptr, bitstr_t *bitmap,
			       uint16_t mode, int rc);

extern void hook_job_begin(job_record_t *job_ptr);
extern void hook_job_fini(job_record_t *job_ptr);
extern void hook_job_suspend(job_record_t *job_ptr);
extern void hook_job_resume(job_record_t *job_ptr);
extern void hook_job_resized(job_record_t *job_ptr);
extern void hook_reconfigure(void);

#endif
