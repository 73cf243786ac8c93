/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading of the wrapped select/cons_tres. Slurm's select/cray_aries wraps
 * cons_tres the same way: a second plugin context on the same .so, whose
 * ops table we call into.
 */
#include "config.h"

#include <pthread.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"
#include "src/common/plugin.h"

#include "plugin/api_symbols.h"
#include "plugin/forward.h"

static pb_select_ops_t fwd_table;
static plugin_context_t *fwd_context;
static pthread_mutex_t fwd_lock = PTHREAD_MUTEX_INITIALIZER;

_Static_assert(
    sizeof(pb_select_ops_t) == PB_SELECT_OPS_COUNT * sizeof(void *),
    "the select ops table changed: update plugin/forward.h and plugin/api_symbols.c");

extern int fwd_init(void)
{
	int rc = SLURM_SUCCESS;

	slurm_mutex_lock(&fwd_lock);
	if (fwd_context)
		goto out;
	if (pb_api_symbol_count * sizeof(void *) != sizeof(fwd_table)) {
		error(
		    "select/cons_tres_power: API table has %zu names for %zu entries",
		    pb_api_symbol_count, sizeof(fwd_table) / sizeof(void *));
		rc = SLURM_ERROR;
		goto out;
	}
	fwd_context = plugin_context_create(
	    "select", PB_WRAPPED_SELECT, (void **)&fwd_table, pb_api_symbols,
	    sizeof(pb_api_symbols[0]) * pb_api_symbol_count);
	if (!fwd_context) {
		error("select/cons_tres_power: cannot load %s, which it wraps",
		      PB_WRAPPED_SELECT);
		rc = SLURM_ERROR;
	}
out:
	slurm_mutex_unlock(&fwd_lock);
	return rc;
}

extern void fwd_fini(void)
{
	slurm_mutex_lock(&fwd_lock);
	if (fwd_context)
		plugin_context_destroy(fwd_context);
	fwd_context = NULL;
	slurm_mutex_unlock(&fwd_lock);
}

extern pb_select_ops_t *fwd_ops(void)
{
	return &fwd_table;
}

extern int fwd_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			uint32_t min_nodes, uint32_t max_nodes,
			uint32_t req_nodes, uint16_t mode,
			List preemptee_candidates, List *preemptee_job_list,
			const pb_job_test_tail_t *tail)
{
#if PB_SLURM_AT_LEAST(23, 11)
	return fwd_table.job_test(job_ptr, bitmap, min_nodes, max_nodes,
				  req_nodes, mode, preemptee_candidates,
				  preemptee_job_list, tail->resv_exc_ptr,
				  tail->will_run_ptr);
#else
	return fwd_table.job_test(job_ptr, bitmap, min_nodes, max_nodes,
				  req_nodes, mode, preemptee_candidates,
				  preemptee_job_list, tail->exc_core_bitmap);
#endif
}
