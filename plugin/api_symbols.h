/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The select plugin API of the Slurm release we build for, as symbol names.
 *
 * slurmctld resolves a select plugin by looking these names up, in this
 * order, into a slurm_select_ops_t (src/common/select.h). We use the same
 * list twice: to resolve select/cons_tres's entry points for forwarding, and
 * in the unit test that checks our .so exports every one of them. Kept free
 * of Slurm headers so that test can include it.
 */
#ifndef PB_PLUGIN_API_SYMBOLS_H
#define PB_PLUGIN_API_SYMBOLS_H

#include <stddef.h>

extern const char *pb_api_symbols[];
extern const size_t pb_api_symbol_count;

#endif
