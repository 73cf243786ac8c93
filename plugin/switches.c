/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network tree per release (see switches.h). Runs at startup and
 * reconfigure only.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"
#include "src/common/hostlist.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/switches.h"

extern void switches_free(pb_switch_t *sw, int count)
{
	if (!sw)
		return;
	for (int i = 0; i < count; i++) {
		xfree(sw[i].name);
		FREE_NULL_BITMAP(sw[i].nodes);
	}
	xfree(sw);
}

#if PB_SLURM_IS(22, 5)

/*
 * The libslurm switch table. Parents are derived from the children lists:
 * a root's parent field is left 0 by the tree plugin, indistinguishable
 * from switch 0.
 */
extern pb_switch_t *switches_get(int *count, char **errmsg)
{
	pb_switch_t *sw;

	(void)errmsg; /* 22.05's table cannot fail to be read */
	*count = 0;
	if (!switch_record_table || switch_record_cnt <= 0)
		return NULL;
	sw = xcalloc(switch_record_cnt, sizeof(*sw));
	for (int s = 0; s < switch_record_cnt; s++)
		sw[s].parent = -1;
	for (int s = 0; s < switch_record_cnt; s++) {
		switch_record_t *r = &switch_record_table[s];

		sw[s].name = xstrdup(r->name);
		sw[s].level = r->level;
		if (r->level == 0 && r->node_bitmap)
			sw[s].nodes = bit_copy(r->node_bitmap);
		for (int c = 0; c < r->num_switches; c++)
			sw[r->switch_index[c]].parent = s;
	}
	*count = switch_record_cnt;
	return sw;
}

#else

/* topology/tree's answer to TOPO_DATA_TOPOLOGY_PTR (topology_tree.c). */
typedef struct {
	uint32_t record_count;
	topo_info_t *topo_array;
} pb_topoinfo_tree_t;

static int _find(const pb_switch_t *sw, int count, const char *name)
{
	for (int i = 0; i < count; i++) {
		if (!xstrcmp(sw[i].name, name))
			return i;
	}
	return -1;
}

extern pb_switch_t *switches_get(int *count, char **errmsg)
{
	dynamic_plugin_data_t *data = NULL;
	pb_topoinfo_tree_t *tree;
	pb_switch_t *sw = NULL;
	int n = 0;

	*count = 0;
#if PB_SLURM_AT_LEAST(25, 5)
	if (topology_g_get(TOPO_DATA_TOPOLOGY_PTR, NULL, &data) || !data)
		return NULL;
#else
	if (topology_g_get(TOPO_DATA_TOPOLOGY_PTR, &data) || !data)
		return NULL;
#endif
	if (data->plugin_id != TOPOLOGY_PLUGIN_TREE || !data->data)
		goto out; /* no tree: placement by power only */
	tree = data->data;
	n = tree->record_count;
	if (n <= 0)
		goto out;
	sw = xcalloc(n, sizeof(*sw));
	for (int s = 0; s < n; s++) {
		sw[s].name = xstrdup(tree->topo_array[s].name);
		sw[s].level = tree->topo_array[s].level;
		sw[s].parent = -1;
	}
	for (int s = 0; s < n; s++) {
		topo_info_t *t = &tree->topo_array[s];
		hostlist_t *hl;
		char *child;

		if (t->level == 0) {
			if (t->nodes && t->nodes[0] &&
			    pb_node_name2bitmap(t->nodes, true, &sw[s].nodes)) {
				*errmsg = xstrdup_printf(
				    "switch %s: unknown nodes in %s", t->name,
				    t->nodes);
				goto fail;
			}
			continue;
		}
		if (!t->switches || !t->switches[0])
			continue;
		hl = hostlist_create(t->switches);
		while ((child = hostlist_shift(hl))) {
			int c = _find(sw, n, child);

			if (c < 0) {
				*errmsg = xstrdup_printf(
				    "switch %s: child switch %s is not defined",
				    t->name, child);
				free(child);
				hostlist_destroy(hl);
				goto fail;
			}
			sw[c].parent = s;
			free(child);
		}
		hostlist_destroy(hl);
	}
	*count = n;
	goto out;
fail:
	switches_free(sw, n);
	sw = NULL;
	*count = -1;
out:
#if PB_SLURM_AT_LEAST(25, 5)
	topology_g_topoinfo_free(data);
#else
	topology_g_topology_free(data);
#endif
	return sw;
}

#endif
