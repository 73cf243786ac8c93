/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memo of per-switch placement attempts (see place_memo.h for when an
 * entry holds).  It owns the maps from nodes and domains to the switches
 * over them, each switch's outer domains, the last decision's inputs and
 * the entries; everything is sized at create.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/place_memo.h"

#define NONE UINT32_MAX

/* A level's last walk for one request (pb_place_memo_stale). */
struct slot {
	bool valid;
	uint32_t want;
	pb_watts_t incr[PB_PLACE_MEMO_CLASSES];
	pb_watts_t bound;
	uint64_t pos;  /* the level's log count at the walk */
	uint64_t dpos; /* the domain log's count then */
	uint64_t used; /* the memo's tick then: the oldest is reused */
};

struct pb_place_memo {
	uint32_t nn, nd, nsw, nl, nc, nwords;
	uint32_t *sw_level, *sw_off, *sw_cnt; /* [nsw] */
	uint32_t *node_sw; /* [nn * nl]: the switch of each level over a node */
	uint32_t *dom_sw;  /* [nd * nl]: the one switch a domain lies under */
	bool *lvl_ok;	   /* [nl]: no leaf domain spans two switches */
	uint32_t *outer_first, *outer; /* [nsw + 1], CSR: outer domains */
	pb_watts_t *outer_then; /* CSR as outer: their avail at the put */
	/* the last decision's inputs */
	const void *ledger;
	bool primed;
	uint64_t *prev_cand; /* [nwords] */
	bool *prev_on;	     /* [nn] */
	/* pb_place_memo_powered's nodes, for the next begin alone */
	const uint32_t *pw_nodes;
	uint32_t pw_n;
	bool pw_known;
	/* entries: valid while ent_ok and ent_ver == sw_ver */
	uint64_t *sw_ver, *ent_ver; /* [nsw] */
	bool *ent_ok;
	uint32_t *ent_want, *ent_picked;
	pb_watts_t *ent_left;
	pb_watts_t *ent_incr; /* [nsw * nc] */
	uint32_t *store;      /* [nl * nn]: picks at the switch's offset */
	/*
	 * For reuse at lower increments: whether the attempt refused no
	 * node, its picks' leaf domains per class ([nsw * classes]), and
	 * the usable candidates it saw ([nl * nwords], at its range).
	 */
	bool *ent_free;
	pb_watts_t *ent_lw;
	uint64_t *ent_usable;
	uint32_t *node_cls, *node_leaves; /* [nn] */
	/* the current request */
	const pb_watts_t *avail;
	const uint64_t *usable;
	uint32_t want;
	pb_watts_t incr[PB_PLACE_MEMO_CLASSES];
	pb_watts_t bound;
	/*
	 * Staleness, per level: a log of the switches bumped (lg, lg_cap
	 * entries from lg_base, lg_n ever written), the domains outer to
	 * some of its switches (lv_dom, CSR over levels: lv_dom_first [nl +
	 * 1]) with the switches each is outer to (dom_outer_first, CSR over
	 * lv_dom; dom_outer), and PB_PLACE_MEMO_SLOTS slots, each the last
	 * walk of the level for one request; sl_seen: the avail of lv_dom
	 * at that walk ([slots * entries of lv_dom], by level, then slot).
	 * mark, epoch and found: a walk's stale switches, once each.
	 */
	uint32_t *lg, *lg_base, *lg_cap; /* [sum of lg_cap], [nl], [nl] */
	uint64_t *lg_n;			 /* [nl] */
	/*
	 * Each switch's last entry in its log, plus one (0: none), and the
	 * log count at each level's last walk ([nsw], [nl]): an entry made
	 * since is seen by every slot, so it is not made again.
	 */
	uint64_t *lg_at, *lg_walk;
	/* the switches bumped in this decision's tracking ([nsw]) */
	uint32_t *bumped, bump_epoch;
	uint32_t *lv_dom_first, *lv_dom, *dom_outer_first, *dom_outer;
	struct slot *sl; /* [nl * slots] */
	pb_watts_t *sl_seen;
	/*
	 * The domains begin was told changed (dlog, dlog_cap entries,
	 * dlog_n ever written), and each domain's lv_dom entry per level
	 * ([nl * nd], NONE): a slot compares only the outer domains logged
	 * since its last walk, not every one (a pass over all of them was
	 * most of a walk's cache misses).
	 */
	uint32_t *dlog, dlog_cap, *lv_idx;
	uint64_t dlog_n;
	uint64_t tick;
	uint32_t *mark, *found, epoch; /* [nsw], [nsw] */
};

void pb_place_memo_destroy(pb_place_memo_t *m)
{
	if (!m)
		return;
	free(m->sw_level);
	free(m->sw_off);
	free(m->sw_cnt);
	free(m->node_sw);
	free(m->dom_sw);
	free(m->lvl_ok);
	free(m->outer_first);
	free(m->outer);
	free(m->outer_then);
	free(m->prev_cand);
	free(m->prev_on);
	free(m->sw_ver);
	free(m->ent_ver);
	free(m->ent_ok);
	free(m->ent_want);
	free(m->ent_picked);
	free(m->ent_left);
	free(m->ent_incr);
	free(m->store);
	free(m->ent_free);
	free(m->ent_lw);
	free(m->ent_usable);
	free(m->node_cls);
	free(m->node_leaves);
	free(m->lg);
	free(m->lg_base);
	free(m->lg_cap);
	free(m->lg_n);
	free(m->lg_at);
	free(m->lg_walk);
	free(m->bumped);
	free(m->lv_dom_first);
	free(m->lv_dom);
	free(m->dom_outer_first);
	free(m->dom_outer);
	free(m->sl);
	free(m->sl_seen);
	free(m->dlog);
	free(m->lv_idx);
	free(m->mark);
	free(m->found);
	free(m);
}

/* Each switch's level and index range, and the switch over each node. */
static void _map_switches(pb_place_memo_t *m, const pb_net_t *net)
{
	const uint32_t *base, *nodes;

	pb_net_order(net, &base);
	for (size_t i = 0; i < (size_t)m->nn * m->nl; i++)
		m->node_sw[i] = NONE;
	for (uint32_t s = 0; s < m->nsw; s++) {
		m->sw_level[s] = pb_net_switch_level(net, s);
		m->sw_cnt[s] = pb_net_switch_nodes(net, s, &nodes);
		m->sw_off[s] = (uint32_t)(nodes - base);
		for (uint32_t i = 0; i < m->sw_cnt[s]; i++)
			m->node_sw[(size_t)(m->sw_off[s] + i) * m->nl +
				   m->sw_level[s]] = s;
	}
}

/*
 * The switch of each level a domain's nodes all lie under (lo/hi: its
 * lowest and highest node); a leaf domain without one disables the
 * level.
 */
static void _map_domains(pb_place_memo_t *m, const pb_site_t *site,
			 const uint32_t *lo, const uint32_t *hi)
{
	for (uint32_t d = 0; d < m->nd; d++) {
		for (uint32_t lv = 0; lv < m->nl; lv++) {
			uint32_t s =
			    lo[d] == NONE
				? NONE
				: m->node_sw[(size_t)lo[d] * m->nl + lv];

			if (s != NONE && hi[d] >= m->sw_off[s] + m->sw_cnt[s])
				s = NONE;
			m->dom_sw[(size_t)d * m->nl + lv] = s;
			if (s == NONE && lo[d] != NONE &&
			    pb_site_domain_is_leaf(site, d))
				m->lvl_ok[lv] = false;
		}
	}
}

/* Outer domains of every switch (fill: false counts them only). */
static uint32_t _outer_pass(pb_place_memo_t *m, const pb_site_t *site,
			    uint32_t *mark, bool fill)
{
	uint32_t k = 0;

	for (uint32_t d = 0; d < m->nd; d++)
		mark[d] = NONE;
	for (uint32_t s = 0; s < m->nsw; s++) {
		uint32_t lv = m->sw_level[s];

		if (fill)
			m->outer_first[s] = k;
		for (uint32_t i = 0; i < m->sw_cnt[s]; i++) {
			const uint32_t *path;
			uint32_t len =
			    pb_site_node_path(site, m->sw_off[s] + i, &path);

			for (uint32_t j = 0; j < len; j++) {
				uint32_t d = path[j];

				if (mark[d] == s ||
				    m->dom_sw[(size_t)d * m->nl + lv] == s)
					continue;
				mark[d] = s;
				if (fill)
					m->outer[k] = d;
				k++;
			}
		}
	}
	if (fill)
		m->outer_first[m->nsw] = k;
	return k;
}

/* Lowest and highest node under each domain (NONE: no node). */
static void _domain_spans(const pb_site_t *site, uint32_t nn, uint32_t *lo,
			  uint32_t *hi, uint32_t nd)
{
	for (uint32_t d = 0; d < nd; d++) {
		lo[d] = NONE;
		hi[d] = 0;
	}
	for (uint32_t n = 0; n < nn; n++) {
		const uint32_t *path;
		uint32_t len = pb_site_node_path(site, n, &path);

		for (uint32_t j = 0; j < len; j++) {
			if (lo[path[j]] == NONE)
				lo[path[j]] = n;
			hi[path[j]] = n;
		}
	}
}

/* Each node's class and the number of leaf domains on its path. */
static void _map_nodes(pb_place_memo_t *m, const pb_site_t *site)
{
	for (uint32_t n = 0; n < m->nn; n++) {
		const uint32_t *path;
		uint32_t len = pb_site_node_path(site, n, &path);

		m->node_cls[n] = pb_site_node_class(site, n);
		for (uint32_t j = 0; j < len; j++)
			m->node_leaves[n] +=
			    pb_site_domain_is_leaf(site, path[j]);
	}
}

/*
 * Each level's log: four entries a switch (and a few), so that a slot
 * walked once in a few decisions catches up from it.
 */
static int _stale_logs(pb_place_memo_t *m)
{
	uint32_t at = 0;

	for (uint32_t s = 0; s < m->nsw; s++)
		m->lg_cap[m->sw_level[s]] += 4;
	for (uint32_t lv = 0; lv < m->nl; lv++) {
		m->lg_cap[lv] += 16;
		m->lg_base[lv] = at;
		at += m->lg_cap[lv];
	}
	m->lg = calloc(at + 1, sizeof(*m->lg));
	return m->lg ? 0 : -1;
}

/*
 * lv_dom and dom_outer from the outer domains of every switch (idx: the
 * lv_dom entry of each level and domain, NONE as given); fill: false
 * counts the switches of each entry only.
 */
static void _outer_by_level(pb_place_memo_t *m, uint32_t *idx, bool fill)
{
	uint32_t n = 0;

	for (uint32_t lv = 0; lv < m->nl; lv++) {
		m->lv_dom_first[lv] = n;
		for (uint32_t s = 0; s < m->nsw; s++) {
			if (m->sw_level[s] != lv)
				continue;
			for (uint32_t k = m->outer_first[s];
			     k < m->outer_first[s + 1]; k++) {
				uint32_t *at =
				    &idx[(size_t)lv * m->nd + m->outer[k]];

				if (*at == NONE) {
					*at = n++;
					m->lv_dom[*at] = m->outer[k];
				}
				if (fill)
					m->dom_outer
					    [m->dom_outer_first[*at]++] = s;
				else
					m->dom_outer_first[*at + 1]++;
			}
		}
	}
	m->lv_dom_first[m->nl] = n;
}

static int _stale_maps(pb_place_memo_t *m)
{
	uint32_t k = m->outer_first[m->nsw] + 1;
	size_t nidx = (size_t)m->nl * m->nd + 1;
	uint32_t *idx = malloc(nidx * sizeof(*idx));

	m->lv_idx = idx;
	m->dlog_cap = 2 * m->nd + 64;
	m->dlog = calloc(m->dlog_cap, sizeof(*m->dlog));
	m->lv_dom = calloc(k, sizeof(*m->lv_dom));
	m->sl_seen = calloc(k * PB_PLACE_MEMO_SLOTS, sizeof(*m->sl_seen));
	m->dom_outer_first = calloc(k + 1, sizeof(*m->dom_outer_first));
	m->dom_outer = calloc(k, sizeof(*m->dom_outer));
	if (!idx || !m->dlog || !m->lv_dom || !m->sl_seen ||
	    !m->dom_outer_first || !m->dom_outer)
		return -1;
	memset(idx, 0xff, nidx * sizeof(*idx));
	_outer_by_level(m, idx, false);
	for (uint32_t j = 0; j < m->lv_dom_first[m->nl]; j++)
		m->dom_outer_first[j + 1] += m->dom_outer_first[j];
	memset(idx, 0xff, nidx * sizeof(*idx));
	_outer_by_level(m, idx, true);
	/* each first moved on to the next one's: shift them back */
	for (uint32_t j = m->lv_dom_first[m->nl]; j > 0; j--)
		m->dom_outer_first[j] = m->dom_outer_first[j - 1];
	m->dom_outer_first[0] = 0;
	return 0;
}

static int _maps(pb_place_memo_t *m, const pb_site_t *site, const pb_net_t *net)
{
	uint32_t *lo = calloc(m->nd + 1, sizeof(*lo));
	uint32_t *hi = calloc(m->nd + 1, sizeof(*hi));
	uint32_t k;
	int rc = -1;

	if (!lo || !hi)
		goto out;
	_map_switches(m, net);
	_domain_spans(site, m->nn, lo, hi, m->nd);
	_map_domains(m, site, lo, hi);
	/* lo serves as the marks now */
	k = _outer_pass(m, site, lo, false) + 1;
	m->outer = calloc(k, sizeof(*m->outer));
	m->outer_then = calloc(k, sizeof(*m->outer_then));
	if (!m->outer || !m->outer_then)
		goto out;
	_outer_pass(m, site, lo, true);
	rc = 0;
out:
	free(lo);
	free(hi);
	return rc;
}

pb_place_memo_t *pb_place_memo_create(const pb_site_t *site,
				      const pb_net_t *net)
{
	pb_place_memo_t *m = calloc(1, sizeof(*m));
	size_t nsw;

	if (!m)
		return NULL;
	m->nn = pb_site_node_count(site);
	m->nd = pb_site_domain_count(site);
	m->nc = pb_site_class_count(site);
	m->nsw = pb_net_switch_count(net);
	m->nl = m->nsw ? pb_net_max_level(net) + 1 : 0;
	m->nwords = (m->nn + 63) / 64;
	nsw = (size_t)m->nsw + 1;
	m->sw_level = calloc(nsw, sizeof(*m->sw_level));
	m->sw_off = calloc(nsw, sizeof(*m->sw_off));
	m->sw_cnt = calloc(nsw, sizeof(*m->sw_cnt));
	m->node_sw = calloc((size_t)m->nn * m->nl + 1, sizeof(*m->node_sw));
	m->dom_sw = calloc((size_t)m->nd * m->nl + 1, sizeof(*m->dom_sw));
	m->lvl_ok = calloc(m->nl + 1, sizeof(*m->lvl_ok));
	m->outer_first = calloc(nsw, sizeof(*m->outer_first));
	m->prev_cand = calloc(m->nwords + 1, sizeof(*m->prev_cand));
	m->prev_on = calloc(m->nn + 1, sizeof(*m->prev_on));
	m->sw_ver = calloc(nsw, sizeof(*m->sw_ver));
	m->ent_ver = calloc(nsw, sizeof(*m->ent_ver));
	m->ent_ok = calloc(nsw, sizeof(*m->ent_ok));
	m->ent_want = calloc(nsw, sizeof(*m->ent_want));
	m->ent_picked = calloc(nsw, sizeof(*m->ent_picked));
	m->ent_left = calloc(nsw, sizeof(*m->ent_left));
	m->ent_incr = calloc(nsw * PB_PLACE_MEMO_CLASSES, sizeof(*m->ent_incr));
	m->store = calloc((size_t)m->nl * m->nn + 1, sizeof(*m->store));
	m->ent_free = calloc(nsw, sizeof(*m->ent_free));
	m->ent_lw = calloc(nsw * PB_PLACE_MEMO_CLASSES, sizeof(*m->ent_lw));
	m->ent_usable =
	    calloc((size_t)m->nl * m->nwords + 1, sizeof(*m->ent_usable));
	m->node_cls = calloc(m->nn + 1, sizeof(*m->node_cls));
	m->node_leaves = calloc(m->nn + 1, sizeof(*m->node_leaves));
	m->lg_base = calloc(m->nl + 1, sizeof(*m->lg_base));
	m->lg_cap = calloc(m->nl + 1, sizeof(*m->lg_cap));
	m->lg_n = calloc(m->nl + 1, sizeof(*m->lg_n));
	m->lg_at = calloc(nsw, sizeof(*m->lg_at));
	m->lg_walk = calloc(m->nl + 1, sizeof(*m->lg_walk));
	m->bumped = calloc(nsw, sizeof(*m->bumped));
	m->lv_dom_first = calloc(m->nl + 1, sizeof(*m->lv_dom_first));
	m->sl = calloc((m->nl + 1) * PB_PLACE_MEMO_SLOTS, sizeof(*m->sl));
	m->mark = calloc(nsw, sizeof(*m->mark));
	m->found = calloc(nsw, sizeof(*m->found));
	if (!m->lg_base || !m->lg_cap || !m->lg_n || !m->lg_at || !m->lg_walk ||
	    !m->lv_dom_first || !m->sl || !m->mark || !m->found)
		goto fail;
	if (!m->ent_free || !m->ent_lw || !m->ent_usable || !m->node_cls ||
	    !m->node_leaves)
		goto fail;
	if (m->nc > PB_PLACE_MEMO_CLASSES || !m->sw_level || !m->sw_off ||
	    !m->sw_cnt || !m->node_sw || !m->dom_sw || !m->lvl_ok ||
	    !m->outer_first || !m->prev_cand || !m->prev_on || !m->sw_ver ||
	    !m->ent_ver || !m->ent_ok || !m->ent_want || !m->ent_picked ||
	    !m->ent_left || !m->ent_incr || !m->store)
		goto fail;
	for (uint32_t lv = 0; lv < m->nl; lv++)
		m->lvl_ok[lv] = true;
	if (_maps(m, site, net) || _stale_maps(m) || _stale_logs(m))
		goto fail;
	_map_nodes(m, site);
	return m;
fail:
	pb_place_memo_destroy(m);
	return NULL;
}

/*
 * Something under switch s changed: its version, and its level's log;
 * once a decision is enough, as no entry is put in between.
 */
static inline void _stale(pb_place_memo_t *m, uint32_t s)
{
	uint32_t lv = m->sw_level[s];

	if (m->bumped[s] == m->bump_epoch)
		return;
	m->bumped[s] = m->bump_epoch;
	m->sw_ver[s]++;
	if (m->lg_at[s] && m->lg_at[s] - 1 >= m->lg_walk[lv])
		return;
	m->lg_at[s] = m->lg_n[lv] + 1;
	m->lg[m->lg_base[lv] + m->lg_n[lv]++ % m->lg_cap[lv]] = s;
}

/*
 * Something under every switch over node n changed; *leaf: the leaf
 * switch of the last node bumped.  A node under the same one needs
 * nothing more: every switch over it is that leaf's or one above it.
 */
static void _bump_node(pb_place_memo_t *m, uint32_t n, uint32_t *leaf)
{
	uint32_t s0 = m->nl ? m->node_sw[(size_t)n * m->nl] : NONE;

	if (s0 != NONE && s0 == *leaf)
		return;
	*leaf = s0;
	for (uint32_t lv = 0; lv < m->nl; lv++) {
		uint32_t s = m->node_sw[(size_t)n * m->nl + lv];

		if (s != NONE)
			_stale(m, s);
	}
}

/* Domain d's avail changed: so did what lies under its switches. */
static void _bump_domain(pb_place_memo_t *m, uint32_t d)
{
	for (uint32_t lv = 0; lv < m->nl; lv++) {
		uint32_t s = m->dom_sw[(size_t)d * m->nl + lv];

		if (s != NONE)
			_stale(m, s);
	}
}

/*
 * Bit i set where the i-th of the 8 bools at a and b differ: their
 * bytes are 0 or 1, so the product gathers each byte's low bit.
 */
static inline uint64_t _bool_diff8(const bool *a, const bool *b)
{
	uint64_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return ((x ^ y) * UINT64_C(0x0102040810204080)) >> 56;
}

/* The nodes of word k whose candidacy or power state changed. */
static uint64_t _word_changes(pb_place_memo_t *m, uint32_t k,
			      const uint64_t *cand, const bool *on)
{
	uint32_t from = k * 64, len = m->nn - from < 64 ? m->nn - from : 64;
	uint64_t x = cand[k] ^ m->prev_cand[k];

	m->prev_cand[k] = cand[k];
	if (!memcmp(on + from, m->prev_on + from, len))
		return x;
	for (uint32_t b = 0; b + 8 <= len; b += 8)
		x |= _bool_diff8(on + from + b, m->prev_on + from + b) << b;
	for (uint32_t b = len & ~7u; b < len; b++)
		if (on[from + b] != m->prev_on[from + b])
			x |= UINT64_C(1) << b;
	memcpy(m->prev_on + from, on + from, len);
	return x;
}

/* Words of nodes compared at once: few change between two decisions. */
#define BLOCK 8

/* Are the BLOCK words from k on (all whole) as at the last decision? */
static bool _block_same(const pb_place_memo_t *m, uint32_t k,
			const uint64_t *cand, const bool *on)
{
	if (k % BLOCK || (k + BLOCK) * 64 > m->nn)
		return false;
	for (uint32_t i = k; i < k + BLOCK; i++)
		if (cand[i] != m->prev_cand[i])
			return false;
	return !memcmp(on + k * 64, m->prev_on + k * 64, BLOCK * 64);
}

/* A decision's tracking starts: a new epoch, the changed domains. */
static void _track_domains(pb_place_memo_t *m, const uint32_t *changed,
			   uint32_t nchanged)
{
	if (!++m->bump_epoch) {
		memset(m->bumped, 0, m->nsw * sizeof(*m->bumped));
		m->bump_epoch = 1;
	}
	for (uint32_t i = 0; i < nchanged; i++) {
		_bump_domain(m, changed[i]);
		m->dlog[m->dlog_n++ % m->dlog_cap] = changed[i];
	}
}

static void _track(pb_place_memo_t *m, const uint32_t *changed,
		   uint32_t nchanged, const uint64_t *cand, const bool *on)
{
	uint32_t leaf = NONE;

	_track_domains(m, changed, nchanged);
	for (uint32_t k = 0; k < m->nwords; k++) {
		uint64_t x;

		if (_block_same(m, k, cand, on)) {
			k += BLOCK - 1;
			continue;
		}
		x = _word_changes(m, k, cand, on);
		for (; x; x &= x - 1)
			_bump_node(m, k * 64 + (uint32_t)__builtin_ctzll(x),
				   &leaf);
	}
}

/*
 * _track when only the listed nodes' power states may have changed:
 * the candidate words compared, and those nodes alone.
 */
static void _track_listed(pb_place_memo_t *m, const uint32_t *changed,
			  uint32_t nchanged, const uint64_t *cand,
			  const bool *on)
{
	uint32_t leaf = NONE;

	_track_domains(m, changed, nchanged);
	for (uint32_t k = 0; k < m->nwords; k++) {
		uint64_t x = cand[k] ^ m->prev_cand[k];

		m->prev_cand[k] = cand[k];
		for (; x; x &= x - 1)
			_bump_node(m, k * 64 + (uint32_t)__builtin_ctzll(x),
				   &leaf);
	}
	for (uint32_t i = 0; i < m->pw_n; i++) {
		uint32_t n = m->pw_nodes[i];

		if (n >= m->nn || on[n] == m->prev_on[n])
			continue;
		m->prev_on[n] = on[n];
		_bump_node(m, n, &leaf);
	}
}

void pb_place_memo_powered(pb_place_memo_t *m, const uint32_t *nodes,
			   uint32_t n)
{
	m->pw_nodes = nodes;
	m->pw_n = n;
	m->pw_known = true;
}

void pb_place_memo_begin(pb_place_memo_t *m, const void *ledger,
			 const pb_watts_t *avail, const uint32_t *changed,
			 uint32_t nchanged, const uint64_t *cand,
			 const bool *on)
{
	if (!m->primed || m->ledger != ledger) {
		memset(m->ent_ok, 0, m->nsw * sizeof(*m->ent_ok));
		for (uint32_t i = 0; i < m->nl * PB_PLACE_MEMO_SLOTS; i++)
			m->sl[i].valid = false;
		memcpy(m->prev_cand, cand, m->nwords * sizeof(*cand));
		memcpy(m->prev_on, on, m->nn * sizeof(*on));
		m->primed = true;
		m->ledger = ledger;
	} else if (m->pw_known) {
		_track_listed(m, changed, nchanged, cand, on);
	} else {
		_track(m, changed, nchanged, cand, on);
	}
	m->pw_known = false;
	m->avail = avail;
}

void pb_place_memo_request(pb_place_memo_t *m, uint32_t nnodes,
			   const pb_watts_t *class_incr, pb_watts_t bound,
			   const uint64_t *usable)
{
	m->usable = usable;
	m->want = nnodes;
	m->bound = bound;
	for (uint32_t c = 0; c < m->nc; c++)
		m->incr[c] = class_incr[c];
}

/*
 * Every outer domain of sw as it was at sw's put: the same avail, or
 * loose (avail >= bound) then and now.
 */
static bool _outer_same(const pb_place_memo_t *m, uint32_t sw)
{
	for (uint32_t k = m->outer_first[sw]; k < m->outer_first[sw + 1]; k++) {
		pb_watts_t now = m->avail[m->outer[k]], then = m->outer_then[k];

		if (now != then && (now < m->bound || then < m->bound))
			return false;
	}
	return true;
}

/* The bits of word k that lie in [from, to). */
static uint64_t _range_mask(uint32_t k, uint32_t from, uint32_t to)
{
	uint64_t bits = ~UINT64_C(0);
	uint32_t lo = k * 64;

	if (from > lo)
		bits &= ~UINT64_C(0) << (from - lo);
	if (to < lo + 64)
		bits &= ~UINT64_C(0) >> (lo + 64 - to);
	return bits;
}

/* The words of sw's range in the kept usable candidates of its level. */
static uint64_t *_kept_usable(const pb_place_memo_t *m, uint32_t sw)
{
	return m->ent_usable + (size_t)m->sw_level[sw] * m->nwords;
}

static void _save_usable(pb_place_memo_t *m, uint32_t sw)
{
	uint32_t from = m->sw_off[sw], to = from + m->sw_cnt[sw];
	uint64_t *kept = _kept_usable(m, sw);

	for (uint32_t k = from / 64; to > from && k <= (to - 1) / 64; k++) {
		uint64_t bits = _range_mask(k, from, to);

		kept[k] = (kept[k] & ~bits) | (m->usable[k] & bits);
	}
}

static bool _same_usable(const pb_place_memo_t *m, uint32_t sw)
{
	uint32_t from = m->sw_off[sw], to = from + m->sw_cnt[sw];
	const uint64_t *kept = _kept_usable(m, sw);

	for (uint32_t k = from / 64; to > from && k <= (to - 1) / 64; k++)
		if ((kept[k] ^ m->usable[k]) & _range_mask(k, from, to))
			return false;
	return true;
}

/*
 * Does sw's entry hold for this request's increments?  The same ones:
 * as the header says.  Lower ones (none higher): when the entry refused
 * no node and the usable candidates under sw are the same, every node
 * it took still fits (each needs less, after picks that took less) and
 * the greedy pass takes the same nodes.
 */
static bool _incr_holds(const pb_place_memo_t *m, uint32_t sw, bool *same)
{
	const pb_watts_t *then = m->ent_incr + sw * PB_PLACE_MEMO_CLASSES;

	*same = true;
	for (uint32_t c = 0; c < m->nc; c++) {
		if (m->incr[c] > then[c])
			return false;
		if (m->incr[c] != then[c])
			*same = false;
	}
	return *same || (m->ent_free[sw] && _same_usable(m, sw));
}

bool pb_place_memo_get(const pb_place_memo_t *m, uint32_t sw, uint32_t *picked,
		       pb_watts_t *leftover, const uint32_t **picks)
{
	uint32_t lv = m->sw_level[sw];
	const pb_watts_t *then = m->ent_incr + sw * PB_PLACE_MEMO_CLASSES;
	const pb_watts_t *lw = m->ent_lw + sw * PB_PLACE_MEMO_CLASSES;
	bool same;

	if (!m->lvl_ok[lv] || !m->ent_ok[sw] ||
	    m->ent_ver[sw] != m->sw_ver[sw] || m->ent_want[sw] != m->want)
		return false;
	if (!_incr_holds(m, sw, &same) || !_outer_same(m, sw))
		return false;
	*picked = m->ent_picked[sw];
	/* each pick's leaf domains keep what it no longer takes */
	*leftover = m->ent_left[sw];
	for (uint32_t c = 0; c < m->nc && !same; c++)
		*leftover += (then[c] - m->incr[c]) * lw[c];
	*picks = m->store + (size_t)lv * m->nn + m->sw_off[sw];
	return true;
}

void pb_place_memo_put(pb_place_memo_t *m, uint32_t sw, uint32_t picked,
		       pb_watts_t leftover, bool refused, const uint32_t *picks)
{
	pb_watts_t *lw = m->ent_lw + sw * PB_PLACE_MEMO_CLASSES;

	uint32_t lv = m->sw_level[sw];

	m->ent_ok[sw] = false;
	if (!m->lvl_ok[lv] || picked > m->sw_cnt[sw])
		return;
	for (uint32_t k = m->outer_first[sw]; k < m->outer_first[sw + 1]; k++)
		m->outer_then[k] = m->avail[m->outer[k]];
	memcpy(m->store + (size_t)lv * m->nn + m->sw_off[sw], picks,
	       picked * sizeof(*picks));
	m->ent_ok[sw] = true;
	m->ent_ver[sw] = m->sw_ver[sw];
	m->ent_want[sw] = m->want;
	m->ent_picked[sw] = picked;
	m->ent_left[sw] = leftover;
	for (uint32_t c = 0; c < m->nc; c++)
		m->ent_incr[sw * PB_PLACE_MEMO_CLASSES + c] = m->incr[c];
	m->ent_free[sw] = !refused;
	if (refused)
		return;
	_save_usable(m, sw);
	for (uint32_t c = 0; c < m->nc; c++)
		lw[c] = 0;
	for (uint32_t i = 0; i < picked; i++)
		lw[m->node_cls[picks[i]]] += m->node_leaves[picks[i]];
}

/* Switch s into this walk's list, once. */
static inline void _found(pb_place_memo_t *m, uint32_t s, uint32_t *n)
{
	if (m->mark[s] == m->epoch)
		return;
	m->mark[s] = m->epoch;
	m->found[(*n)++] = s;
}

/*
 * Outer entry j of a level (seen: its slot's avail of j at the last
 * walk) is stale when its avail changed since, unless it was loose then
 * and is loose now (the rule of pb_place_memo_get, from one walk to the
 * next): then the switches it is outer to are.
 */
static inline void _stale_entry(pb_place_memo_t *m, uint32_t j,
				pb_watts_t *seen, uint32_t *n)
{
	pb_watts_t now = m->avail[m->lv_dom[j]], then = seen[j];

	seen[j] = now;
	if (now == then || (now >= m->bound && then >= m->bound))
		return;
	for (uint32_t i = m->dom_outer_first[j]; i < m->dom_outer_first[j + 1];
	     i++)
		_found(m, m->dom_outer[i], n);
}

/*
 * The switches of lv over a stale outer domain, for slot k: those the
 * domain log names since the slot's last walk, or every one when the
 * slot is new (all) or the log has run past it.
 */
static void _stale_outer(pb_place_memo_t *m, uint32_t lv, uint32_t k, bool all,
			 uint32_t *n)
{
	struct slot *sl = m->sl + (size_t)lv * PB_PLACE_MEMO_SLOTS + k;
	uint32_t first = m->lv_dom_first[lv];
	pb_watts_t *seen = m->sl_seen + (size_t)first * PB_PLACE_MEMO_SLOTS +
			   (size_t)k * (m->lv_dom_first[lv + 1] - first) -
			   first;

	if (all || m->dlog_n - sl->dpos > m->dlog_cap) {
		for (uint32_t j = first; j < m->lv_dom_first[lv + 1]; j++)
			_stale_entry(m, j, seen, n);
	} else {
		for (uint64_t i = sl->dpos; i < m->dlog_n; i++) {
			uint32_t d = m->dlog[i % m->dlog_cap];
			uint32_t j = m->lv_idx[(size_t)lv * m->nd + d];

			if (j != NONE)
				_stale_entry(m, j, seen, n);
		}
	}
	sl->dpos = m->dlog_n;
}

static bool _slot_is(const pb_place_memo_t *m, const struct slot *sl)
{
	return sl->valid && sl->want == m->want && sl->bound == m->bound &&
	       !memcmp(sl->incr, m->incr, m->nc * sizeof(*sl->incr));
}

/*
 * The slot of lv walked for this request; else the oldest (or an unused
 * one) now taken for it, *fresh.
 */
static uint32_t _slot_for(pb_place_memo_t *m, uint32_t lv, bool *fresh)
{
	struct slot *sl = m->sl + (size_t)lv * PB_PLACE_MEMO_SLOTS;
	uint32_t old = 0;

	for (uint32_t k = 0; k < PB_PLACE_MEMO_SLOTS; k++) {
		if (_slot_is(m, &sl[k])) {
			*fresh = false;
			return k;
		}
		if (!sl[k].valid ||
		    (sl[old].valid && sl[k].used < sl[old].used))
			old = k;
	}
	sl[old] = (struct slot){.valid = true,
				.want = m->want,
				.bound = m->bound,
				.pos = m->lg_n[lv]};
	memcpy(sl[old].incr, m->incr, m->nc * sizeof(*m->incr));
	*fresh = true;
	return old;
}

uint32_t pb_place_memo_stale(pb_place_memo_t *m, uint32_t lv, uint32_t *slot,
			     const uint32_t **sw, bool *all)
{
	uint32_t k = _slot_for(m, lv, all), n = 0;
	struct slot *sl = m->sl + (size_t)lv * PB_PLACE_MEMO_SLOTS + k;

	if (!++m->epoch) {
		memset(m->mark, 0, m->nsw * sizeof(*m->mark));
		m->epoch = 1;
	}
	/* a slot the log has run past is stale everywhere */
	if (m->lg_n[lv] - sl->pos > m->lg_cap[lv])
		*all = true;
	for (uint64_t i = sl->pos; !*all && i < m->lg_n[lv]; i++)
		_found(m, m->lg[m->lg_base[lv] + i % m->lg_cap[lv]], &n);
	_stale_outer(m, lv, k, *all, &n);
	sl->pos = m->lg_walk[lv] = m->lg_n[lv];
	sl->used = ++m->tick;
	*slot = k;
	*sw = m->found;
	return n;
}

bool pb_place_memo_level_ok(const pb_place_memo_t *m, uint32_t lv)
{
	return lv < m->nl && m->lvl_ok[lv];
}
