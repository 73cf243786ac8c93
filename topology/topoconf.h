/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topoconf.h - Slurm's topology.conf (topology/tree), parsed into plain
 * structs with "file:line: message" diagnostics.
 *
 *   SwitchName=s0 Nodes=gpu[0001-0032]
 *   SwitchName=s1 Nodes=gpu[0033-0064]
 *   SwitchName=spine Switches=s[0-1]
 *
 * Errors: unknown switch in Switches=, a switch with two parents, loops,
 * no root, a node in two leaf switches, a switch with both Nodes= and
 * Switches=, duplicate switch names, unknown keys, bad hostlists.  Several
 * root switches are a notice, not an error: Slurm accepts disconnected
 * trees (a job then cannot span them), and so does policy/'s pb_net_t.
 */
#ifndef PB_TOPOLOGY_TOPOCONF_H
#define PB_TOPOLOGY_TOPOCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/diag.h"

typedef struct {
	char name[64];
	int line;
	long parent; /* index of the parent switch, -1 for a root */
	bool has_children;
	size_t n_nodes; /* nodes attached directly (leaf switches) */
	size_t depth;	/* 0 for a root (valid when no loop was found) */
} pb_topo_switch_t;

typedef struct {
	char *name;
	long sw; /* leaf switch index */
} pb_topo_node_t;

typedef struct pb_topo {
	char *file;
	pb_topo_switch_t *switches; /* in file order */
	size_t n_switches;
	pb_topo_node_t *nodes; /* in file order */
	size_t n_nodes;
	size_t n_roots;
	void *priv;
} pb_topo_t;

/* Same contract as pb_conf_parse_buffer(): 0 if valid, -1 on errors, *out
 * set unless out of memory. */
extern int pb_topo_parse_buffer(const char *file, const char *buf, size_t len,
				pb_topo_t **out, pb_diag_t *d);
extern int pb_topo_parse_file(const char *path, pb_topo_t **out, pb_diag_t *d);
extern void pb_topo_destroy(pb_topo_t *t);

/* Index of a node / switch by name, -1 if absent. */
extern long pb_topo_find_node(const pb_topo_t *t, const char *name);
extern long pb_topo_find_switch(const pb_topo_t *t, const char *name);

#endif
