/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - the consistency check an administrator runs before restarting
 * slurmctld (the pb-check tool): slurm.conf's nodes, power_budget.conf, the
 * node classes' hwloc exports and topology.conf must agree.
 *
 * Reported (as file:line of the line to fix, nodes grouped as hostlists):
 *  - every error of each file on its own, and of building the site/network;
 *  - a slurm.conf node in no power domain; a power-domain node not in
 *    slurm.conf;
 *  - Gres=gpu:N different from the GPUs of the node's class (from its
 *    export), Sockets= different from its packages, Sockets x
 *    CoresPerSocket different from its cores;
 *  - a switch listing nodes that slurm.conf does not define; a slurm.conf
 *    node in no leaf switch.
 */
#ifndef PB_TOPOLOGY_CHECK_H
#define PB_TOPOLOGY_CHECK_H

#include "topology/diag.h"

typedef struct {
	const char *slurm_conf;	   /* required */
	const char *power_conf;	   /* required */
	const char *topology_conf; /* NULL: no network tree to check */
} pb_check_args_t;

/* Runs every check; returns the number of errors reported into d. */
extern size_t pb_check_run(const pb_check_args_t *a, pb_diag_t *d);

#endif
