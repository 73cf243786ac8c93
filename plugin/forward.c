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
#include "src/common/select.h"

#include "plugin/api_symbols.h"
#include "plugin/forward.h"

static slurm_select_ops_t fwd_table;
static plugin_context_t *fwd_context;
static pthread_mutex_t fwd_lock = PTHREAD_MUTEX_INITIALIZER;

_Static_assert(sizeof(slurm_select_ops_t) == 37 * sizeof(void *),
	       "slurm_select_ops_t changed: update plugin/api_symbols.c");

extern int fwd_init(void)
{
	int rc = SLURM_SUCCESS;

	slurm_mutex_lock(&fwd_lock);
	if (fwd_context)
		goto out;
	if (pb_api_symbol_count * sizeof(void *) != sizeof(fwd_table)) {
		error("select/cons_tres_power: API table has %zu names for %zu entries",
		      pb_api_symbol_count, sizeof(fwd_table) / sizeof(void *));
		rc = SLURM_ERROR;
		goto out;
	}
	fwd_context = plugin_context_create("select", PB_WRAPPED_SELECT,
					    (void **) &fwd_table,
					    pb_api_symbols,
					    sizeof(pb_api_symbols[0]) *
						    pb_api_symbol_count);
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

extern slurm_select_ops_t *fwd_ops(void)
{
	return &fwd_table;
}
