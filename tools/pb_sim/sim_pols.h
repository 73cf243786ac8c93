/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_pols: the policies pb-sim compares, behind struct sim_pol.
 *   oblivious     every node powered, first fit, no power check (sim_base.c)
 *   static        only the nodes that fit every cap at full draw are ever
 *                 powered, first fit among them (sim_base.c)
 *   power         policy/: ledger admission + compact placement
 *                 (sim_policy.c)
 *   power-notopo  the same without the network tree (sim_policy.c)
 * Constructors return 0, or -1 with a message in err; sim_pol_destroy
 * releases what they built.
 */
#ifndef PB_SIM_POLS_H
#define PB_SIM_POLS_H

#include <stddef.h>

#include "sim_engine.h"
#include "sim_site.h"

int sim_base_oblivious(const struct sim_site *s, struct sim_pol *p, char *err,
		       size_t errlen);
int sim_base_static(const struct sim_site *s, struct sim_pol *p, char *err,
		    size_t errlen);

/*
 * The power-budget policy on site s.  topo: place with the network tree;
 * power_save: nodes without a job are powered off (Slurm power saving,
 * resumed instantly when allocated) instead of idling.
 */
int sim_policy_power(const struct sim_site *s, int topo, int power_save,
		     struct sim_pol *p, char *err, size_t errlen);

/* Copy the GPU model's watts from policy's shipped power table into s. */
int sim_policy_gpu_table(struct sim_site *s, const char *model, char *err,
			 size_t errlen);

void sim_pol_destroy(struct sim_pol *p);

#endif
