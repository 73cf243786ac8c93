/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy seams, pass-through edition: every hook lets cons_tres decide.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"

#include "plugin/hooks.h"

extern int hook_init(void)
{
	return SLURM_SUCCESS;
}

extern void hook_fini(void)
{
}

extern void hook_node_init(void)
{
}

extern void hook_job_init(List job_list)
{
	(void) job_list;
}

extern int hook_job_test_before(job_record_t *job_ptr, bitstr_t *bitmap,
				uint32_t min_nodes, uint32_t req_nodes,
				uint16_t mode)
{
	(void) job_ptr;
	(void) bitmap;
	(void) min_nodes;
	(void) req_nodes;
	(void) mode;
	return SLURM_SUCCESS;
}

extern int hook_job_test_after(job_record_t *job_ptr, bitstr_t *bitmap,
			       uint16_t mode, int rc)
{
	(void) job_ptr;
	(void) bitmap;
	(void) mode;
	return rc;
}

extern void hook_job_begin(job_record_t *job_ptr)
{
	(void) job_ptr;
}

extern void hook_job_fini(job_record_t *job_ptr)
{
	(void) job_ptr;
}

extern void hook_job_suspend(job_record_t *job_ptr)
{
	(void) job_ptr;
}

extern void hook_job_resume(job_record_t *job_ptr)
{
	(void) job_ptr;
}

extern void hook_job_resized(job_record_t *job_ptr)
{
	(void) job_ptr;
}

extern void hook_reconfigure(void)
{
}
