/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loaded power model inside slurmctld: power_budget.conf turned into
 * a site, its ledger, the placer, the network tree taken from slurmctld's
 * own switch table, and the maps between Slurm's node indexes and the
 * site's. Also the scratch buffers the hot path uses, sized once here, so
 * a scheduling decision allocates nothing per node.
 *
 * Ownership: a model_t owns everything it points to; model_free() frees it.
 */
#ifndef PB_PLUGIN_MODEL_H
#define PB_PLUGIN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/bitset.h"
#include "policy/ledger.h"
#include "policy/net.h"
#include "policy/place.h"
#include "policy/site.h"
#include "topology/load.h"

typedef struct model {
	char *path;	    /* power_budget.conf it came from */
	pb_loaded_t loaded; /* owns the site; settings (hints, trace...) */
	const pb_settings_t *settings; /* &loaded.settings */
	/*
	 * UserWattHints in force: as configured, except that "enforced"
	 * without a prolog that can enforce it counts as "no".
	 */
	pb_conf_hints_t user_hints;
	/*
	 * GpuLimits in force: as configured, except that without a prolog
	 * that can enforce a limit it counts as "no".
	 */
	pb_conf_limits_t gpu_limits;
	bool learned_draw;	 /* LearnedDraw in force, same rule */
	pb_watts_t *efficient_w; /* [classes]: most work per watt */
	pb_site_t *site;	 /* loaded.site */
	pb_ledger_t *ledger;	 /* the live ledger */
	pb_ledger_t *empty;	 /* same caps, no jobs: "could it ever fit?" */
	pb_net_t *net;		 /* NULL without topology/tree switches */
	pb_placer_t *placer;

	/* Bound to slurmctld's node table by model_bind(). */
	int slurm_nodes;     /* node_record_count at bind time */
	int32_t *slurm2site; /* [slurm_nodes], -1: not in the budget */
	int32_t *site2slurm; /* [site nodes], -1: not in slurm.conf */
	bool identity;	     /* both tables list the same nodes in one order */

	/* Hot-path scratch, [site nodes] each. */
	pb_bitset_t *cand;
	pb_bitset_t *chosen;
	pb_alloc_node_t *alloc_buf;
} model_t;

/*
 * Reads and validates @path and builds the site and ledgers. Returns the
 * model, or NULL with *errmsg (xmalloc'd, every problem as file:line:
 * message, one per line) for the caller to log and xfree. Notices (such as
 * oversubscribed domains) are logged at info level.
 */
extern model_t *model_load(const char *path, char **errmsg);

/*
 * Binds @m to slurmctld's current node table and switch table. Every Slurm
 * node must be in the budget (a node the model cannot see could never be
 * kept under a cap); budget nodes missing from slurm.conf are reported as
 * a warning and still counted at idle draw, since the hardware is powered.
 * Returns 0, or -1 with *errmsg. Call with the node table stable (under
 * slurmctld's config lock, as node_init is).
 */
extern int model_bind(model_t *m, char **errmsg);

/* NULL-safe. */
extern void model_free(model_t *m);

/*
 * A decision worth tracing: at info level while DebugTrace=yes (@on),
 * otherwise under DebugFlags=SelectType. For files that include Slurm's
 * log.h.
 */
#define MODEL_TRACE(on, fmt, ...)                                              \
	do {                                                                   \
		if (on)                                                        \
			info("select/cons_tres_power: " fmt, ##__VA_ARGS__);   \
		else                                                           \
			log_flag(SELECT_TYPE, "select/cons_tres_power: " fmt,  \
				 ##__VA_ARGS__);                               \
	} while (0)

/*
 * Debug invariant check (PB_LEDGER_VERIFY=1 in tests): once enabled,
 * model_verify recomputes @m's ledger from scratch after every change and
 * stops slurmctld at a mismatch, a bug in the ledger or in how it is fed,
 * rather than schedule against wrong numbers. NULL-safe.
 */
extern void model_verify_enable(bool on);
extern void model_verify(const model_t *m, const char *after);

/* Site index of a Slurm node index, or -1. */
static inline int32_t model_site_node(const model_t *m, int slurm_index)
{
	if (slurm_index < 0 || slurm_index >= m->slurm_nodes)
		return -1;
	return m->slurm2site[slurm_index];
}

#endif
