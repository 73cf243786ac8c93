/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_pols: the policies pb-sim compares, behind struct sim_pol (and the
 * limits and learned-draw variants of power, sim_policy_power_ex).
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

#include "policy/error.h"
#include "sim_engine.h"
#include "sim_site.h"

int sim_base_oblivious(const struct sim_site *s, struct sim_pol *p,
		       pb_error_t *err);
int sim_base_static(const struct sim_site *s, struct sim_pol *p,
		    pb_error_t *err);

/*
 * The power-budget policy on site s.  topo: place with the network tree;
 * power_save: nodes without a job are powered off (Slurm power saving,
 * resumed instantly when allocated) instead of idling.
 */
int sim_policy_power(const struct sim_site *s, int topo, int power_save,
		     struct sim_pol *p, pb_error_t *err);

enum { SIM_LIMITS_NONE, SIM_LIMITS_FIT, SIM_LIMITS_EFFICIENT };

struct sim_power_opts {
	const char *name; /* NULL: "power" or "power-notopo" */
	int topo, power_save;
	int enforced;	/* nodes set the per-GPU hint as a GPU power limit */
	int limits;	/* SIM_LIMITS_*: scheduler-chosen limits */
	int learned;	/* charge and limit a class's learned draw */
	double floor_w; /* lowest limit set; 0: 70% of the board limit */
	double learned_after; /* s: LearnedDrawAfter=; 0: at a run's end */
};

/*
 * The power-budget policy with the options o (sim_policy.c's comment).
 * t gives the job classes' keys (needed when o->learned).
 */
int sim_policy_power_ex(const struct sim_site *s,
			const struct sim_power_opts *o,
			const struct sim_trace *t, struct sim_pol *p,
			pb_error_t *err);

/* What a GPU power limit does to a job: policy's fitted speed curve. */
void sim_policy_physics(struct sim_physics *ph);

/* pb_limit_efficient_w for site s's node class, limits >= floor_w. */
double sim_policy_efficient_w(const struct sim_site *s, double floor_w);

/* Copy the GPU model's watts from policy's shipped power table into s. */
int sim_policy_gpu_table(struct sim_site *s, const char *model,
			 pb_error_t *err);

void sim_pol_destroy(struct sim_pol *p);

#endif
