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

#include "plugin/compat.h"

/* slurmctld only: reads the configuration. A bad file is fatal here. */
extern int hook_init(void);
extern void hook_fini(void);

/* After node_init/state_restore: the node table is final. */
extern void hook_node_init(void);

/* Running jobs recovered from the state files (after any restart). */
extern void hook_job_init(List jobs);

/*
 * select_p_job_test with the power policy around cons_tres (the same
 * arguments and contract): narrows the candidate nodes to those with
 * power headroom (and, when power binds, to a compact feasible set),
 * lets cons_tres choose inside, checks the choice against every cap, and
 * for WILL_RUN moves the start time to when power frees up.
 */
extern int hook_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			 uint32_t min_nodes, uint32_t max_nodes,
			 uint32_t req_nodes, uint16_t mode,
			 List preemptee_candidates, List *preemptee_job_list,
			 const pb_job_test_tail_t *tail);

extern void hook_job_begin(job_record_t *job_ptr);
extern void hook_job_fini(job_record_t *job_ptr);
extern void hook_job_suspend(job_record_t *job_ptr);
extern void hook_job_resume(job_record_t *job_ptr);
extern void hook_job_resized(job_record_t *job_ptr);
extern void hook_reconfigure(void);

/*
 * Once a second from the background thread (ticker.c), with slurmctld's
 * job write and node read locks (so no other hook runs): puts back the
 * power reasons the scheduler overwrote, and follows the nodes' power
 * states (Slurm's power saving) into the ledger even while no job is
 * tested. True if measured draw changed the ledger's limits (the status
 * file is then due).
 */
extern bool hook_tick(void);

/*
 * From the background thread (ticker.c) while a curtailment or shed job
 * is about (curtail.h), with slurmctld's job and node write and
 * federation read locks: sheds and resumes jobs for it.
 */
extern void hook_curtail(void);

/*
 * For the background thread (ticker.c), under slurmctld's read locks: the
 * rendered status and the file it goes to (both xmalloc'd), or NULLs.
 */
extern void hook_status_snapshot(char **text, char **path);

#endif
