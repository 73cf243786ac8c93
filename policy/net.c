/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network tree (see net.h).  finalize lays all nodes out in one array
 * so that every switch's subtree is a contiguous range of it: placement
 * then walks a switch's nodes without any pointer chasing.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/net.h"
#include "policy/strmap.h"

struct sw {
	char *name;
	int32_t parent;
	uint32_t level;
	uint32_t nchildren;
	uint32_t nnodes;		    /* attached directly */
	uint32_t first_child, next_sibling; /* after finalize */
	uint32_t lo, hi;		    /* range in order[] */
};

#define NIL UINT32_MAX

struct pb_net {
	uint32_t nnodes;
	int32_t *node_sw; /* [nnodes] */
	struct sw *sws;
	uint32_t nsw, sw_cap;
	pb_strmap_t *map;
	uint32_t *order; /* [nnodes] */
	uint32_t max_level;
	bool final;
};

pb_net_t *pb_net_create(uint32_t nnodes)
{
	pb_net_t *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->nnodes = nnodes;
	n->node_sw =
	    malloc((size_t)(nnodes ? nnodes : 1) * sizeof(*n->node_sw));
	n->order = malloc((size_t)(nnodes ? nnodes : 1) * sizeof(*n->order));
	n->map = pb_strmap_create();
	if (!n->node_sw || !n->order || !n->map) {
		pb_net_destroy(n);
		return NULL;
	}
	for (uint32_t i = 0; i < nnodes; i++)
		n->node_sw[i] = -1;
	return n;
}

void pb_net_destroy(pb_net_t *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nsw; i++)
		free(n->sws[i].name);
	free(n->sws);
	free(n->node_sw);
	free(n->order);
	pb_strmap_destroy(n->map);
	free(n);
}

int32_t pb_net_add_switch(pb_net_t *n, const char *name, int32_t parent,
			  pb_error_t *err)
{
	struct sw *s;
	char *copy;

	if (n->final)
		return pb_error_set(err, "network tree is finalized");
	if (!name || !*name)
		return pb_error_set(err, "switch: empty name");
	if (pb_strmap_get(n->map, name) >= 0)
		return pb_error_set(err, "switch %s: duplicate name", name);
	if (parent < -1 || parent >= (int32_t)n->nsw)
		return pb_error_set(err, "switch %s: no parent switch #%d",
				    name, parent);
	if (n->nsw == n->sw_cap) {
		uint32_t cap = n->sw_cap ? n->sw_cap * 2 : 16;
		struct sw *ns = realloc(n->sws, cap * sizeof(*ns));

		if (!ns)
			return pb_error_set(err, "switch %s: out of memory",
					    name);
		n->sws = ns;
		n->sw_cap = cap;
	}
	copy = strdup(name);
	if (!copy || pb_strmap_insert(n->map, copy, (int32_t)n->nsw)) {
		free(copy);
		return pb_error_set(err, "switch %s: out of memory", name);
	}
	s = &n->sws[n->nsw];
	memset(s, 0, sizeof(*s));
	s->name = copy;
	s->parent = parent;
	if (parent >= 0)
		n->sws[parent].nchildren++;
	return (int32_t)n->nsw++;
}

int pb_net_attach_node(pb_net_t *n, uint32_t sw, uint32_t node, pb_error_t *err)
{
	if (n->final)
		return pb_error_set(err, "network tree is finalized");
	if (sw >= n->nsw || node >= n->nnodes)
		return pb_error_set(err, "attach: no switch #%u or node #%u",
				    sw, node);
	if (n->node_sw[node] >= 0)
		return pb_error_set(err,
				    "node #%u: already attached to switch %s",
				    node, n->sws[n->node_sw[node]].name);
	n->node_sw[node] = (int32_t)sw;
	n->sws[sw].nnodes++;
	return 0;
}

/* Children lists in index order, for a deterministic layout. */
static void _link_children(pb_net_t *n)
{
	for (uint32_t i = 0; i < n->nsw; i++)
		n->sws[i].first_child = NIL;
	for (uint32_t i = n->nsw; i-- > 0;) {
		struct sw *s = &n->sws[i];

		if (s->parent < 0)
			continue;
		s->next_sibling = n->sws[s->parent].first_child;
		n->sws[s->parent].first_child = i;
	}
}

/*
 * Lay out the subtree of sw into order[] from *pos, depth first.  start[]
 * holds, per switch, where its attached nodes sit in bucket[].  Switch
 * trees are a handful of levels deep, so recursion is bounded in practice.
 */
static void _layout(pb_net_t *n, uint32_t sw, const uint32_t *bucket,
		    const uint32_t *start, uint32_t *pos)
{
	struct sw *s = &n->sws[sw];

	s->lo = *pos;
	memcpy(&n->order[*pos], &bucket[start[sw]],
	       s->nnodes * sizeof(*bucket));
	*pos += s->nnodes;
	for (uint32_t c = s->first_child; c != NIL; c = n->sws[c].next_sibling)
		_layout(n, c, bucket, start, pos);
	s->hi = *pos;
}

static int _check_leaves(const pb_net_t *n, pb_error_t *err)
{
	for (uint32_t i = 0; i < n->nsw; i++) {
		if (n->sws[i].nnodes && n->sws[i].nchildren)
			return pb_error_set(
			    err, "switch %s: has both nodes and child switches",
			    n->sws[i].name);
	}
	return 0;
}

int pb_net_finalize(pb_net_t *n, pb_error_t *err)
{
	uint32_t *start = NULL, *bucket = NULL, *fill = NULL, pos = 0;

	if (n->final)
		return pb_error_set(err, "network tree is finalized");
	if (_check_leaves(n, err))
		return -1;
	start = calloc(n->nsw + 1, sizeof(*start));
	bucket = malloc((size_t)(n->nnodes ? n->nnodes : 1) * sizeof(*bucket));
	fill = malloc((size_t)(n->nsw ? n->nsw : 1) * sizeof(*fill));
	if (!start || !bucket || !fill) {
		free(start);
		free(bucket);
		free(fill);
		return pb_error_set(err, "network tree: out of memory");
	}
	/* children have higher indices: a reverse pass sees them first */
	for (uint32_t i = n->nsw; i-- > 0;) {
		struct sw *s = &n->sws[i];

		if (s->parent >= 0 && n->sws[s->parent].level < s->level + 1)
			n->sws[s->parent].level = s->level + 1;
		if (s->level > n->max_level)
			n->max_level = s->level;
	}
	/* bucket nodes per switch, node index order inside each */
	for (uint32_t i = 0; i < n->nsw; i++)
		start[i + 1] = start[i] + n->sws[i].nnodes;
	for (uint32_t i = 0; i < n->nsw; i++)
		fill[i] = start[i];
	for (uint32_t v = 0; v < n->nnodes; v++)
		if (n->node_sw[v] >= 0)
			bucket[fill[n->node_sw[v]]++] = v;
	_link_children(n);
	for (uint32_t i = 0; i < n->nsw; i++)
		if (n->sws[i].parent < 0)
			_layout(n, i, bucket, start, &pos);
	for (uint32_t v = 0; v < n->nnodes; v++)
		if (n->node_sw[v] < 0)
			n->order[pos++] = v;
	free(start);
	free(bucket);
	free(fill);
	n->final = true;
	return 0;
}

uint32_t pb_net_switch_count(const pb_net_t *n)
{
	return n->nsw;
}

uint32_t pb_net_node_count(const pb_net_t *n)
{
	return n->nnodes;
}

int32_t pb_net_switch_by_name(const pb_net_t *n, const char *name)
{
	return name ? pb_strmap_get(n->map, name) : -1;
}

const char *pb_net_switch_name(const pb_net_t *n, uint32_t sw)
{
	return sw < n->nsw ? n->sws[sw].name : NULL;
}

int32_t pb_net_switch_parent(const pb_net_t *n, uint32_t sw)
{
	return sw < n->nsw ? n->sws[sw].parent : -1;
}

uint32_t pb_net_switch_level(const pb_net_t *n, uint32_t sw)
{
	return sw < n->nsw ? n->sws[sw].level : 0;
}

uint32_t pb_net_max_level(const pb_net_t *n)
{
	return n->max_level;
}

int32_t pb_net_node_switch(const pb_net_t *n, uint32_t node)
{
	return node < n->nnodes ? n->node_sw[node] : -1;
}

uint32_t pb_net_switch_nodes(const pb_net_t *n, uint32_t sw,
			     const uint32_t **nodes)
{
	if (sw >= n->nsw || !n->final) {
		*nodes = n->order;
		return 0;
	}
	*nodes = &n->order[n->sws[sw].lo];
	return n->sws[sw].hi - n->sws[sw].lo;
}

uint32_t pb_net_order(const pb_net_t *n, const uint32_t **nodes)
{
	*nodes = n->order;
	return n->final ? n->nnodes : 0;
}
