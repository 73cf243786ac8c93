/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power-aware compact placement: which candidate nodes can take one more
 * node's share of a job (filter), and which nnodes of them form the most
 * compact set the power domains can feed (choose).  The placer owns only
 * scratch memory, sized at create time for its site and net, so a
 * decision allocates nothing.
 *
 * Choice rule (pb_place_choose):
 *  1. per-domain available watts over the job's lifetime:
 *       avail(d) = limit(d) - max(load(d, now), load(d, R.start) for every
 *                  reservation with now < R.start < end)        (ledger.h)
 *     A node is usable if its increment (plus wake-up if OFF) fits avail
 *     on every domain of its path.
 *  2. For each switch, level by level from the leaves up (then, last, the
 *     whole candidate set as if under one virtual root switch), greedily
 *     take usable nodes under it in net order while the watts taken so
 *     far under each shared domain still fit its avail: two nodes in one
 *     rack both consume that rack's headroom.  The lowest level with a
 *     switch that yields nnodes nodes wins.
 *  3. Among the switches of that level that can, best fit: the smallest
 *     leftover, the sum over the leaf domains used of avail minus what
 *     the job takes there, so the job fills already-tight racks and large
 *     contiguous headroom stays free for large jobs.  Ties: lowest switch
 *     index.
 * The set returned always passes pb_ledger_admit for (now, end).
 * Cost: O((levels + 1) * candidates * domain depth + domains * reservations)
 * at worst.  A decision reuses what has not changed since the last one:
 * the preparation of rule 1 while the ledger's generation and the
 * request's increments are the same (a filter and the choice after it),
 * else, without reservations, only the domains the ledger changed and
 * the path minima below them (pb_ledger_changed_since), with them, only
 * the domains whose window differs from the last one; and, in a net
 * whose order is the node index order, the attempt of rule 2 under a
 * switch where nothing changed (place_memo.h): a level's walk attempts
 * again only the switches the memo calls stale and keeps every other
 * one's result from its last walk for the same request (of the last
 * few requests), in a tournament that names the least leftover
 * without a pass over the level (place_best.h).  Without a why_not, a
 * root whose avail is below nnodes times the least increment ends the
 * choice at once: no attempt could take nnodes nodes.  Only the domains
 * whose path minimum is below the most one node can need are looked at
 * node by node.
 */
#ifndef PB_POLICY_PLACE_H
#define PB_POLICY_PLACE_H

#include <stdint.h>

#include "policy/bitset.h"
#include "policy/error.h"
#include "policy/ledger.h"
#include "policy/net.h"
#include "policy/power.h"
#include "policy/site.h"

typedef struct pb_placer pb_placer_t;

/* What one node of the job takes, and the job's lifetime. */
typedef struct pb_place_req {
	uint32_t nnodes;
	uint16_t gpus;		   /* per node */
	uint16_t cores;		   /* per node */
	pb_watts_t gpu_watts_hint; /* 0 = none (see pb_alloc_t) */
	int64_t now;
	int64_t end;		    /* expected end, or PB_TIME_NEVER */
	pb_hint_scope_t hint_scope; /* where gpu_watts_hint holds */
} pb_place_req_t;

/*
 * Scratch for decisions on site (finalized) and net (finalized, for the
 * same node count; may be NULL: no topology).  Both are borrowed.
 * Returns NULL (err set) on mismatch or out of memory.
 */
pb_placer_t *pb_place_create(const pb_site_t *site, const pb_net_t *net,
			     pb_error_t *err);

/* NULL-safe. */
void pb_place_destroy(pb_placer_t *p);

/*
 * Remove from candidates the nodes that could not take one node's share
 * of the job on their own (rule 1 above).  Returns the number of nodes
 * left.  candidates must have the site's node count as size.  Changes
 * only candidates.
 */
uint32_t pb_place_filter(pb_placer_t *p, const pb_ledger_t *l,
			 pb_bitset_t *candidates, const pb_place_req_t *req);

/*
 * The most one node of candidates would take for req, its increment plus
 * its wake-up if it is OFF (what pb_place_filter holds against the
 * headroom); 0 for no candidates or a size mismatch.  candidates is not
 * changed.  O(candidates + classes).
 */
pb_watts_t pb_place_need_max(pb_placer_t *p, const pb_ledger_t *l,
			     const pb_bitset_t *candidates,
			     const pb_place_req_t *req);

/*
 * Choose exactly req->nnodes of candidates (rules above) into out
 * (cleared first; same size as candidates).  Returns 0 when found (why_not
 * ->ok true, job_w the set's increment); 1 when no set exists: why_not
 * names the lowest-index domain that refused a node in the widest
 * attempt and the watts it was short (domain -1 and short_w 0 when there
 * are simply fewer than nnodes candidates); -1 for bad arguments
 * (nnodes == 0, size mismatch).  out is cleared on failure.  why_not may
 * be NULL.
 */
int pb_place_choose(pb_placer_t *p, const pb_ledger_t *l,
		    const pb_bitset_t *candidates, const pb_place_req_t *req,
		    pb_bitset_t *out, pb_verdict_t *why_not);

#endif /* PB_POLICY_PLACE_H */
