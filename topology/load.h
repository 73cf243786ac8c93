/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.h - one call for slurmctld (and the simulator): power_budget.conf,
 * its class exports and optionally topology.conf, to a finalized site, a
 * network tree and the plugin settings.  Nothing is returned unless every
 * file is free of errors, so a caller at reconfigure keeps its old model.
 */
#ifndef PB_TOPOLOGY_LOAD_H
#define PB_TOPOLOGY_LOAD_H

#include <stdbool.h>

#include "policy/net.h"
#include "policy/site.h"
#include "topology/conf.h"
#include "topology/diag.h"

typedef struct {
	char name[64];		    /* a Slurm partition */
	pb_watts_t gpu_watt_hint_w; /* per-GPU hint of jobs giving none */
} pb_partition_hint_t;

typedef struct {
	pb_conf_hints_t
	    user_watt_hints;	      /* whose word a job's hint is taken on */
	pb_watts_t user_watt_floor_w; /* lowest hint; 0 = model's MinCapW */
	bool debug_trace;	      /* log each decision */
	char *status_file;	      /* NULL = none */
	pb_partition_hint_t *partitions; /* Partition= lines, file order */
	size_t n_partitions;
} pb_settings_t;

typedef struct {
	pb_site_t *site; /* finalized */
	pb_net_t *net;	 /* finalized, NULL without topology.conf */
	pb_settings_t settings;
} pb_loaded_t;

/*
 * Parses and builds.  topology_conf may be NULL (the plugin may build the
 * tree from slurmctld's switch table instead).  Returns 0 with *out filled,
 * or -1 with every problem in d and *out zeroed.  Notices may be reported
 * either way.
 */
extern int pb_load(const char *power_conf, const char *topology_conf,
		   pb_loaded_t *out, pb_diag_t *d);

/* Frees what pb_load filled; NULL-safe, leaves *l zeroed. */
extern void pb_loaded_free(pb_loaded_t *l);

#endif
