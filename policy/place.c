/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Power-aware compact placement (see place.h for the rule).  Everything a
 * decision touches is sized at create time: per-domain available watts
 * and watts taken, per-node needs, and the picked node lists.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/place.h"
#include "policy/place_best.h"
#include "policy/place_memo.h"

struct attempt {
	uint32_t picked;
	pb_watts_t leftover;
	int32_t why_domain; /* lowest-index domain that refused a node */
	pb_watts_t why_short;
	bool refused; /* _attempt_range: some usable node did not fit */
};

struct pb_placer {
	const pb_site_t *site;
	const pb_net_t *net;
	uint32_t nn, nd;
	pb_watts_t *avail; /* [nd] */
	/*
	 * [nd]: the least avail from the domain to the root, but at most
	 * restrict_w: no node needs more, so above it the value tells no
	 * usable node from another, and a change there (the facility's
	 * avail, at every start and end) goes no further down.
	 */
	pb_watts_t *pathmin;
	pb_watts_t *used;   /* [nd] */
	uint32_t *dom_mark; /* [nd] */
	uint32_t *touched;  /* [nd] */
	uint32_t epoch, ntouched;
	pb_watts_t
	    *class_incr; /* [classes] one node's increment, per request */
	const bool *on;	 /* the ledger's node states, per decision */
	uint32_t *usable_before; /* [nn + 1] prefix counts over order */
	uint32_t *all;		 /* [nn] identity order, when there is no net */
	uint32_t *pick;		 /* [nn] */
	uint32_t *best;		 /* [nn] */
	/* per-node site data, copied once: the loops stay in this file */
	uint32_t *node_cls, *node_dom; /* [nn] */
	pb_watts_t *node_wake;	       /* [nn] idle - standby */
	const uint32_t **node_path;    /* [nn] */
	uint32_t *node_plen;	       /* [nn] */
	int32_t *dom_parent;	       /* [nd] */
	bool *dom_leaf;		       /* [nd] */
	/*
	 * Per choice: nnodes times the most a node can need.  A domain
	 * whose avail is below it could be overflowed by the job (it is
	 * tight, _tight); only those are checked, and they and the leaves
	 * (for rule 3) tracked.
	 */
	pb_watts_t bound;
	pb_watts_t *class_wake; /* [classes] the largest wake-up of a class */
	/*
	 * The net order is the node index order (every switch's nodes are
	 * an index range) and no node's wake-up is negative: then a choice
	 * can keep its usable candidates as a bitset and go over them a
	 * word at a time (uw, [words]).
	 */
	bool ident;
	bool nonneg;	/* no node's wake-up is negative */
	bool spans_all; /* some switch has every node under it */
	uint64_t *uw;
	uint32_t nwords;
	/*
	 * switches by level, index order within one: [nsw], [levels + 1];
	 * for each, where its nodes start in the net order and how many
	 * ([nsw], same order), and the most any switch of a level has
	 * ([levels]): a choice walks a level's switches for every job, so
	 * it reads them here rather than asking the net each time.
	 */
	uint32_t *sw_by_level, *level_first;
	uint32_t *sw_off, *sw_cnt, *level_most;
	/*
	 * With the memo: each switch's place in that order ([nsw]), and,
	 * per memo slot and level, what its switches' attempts gave at the
	 * slot's last walk (tourn, [slots * levels]: keyed by leftover
	 * where nnodes were picked, by place in the level) and their picks
	 * (key_picks, [slots * levels * nn], at each switch's offset): a
	 * walk attempts again only the switches the memo calls stale.
	 */
	uint32_t *sw_pos;
	pb_best_t **tourn;
	uint32_t ntourn;
	uint32_t *key_picks;
	/*
	 * Per decision: the most one node can need (any class's increment
	 * plus its largest wake-up).  restrict_w: the largest most of any
	 * decision so far, and restricted: the node-holding domains whose
	 * path minimum is below it, the only ones where a candidate can be
	 * unusable ([nd]); being the largest, it holds for requests of
	 * every size.  With every domain's nodes an index range
	 * (dom_first, dom_nodes), usability is checked there only.
	 */
	pb_watts_t most, restrict_w;
	pb_watts_t least; /* per decision: the smallest class increment */
	/*
	 * Where the nodes under each domain end, when they are one index
	 * range (else 0; [nd]): an attempt that finds a domain's headroom
	 * below least skips them all.
	 */
	uint32_t *sub_end;
	uint32_t *restricted, nrestricted;
	uint32_t *dom_first, *dom_nodes; /* [nd] */
	bool ranges;
	pb_place_memo_t *memo; /* NULL: attempts are not kept */
	int32_t root;	       /* the one domain over every node, or -1 */
	/*
	 * What the last _prepare was for: a filter and the choice after it
	 * (or two tries of one job) share it while the ledger has not
	 * changed.
	 */
	bool prep_ok;
	const pb_ledger_t *prep_l;
	uint64_t prep_gen;
	int64_t prep_now, prep_end;
	pb_watts_t *prep_incr; /* [classes] */
	/*
	 * The domains whose avail changed since the memo last looked
	 * (changed, a list, and dom_changed, flags: [nd]), and the window
	 * the ledger gives before it is compared (fresh, [nd]).
	 */
	uint32_t *changed, nchanged;
	bool *dom_changed;
	pb_watts_t *fresh;
	/*
	 * For a preparation from the last one: the ledger's change cursor
	 * then, whether no reservation touched its window, each
	 * domain's place in restricted (+1; 0: not there), the domain
	 * tree's children (CSR: child_first [nd + 1], child [nd]) and
	 * scratch for the changed domains ([nd]).
	 */
	uint64_t prep_cursor;
	uint32_t *seen, seen_epoch; /* [nd]: domains read in this update */
	bool prep_unreserved;
	uint32_t prep_ckpt; /* pb_ledger_checkpoints of the preparation */
	uint32_t *restr_pos, *child_first, *child, *scratch;
	/*
	 * For the memo: the ledger and its power cursor at the last
	 * decision, and room for the nodes powered since (pw_max; more, and
	 * the memo's own comparison of every node is no slower).
	 */
	const pb_ledger_t *pw_ledger;
	uint64_t pw_cursor;
	uint32_t *pw_list, pw_max;
	/*
	 * The largest avail among each domain's children ([nd]): a change
	 * of a path minimum reaches no child whose avail is at most both
	 * its old and its new value, so _repath stops there.
	 */
	pb_watts_t *child_most;
	/* with ranges: the nodes of the restricted domains ([words]) */
	uint64_t *rmask;
	/* the last filter's result, while its preparation holds */
	uint64_t *filtered; /* [words] */
	bool filtered_ok;
};

/* The switches of each level, in index order (sw_by_level, level_first). */
static int _index_switches(pb_placer_t *p)
{
	uint32_t nsw = p->net ? pb_net_switch_count(p->net) : 0;
	uint32_t levels = nsw ? pb_net_max_level(p->net) + 1 : 0, k = 0;
	const uint32_t *base = NULL;

	p->sw_by_level = calloc(nsw + 1, sizeof(*p->sw_by_level));
	p->level_first = calloc(levels + 1, sizeof(*p->level_first));
	p->sw_off = calloc(nsw + 1, sizeof(*p->sw_off));
	p->sw_cnt = calloc(nsw + 1, sizeof(*p->sw_cnt));
	p->level_most = calloc(levels + 1, sizeof(*p->level_most));
	p->sw_pos = calloc(nsw + 1, sizeof(*p->sw_pos));
	p->tourn = calloc((size_t)(levels + 1) * PB_PLACE_MEMO_SLOTS,
			  sizeof(*p->tourn));
	p->key_picks =
	    calloc((size_t)(levels + 1) * PB_PLACE_MEMO_SLOTS * (p->nn + 1),
		   sizeof(*p->key_picks));
	if (!p->sw_by_level || !p->level_first || !p->sw_off || !p->sw_cnt ||
	    !p->level_most || !p->sw_pos || !p->tourn || !p->key_picks)
		return -1;
	if (nsw)
		pb_net_order(p->net, &base);
	for (uint32_t lv = 0; lv < levels; lv++) {
		p->level_first[lv] = k;
		for (uint32_t sw = 0; sw < nsw; sw++) {
			const uint32_t *nodes;

			if (pb_net_switch_level(p->net, sw) != lv)
				continue;
			p->sw_cnt[k] = pb_net_switch_nodes(p->net, sw, &nodes);
			p->sw_off[k] = (uint32_t)(nodes - base);
			if (p->sw_cnt[k] > p->level_most[lv])
				p->level_most[lv] = p->sw_cnt[k];
			p->sw_pos[sw] = k;
			p->sw_by_level[k++] = sw;
		}
	}
	p->level_first[levels] = k;
	for (uint32_t i = 0; i < levels * PB_PLACE_MEMO_SLOTS; i++) {
		uint32_t lv = i % levels;

		p->tourn[i] =
		    pb_best_create(p->level_first[lv + 1] - p->level_first[lv]);
		if (!p->tourn[i])
			return -1;
		p->ntourn = i + 1;
	}
	return 0;
}

void pb_place_destroy(pb_placer_t *p)
{
	if (!p)
		return;
	free(p->avail);
	free(p->pathmin);
	free(p->used);
	free(p->dom_mark);
	free(p->touched);
	free(p->class_incr);
	free(p->usable_before);
	free(p->all);
	free(p->pick);
	free(p->best);
	free(p->node_cls);
	free(p->node_dom);
	free(p->node_wake);
	free(p->node_path);
	free(p->node_plen);
	free(p->dom_parent);
	free(p->dom_leaf);
	free(p->class_wake);
	free(p->uw);
	free(p->sw_by_level);
	free(p->level_first);
	free(p->sw_off);
	free(p->sw_cnt);
	free(p->level_most);
	free(p->sw_pos);
	for (uint32_t i = 0; i < p->ntourn; i++)
		pb_best_destroy(p->tourn[i]);
	free(p->tourn);
	free(p->key_picks);
	free(p->restricted);
	free(p->dom_first);
	free(p->dom_nodes);
	free(p->prep_incr);
	free(p->filtered);
	free(p->changed);
	free(p->dom_changed);
	free(p->fresh);
	free(p->restr_pos);
	free(p->rmask);
	free(p->child_first);
	free(p->child);
	free(p->scratch);
	free(p->pw_list);
	free(p->seen);
	free(p->child_most);
	free(p->sub_end);
	pb_place_memo_destroy(p->memo);
	free(p);
}

/* Each domain's own nodes, and whether they are all index ranges. */
static void _index_ranges(pb_placer_t *p)
{
	p->ranges = true;
	for (uint32_t i = 0; i < p->nn; i++) {
		uint32_t d = p->node_dom[i];

		if (!p->dom_nodes[d])
			p->dom_first[d] = i;
		else if (p->dom_first[d] + p->dom_nodes[d] != i)
			p->ranges = false;
		p->dom_nodes[d]++;
	}
}

/* Each domain's sub_end: past its last node, if its nodes are a range. */
static int _index_subtrees(pb_placer_t *p)
{
	uint32_t *lo = calloc(p->nd + 1, sizeof(*lo));
	uint32_t *cnt = calloc(p->nd + 1, sizeof(*cnt));

	p->sub_end = calloc(p->nd + 1, sizeof(*p->sub_end));
	if (!lo || !cnt || !p->sub_end) {
		free(lo);
		free(cnt);
		return -1;
	}
	for (uint32_t n = 0; n < p->nn; n++) {
		for (uint32_t i = 0; i < p->node_plen[n]; i++) {
			uint32_t d = p->node_path[n][i];

			if (!cnt[d]++)
				lo[d] = n;
			p->sub_end[d] = n + 1;
		}
	}
	for (uint32_t d = 0; d < p->nd; d++)
		if (p->sub_end[d] - lo[d] != cnt[d])
			p->sub_end[d] = 0;
	free(lo);
	free(cnt);
	return 0;
}

/* The domain tree's children of each domain (child_first, child). */
static void _index_children(pb_placer_t *p)
{
	for (uint32_t d = 0; d < p->nd; d++)
		if (p->dom_parent[d] >= 0)
			p->child_first[p->dom_parent[d] + 1]++;
	for (uint32_t d = 0; d < p->nd; d++)
		p->child_first[d + 1] += p->child_first[d];
	for (uint32_t d = 0; d < p->nd; d++)
		if (p->dom_parent[d] >= 0)
			p->child[p->child_first[p->dom_parent[d]]++] = d;
	/* each first moved on to the next one's: shift them back */
	for (uint32_t d = p->nd; d > 0; d--)
		p->child_first[d] = p->child_first[d - 1];
	p->child_first[0] = 0;
}

/* Every array the placer keeps, sized for its site: 0, or -1. */
static int _alloc_arrays(pb_placer_t *p)
{
	const pb_site_t *site = p->site;
	uint32_t nn = p->nn, nd = p->nd;

	p->avail = calloc(nd, sizeof(*p->avail));
	p->pathmin = calloc(nd, sizeof(*p->pathmin));
	p->used = calloc(nd, sizeof(*p->used));
	p->dom_mark = calloc(nd, sizeof(*p->dom_mark));
	p->touched = calloc(nd, sizeof(*p->touched));
	p->class_incr =
	    calloc(pb_site_class_count(site) + 1, sizeof(*p->class_incr));
	p->usable_before = calloc((size_t)nn + 1, sizeof(*p->usable_before));
	p->all = calloc(nn, sizeof(*p->all));
	p->pick = calloc(nn, sizeof(*p->pick));
	p->best = calloc(nn, sizeof(*p->best));
	p->node_cls = calloc(nn, sizeof(*p->node_cls));
	p->node_dom = calloc(nn, sizeof(*p->node_dom));
	p->node_wake = calloc(nn, sizeof(*p->node_wake));
	p->node_path = calloc(nn, sizeof(*p->node_path));
	p->node_plen = calloc(nn, sizeof(*p->node_plen));
	p->dom_parent = calloc(nd, sizeof(*p->dom_parent));
	p->dom_leaf = calloc(nd, sizeof(*p->dom_leaf));
	p->class_wake =
	    calloc(pb_site_class_count(site) + 1, sizeof(*p->class_wake));
	p->nwords = (nn + 63) / 64;
	p->uw = calloc(p->nwords + 1, sizeof(*p->uw));
	p->restricted = calloc(nd + 1, sizeof(*p->restricted));
	p->dom_first = calloc(nd + 1, sizeof(*p->dom_first));
	p->dom_nodes = calloc(nd + 1, sizeof(*p->dom_nodes));
	p->prep_incr =
	    calloc(pb_site_class_count(site) + 1, sizeof(*p->prep_incr));
	p->filtered = calloc(p->nwords + 1, sizeof(*p->filtered));
	p->changed = calloc(nd + 1, sizeof(*p->changed));
	p->dom_changed = calloc(nd + 1, sizeof(*p->dom_changed));
	p->fresh = calloc(nd + 1, sizeof(*p->fresh));
	p->restr_pos = calloc(nd + 1, sizeof(*p->restr_pos));
	p->rmask = calloc(p->nwords + 1, sizeof(*p->rmask));
	p->child_first = calloc(nd + 2, sizeof(*p->child_first));
	p->child = calloc(nd + 1, sizeof(*p->child));
	p->scratch = calloc(nd + 1, sizeof(*p->scratch));
	p->pw_max = p->nn / 8 + 64;
	p->pw_list = calloc(p->pw_max, sizeof(*p->pw_list));
	p->seen = calloc(nd + 1, sizeof(*p->seen));
	/* every avail starts at 0, so does the largest of any children */
	p->child_most = calloc(nd + 1, sizeof(*p->child_most));
	if (!p->child_most || !p->seen || !p->rmask || !p->restr_pos ||
	    !p->child_first || !p->child || !p->scratch || !p->pw_list ||
	    !p->changed || !p->dom_changed || !p->fresh || !p->filtered ||
	    !p->prep_incr || !p->restricted || !p->dom_first || !p->dom_nodes ||
	    !p->avail || !p->pathmin || !p->used || !p->dom_mark ||
	    !p->touched || !p->class_incr || !p->usable_before || !p->all ||
	    !p->pick || !p->best || !p->node_cls || !p->node_dom ||
	    !p->node_wake || !p->node_path || !p->node_plen || !p->dom_parent ||
	    !p->dom_leaf || !p->class_wake || !p->uw)
		return -1;
	return _index_switches(p);
}

/* The domain tree's parents, leaves and root (-1 unless exactly one). */
static void _index_domains(pb_placer_t *p)
{
	p->root = -1;
	for (uint32_t d = 0; d < p->nd; d++) {
		p->dom_parent[d] = pb_site_domain_parent(p->site, d);
		p->dom_leaf[d] = pb_site_domain_is_leaf(p->site, d);
		if (p->dom_parent[d] < 0)
			p->root = p->root < 0 ? (int32_t)d : INT32_MAX;
	}
	if (p->root == INT32_MAX)
		p->root = -1;
}

/*
 * Each node's class, domain, wake-up and path; whether every wake-up is
 * non-negative, and (with p->ident set for a net with switches) whether
 * the net's order is the node index order and a switch spans all nodes.
 */
static void _index_nodes(pb_placer_t *p)
{
	const pb_site_t *site = p->site;

	p->nonneg = true;
	for (uint32_t i = 0; i < p->nn; i++) {
		p->all[i] = i;
		p->node_cls[i] = pb_site_node_class(site, i);
		p->node_dom[i] = pb_site_node_domain(site, i);
		p->node_wake[i] =
		    pb_site_node_idle_w(site, i) - pb_site_node_off_w(site, i);
		p->node_plen[i] = pb_site_node_path(site, i, &p->node_path[i]);
		if (p->node_wake[i] > p->class_wake[p->node_cls[i]])
			p->class_wake[p->node_cls[i]] = p->node_wake[i];
		if (p->node_wake[i] < 0)
			p->nonneg = p->ident = false;
	}
	if (p->ident) {
		const uint32_t *order;

		pb_net_order(p->net, &order);
		for (uint32_t i = 0; i < p->nn && p->ident; i++)
			p->ident = order[i] == i;
		for (uint32_t sw = 0; sw < pb_net_switch_count(p->net); sw++) {
			const uint32_t *under;

			if (pb_net_switch_nodes(p->net, sw, &under) == p->nn)
				p->spans_all = true;
		}
	}
}

pb_placer_t *pb_place_create(const pb_site_t *site, const pb_net_t *net,
			     pb_error_t *err)
{
	pb_placer_t *p;
	uint32_t nn, nd;

	if (!site || !pb_site_is_final(site)) {
		pb_error_set(err, "placer: the site is not finalized");
		return NULL;
	}
	nn = pb_site_node_count(site);
	nd = pb_site_domain_count(site);
	if (net && pb_net_node_count(net) != nn) {
		pb_error_set(err, "placer: network tree has %u nodes, site %u",
			     pb_net_node_count(net), nn);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	p->site = site;
	p->net = net;
	p->nn = nn;
	p->nd = nd;
	if (_alloc_arrays(p))
		goto oom;
	p->ident = net && pb_net_switch_count(net);
	_index_domains(p);
	_index_nodes(p);
	_index_ranges(p);
	if (_index_subtrees(p))
		goto oom;
	_index_children(p);
	if (p->ident && pb_site_class_count(site) <= PB_PLACE_MEMO_CLASSES) {
		p->memo = pb_place_memo_create(site, net);
		if (!p->memo)
			goto oom;
	}
	return p;
oom:
	pb_place_destroy(p);
	pb_error_set(err, "placer: out of memory");
	return NULL;
}

/* One node's increment per class, and the ledger's node states. */
static void _prepare_needs(pb_placer_t *p, const pb_ledger_t *l,
			   const pb_place_req_t *req)
{
	p->most = 0;
	p->least = INT64_MAX;
	for (uint32_t c = 0; c < pb_site_class_count(p->site); c++) {
		const pb_power_class_t *cls = pb_site_class(p->site, c);

		p->class_incr[c] = pb_power_increment_w(
		    cls, req->gpus, req->cores,
		    pb_power_hint_on(cls, req->gpu_watts_hint,
				     req->hint_scope));
		if (p->class_incr[c] + p->class_wake[c] > p->most)
			p->most = p->class_incr[c] + p->class_wake[c];
		if (p->class_incr[c] < p->least)
			p->least = p->class_incr[c];
	}
	p->on = pb_ledger_node_states(l);
}

/*
 * Rule 1: avail per domain, and its minimum along every root path; one
 * node's increment per class (every node of a class takes the same).
 */
/*
 * Is the last preparation still good for req?  The window matters only
 * through reservations (ledger.h), the request only through the
 * increments.
 */
static bool _prepared(const pb_placer_t *p, const pb_ledger_t *l,
		      const pb_place_req_t *req)
{
	if (!p->prep_ok || p->prep_l != l ||
	    p->prep_gen != pb_ledger_generation(l))
		return false;
	/* the times matter only through the reservation checkpoints */
	if ((p->prep_now != req->now || p->prep_end != req->end) &&
	    !(p->prep_unreserved &&
	      pb_ledger_window_plain(l, req->now, req->end)) &&
	    !(p->prep_now == req->now &&
	      p->prep_ckpt == pb_ledger_checkpoints(l, req->now, req->end)))
		return false;
	return !memcmp(p->prep_incr, p->class_incr,
		       pb_site_class_count(p->site) * sizeof(*p->class_incr));
}

static void _prepared_for(pb_placer_t *p, const pb_ledger_t *l,
			  const pb_place_req_t *req)
{
	p->prep_ok = true;
	p->prep_l = l;
	p->prep_gen = pb_ledger_generation(l);
	p->prep_now = req->now;
	p->prep_end = req->end;
	p->prep_ckpt = pb_ledger_checkpoints(l, req->now, req->end);
	memcpy(p->prep_incr, p->class_incr,
	       pb_site_class_count(p->site) * sizeof(*p->class_incr));
}

/* Domain d's avail went from was: keep its parent's child_most. */
static void _child_moved(pb_placer_t *p, uint32_t d, pb_watts_t was)
{
	int32_t up = p->dom_parent[d];
	pb_watts_t most;

	if (up < 0)
		return;
	if (p->avail[d] >= p->child_most[up]) {
		p->child_most[up] = p->avail[d];
		return;
	}
	if (was != p->child_most[up])
		return;
	/* the largest went down: look at the siblings again */
	most = p->avail[d];
	for (uint32_t k = p->child_first[up]; k < p->child_first[up + 1]; k++)
		if (p->avail[p->child[k]] > most)
			most = p->avail[p->child[k]];
	p->child_most[up] = most;
}

/* Domain d's avail is a: note it for the memo if it changed. */
static inline void _set_avail(pb_placer_t *p, uint32_t d, pb_watts_t a)
{
	pb_watts_t was = p->avail[d];

	if (a == was)
		return;
	p->avail[d] = a;
	_child_moved(p, d, was);
	if (!p->dom_changed[d]) {
		p->dom_changed[d] = true;
		p->changed[p->nchanged++] = d;
	}
}

/* Set (on) or clear the bits [from, to) of w. */
static void _mark_range(uint64_t *w, uint32_t from, uint32_t to, bool on)
{
	while (from < to) {
		uint32_t k = from / 64, b = from % 64, span = 64 - b;
		uint64_t bits = ~UINT64_C(0) << b;

		if (to - from < span) {
			span = to - from;
			bits &= ~UINT64_C(0) >> (64 - b - span);
		}
		w[k] = on ? w[k] | bits : w[k] & ~bits;
		from += span;
	}
}

/* Is d restricted (its path minimum below most)?  Keep the list so. */
static inline void _restrict(pb_placer_t *p, uint32_t d)
{
	bool want = p->dom_nodes[d] && p->pathmin[d] < p->restrict_w;
	uint32_t at = p->restr_pos[d];

	if (want != !!at && p->ranges)
		_mark_range(p->rmask, p->dom_first[d],
			    p->dom_first[d] + p->dom_nodes[d], want);
	if (want && !at) {
		p->restricted[p->nrestricted++] = d;
		p->restr_pos[d] = p->nrestricted;
	} else if (!want && at) {
		uint32_t last = p->restricted[--p->nrestricted];

		p->restricted[at - 1] = last;
		p->restr_pos[last] = at;
		p->restr_pos[d] = 0;
	}
}

/* Rule 1 from scratch: every domain's window, in one forward pass. */
static void _prepare_all(pb_placer_t *p, const pb_ledger_t *l,
			 const pb_place_req_t *req)
{
	pb_ledger_window_avail(l, req->now, req->end, p->fresh);
	for (uint32_t r = 0; r < p->nrestricted; r++)
		p->restr_pos[p->restricted[r]] = 0;
	p->nrestricted = 0;
	memset(p->rmask, 0, p->nwords * sizeof(*p->rmask));
	/* parents precede children */
	for (uint32_t d = 0; d < p->nd; d++) {
		int32_t up = p->dom_parent[d];
		pb_watts_t a = p->fresh[d];

		_set_avail(p, d, a);
		if (a > p->restrict_w)
			a = p->restrict_w;
		if (up >= 0 && p->pathmin[up] < a)
			a = p->pathmin[up];
		p->pathmin[d] = a;
		_restrict(p, d);
	}
}

/* d's path minimum again, and its subtree's while they change. */
static void _repath(pb_placer_t *p, uint32_t d)
{
	int32_t up = p->dom_parent[d];
	pb_watts_t a = p->avail[d], was = p->pathmin[d];

	if (a > p->restrict_w)
		a = p->restrict_w;
	if (up >= 0 && p->pathmin[up] < a)
		a = p->pathmin[up];
	if (a == was)
		return;
	p->pathmin[d] = a;
	_restrict(p, d);
	/* a child's minimum is its avail while that is below both */
	if (p->child_most[d] <= (a < was ? a : was))
		return;
	for (uint32_t k = p->child_first[d]; k < p->child_first[d + 1]; k++)
		_repath(p, p->child[k]);
}

/*
 * Rule 1 from the last preparation, when neither had a reservation (the
 * window is then limit - committed, whatever the times) and restrict_w
 * still covers most: only the domains the ledger changed, and the path
 * minima below them.  False when the ledger cannot say which changed.
 */
static bool _prepare_changes(pb_placer_t *p, const pb_ledger_t *l)
{
	int64_t n =
	    pb_ledger_changed_since(l, p->prep_cursor, p->scratch, p->nd);

	if (n < 0)
		return false;
	/* the ledger logs a domain once per change: each node powered off */
	if (!++p->seen_epoch) {
		memset(p->seen, 0, p->nd * sizeof(*p->seen));
		p->seen_epoch = 1;
	}
	for (int64_t i = 0; i < n; i++) {
		uint32_t d = p->scratch[i];
		pb_watts_t was = p->avail[d];

		if (p->seen[d] == p->seen_epoch)
			continue;
		p->seen[d] = p->seen_epoch;
		_set_avail(p, d, pb_ledger_headroom(l, d));
		if (p->avail[d] != was)
			_repath(p, d);
	}
	return true;
}

/*
 * Rule 1 from the last preparation by the ledger's window: the domains
 * whose window differs from their avail, and the path minima below
 * them, as _prepare_changes does for the ledger's own list.
 */
static void _prepare_window(pb_placer_t *p, const pb_ledger_t *l,
			    const pb_place_req_t *req)
{
	pb_ledger_window_avail(l, req->now, req->end, p->fresh);
	for (uint32_t d = 0; d < p->nd; d++) {
		if (p->fresh[d] == p->avail[d])
			continue;
		_set_avail(p, d, p->fresh[d]);
		_repath(p, d);
	}
}

static void _prepare(pb_placer_t *p, const pb_ledger_t *l,
		     const pb_place_req_t *req)
{
	bool update, plain;

	_prepare_needs(p, l, req);
	if (_prepared(p, l, req))
		return;
	plain = pb_ledger_window_plain(l, req->now, req->end);
	/* the restricted domains are those below restrict_w: it stays */
	update = p->prep_ok && p->prep_l == l && p->most <= p->restrict_w;
	_prepared_for(p, l, req);
	p->filtered_ok = false;
	if (p->most > p->restrict_w)
		p->restrict_w = p->most;
	if (!update)
		_prepare_all(p, l, req);
	else if (!p->prep_unreserved || !plain || !_prepare_changes(p, l))
		_prepare_window(p, l, req);
	p->prep_cursor = pb_ledger_change_cursor(l);
	p->prep_unreserved = plain;
}

/* One node's increment for the prepared request. */
static inline pb_watts_t _incr(const pb_placer_t *p, uint32_t n)
{
	return p->class_incr[p->node_cls[n]];
}

/* Its increment plus, if the node is OFF, its wake-up. */
static inline pb_watts_t _need(const pb_placer_t *p, uint32_t n)
{
	return _incr(p, n) + (p->on[n] ? 0 : p->node_wake[n]);
}

static inline bool _usable(const pb_placer_t *p, uint32_t n)
{
	return _need(p, n) <= p->pathmin[p->node_dom[n]];
}

/* Set bits of x, without the library call the baseline ISA needs. */
static inline uint32_t _pop(uint64_t x)
{
	x -= (x >> 1) & UINT64_C(0x5555555555555555);
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (uint32_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

static inline bool _in(const uint64_t *w, uint32_t n)
{
	return (w[n / 64] >> (n % 64)) & 1;
}

/* Whether w has at least want set bits in [from, to). */
static bool _has_at_least(const uint64_t *w, uint32_t from, uint32_t to,
			  uint32_t want)
{
	uint32_t n = 0;

	while (from < to) {
		uint32_t k = from / 64, b = from % 64, span = 64 - b;
		uint64_t bits = w[k] >> b;

		if (to - from < span) {
			span = to - from;
			bits &= (UINT64_C(1) << span) - 1;
		}
		n += _pop(bits);
		if (n >= want)
			return true;
		from += span;
	}
	return false;
}

/* The first set bit of w in [from, to), or to. */
static uint32_t _next_in(const uint64_t *w, uint32_t from, uint32_t to)
{
	while (from < to) {
		uint32_t k = from / 64;
		uint64_t bits = w[k] & (~UINT64_C(0) << (from % 64));

		if (bits) {
			uint32_t n = k * 64 + (uint32_t)__builtin_ctzll(bits);

			return n < to ? n : to;
		}
		from = (k + 1) * 64;
	}
	return to;
}

/* Each candidate of w on its own. */
static void _drop_unusable_nodes(const pb_placer_t *p, uint64_t *w)
{
	for (uint32_t k = 0; k < p->nwords; k++) {
		for (uint64_t bits = w[k]; bits; bits &= bits - 1) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);

			if (!_usable(p, k * 64 + b))
				w[k] &= ~(UINT64_C(1) << b);
		}
	}
}

/*
 * Clear the unusable nodes of w (words of a candidate set): only the
 * candidates in restricted domains can be, and with ranges those are
 * the candidates under rmask; else each candidate is checked.
 */
static void _drop_unusable(const pb_placer_t *p, uint64_t *w)
{
	if (!p->nrestricted)
		return;
	if (!p->ranges) {
		_drop_unusable_nodes(p, w);
		return;
	}
	for (uint32_t k = 0; k < p->nwords; k++) {
		for (uint64_t bits = w[k] & p->rmask[k]; bits;
		     bits &= bits - 1) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);

			if (!_usable(p, k * 64 + b))
				w[k] &= ~(UINT64_C(1) << b);
		}
	}
}

uint32_t pb_place_filter(pb_placer_t *p, const pb_ledger_t *l,
			 pb_bitset_t *cand, const pb_place_req_t *req)
{
	uint64_t *w = pb_bitset_words_mut(cand);
	uint32_t nw = pb_bitset_word_count(cand), left = 0;

	if (pb_bitset_size(cand) != p->nn)
		return 0;
	_prepare(p, l, req);
	_drop_unusable(p, w);
	for (uint32_t k = 0; k < nw; k++)
		left += _pop(w[k]);
	memcpy(p->filtered, w, p->nwords * sizeof(*w));
	p->filtered_ok = true;
	return left;
}

pb_watts_t pb_place_need_max(pb_placer_t *p, const pb_ledger_t *l,
			     const pb_bitset_t *cand, const pb_place_req_t *req)
{
	const uint64_t *w = pb_bitset_words(cand);
	uint32_t nw = pb_bitset_word_count(cand);
	pb_watts_t most = 0;

	if (pb_bitset_size(cand) != p->nn)
		return 0;
	_prepare_needs(p, l, req);
	for (uint32_t k = 0; k < nw; k++) {
		for (uint64_t bits = w[k]; bits; bits &= bits - 1) {
			pb_watts_t need =
			    _need(p, k * 64 + (uint32_t)__builtin_ctzll(bits));

			if (need > most)
				most = need;
		}
	}
	return most;
}

/*
 * A domain whose avail covers the bound takes any nnodes nodes: no
 * attempt of this choice can be refused there.
 */
static inline bool _tight(const pb_placer_t *p, uint32_t d)
{
	return p->avail[d] < p->bound;
}

static inline pb_watts_t _used(const pb_placer_t *p, uint32_t d)
{
	return p->dom_mark[d] == p->epoch ? p->used[d] : 0;
}

/* Can node n (needing need) join the current attempt?  Records a refusal. */
static inline bool _fits(pb_placer_t *p, uint32_t n, pb_watts_t need,
			 struct attempt *a)
{
	const uint32_t *path = p->node_path[n];
	uint32_t len = p->node_plen[n];
	bool ok = true;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t d = path[i];
		pb_watts_t over;

		if (!_tight(p, d))
			continue;
		over = _used(p, d) + need - p->avail[d];
		if (over <= 0)
			continue;
		ok = false;
		if (a->why_domain < 0 || d < (uint32_t)a->why_domain) {
			a->why_domain = (int32_t)d;
			a->why_short = over;
		}
	}
	return ok;
}

/* Add w to the watts taken on path (a node's), where they are tracked. */
static inline void _take_path(pb_placer_t *p, const uint32_t *path,
			      uint32_t len, pb_watts_t w)
{
	for (uint32_t i = 0; i < len; i++) {
		uint32_t d = path[i];

		if (!_tight(p, d) && !p->dom_leaf[d])
			continue;
		if (p->dom_mark[d] != p->epoch) {
			p->dom_mark[d] = p->epoch;
			p->used[d] = 0;
			p->touched[p->ntouched++] = d;
		}
		p->used[d] += w;
	}
}

static inline void _take(pb_placer_t *p, uint32_t n, pb_watts_t need)
{
	_take_path(p, p->node_path[n], p->node_plen[n], need);
}

/* Rule 2 on one list of nodes: greedy in list order, shared headroom. */
static void _attempt(pb_placer_t *p, const pb_bitset_t *cand,
		     const uint32_t *nodes, uint32_t count, uint32_t want,
		     struct attempt *a)
{
	const uint64_t *w = pb_bitset_words(cand);

	*a = (struct attempt){.why_domain = -1};
	p->epoch++;
	p->ntouched = 0;
	for (uint32_t i = 0; i < count && a->picked < want; i++) {
		uint32_t n = nodes[i];
		pb_watts_t need;

		if (!_in(w, n))
			continue;
		need = _need(p, n);
		if (!_fits(p, n, need, a))
			continue;
		_take(p, n, need);
		p->pick[a->picked++] = n;
	}
	/* rule 3: what the job leaves free in the leaf domains it uses */
	for (uint32_t i = 0; i < p->ntouched; i++) {
		uint32_t d = p->touched[i];

		if (p->dom_leaf[d])
			a->leftover += p->avail[d] - p->used[d];
	}
}

/*
 * _attempt for a single node, without its refusal record: the first
 * usable candidate in list order (alone it fits exactly when it is
 * usable), and what it leaves in the leaf domains of its path.
 */
/* A one-node attempt that picks n (usable): what it leaves (rule 3). */
static void _take_one(pb_placer_t *p, uint32_t n, struct attempt *a)
{
	const uint32_t *path = p->node_path[n];
	pb_watts_t need = _need(p, n);

	for (uint32_t k = 0; k < p->node_plen[n]; k++)
		if (p->dom_leaf[path[k]])
			a->leftover += p->avail[path[k]] - need;
	p->pick[0] = n;
	a->picked = 1;
}

static void _attempt_one(pb_placer_t *p, const pb_bitset_t *cand,
			 const uint32_t *nodes, uint32_t count,
			 struct attempt *a)
{
	const uint64_t *w = pb_bitset_words(cand);

	*a = (struct attempt){.why_domain = -1};
	for (uint32_t i = 0; i < count; i++) {
		if (_in(w, nodes[i]) && _usable(p, nodes[i])) {
			_take_one(p, nodes[i], a);
			return;
		}
	}
}

/* Count usable candidates per position of the net order (prefix sums). */
static void _count_usable(pb_placer_t *p, const pb_bitset_t *cand,
			  const uint32_t *order, uint32_t count)
{
	const uint64_t *w = pb_bitset_words(cand);

	p->usable_before[0] = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t n = order[i];
		bool u = _in(w, n) && _usable(p, n);

		p->usable_before[i + 1] = p->usable_before[i] + u;
	}
}

/*
 * Best switch of one level (rule 3); returns its index or -1.  The
 * winning pick is left in p->best.
 */
static int32_t _best_at_level(pb_placer_t *p, const pb_bitset_t *cand,
			      uint32_t level, uint32_t want)
{
	const uint32_t *base;
	int32_t best = -1;
	pb_watts_t best_left = 0;

	pb_net_order(p->net, &base);
	for (uint32_t k = p->level_first[level]; k < p->level_first[level + 1];
	     k++) {
		uint32_t s = p->sw_by_level[k];
		const uint32_t *nodes;
		uint32_t cnt, off;
		struct attempt a;

		cnt = pb_net_switch_nodes(p->net, s, &nodes);
		off = (uint32_t)(nodes - base);
		if (p->usable_before[off + cnt] - p->usable_before[off] < want)
			continue;
		if (want == 1)
			_attempt_one(p, cand, nodes, cnt, &a);
		else
			_attempt(p, cand, nodes, cnt, want, &a);
		if (a.picked < want || (best >= 0 && a.leftover >= best_left))
			continue;
		best = (int32_t)s;
		best_left = a.leftover;
		memcpy(p->best, p->pick, want * sizeof(*p->best));
	}
	return best;
}

/*
 * _attempt over the usable candidates p->uw in the index range [from,
 * to), without the refusal record: the others could never be taken
 * (a node's need is never below what makes it usable, since needs are
 * not negative), so the picks and leftover are _attempt's.
 */
static void _attempt_range(pb_placer_t *p, uint32_t from, uint32_t to,
			   uint32_t want, struct attempt *a)
{
	uint32_t n = _next_in(p->uw, from, to);

	*a = (struct attempt){.why_domain = -1};
	p->epoch++;
	p->ntouched = 0;
	/*
	 * A run of nodes in one domain shares its path: a node fits when
	 * its need is within the least headroom left along that path (its
	 * slack), which only this run's picks change.
	 */
	while (n < to && a->picked < want) {
		uint32_t dom = p->node_dom[n], len = p->node_plen[n];
		const uint32_t *path = p->node_path[n];
		pb_watts_t slack = INT64_MAX, taken = 0;
		uint32_t was = a->picked, skip = 0;

		for (uint32_t i = 0; i < len; i++) {
			uint32_t d = path[i];
			pb_watts_t left;

			if (!_tight(p, d))
				continue;
			left = p->avail[d] - _used(p, d);
			if (left < slack)
				slack = left;
			/* no node needs less than least: all under d refused */
			if (left < p->least && p->sub_end[d] > skip)
				skip = p->sub_end[d];
		}
		if (skip) {
			a->refused = true;
			n = _next_in(p->uw, skip, to);
			continue;
		}
		for (; n < to && p->node_dom[n] == dom && a->picked < want;
		     n = _next_in(p->uw, n + 1, to)) {
			pb_watts_t need = _need(p, n);

			if (need > slack) {
				a->refused = true;
				continue;
			}
			slack -= need;
			taken += need;
			p->pick[a->picked++] = n;
		}
		/* a pick needing 0 W still touches its domains (rule 3) */
		if (a->picked > was)
			_take_path(p, path, len, taken);
	}
	for (uint32_t i = 0; i < p->ntouched; i++) {
		uint32_t d = p->touched[i];

		if (p->dom_leaf[d])
			a->leftover += p->avail[d] - p->used[d];
	}
}

/*
 * Rule 2 under switch s (nodes [off, off + cnt)), or the memo's copy of
 * it; returns the picks.
 */
static const uint32_t *_attempt_switch(pb_placer_t *p, uint32_t s, uint32_t off,
				       uint32_t cnt, uint32_t want,
				       struct attempt *a)
{
	const uint32_t *picks;

	*a = (struct attempt){.why_domain = -1};
	if (p->memo &&
	    pb_place_memo_get(p->memo, s, &a->picked, &a->leftover, &picks))
		return picks;
	if (want == 1) {
		_take_one(p, _next_in(p->uw, off, off + cnt), a);
	} else {
		_attempt_range(p, off, off + cnt, want, a);
	}
	if (p->memo)
		pb_place_memo_put(p->memo, s, a->picked, a->leftover,
				  a->refused, p->pick);
	return p->pick;
}

/*
 * Hand the memo this choice, the domains changed since the last, and
 * the nodes powered since, when the ledger can say.
 */
static void _memo_begin(pb_placer_t *p, const pb_ledger_t *l,
			const pb_bitset_t *cand, uint32_t want)
{
	int64_t n = -1;

	if (p->pw_ledger == l)
		n = pb_ledger_powered_since(l, p->pw_cursor, p->pw_list,
					    p->pw_max);
	p->pw_ledger = l;
	p->pw_cursor = pb_ledger_power_cursor(l);
	if (n >= 0)
		pb_place_memo_powered(p->memo, p->pw_list, (uint32_t)n);
	pb_place_memo_begin(p->memo, l, p->avail, p->changed, p->nchanged,
			    pb_bitset_words(cand), p->on);
	pb_place_memo_request(p->memo, want, p->class_incr, p->bound, p->uw);
	for (uint32_t i = 0; i < p->nchanged; i++)
		p->dom_changed[p->changed[i]] = false;
	p->nchanged = 0;
}

/* Where slot's picks under switch k (of level) are kept. */
static uint32_t *_kept_picks(const pb_placer_t *p, uint32_t slot,
			     uint32_t level, uint32_t k)
{
	size_t at = (size_t)slot * (pb_net_max_level(p->net) + 1) + level;

	return p->key_picks + at * p->nn + p->sw_off[k];
}

/* The tournament of slot's last walk of level. */
static pb_best_t *_tourn(const pb_placer_t *p, uint32_t slot, uint32_t level)
{
	return p->tourn[(size_t)slot * (pb_net_max_level(p->net) + 1) + level];
}

/*
 * Switch k of the level order's attempt into slot's tournament: loaded
 * only (bulk: built after) or followed at once.
 */
static void _key_switch(pb_placer_t *p, uint32_t slot, uint32_t level,
			uint32_t k, uint32_t want, bool bulk)
{
	uint32_t off = p->sw_off[k], cnt = p->sw_cnt[k];
	uint32_t i = k - p->level_first[level];
	pb_best_t *t = _tourn(p, slot, level);
	const uint32_t *picks;
	struct attempt a = {0};
	bool ok = false;

	if (cnt >= want && _has_at_least(p->uw, off, off + cnt, want)) {
		picks =
		    _attempt_switch(p, p->sw_by_level[k], off, cnt, want, &a);
		ok = a.picked == want;
		if (ok)
			memcpy(_kept_picks(p, slot, level, k), picks,
			       want * sizeof(*picks));
	}
	if (bulk)
		pb_best_load(t, i, ok, a.leftover);
	else
		pb_best_set(t, i, ok, a.leftover);
}

/*
 * _best_at_level_ident from the memo's slot for this request: attempt
 * the stale switches again, then the least leftover, ties to the first
 * in level order, as the walk over every switch takes it.
 */
static int32_t _best_kept(pb_placer_t *p, uint32_t level, uint32_t want)
{
	uint32_t first = p->level_first[level], end = p->level_first[level + 1];
	const uint32_t *stale;
	uint32_t slot, n;
	bool all, bulk;
	int64_t best;

	n = pb_place_memo_stale(p->memo, level, &slot, &stale, &all);
	/* many stale: loaded, and the tournament built once */
	bulk = all || n > (end - first) / 8;
	if (all)
		for (uint32_t k = first; k < end; k++)
			_key_switch(p, slot, level, k, want, true);
	else
		for (uint32_t i = 0; i < n; i++)
			_key_switch(p, slot, level, p->sw_pos[stale[i]], want,
				    bulk);
	if (bulk)
		pb_best_build(_tourn(p, slot, level));
	best = pb_best_get(_tourn(p, slot, level));
	if (best < 0)
		return -1;
	memcpy(p->best, _kept_picks(p, slot, level, first + (uint32_t)best),
	       want * sizeof(*p->best));
	return (int32_t)p->sw_by_level[first + best];
}

/* _best_at_level for an index-ordered net, from p->uw. */
static int32_t _best_at_level_ident(pb_placer_t *p, uint32_t level,
				    uint32_t want)
{
	int32_t best = -1;
	pb_watts_t best_left = 0;

	if (p->level_most[level] < want)
		return -1;
	if (p->memo && pb_place_memo_level_ok(p->memo, level))
		return _best_kept(p, level, want);
	for (uint32_t k = p->level_first[level]; k < p->level_first[level + 1];
	     k++) {
		uint32_t s = p->sw_by_level[k], off = p->sw_off[k];
		uint32_t cnt = p->sw_cnt[k];
		struct attempt a;
		const uint32_t *picks;

		if (cnt < want || !_has_at_least(p->uw, off, off + cnt, want))
			continue;
		picks = _attempt_switch(p, s, off, cnt, want, &a);
		if (a.picked < want || (best >= 0 && a.leftover >= best_left))
			continue;
		best = (int32_t)s;
		best_left = a.leftover;
		memcpy(p->best, picks, want * sizeof(*p->best));
	}
	return best;
}

/*
 * Are the candidates w among those the last filter kept, under the same
 * preparation?  Usability is a node's own, so they are all usable.
 */
static bool _within_filtered(const pb_placer_t *p, const uint64_t *w)
{
	if (!p->filtered_ok)
		return false;
	for (uint32_t k = 0; k < p->nwords; k++)
		if (w[k] & ~p->filtered[k])
			return false;
	return true;
}

/* p->uw = the usable candidates; false if some need is negative. */
static bool _usable_words(pb_placer_t *p, const pb_bitset_t *cand)
{
	const uint64_t *w = pb_bitset_words(cand);

	for (uint32_t c = 0; c < pb_site_class_count(p->site); c++)
		if (p->class_incr[c] < 0)
			return false;
	memcpy(p->uw, w, p->nwords * sizeof(*p->uw));
	if (!_within_filtered(p, w))
		_drop_unusable(p, p->uw);
	return true;
}

static int _finish(pb_placer_t *p, const uint32_t *pick, uint32_t want,
		   pb_bitset_t *out, pb_verdict_t *why)
{
	pb_watts_t job_w = 0;

	for (uint32_t i = 0; i < want; i++) {
		pb_bitset_set(out, pick[i]);
		job_w += _incr(p, pick[i]);
	}
	if (why)
		*why = (pb_verdict_t){.ok = true, .domain = -1, .job_w = job_w};
	return 0;
}

/*
 * Does the root's avail fall short of want nodes at the least increment
 * each?  Then it is tight (bound is want times the most), every attempt
 * is refused before its want-th pick, and no set exists.
 */
static bool _root_short(const pb_placer_t *p, uint32_t want)
{
	if (p->root < 0 || p->least <= 0 || want > INT64_MAX / p->least)
		return false;
	return p->avail[p->root] < (pb_watts_t)want * p->least;
}

int pb_place_choose(pb_placer_t *p, const pb_ledger_t *l,
		    const pb_bitset_t *cand, const pb_place_req_t *req,
		    pb_bitset_t *out, pb_verdict_t *why)
{
	const uint32_t *order = p->all;
	uint32_t want = req->nnodes;
	struct attempt a;

	if (why)
		*why =
		    (pb_verdict_t){.ok = false, .domain = -1, .at = req->now};
	if (want == 0 || pb_bitset_size(cand) != p->nn ||
	    pb_bitset_size(out) != p->nn)
		return -1;
	pb_bitset_clear_all(out);
	_prepare(p, l, req);
	p->bound = p->most * (pb_watts_t)want;
	/* without a why_not to fill in, nothing is left to learn */
	if (!why && _root_short(p, want))
		return 1;
	if (p->ident && _usable_words(p, cand)) {
		if (p->memo)
			_memo_begin(p, l, cand, want);
		pb_net_order(p->net, &order);
		for (uint32_t lv = 0; lv <= pb_net_max_level(p->net); lv++)
			if (_best_at_level_ident(p, lv, want) >= 0)
				return _finish(p, p->best, want, out, why);
		/*
		 * A switch over every node has been tried in the same order
		 * as the virtual root, and could not: without a why_not to
		 * fill in, nothing is left to learn from that attempt.
		 */
		if (!why && p->spans_all)
			return 1;
	} else if (p->net && pb_net_switch_count(p->net)) {
		pb_net_order(p->net, &order);
		_count_usable(p, cand, order, p->nn);
		for (uint32_t lv = 0; lv <= pb_net_max_level(p->net); lv++)
			if (_best_at_level(p, cand, lv, want) >= 0)
				return _finish(p, p->best, want, out, why);
	}
	/*
	 * the virtual root: every candidate, in net order; without a
	 * why_not, and in index order, over the usable ones only
	 */
	if (!why && p->nonneg && (!p->net || p->ident) &&
	    _usable_words(p, cand)) {
		_attempt_range(p, 0, p->nn, want, &a);
		return a.picked == want ? _finish(p, p->pick, want, out, why)
					: 1;
	}
	_attempt(p, cand, order, p->nn, want, &a);
	if (a.picked == want)
		return _finish(p, p->pick, want, out, why);
	if (why && pb_bitset_count(cand) >= want) {
		why->domain = a.why_domain;
		why->short_w = a.why_short;
	}
	if (why) {
		for (uint32_t i = 0; i < a.picked; i++)
			why->job_w += _incr(p, p->pick[i]);
	}
	return 1;
}
