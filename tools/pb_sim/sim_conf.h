/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_conf: a simulated site from the site's own files -- power_budget.conf
 * and, where the site has one, Slurm's topology.conf -- read and built by
 * topology/, the parser and builders select/cons_tres_power runs in
 * slurmctld.  The built site is then checked against what pb-sim's engine
 * models (one node class; racks, rows and halls of equal size and equal
 * caps per level, in node order; a fat tree of equal leaves and spine
 * groups) and turned into a struct sim_site.  What the file sets that
 * pb-sim cannot model is reported, once, on the message stream.
 */
#ifndef PB_SIM_CONF_H
#define PB_SIM_CONF_H

#include <stdio.h>

#include "sim_site.h"

/* The file's settings that choose among, or feed, pb-sim's policies. */
struct sim_conf {
	double floor_w;	      /* GpuLimitFloor= in watts of the class's GPU */
	int gpu_limits;	      /* GpuLimits=: 0 no, 1 highest, 2 efficient */
	int learned;	      /* LearnedDraw= */
	double learned_after; /* LearnedDrawAfter= (its default if not given) */
	int hints;	      /* UserWattHints=: 0 no, 1 yes, 2 enforced */
	double hint_floor_w;  /* UserWattFloor=, 0 = none */
	const char *policy;   /* the pb-sim policy these settings amount to */
};

/*
 * 1 if the file at path reads as a power_budget.conf (a line starts with
 * Facility=, NodeClass=, Domain= or Partition=, none of which the
 * Key=Value site format has), 0 otherwise or if it cannot be read.
 */
int sim_conf_sniff(const char *path);

/*
 * Load the site of power_budget.conf `conf` and, if topo is not NULL, the
 * network tree of topology.conf `topo`.  Without topo the reference fat
 * tree is assumed (said on msgs).  Returns 0 with *s and *c filled, or -1
 * with every problem written to msgs as "pb-sim: file:line: message".
 */
int sim_conf_load(struct sim_site *s, struct sim_conf *c, const char *conf,
		  const char *topo, FILE *msgs);

/*
 * Report, once, that jobs' declared draw (power_milli: the mapping gives
 * each job a per-GPU hint) is not what the file's UserWattHints= and
 * UserWattFloor= would let the plugin charge.
 */
void sim_conf_report_hints(const struct sim_conf *c, const char *conf,
			   int power_milli, FILE *msgs);

#endif
