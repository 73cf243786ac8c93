/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wrapped select/cons_tres: loads it as a plugin context of our own and
 * exposes its entry points, so every select_p_* call we do not decide on is
 * answered by Slurm's own code with Slurm's exact semantics.
 */
#ifndef PB_PLUGIN_FORWARD_H
#define PB_PLUGIN_FORWARD_H

#include "plugin/compat.h"

/* Name of the plugin we wrap. */
#define PB_WRAPPED_SELECT "select/cons_tres"

/*
 * The select plugin's entry points in the loader's order, as
 * src/common/select.h declares them in 22.05. Since 24.05 the struct and
 * its symbol list are private to src/interfaces/select.c, so the plugin
 * keeps a copy per release; plugin/api_symbols.c holds the names, and
 * unit.plugin_api_symbols checks them against that release's select.c.
 */
#if PB_SLURM_IS(22, 5)
typedef slurm_select_ops_t pb_select_ops_t;
#define PB_SELECT_OPS_COUNT 37
#elif PB_SLURM_IS(24, 11)
typedef struct {
	uint32_t *plugin_id;
	int (*state_save)(char *dir_name);
	int (*state_restore)(char *dir_name);
	int (*job_init)(list_t *job_list);
	int (*node_init)(void);
	int (*job_test)(job_record_t *job_ptr, bitstr_t *bitmap,
			uint32_t min_nodes, uint32_t max_nodes,
			uint32_t req_nodes, uint16_t mode,
			list_t *preeemptee_candidates,
			list_t **preemptee_job_list, resv_exc_t *resv_exc_ptr,
			will_run_data_t *will_run_ptr);
	int (*job_begin)(job_record_t *job_ptr);
	int (*job_ready)(job_record_t *job_ptr);
	int (*job_expand)(job_record_t *from_job_ptr, job_record_t *to_job_ptr);
	int (*job_resized)(job_record_t *job_ptr, node_record_t *node_ptr);
	int (*job_fini)(job_record_t *job_ptr);
	int (*job_suspend)(job_record_t *job_ptr, bool indf_susp);
	int (*job_resume)(job_record_t *job_ptr, bool indf_susp);
	bitstr_t *(*step_pick_nodes)(job_record_t *job_ptr,
				     select_jobinfo_t *step_jobinfo,
				     uint32_t node_count,
				     bitstr_t **avail_nodes);
	int (*step_start)(step_record_t *step_ptr);
	int (*step_finish)(step_record_t *step_ptr, bool killing_step);
	int (*nodeinfo_pack)(select_nodeinfo_t *nodeinfo, buf_t *buffer,
			     uint16_t protocol_version);
	int (*nodeinfo_unpack)(select_nodeinfo_t **nodeinfo, buf_t *buffer,
			       uint16_t protocol_version);
	select_nodeinfo_t *(*nodeinfo_alloc)(void);
	int (*nodeinfo_free)(select_nodeinfo_t *nodeinfo);
	int (*nodeinfo_set_all)(void);
	int (*nodeinfo_set)(job_record_t *job_ptr);
	int (*nodeinfo_get)(select_nodeinfo_t *nodeinfo,
			    enum select_nodedata_type dinfo,
			    enum node_states state, void *data);
	select_jobinfo_t *(*jobinfo_alloc)(void);
	int (*jobinfo_free)(select_jobinfo_t *jobinfo);
	int (*jobinfo_set)(select_jobinfo_t *jobinfo,
			   enum select_jobdata_type data_type, void *data);
	int (*jobinfo_get)(select_jobinfo_t *jobinfo,
			   enum select_jobdata_type data_type, void *data);
	select_jobinfo_t *(*jobinfo_copy)(select_jobinfo_t *jobinfo);
	int (*jobinfo_pack)(select_jobinfo_t *jobinfo, buf_t *buffer,
			    uint16_t protocol_version);
	int (*jobinfo_unpack)(select_jobinfo_t **jobinfo_pptr, buf_t *buffer,
			      uint16_t protocol_version);
	int (*get_info_from_plugin)(enum select_plugindata_info dinfo,
				    job_record_t *job_ptr, void *data);
	int (*reconfigure)(void);
} pb_select_ops_t;
#define PB_SELECT_OPS_COUNT 32
#else /* 26.05 */
typedef struct {
	uint32_t *plugin_id;
	int (*node_init)(void);
	int (*job_test)(job_record_t *job_ptr, bitstr_t *bitmap,
			uint32_t min_nodes, uint32_t max_nodes,
			uint32_t req_nodes, uint16_t mode,
			list_t *preeemptee_candidates,
			list_t **preemptee_job_list, resv_exc_t *resv_exc_ptr,
			will_run_data_t *will_run_ptr);
	int (*job_begin)(job_record_t *job_ptr);
	int (*job_ready)(job_record_t *job_ptr);
	int (*job_expand)(job_record_t *from_job_ptr, job_record_t *to_job_ptr);
	int (*job_resized)(job_record_t *job_ptr, node_record_t *node_ptr);
	void (*job_mem_reduce)(job_record_t *job_ptr);
	int (*job_fini)(job_record_t *job_ptr);
	int (*job_suspend)(job_record_t *job_ptr, bool indf_susp);
	int (*job_resume)(job_record_t *job_ptr, bool indf_susp);
	int (*nodeinfo_set_all)(void);
	int (*nodeinfo_set)(job_record_t *job_ptr);
	int (*reconfigure)(void);
} pb_select_ops_t;
#define PB_SELECT_OPS_COUNT 14
#endif

/*
 * Loads select/cons_tres and resolves all its entry points. Idempotent.
 * Returns SLURM_SUCCESS, or SLURM_ERROR (logged) when it cannot be loaded.
 */
extern int fwd_init(void);

/* Drops our context on select/cons_tres. */
extern void fwd_fini(void);

/*
 * The resolved entry points; valid after a successful fwd_init(). Owned by
 * this module.
 */
extern pb_select_ops_t *fwd_ops(void);

/* cons_tres's job_test with the release's own tail of arguments. */
extern int fwd_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			uint32_t min_nodes, uint32_t max_nodes,
			uint32_t req_nodes, uint16_t mode,
			List preemptee_candidates, List *preemptee_job_list,
			const pb_job_test_tail_t *tail);

#endif
