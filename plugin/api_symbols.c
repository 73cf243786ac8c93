/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbol names of the select plugin API of the release we build for, in
 * the order of its ops struct (src/common/select.h in 22.05; private to
 * src/interfaces/select.c since 24.05, copied in plugin/forward.h). One
 * whole list per release, to read beside that release's node_select_syms[].
 * forward.c checks at compile time that the count matches the struct;
 * plugin/test/api_symbols.c checks the names and order against the Slurm
 * tree's own select.c, and that the built .so exports them.
 *
 * Kept free of Slurm's internal headers so that test can link it: only
 * slurm_version.h, for the release.
 */
#include "slurm/slurm_version.h"

#include "plugin/api_symbols.h"

#define PB_RELEASE (SLURM_VERSION_NUMBER >> 8)

const char *pb_api_symbols[] = {
#if PB_RELEASE == 0x1605 /* 22.05: 37 entries */
    "plugin_id",
    "select_p_state_save",
    "select_p_state_restore",
    "select_p_job_init",
    "select_p_node_init",
    "select_p_job_test",
    "select_p_job_begin",
    "select_p_job_ready",
    "select_p_job_expand",
    "select_p_job_resized",
    "select_p_job_signal",
    "select_p_job_fini",
    "select_p_job_suspend",
    "select_p_job_resume",
    "select_p_step_pick_nodes",
    "select_p_step_start",
    "select_p_step_finish",
    "select_p_select_nodeinfo_pack",
    "select_p_select_nodeinfo_unpack",
    "select_p_select_nodeinfo_alloc",
    "select_p_select_nodeinfo_free",
    "select_p_select_nodeinfo_set_all",
    "select_p_select_nodeinfo_set",
    "select_p_select_nodeinfo_get",
    "select_p_select_jobinfo_alloc",
    "select_p_select_jobinfo_free",
    "select_p_select_jobinfo_set",
    "select_p_select_jobinfo_get",
    "select_p_select_jobinfo_copy",
    "select_p_select_jobinfo_pack",
    "select_p_select_jobinfo_unpack",
    "select_p_select_jobinfo_sprint",
    "select_p_select_jobinfo_xstrdup",
    "select_p_get_info_from_plugin",
    "select_p_update_node_config",
    "select_p_reconfigure",
    "select_p_resv_test",
#elif PB_RELEASE == 0x180b /* 24.11: 32 entries */
    "plugin_id",
    "select_p_state_save",
    "select_p_state_restore",
    "select_p_job_init",
    "select_p_node_init",
    "select_p_job_test",
    "select_p_job_begin",
    "select_p_job_ready",
    "select_p_job_expand",
    "select_p_job_resized",
    "select_p_job_fini",
    "select_p_job_suspend",
    "select_p_job_resume",
    "select_p_step_pick_nodes",
    "select_p_step_start",
    "select_p_step_finish",
    "select_p_select_nodeinfo_pack",
    "select_p_select_nodeinfo_unpack",
    "select_p_select_nodeinfo_alloc",
    "select_p_select_nodeinfo_free",
    "select_p_select_nodeinfo_set_all",
    "select_p_select_nodeinfo_set",
    "select_p_select_nodeinfo_get",
    "select_p_select_jobinfo_alloc",
    "select_p_select_jobinfo_free",
    "select_p_select_jobinfo_set",
    "select_p_select_jobinfo_get",
    "select_p_select_jobinfo_copy",
    "select_p_select_jobinfo_pack",
    "select_p_select_jobinfo_unpack",
    "select_p_get_info_from_plugin",
    "select_p_reconfigure",
#elif PB_RELEASE == 0x1a05 /* 26.05: 14 entries */
    "plugin_id",
    "select_p_node_init",
    "select_p_job_test",
    "select_p_job_begin",
    "select_p_job_ready",
    "select_p_job_expand",
    "select_p_job_resized",
    "select_p_job_mem_reduce",
    "select_p_job_fini",
    "select_p_job_suspend",
    "select_p_job_resume",
    "select_p_select_nodeinfo_set_all",
    "select_p_select_nodeinfo_set",
    "select_p_reconfigure",
#else
#error "no select API symbol list for this Slurm release"
#endif
};

const size_t pb_api_symbol_count =
    sizeof(pb_api_symbols) / sizeof(pb_api_symbols[0]);
