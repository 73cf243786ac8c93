/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network tree used for compact placement: switches (each with an
 * optional parent switch) and site nodes attached to leaf switches, as
 * Slurm's topology/tree describes them (topology.conf or slurmctld's
 * switch table; topology/ fills this).  Several root switches are
 * allowed (Slurm allows disconnected trees); nodes attached to no switch
 * are allowed (they are only used when a job spans the whole candidate
 * set).
 */
#ifndef PB_POLICY_NET_H
#define PB_POLICY_NET_H

#include <stdint.h>

#include "policy/error.h"

typedef struct pb_net pb_net_t;

/* An empty tree for a site of nnodes nodes; NULL if out of memory. */
pb_net_t *pb_net_create(uint32_t nnodes);

/* NULL-safe. */
void pb_net_destroy(pb_net_t *net);

/*
 * Add a switch under parent (an existing switch index) or as a root
 * (parent == -1).  Returns its index, or -1 (duplicate name, bad parent,
 * finalized, out of memory) with err set; no side effects on failure.
 */
int32_t pb_net_add_switch(pb_net_t *net, const char *name, int32_t parent,
			  pb_error_t *err);

/*
 * Attach a node to a switch.  Returns 0, or -1 (bad index, node already
 * attached, finalized) with err set; no side effects on failure.  A
 * switch that has nodes must end up with no child switches (checked by
 * finalize).
 */
int pb_net_attach_node(pb_net_t *net, uint32_t sw, uint32_t node,
		       pb_error_t *err);

/*
 * Validate (nodes only on leaf switches) and compute levels (leaf
 * switches are level 0; a switch's level is 1 + the highest level of its
 * children) and the node order used by placement.  Returns 0, or -1 with
 * err set.
 */
int pb_net_finalize(pb_net_t *net, pb_error_t *err);

uint32_t pb_net_switch_count(const pb_net_t *net);
uint32_t
pb_net_node_count(const pb_net_t *net); /* the nnodes given to create */
int32_t pb_net_switch_by_name(const pb_net_t *net, const char *name);
const char *pb_net_switch_name(const pb_net_t *net, uint32_t sw);
int32_t pb_net_switch_parent(const pb_net_t *net, uint32_t sw);

/* After finalize: */
uint32_t pb_net_switch_level(const pb_net_t *net, uint32_t sw);
uint32_t pb_net_max_level(const pb_net_t *net);
/* The leaf switch a node is attached to, or -1. */
int32_t pb_net_node_switch(const pb_net_t *net, uint32_t node);

/*
 * The nodes under switch sw (its whole subtree), in a fixed order (depth
 * first over switches in index order, nodes in index order under each
 * leaf): *nodes points into net; returns the count.
 */
uint32_t pb_net_switch_nodes(const pb_net_t *net, uint32_t sw,
			     const uint32_t **nodes);

/*
 * Every node in that same order: each switch's subtree is a contiguous
 * range of it, and nodes attached to no switch come last.  *nodes points
 * into net; returns the node count (0 before finalize).
 */
uint32_t pb_net_order(const pb_net_t *net, const uint32_t **nodes);

#endif /* PB_POLICY_NET_H */
