/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * select/cons_tres_power: Slurm's select/cons_tres with a power budget.
 *
 * Every select API entry point is forwarded to select/cons_tres, so cores,
 * memory, GRES, reservations and preemption keep Slurm's own semantics. The
 * calls that decide or record placement (job_test, job_begin, job_fini,
 * suspend/resume, resize, job_init, reconfigure) are wrapped by the policy
 * hooks in hooks.c. The name must contain "cons_tres": slurmctld enables
 * cons_tres-only behaviour by substring match on SelectType.
 *
 * Until 24.11 this plugin is also loaded by slurmd and by every client
 * command (sinfo, squeue, sbatch load all select plugins), so it logs at
 * debug level and reads its configuration only inside slurmctld.
 *
 * The entry points are those of the release built for (plugin/compat.h):
 * 37 in 22.05, 32 in 24.11, 14 in 26.05 (plugin/api_symbols.c).
 */
#include "config.h"

/* 26.05's run_in_daemon.h uses these without including them */
#include <stdbool.h>
#include <stdint.h>

#include "src/common/slurm_xlator.h"
#include "src/common/run_in_daemon.h"

#include "plugin/compat.h"
#include "plugin/forward.h"
#include "plugin/hooks.h"
#include "plugin/ticker.h"

const char plugin_name[] =
    "Power-budget aware TRES selection (wraps select/cons_tres)";
const char plugin_type[] = "select/cons_tres_power";
#if PB_SLURM_AT_LEAST(25, 5)
/*
 * Since 25.05 select_g_init() loads only SelectType, and slurmctld turns
 * on cons_tres's behaviour (CR_* checks, shared GRES, core reservations,
 * parts of node_scheduler.c) by comparing the loaded plugin's id with
 * cons_tres's (running_cons_tres()): ours must be that id.
 */
const uint32_t plugin_id = SELECT_PLUGIN_CONS_TRES;
#else
/*
 * Unique among select plugins: select_g_init() loads every select plugin
 * it finds and fatals on a duplicate id. Slurm's own ids are 101-110.
 */
const uint32_t plugin_id = 140;
#endif
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

#define OPS (fwd_ops())

extern int init(void)
{
	if (fwd_init() != SLURM_SUCCESS)
		return SLURM_ERROR;
	debug("%s: loaded, wrapping %s", plugin_type, PB_WRAPPED_SELECT);
	if (running_in_slurmctld()) {
		int rc = hook_init();

		if (rc == SLURM_SUCCESS)
			ticker_start();
		return rc;
	}
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	if (running_in_slurmctld()) {
		ticker_stop();
		hook_fini();
	}
	fwd_fini();
	return SLURM_SUCCESS;
}

#if PB_HAVE_JOB_INIT
extern int select_p_state_save(char *dir_name)
{
	return OPS->state_save(dir_name);
}

extern int select_p_state_restore(char *dir_name)
{
	return OPS->state_restore(dir_name);
}

extern int select_p_job_init(List jobs)
{
	int rc = OPS->job_init(jobs);

	if (rc == SLURM_SUCCESS)
		hook_job_init(jobs);
	return rc;
}
#else
/* slurmctld's; weak, as slurmd and the clients have none. */
extern list_t *job_list __attribute__((weak));
#endif

extern int select_p_node_init(void)
{
	int rc = OPS->node_init();

	if (rc == SLURM_SUCCESS)
		hook_node_init();
#if !PB_HAVE_JOB_INIT
	/*
	 * No job_init since 25.05. read_slurm_conf() has loaded the jobs
	 * into job_list before select_g_node_init() and gives the running
	 * ones their node bitmaps right after it (_sync_jobs_to_conf()), so
	 * the rebuild is marked due here and happens, as on the releases
	 * with job_init, in select_g_reconfigure() at its end.
	 */
	if (rc == SLURM_SUCCESS && &job_list)
		hook_job_init(job_list);
#endif
	return rc;
}

#if PB_SLURM_AT_LEAST(23, 11)
extern int
select_p_job_test(job_record_t *job_ptr, bitstr_t *bitmap, uint32_t min_nodes,
		  uint32_t max_nodes, uint32_t req_nodes, uint16_t mode,
		  list_t *preemptee_candidates, list_t **preemptee_job_list,
		  resv_exc_t *resv_exc_ptr, will_run_data_t *will_run_ptr)
{
	pb_job_test_tail_t tail = {.resv_exc_ptr = resv_exc_ptr,
				   .will_run_ptr = will_run_ptr};

	return hook_job_test(job_ptr, bitmap, min_nodes, max_nodes, req_nodes,
			     mode, preemptee_candidates, preemptee_job_list,
			     &tail);
}
#else
extern int select_p_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			     uint32_t min_nodes, uint32_t max_nodes,
			     uint32_t req_nodes, uint16_t mode,
			     List preemptee_candidates,
			     List *preemptee_job_list,
			     bitstr_t *exc_core_bitmap)
{
	pb_job_test_tail_t tail = {.exc_core_bitmap = exc_core_bitmap};

	return hook_job_test(job_ptr, bitmap, min_nodes, max_nodes, req_nodes,
			     mode, preemptee_candidates, preemptee_job_list,
			     &tail);
}
#endif

extern int select_p_job_begin(job_record_t *job_ptr)
{
	int rc = OPS->job_begin(job_ptr);

	if (rc == SLURM_SUCCESS)
		hook_job_begin(job_ptr);
	return rc;
}

extern int select_p_job_ready(job_record_t *job_ptr)
{
	return OPS->job_ready(job_ptr);
}

extern int select_p_job_expand(job_record_t *from_job_ptr,
			       job_record_t *to_job_ptr)
{
	int rc = OPS->job_expand(from_job_ptr, to_job_ptr);

	if (rc == SLURM_SUCCESS) {
		hook_job_resized(from_job_ptr);
		hook_job_resized(to_job_ptr);
	}
	return rc;
}

extern int select_p_job_resized(job_record_t *job_ptr, node_record_t *node_ptr)
{
	int rc = OPS->job_resized(job_ptr, node_ptr);

	if (rc == SLURM_SUCCESS)
		hook_job_resized(job_ptr);
	return rc;
}

#if PB_SLURM_IS(22, 5)
extern int select_p_job_signal(job_record_t *job_ptr, int signal)
{
	return OPS->job_signal(job_ptr, signal);
}
#endif

#if PB_SLURM_AT_LEAST(25, 5)
extern void select_p_job_mem_reduce(job_record_t *job_ptr)
{
	OPS->job_mem_reduce(job_ptr);
}
#endif

extern int select_p_job_fini(job_record_t *job_ptr)
{
	int rc = OPS->job_fini(job_ptr);

	/* The power is free once cons_tres has freed the resources. */
	hook_job_fini(job_ptr);
	return rc;
}

extern int select_p_job_suspend(job_record_t *job_ptr, bool indf_susp)
{
	int rc = OPS->job_suspend(job_ptr, indf_susp);

	if (rc == SLURM_SUCCESS)
		hook_job_suspend(job_ptr);
	return rc;
}

extern int select_p_job_resume(job_record_t *job_ptr, bool indf_susp)
{
	int rc = OPS->job_resume(job_ptr, indf_susp);

	if (rc == SLURM_SUCCESS)
		hook_job_resume(job_ptr);
	return rc;
}

#if PB_HAVE_SELECT_INFO
extern bitstr_t *select_p_step_pick_nodes(job_record_t *job_ptr,
					  select_jobinfo_t *jobinfo,
					  uint32_t node_count,
					  bitstr_t **avail_nodes)
{
	return OPS->step_pick_nodes(job_ptr, jobinfo, node_count, avail_nodes);
}

extern int select_p_step_start(step_record_t *step_ptr)
{
	return OPS->step_start(step_ptr);
}

extern int select_p_step_finish(step_record_t *step_ptr, bool killing_step)
{
	return OPS->step_finish(step_ptr, killing_step);
}

extern int select_p_select_nodeinfo_pack(select_nodeinfo_t *nodeinfo,
					 buf_t *buffer,
					 uint16_t protocol_version)
{
	return OPS->nodeinfo_pack(nodeinfo, buffer, protocol_version);
}

extern int select_p_select_nodeinfo_unpack(select_nodeinfo_t **nodeinfo,
					   buf_t *buffer,
					   uint16_t protocol_version)
{
	return OPS->nodeinfo_unpack(nodeinfo, buffer, protocol_version);
}

extern select_nodeinfo_t *select_p_select_nodeinfo_alloc(void)
{
	return OPS->nodeinfo_alloc();
}

extern int select_p_select_nodeinfo_free(select_nodeinfo_t *nodeinfo)
{
	return OPS->nodeinfo_free(nodeinfo);
}
#endif

extern int select_p_select_nodeinfo_set_all(void)
{
	return OPS->nodeinfo_set_all();
}

extern int select_p_select_nodeinfo_set(job_record_t *job_ptr)
{
	return OPS->nodeinfo_set(job_ptr);
}

#if PB_HAVE_SELECT_INFO
extern int select_p_select_nodeinfo_get(select_nodeinfo_t *nodeinfo,
					enum select_nodedata_type dinfo,
					enum node_states state, void *data)
{
	return OPS->nodeinfo_get(nodeinfo, dinfo, state, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_alloc(void)
{
	return OPS->jobinfo_alloc();
}

extern int select_p_select_jobinfo_free(select_jobinfo_t *jobinfo)
{
	return OPS->jobinfo_free(jobinfo);
}

extern int select_p_select_jobinfo_set(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	return OPS->jobinfo_set(jobinfo, data_type, data);
}

extern int select_p_select_jobinfo_get(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	return OPS->jobinfo_get(jobinfo, data_type, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_copy(select_jobinfo_t *jobinfo)
{
	return OPS->jobinfo_copy(jobinfo);
}

extern int select_p_select_jobinfo_pack(select_jobinfo_t *jobinfo,
					buf_t *buffer,
					uint16_t protocol_version)
{
	return OPS->jobinfo_pack(jobinfo, buffer, protocol_version);
}

extern int select_p_select_jobinfo_unpack(select_jobinfo_t **jobinfo,
					  buf_t *buffer,
					  uint16_t protocol_version)
{
	return OPS->jobinfo_unpack(jobinfo, buffer, protocol_version);
}

#if PB_SLURM_IS(22, 5)
extern char *select_p_select_jobinfo_sprint(select_jobinfo_t *jobinfo,
					    char *buf, size_t size, int mode)
{
	return OPS->jobinfo_sprint(jobinfo, buf, size, mode);
}

extern char *select_p_select_jobinfo_xstrdup(select_jobinfo_t *jobinfo,
					     int mode)
{
	return OPS->jobinfo_xstrdup(jobinfo, mode);
}
#endif

extern int select_p_get_info_from_plugin(enum select_plugindata_info info,
					 job_record_t *job_ptr, void *data)
{
	return OPS->get_info_from_plugin(info, job_ptr, data);
}
#endif

#if PB_SLURM_IS(22, 5)
extern int select_p_update_node_config(int index)
{
	return OPS->update_node_config(index);
}
#endif

extern int select_p_reconfigure(void)
{
	int rc = OPS->reconfigure();

	hook_reconfigure();
	return rc;
}

#if PB_SLURM_IS(22, 5)
extern bitstr_t *select_p_resv_test(resv_desc_msg_t *resv_desc_ptr,
				    uint32_t node_cnt, bitstr_t *avail_bitmap,
				    bitstr_t **core_bitmap)
{
	return OPS->resv_test(resv_desc_ptr, node_cnt, avail_bitmap,
			      core_bitmap);
}
#endif
