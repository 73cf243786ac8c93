/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conversions between Slurm's node bitmaps (bitstr_t over node_record
 * indices) and the policy's bitsets over the model's site nodes, on the
 * job_test hot path: a word (64 nodes) at a time where the bitmap's
 * layout is bitstring.c's and both tables list the same nodes in one
 * order, node by node otherwise. No allocation. A leaf: it calls no
 * other file of the plugin but the model's node map.
 */
#ifndef PB_PLUGIN_SITEBITS_H
#define PB_PLUGIN_SITEBITS_H

#include <stdint.h>

#include "src/common/bitstring.h"

#include "policy/bitset.h"
#include "plugin/model.h"

/* @out = the site nodes of the Slurm nodes in @bitmap; their count. */
extern uint32_t sitebits_to_site(const model_t *model, bitstr_t *bitmap,
				 pb_bitset_t *out);

/* Keep in @bitmap only the Slurm nodes whose site node is in @keep. */
extern void sitebits_narrow(const model_t *model, bitstr_t *bitmap,
			    const pb_bitset_t *keep);

/*
 * The first Slurm node index at or after @from set in @bitmap, or -1: a
 * pass over the set nodes costs a word per 64 nodes, not a call per node.
 */
extern int64_t sitebits_next(bitstr_t *bitmap, int64_t from);

#endif /* PB_PLUGIN_SITEBITS_H */
