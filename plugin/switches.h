/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurmctld's network tree (TopologyPlugin=topology/tree), read the way
 * the release offers it: 22.05 has the switch table as a libslurm global;
 * since 23.02 it lives inside the topology/tree plugin and is read through
 * topology_g_get(TOPO_DATA_TOPOLOGY_PTR), a copy of every switch's name,
 * level and its children as hostlists (26.05: of the cluster's default
 * topology, one of several a site may define).
 */
#ifndef PB_PLUGIN_SWITCHES_H
#define PB_PLUGIN_SWITCHES_H

#include "plugin/compat.h"

typedef struct {
	char *name;
	int level;	 /* 0: a leaf switch, with nodes */
	int parent;	 /* index in the array; -1 at a root */
	bitstr_t *nodes; /* leaf switches: their nodes; else NULL */
} pb_switch_t;

/*
 * The switches, *count of them (xmalloc'd; free with switches_free()),
 * or NULL and *count 0 without a tree topology. On an inconsistent table
 * (a child switch that is not defined) returns NULL, *count -1 and the
 * reason in *errmsg (xmalloc'd).
 */
extern pb_switch_t *switches_get(int *count, char **errmsg);

extern void switches_free(pb_switch_t *sw, int count);

#endif
