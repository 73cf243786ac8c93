/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memo of the placer's per-switch attempts (place.c, rule 2), kept from
 * one decision to the next: on a large site most switches see nothing
 * change between two decisions, and a request of the same shape would
 * repeat their attempts exactly.
 *
 * An attempt under switch s depends only on the request (nnodes and each
 * class's increment, which fix the tightness bound), on the candidates
 * and node power states under s, and on the avail of the domains over
 * those nodes.  Of a domain that also spans nodes outside s (an outer
 * domain of s) it depends only while that domain is tight: a loose one
 * (avail >= bound) refuses no node and is no node's reason to be
 * unusable.  So a memo entry is reused when the request is the same,
 * nothing under s has changed since it was made, and every outer domain
 * of s has the avail it had then or was loose then and is loose now
 * (outer domains change with every start elsewhere under them, so they
 * are compared at each use rather than tracked).  Learned and limited
 * draw make almost every request's increments new, so an entry that
 * refused no node is also reused by a request of the same nnodes whose
 * increments are all at most its own, when the usable candidates under
 * s are the same: the greedy pass then takes the same nodes, and each
 * pick leaves its leaf domains the difference.  The caller names the
 * domains
 * whose avail changed; candidates and node states are compared with the
 * last decision's.
 *
 * Only for nets whose order is the node index order (every switch's
 * nodes an index range), and only at levels where every leaf domain lies
 * under one switch (a leaf domain's avail enters the leftover, so it
 * cannot be an outer domain).  All memory is sized at create.
 */
#ifndef PB_POLICY_PLACE_MEMO_H
#define PB_POLICY_PLACE_MEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/net.h"
#include "policy/power.h"
#include "policy/site.h"

/* Requests differ by each class's increment: up to this many classes. */
#define PB_PLACE_MEMO_CLASSES 4

typedef struct pb_place_memo pb_place_memo_t;

/*
 * A memo for site and net (both finalized, net in node index order, at
 * most PB_PLACE_MEMO_CLASSES classes).  NULL when out of memory.
 */
pb_place_memo_t *pb_place_memo_create(const pb_site_t *site,
				      const pb_net_t *net);

/* NULL-safe. */
void pb_place_memo_destroy(pb_place_memo_t *m);

/*
 * Start a decision: forget the entries of the switches over the domains
 * changed[0..nchanged) (those whose avail changed since the last
 * decision) and over the nodes whose candidacy (cand, candidate words)
 * or power state (on) changed; everything, the first time or for
 * another ledger.  avail (per domain) and cand must stay unchanged until
 * the decision's last get or put.
 */
void pb_place_memo_begin(pb_place_memo_t *m, const void *ledger,
			 const pb_watts_t *avail, const uint32_t *changed,
			 uint32_t nchanged, const uint64_t *cand,
			 const bool *on);

/*
 * Before pb_place_memo_begin, for that decision only: the power states
 * (its on) of nodes[0..n) alone may differ from the last decision's
 * (nodes may repeat), so begin compares only theirs.  Without this call
 * begin compares every node's.  nodes need not outlive begin.
 */
void pb_place_memo_powered(pb_place_memo_t *m, const uint32_t *nodes,
			   uint32_t n);

/*
 * The request: nnodes, each class's increment, the tightness bound, and
 * its usable candidates (words, unchanged until the decision's last get
 * or put).
 */
void pb_place_memo_request(pb_place_memo_t *m, uint32_t nnodes,
			   const pb_watts_t *class_incr, pb_watts_t bound,
			   const uint64_t *usable);

/*
 * The attempt of this request under switch sw, if one can be reused:
 * true with *picked, *leftover and *picks (the picked nodes, valid until
 * the next put for sw).
 */
bool pb_place_memo_get(const pb_place_memo_t *m, uint32_t sw, uint32_t *picked,
		       pb_watts_t *leftover, const uint32_t **picks);

/*
 * Remember the attempt just made under sw (picks: picked nodes;
 * refused: some usable node did not fit).
 */
void pb_place_memo_put(pb_place_memo_t *m, uint32_t sw, uint32_t picked,
		       pb_watts_t leftover, bool refused,
		       const uint32_t *picks);

/* A level keeps its last walks for this many requests. */
#define PB_PLACE_MEMO_SLOTS 8

/*
 * Level lv's walk for the current request: the slot (one of
 * PB_PLACE_MEMO_SLOTS) of lv's last walk for it into *slot, and the
 * switches of lv whose attempt may differ from the one they had then
 * (something under them changed, or an outer domain's avail in a way
 * that matters) into *sw, valid until the next call; *all when every
 * switch of lv may (no walk for this request is kept, another ledger).
 * The caller attempts them all again now, for this slot: its next walk
 * starts from this one.  Only for levels where pb_place_memo_level_ok.
 */
uint32_t pb_place_memo_stale(pb_place_memo_t *m, uint32_t lv, uint32_t *slot,
			     const uint32_t **sw, bool *all);

/* Whether the memo holds attempts at level lv. */
bool pb_place_memo_level_ok(const pb_place_memo_t *m, uint32_t lv);

#endif /* PB_POLICY_PLACE_MEMO_H */
