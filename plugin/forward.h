/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wrapped select/cons_tres: loads it as a plugin context of our own and
 * exposes its entry points, so every select_p_* call we do not decide on is
 * answered by Slurm's own code with Slurm's exact semantics.
 */
#ifndef PB_PLUGIN_FORWARD_H
#define PB_PLUGIN_FORWARD_H

#include "src/common/select.h"

/* Name of the plugin we wrap. */
#define PB_WRAPPED_SELECT "select/cons_tres"

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
extern slurm_select_ops_t *fwd_ops(void);

#endif
