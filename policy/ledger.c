/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The power ledger (see ledger.h).
 *
 * Storage: jobs live in a slot pool with a free list, found through an
 * open-addressing hash on the job id; each job's nodes are a chain of
 * entries from a second pool.  Reservations are a small fixed table; for
 * each, two dense per-domain arrays: held (its own watts) and load (the
 * load of every domain at its start time, kept up to date by every
 * mutation), so admission checks a reservation checkpoint in O(1) per
 * domain instead of walking the jobs.  All scratch used by the queries is
 * allocated at create time.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/ledger.h"

#define NIL UINT32_MAX

struct job {
	uint32_t id;
	bool used;
	bool suspended;
	int64_t end;
	pb_watts_t watts;
	uint32_t nnodes;
	uint32_t first; /* entry chain; free-list link when unused */
};

struct entry {
	uint32_t node;
	uint16_t gpus;
	uint16_t cores;
	pb_watts_t incr; /* job increment on this node (no wake-up) */
	uint32_t next;
};

struct resv {
	uint32_t id;
	bool used;
	int64_t start, end;
	uint32_t first; /* entry chain, to know which nodes it pins */
	bool window;	/* a cap window: held only in win_domain */
	uint32_t win_domain;
	pb_watts_t win_cap;
	pb_watts_t *held;  /* [ndomains] */
	pb_watts_t *load;  /* [ndomains]: load(d, start) */
	bool lifted;	   /* out of every figure, slot and chain kept */
	uint64_t lift_mut; /* _mutations(l) when lifted */
};

struct event {
	int64_t t;
	uint32_t kind; /* EV_* */
	uint32_t idx;  /* job slot or reservation index */
};

enum { EV_JOB_END, EV_RESV_START, EV_RESV_END };

struct scratch {
	uint32_t epoch;
	uint32_t *node_mark; /* [nnodes] */
	uint32_t *dom_mark;  /* [ndomains] */
	pb_watts_t *delta;   /* [ndomains] */
	pb_watts_t *level;   /* [ndomains] */
	uint32_t *touched;   /* [ndomains] */
	uint32_t ntouched;
	struct event *events; /* [jobs_cap + 2 * resv_cap] */
	bool *resv_fits;      /* [resv_cap] */
};

struct pb_ledger {
	const pb_site_t *site;
	uint32_t nnodes, ndomains;
	pb_watts_t *cap, *limit, *committed; /* [ndomains] */
	pb_watts_t *unmodelled; /* [ndomains]: measured over model */
	bool *on;		/* [nnodes] */
	/*
	 * each node's domain path, wake-up (idle - off) and class, from the
	 * site once: every change walks the path, a power change adds the
	 * wake-up, a job's increments follow the class
	 */
	const uint32_t **node_path;	 /* [nnodes] */
	uint32_t *node_plen;		 /* [nnodes] */
	pb_watts_t *node_wake;		 /* [nnodes] */
	uint32_t *node_cls;		 /* [nnodes] */
	pb_watts_t *node_incr;		 /* [nnodes] running increments */
	uint32_t *node_jobs, *node_resv; /* [nnodes] pins */
	struct job *jobs;
	uint32_t jobs_cap, njobs, job_free;
	uint32_t jobs_hi;  /* 1 + highest slot in use: loops stop there */
	uint32_t *hash;	   /* job slot + 1, 0 = empty */
	uint32_t hash_cap; /* power of two, >= 2 * jobs_cap */
	struct entry *entries;
	uint32_t entries_cap, entry_free;
	struct resv *resv;
	uint32_t resv_cap, nresv;
	uint32_t resv_hi; /* 1 + highest slot in use: loops stop there */
	pb_watts_t *resv_block;
	struct scratch *s;
	uint64_t gen;	    /* moves on at every call that may change a query */
	uint64_t lift_gens; /* gen's moves by lifts, unlifts, unreserves */
	/*
	 * The domains whose committed or limit watts changed, in order,
	 * once per generation each: a ring of ndomains entries (log), the
	 * count ever written (nlog), and each domain's generation when it
	 * was last written (logged_gen, [ndomains]).
	 */
	uint32_t *log;
	uint64_t nlog;
	uint64_t *logged_gen;
	/*
	 * The nodes whose power state was written, in order: a ring of
	 * nnodes entries (plog) and the count ever written (nplog).
	 */
	uint32_t *plog;
	uint64_t nplog;
};

/* ---- hashing of job ids ---- */

static uint32_t _mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static int64_t _hash_find(const pb_ledger_t *l, uint32_t id)
{
	uint32_t mask = l->hash_cap - 1;

	for (uint32_t i = _mix(id) & mask; l->hash[i]; i = (i + 1) & mask)
		if (l->jobs[l->hash[i] - 1].id == id)
			return i;
	return -1;
}

static struct job *_job(const pb_ledger_t *l, uint32_t id)
{
	int64_t i = _hash_find(l, id);

	return i < 0 ? NULL : &l->jobs[l->hash[i] - 1];
}

static void _hash_put(uint32_t *hash, uint32_t cap, uint32_t id, uint32_t slot)
{
	uint32_t i = _mix(id) & (cap - 1);

	while (hash[i])
		i = (i + 1) & (cap - 1);
	hash[i] = slot + 1;
}

static void _hash_del(pb_ledger_t *l, uint32_t id)
{
	uint32_t mask = l->hash_cap - 1, i, j;
	int64_t found = _hash_find(l, id);

	if (found < 0)
		return;
	i = (uint32_t)found;
	l->hash[i] = 0;
	for (j = (i + 1) & mask; l->hash[j]; j = (j + 1) & mask) {
		uint32_t home = _mix(l->jobs[l->hash[j] - 1].id) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			l->hash[i] = l->hash[j];
			l->hash[j] = 0;
			i = j;
		}
	}
}

/* ---- pools ---- */

static void _chain_free_slots(struct job *jobs, uint32_t from, uint32_t to,
			      uint32_t tail)
{
	for (uint32_t i = from; i < to; i++) {
		jobs[i].used = false;
		jobs[i].first = i + 1 < to ? i + 1 : tail;
	}
}

static void _chain_free_entries(struct entry *e, uint32_t from, uint32_t to,
				uint32_t tail)
{
	for (uint32_t i = from; i < to; i++)
		e[i].next = i + 1 < to ? i + 1 : tail;
}

/* Grow the job pool (and its hash and the event scratch) to hold one more. */
static int _reserve_jobs(pb_ledger_t *l)
{
	uint32_t ncap, hcap;
	struct job *nj;
	uint32_t *nh;
	struct event *ne;

	if (l->job_free != NIL)
		return 0;
	ncap = l->jobs_cap * 2;
	for (hcap = l->hash_cap; hcap < 2 * ncap; hcap *= 2)
		;
	nj = realloc(l->jobs, (size_t)ncap * sizeof(*nj));
	if (!nj)
		return -1;
	l->jobs = nj;
	ne = realloc(l->s->events,
		     ((size_t)ncap + 2 * l->resv_cap) * sizeof(*ne));
	nh = calloc(hcap, sizeof(*nh));
	if (!ne || !nh) {
		/* the bigger job array is harmless; keep the old capacity */
		if (ne)
			l->s->events = ne;
		free(nh);
		return -1;
	}
	l->s->events = ne;
	for (uint32_t i = 0; i < l->jobs_cap; i++)
		if (nj[i].used)
			_hash_put(nh, hcap, nj[i].id, i);
	free(l->hash);
	l->hash = nh;
	l->hash_cap = hcap;
	_chain_free_slots(nj, l->jobs_cap, ncap, NIL);
	l->job_free = l->jobs_cap;
	l->jobs_cap = ncap;
	return 0;
}

static uint32_t _free_entries(const pb_ledger_t *l, uint32_t need)
{
	uint32_t n = 0;

	for (uint32_t e = l->entry_free; e != NIL && n < need;
	     e = l->entries[e].next)
		n++;
	return n;
}

static int _reserve_entries(pb_ledger_t *l, uint32_t need)
{
	uint32_t have = _free_entries(l, need), ncap;
	struct entry *ne;

	if (have >= need)
		return 0;
	ncap = l->entries_cap * 2;
	while (ncap - l->entries_cap + have < need)
		ncap *= 2;
	ne = realloc(l->entries, (size_t)ncap * sizeof(*ne));
	if (!ne)
		return -1;
	_chain_free_entries(ne, l->entries_cap, ncap, l->entry_free);
	l->entry_free = l->entries_cap;
	l->entries = ne;
	l->entries_cap = ncap;
	return 0;
}

static uint32_t _take_entry(pb_ledger_t *l)
{
	uint32_t e = l->entry_free;

	l->entry_free = l->entries[e].next;
	return e;
}

static void _give_chain(pb_ledger_t *l, uint32_t first)
{
	while (first != NIL) {
		uint32_t next = l->entries[first].next;

		l->entries[first].next = l->entry_free;
		l->entry_free = first;
		first = next;
	}
}

/* ---- create / destroy ---- */

static void _free_scratch(struct scratch *s)
{
	if (!s)
		return;
	free(s->node_mark);
	free(s->dom_mark);
	free(s->delta);
	free(s->level);
	free(s->touched);
	free(s->events);
	free(s->resv_fits);
	free(s);
}

static struct scratch *_new_scratch(uint32_t nn, uint32_t nd, uint32_t jobs,
				    uint32_t resv)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->node_mark = calloc(nn, sizeof(*s->node_mark));
	s->dom_mark = calloc(nd, sizeof(*s->dom_mark));
	s->delta = calloc(nd, sizeof(*s->delta));
	s->level = calloc(nd, sizeof(*s->level));
	s->touched = calloc(nd, sizeof(*s->touched));
	s->events = calloc((size_t)jobs + 2 * resv, sizeof(*s->events));
	s->resv_fits = calloc(resv, sizeof(*s->resv_fits));
	if (!s->node_mark || !s->dom_mark || !s->delta || !s->level ||
	    !s->touched || !s->events || !s->resv_fits) {
		_free_scratch(s);
		return NULL;
	}
	return s;
}

static void _fill_opts(const pb_site_t *site, const pb_ledger_opts_t *in,
		       pb_ledger_opts_t *o)
{
	uint32_t nn = pb_site_node_count(site);

	*o = in ? *in : (pb_ledger_opts_t){0};
	if (!o->max_jobs)
		o->max_jobs = nn * 2 > 1024 ? nn * 2 : 1024;
	if (!o->max_alloc_nodes)
		o->max_alloc_nodes = nn * 8 + 1024;
	if (!o->max_reservations)
		o->max_reservations = 64;
}

/* Note that domain d's committed or limit watts change now. */
static inline void _log(pb_ledger_t *l, uint32_t d)
{
	if (l->logged_gen[d] == l->gen + 1)
		return;
	l->logged_gen[d] = l->gen + 1;
	l->log[l->nlog++ % l->ndomains] = d;
}

/* Note that node n's power state is written now. */
static inline void _log_power(pb_ledger_t *l, uint32_t n)
{
	l->plog[l->nplog++ % l->nnodes] = n;
}

/* Every domain changes: more than the ring can say. */
static void _log_all(pb_ledger_t *l)
{
	l->nlog += (uint64_t)l->ndomains + 1;
	for (uint32_t d = 0; d < l->ndomains; d++)
		l->logged_gen[d] = 0;
}

static inline uint32_t _path(const pb_ledger_t *l, uint32_t n,
			     const uint32_t **path)
{
	*path = l->node_path[n];
	return l->node_plen[n];
}

static void _init_state(pb_ledger_t *l)
{
	_log_all(l);
	memset(l->committed, 0, l->ndomains * sizeof(*l->committed));
	for (uint32_t n = 0; n < l->nnodes; n++) {
		const uint32_t *path;
		uint32_t len = _path(l, n, &path);
		pb_watts_t w = l->on[n] ? pb_site_node_idle_w(l->site, n)
					: pb_site_node_off_w(l->site, n);

		for (uint32_t i = 0; i < len; i++)
			l->committed[path[i]] += w;
	}
}

pb_ledger_t *pb_ledger_create(const pb_site_t *site,
			      const pb_ledger_opts_t *opts, pb_error_t *err)
{
	pb_ledger_opts_t o;
	pb_ledger_t *l;
	uint32_t nn, nd;

	if (!site || !pb_site_is_final(site)) {
		pb_error_set(err, "ledger: the site is not finalized");
		return NULL;
	}
	_fill_opts(site, opts, &o);
	nn = pb_site_node_count(site);
	nd = pb_site_domain_count(site);
	l = calloc(1, sizeof(*l));
	if (!l)
		goto fail;
	l->site = site;
	l->nnodes = nn;
	l->ndomains = nd;
	l->cap = calloc(nd, sizeof(*l->cap));
	l->limit = calloc(nd, sizeof(*l->limit));
	l->committed = calloc(nd, sizeof(*l->committed));
	l->unmodelled = calloc(nd, sizeof(*l->unmodelled));
	l->on = calloc(nn, sizeof(*l->on));
	l->node_incr = calloc(nn, sizeof(*l->node_incr));
	l->node_jobs = calloc(nn, sizeof(*l->node_jobs));
	l->node_resv = calloc(nn, sizeof(*l->node_resv));
	l->jobs_cap = o.max_jobs;
	l->jobs = calloc(o.max_jobs, sizeof(*l->jobs));
	for (l->hash_cap = 16; l->hash_cap < 2 * o.max_jobs; l->hash_cap *= 2)
		;
	l->hash = calloc(l->hash_cap, sizeof(*l->hash));
	l->entries_cap = o.max_alloc_nodes;
	l->entries = calloc(o.max_alloc_nodes, sizeof(*l->entries));
	l->resv_cap = o.max_reservations;
	l->resv = calloc(o.max_reservations, sizeof(*l->resv));
	l->resv_block =
	    calloc((size_t)o.max_reservations * nd * 2, sizeof(*l->resv_block));
	l->s = _new_scratch(nn, nd, o.max_jobs, o.max_reservations);
	l->log = calloc(nd, sizeof(*l->log));
	l->logged_gen = calloc(nd, sizeof(*l->logged_gen));
	l->plog = calloc(nn, sizeof(*l->plog));
	l->node_path = calloc(nn + 1, sizeof(*l->node_path));
	l->node_plen = calloc(nn + 1, sizeof(*l->node_plen));
	l->node_wake = calloc(nn + 1, sizeof(*l->node_wake));
	l->node_cls = calloc(nn + 1, sizeof(*l->node_cls));
	if (!l->log || !l->logged_gen || !l->plog || !l->node_path ||
	    !l->node_plen || !l->node_wake || !l->node_cls || !l->cap ||
	    !l->limit || !l->committed || !l->unmodelled || !l->on ||
	    !l->node_incr || !l->node_jobs || !l->node_resv || !l->jobs ||
	    !l->hash || !l->entries || !l->resv || !l->resv_block || !l->s)
		goto fail;
	for (uint32_t r = 0; r < l->resv_cap; r++) {
		l->resv[r].held = l->resv_block + (size_t)r * nd * 2;
		l->resv[r].load = l->resv[r].held + nd;
	}
	_chain_free_slots(l->jobs, 0, l->jobs_cap, NIL);
	l->job_free = 0;
	_chain_free_entries(l->entries, 0, l->entries_cap, NIL);
	l->entry_free = 0;
	for (uint32_t d = 0; d < nd; d++) {
		l->cap[d] = pb_site_domain_cap(site, d);
		l->limit[d] = pb_site_it_limit(site, d, l->cap[d]);
	}
	for (uint32_t n = 0; n < nn; n++) {
		l->on[n] = true;
		l->node_plen[n] = pb_site_node_path(site, n, &l->node_path[n]);
		l->node_cls[n] = pb_site_node_class(site, n);
		l->node_wake[n] =
		    pb_site_node_idle_w(site, n) - pb_site_node_off_w(site, n);
	}
	/* every node is new: a cursor from before says nothing */
	l->nplog = (uint64_t)nn + 1;
	_init_state(l);
	return l;
fail:
	pb_ledger_destroy(l);
	pb_error_set(err, "ledger: out of memory");
	return NULL;
}

void pb_ledger_destroy(pb_ledger_t *l)
{
	if (!l)
		return;
	free(l->log);
	free(l->logged_gen);
	free(l->plog);
	free(l->node_path);
	free(l->node_plen);
	free(l->node_wake);
	free(l->node_cls);
	free(l->cap);
	free(l->limit);
	free(l->committed);
	free(l->unmodelled);
	free(l->on);
	free(l->node_incr);
	free(l->node_jobs);
	free(l->node_resv);
	free(l->jobs);
	free(l->hash);
	free(l->entries);
	free(l->resv);
	free(l->resv_block);
	_free_scratch(l->s);
	free(l);
}

const pb_site_t *pb_ledger_site(const pb_ledger_t *l)
{
	return l->site;
}

/* ---- shared helpers ---- */

static pb_watts_t _wake_w(const pb_ledger_t *l, uint32_t n)
{
	if (l->on[n])
		return 0;
	return l->node_wake[n];
}

static pb_watts_t _incr(const pb_ledger_t *l, uint32_t n, uint32_t gpus,
			uint32_t cores, pb_watts_t hint, pb_hint_scope_t scope)
{
	const pb_power_class_t *c = pb_site_class(l->site, l->node_cls[n]);

	return pb_power_increment_w(c, gpus, cores,
				    pb_power_hint_on(c, hint, scope));
}

/*
 * _incr over the nodes of one allocation (one hint): the last class and
 * shape asked and the answer, which the next node of the same gets.
 */
struct incr_memo {
	uint32_t cls, gpus, cores;
	pb_watts_t w;
};

static pb_watts_t _incr_of(const pb_ledger_t *l, struct incr_memo *m,
			   const pb_alloc_t *a, uint32_t i)
{
	const pb_alloc_node_t *an = &a->nodes[i];
	uint32_t cls = l->node_cls[an->node];

	if (cls != m->cls || an->gpus != m->gpus || an->cores != m->cores)
		*m =
		    (struct incr_memo){cls, an->gpus, an->cores,
				       _incr(l, an->node, an->gpus, an->cores,
					     a->gpu_watts_hint, a->hint_scope)};
	return m->w;
}

/*
 * Add w on node n's path to committed power, and to the start-time load
 * of every reservation that starts before end (the watts are still drawn
 * then).  end = PB_TIME_NEVER for node state changes.
 */
static void _apply(pb_ledger_t *l, uint32_t n, pb_watts_t w, int64_t end)
{
	const uint32_t *path;
	uint32_t len = _path(l, n, &path);

	for (uint32_t i = 0; i < len; i++) {
		l->committed[path[i]] += w;
		_log(l, path[i]);
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		struct resv *rv = &l->resv[r];

		if (!rv->used || end <= rv->start)
			continue;
		for (uint32_t i = 0; i < len; i++)
			rv->load[path[i]] += w;
	}
}

/*
 * _apply for the watts in scratch (delta over touched): to committed
 * power, and to the load of every reservation starting before end.
 */
static void _apply_touched(pb_ledger_t *l, int64_t end)
{
	const struct scratch *s = l->s;

	for (uint32_t i = 0; i < s->ntouched; i++) {
		l->committed[s->touched[i]] += s->delta[s->touched[i]];
		_log(l, s->touched[i]);
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		struct resv *rv = &l->resv[r];

		if (!rv->used || end <= rv->start)
			continue;
		for (uint32_t i = 0; i < s->ntouched; i++)
			rv->load[s->touched[i]] += s->delta[s->touched[i]];
	}
}

/* Add w on node n's path to the start-time load of reservation rv only. */
static void _apply_resv(const pb_ledger_t *l, pb_watts_t *arr, uint32_t n,
			pb_watts_t w)
{
	const uint32_t *path;
	uint32_t len = _path(l, n, &path);

	for (uint32_t i = 0; i < len; i++)
		arr[path[i]] += w;
}

/* Add w on node n's path to the watts gathered in scratch. */
static inline void _gather_path(const pb_ledger_t *l, uint32_t n, pb_watts_t w)
{
	struct scratch *s = l->s;
	const uint32_t *path;
	uint32_t len = _path(l, n, &path);

	for (uint32_t k = 0; k < len; k++) {
		uint32_t d = path[k];

		if (s->dom_mark[d] != s->epoch) {
			s->dom_mark[d] = s->epoch;
			s->delta[d] = 0;
			s->touched[s->ntouched++] = d;
		}
		s->delta[d] += w;
	}
}

/*
 * Validate alloc and gather, in scratch, the watts it adds per domain
 * (increments plus wake-ups) over the touched domains.  Returns the job
 * increment, or -1 for an invalid allocation.
 */
static pb_watts_t _gather(const pb_ledger_t *l, const pb_alloc_t *a)
{
	struct scratch *s = l->s;
	struct incr_memo memo = {.cls = UINT32_MAX};
	pb_watts_t job_w = 0;

	if (!a || !a->nodes || a->count == 0)
		return -1;
	s->epoch++;
	s->ntouched = 0;
	for (uint32_t i = 0; i < a->count; i++) {
		uint32_t n = a->nodes[i].node;
		pb_watts_t inc;

		if (n >= l->nnodes || s->node_mark[n] == s->epoch)
			return -1;
		s->node_mark[n] = s->epoch;
		inc = _incr_of(l, &memo, a, i);
		job_w += inc;
		_gather_path(l, n, inc + _wake_w(l, n));
	}
	return job_w;
}

static bool _resv_active(const struct resv *r, int64_t t)
{
	return r->used && r->start <= t && t < r->end;
}

/* load(d, now) as ledger.h defines it. */
static pb_watts_t _load_now(const pb_ledger_t *l, uint32_t d, int64_t now)
{
	pb_watts_t w = l->committed[d];

	for (uint32_t r = 0; r < l->resv_hi; r++)
		if (_resv_active(&l->resv[r], now))
			w += l->resv[r].held[d];
	return w;
}

/*
 * Over the touched domains: the lowest-index domain where level + delta
 * exceeds the limit, with the shortfall; -1 if none.
 */
static int32_t _worst(const pb_ledger_t *l, const pb_watts_t *level,
		      bool level_is_sparse, pb_watts_t *short_w)
{
	const struct scratch *s = l->s;
	int32_t best = -1;

	for (uint32_t i = 0; i < s->ntouched; i++) {
		uint32_t d = s->touched[i];
		pb_watts_t lv = level_is_sparse ? s->level[d] : level[d];
		pb_watts_t over = lv + s->delta[d] - l->limit[d];

		if (over > 0 && (best < 0 || d < (uint32_t)best)) {
			best = (int32_t)d;
			*short_w = over;
		}
	}
	return best;
}

/* Is alloc non-empty, with valid and distinct nodes?  Uses node marks. */
static bool _valid(const pb_ledger_t *l, const pb_alloc_t *a)
{
	struct scratch *s = l->s;

	if (!a || !a->nodes || a->count == 0)
		return false;
	s->epoch++;
	for (uint32_t i = 0; i < a->count; i++) {
		uint32_t n = a->nodes[i].node;

		if (n >= l->nnodes || s->node_mark[n] == s->epoch)
			return false;
		s->node_mark[n] = s->epoch;
	}
	return true;
}

/* ---- admission ---- */

int pb_ledger_admit(const pb_ledger_t *l, const pb_alloc_t *alloc, int64_t now,
		    int64_t expected_end, pb_verdict_t *out)
{
	struct scratch *s = l->s;
	pb_watts_t job_w = _gather(l, alloc), short_w = 0;
	int32_t d;
	int64_t best_t = PB_TIME_NEVER;
	uint32_t best_r = NIL;

	*out = (pb_verdict_t){.ok = false, .domain = -1, .at = now};
	if (job_w < 0)
		return -1;
	out->job_w = job_w;
	for (uint32_t i = 0; i < s->ntouched; i++)
		s->level[s->touched[i]] = _load_now(l, s->touched[i], now);
	d = _worst(l, NULL, true, &short_w);
	if (d >= 0) {
		out->domain = d;
		out->short_w = short_w;
		return 1;
	}
	/* the earliest reservation checkpoint inside the job's run that fails
	 */
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (!rv->used || rv->start <= now || rv->start >= expected_end)
			continue;
		if (rv->start >= best_t)
			continue;
		if (_worst(l, rv->load, false, &short_w) >= 0) {
			best_t = rv->start;
			best_r = r;
		}
	}
	if (best_r != NIL) {
		out->domain = _worst(l, l->resv[best_r].load, false, &short_w);
		out->short_w = short_w;
		out->at = best_t;
		return 1;
	}
	out->ok = true;
	return 0;
}

/* ---- jobs ---- */

/* Record alloc as an entry chain; entries must have been reserved. */
static uint32_t _store_chain(pb_ledger_t *l, const pb_alloc_t *a,
			     pb_watts_t *total)
{
	uint32_t first = NIL;
	struct incr_memo memo = {.cls = UINT32_MAX};

	*total = 0;
	for (uint32_t i = a->count; i-- > 0;) {
		uint32_t e = _take_entry(l);
		struct entry *en = &l->entries[e];

		en->node = a->nodes[i].node;
		en->gpus = a->nodes[i].gpus;
		en->cores = a->nodes[i].cores;
		en->incr = _incr_of(l, &memo, a, i);
		en->next = first;
		first = e;
		*total += en->incr;
	}
	return first;
}

/*
 * _wake for every node of alloc at once, each pinned by its new job (a
 * node already on and needing nothing is left out, as _wake leaves it).
 */
static void _wake_all(pb_ledger_t *l, const pb_alloc_t *alloc)
{
	l->s->epoch++;
	l->s->ntouched = 0;
	for (uint32_t i = 0; i < alloc->count; i++) {
		uint32_t n = alloc->nodes[i].node;
		pb_watts_t w = _wake_w(l, n);

		l->node_jobs[n]++;
		if (!w && l->on[n])
			continue;
		if (!l->on[n])
			_log_power(l, n);
		l->on[n] = true;
		_gather_path(l, n, w);
	}
	_apply_touched(l, PB_TIME_NEVER);
}

/*
 * Add (sign 1) or remove (sign -1) a job's increments: summed per domain
 * in scratch first (its nodes share racks and rows), then added once to
 * each domain touched, in the order a node-by-node pass would log them.
 */
static void _job_power(pb_ledger_t *l, const struct job *j, int sign)
{
	l->s->epoch++;
	l->s->ntouched = 0;
	for (uint32_t e = j->first; e != NIL; e = l->entries[e].next) {
		const struct entry *en = &l->entries[e];

		l->node_incr[en->node] += sign * en->incr;
		_gather_path(l, en->node, sign * en->incr);
	}
	_apply_touched(l, j->end);
}

int pb_ledger_commit(pb_ledger_t *l, uint32_t job_id, const pb_alloc_t *alloc,
		     int64_t expected_end, pb_error_t *err)
{
	struct job *j;
	uint32_t slot;

	l->gen++;
	if (_job(l, job_id))
		return pb_error_set(err, "job %u: already in the ledger",
				    job_id);
	if (!_valid(l, alloc))
		return pb_error_set(err, "job %u: invalid allocation", job_id);
	if (_reserve_jobs(l) || _reserve_entries(l, alloc->count))
		return pb_error_set(err, "job %u: out of memory", job_id);
	slot = l->job_free;
	j = &l->jobs[slot];
	l->job_free = j->first;
	if (slot >= l->jobs_hi)
		l->jobs_hi = slot + 1;
	j->used = true;
	j->id = job_id;
	j->suspended = false;
	j->end = expected_end;
	j->nnodes = alloc->count;
	j->first = _store_chain(l, alloc, &j->watts);
	_hash_put(l->hash, l->hash_cap, job_id, slot);
	l->njobs++;
	_wake_all(l, alloc);
	_job_power(l, j, 1);
	return 0;
}

int pb_ledger_release(pb_ledger_t *l, uint32_t job_id)
{
	struct job *j = _job(l, job_id);
	uint32_t slot;

	l->gen++;
	if (!j)
		return -1;
	if (!j->suspended)
		_job_power(l, j, -1);
	for (uint32_t e = j->first; e != NIL; e = l->entries[e].next)
		l->node_jobs[l->entries[e].node]--;
	_give_chain(l, j->first);
	_hash_del(l, job_id);
	slot = (uint32_t)(j - l->jobs);
	j->used = false;
	j->first = l->job_free;
	l->job_free = slot;
	l->njobs--;
	while (l->jobs_hi && !l->jobs[l->jobs_hi - 1].used)
		l->jobs_hi--;
	return 0;
}

int pb_ledger_update_end(pb_ledger_t *l, uint32_t job_id, int64_t end)
{
	struct job *j = _job(l, job_id);

	l->gen++;
	if (!j)
		return -1;
	if (j->suspended) {
		j->end = end;
		return 0;
	}
	/* moving the end only changes which reservation loads count it */
	_job_power(l, j, -1);
	j->end = end;
	_job_power(l, j, 1);
	return 0;
}

int pb_ledger_suspend(pb_ledger_t *l, uint32_t job_id)
{
	struct job *j = _job(l, job_id);

	l->gen++;
	if (!j || j->suspended)
		return -1;
	_job_power(l, j, -1);
	j->suspended = true;
	return 0;
}

int pb_ledger_resume(pb_ledger_t *l, uint32_t job_id)
{
	struct job *j = _job(l, job_id);

	l->gen++;
	if (!j || !j->suspended)
		return -1;
	j->suspended = false;
	_job_power(l, j, 1);
	return 0;
}

/* ---- nodes and caps ---- */

int pb_ledger_set_node_power(pb_ledger_t *l, uint32_t node, bool on,
			     pb_error_t *err)
{
	l->gen++;
	if (node >= l->nnodes)
		return pb_error_set(err, "node #%u: no such node", node);
	if (l->on[node] == on)
		return 0;
	if (!on && (l->node_jobs[node] || l->node_resv[node]))
		return pb_error_set(
		    err,
		    "node %s: cannot power off, %u job(s) and %u "
		    "reservation(s) on it",
		    pb_site_node_name(l->site, node), l->node_jobs[node],
		    l->node_resv[node]);
	l->on[node] = on;
	_log_power(l, node);
	_apply(l, node, on ? l->node_wake[node] : -l->node_wake[node],
	       PB_TIME_NEVER);
	return 0;
}

uint32_t pb_ledger_set_nodes_power(pb_ledger_t *l, const uint32_t *nodes,
				   uint32_t n, bool on)
{
	uint32_t changed = 0;

	l->gen++;
	l->s->epoch++;
	l->s->ntouched = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t node = nodes[i];

		if (node >= l->nnodes || l->on[node] == on ||
		    (!on && (l->node_jobs[node] || l->node_resv[node])))
			continue;
		l->on[node] = on;
		_log_power(l, node);
		_gather_path(l, node,
			     on ? l->node_wake[node] : -l->node_wake[node]);
		changed++;
	}
	_apply_touched(l, PB_TIME_NEVER);
	return changed;
}

bool pb_ledger_node_is_on(const pb_ledger_t *l, uint32_t node)
{
	return node < l->nnodes && l->on[node];
}

const bool *pb_ledger_node_states(const pb_ledger_t *l)
{
	return l->on;
}

uint64_t pb_ledger_generation(const pb_ledger_t *l)
{
	return l->gen;
}

uint64_t pb_ledger_change_cursor(const pb_ledger_t *l)
{
	return l->nlog;
}

/*
 * The entries of a ring of size entries, count ever written, after
 * cursor since into out (at most max), or -1 when it cannot say.
 */
static int64_t _ring_since(const uint32_t *ring, uint32_t size, uint64_t count,
			   uint64_t since, uint32_t *out, uint32_t max)
{
	uint64_t n = count - since;

	if (since > count || n > size || n > max)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		out[i] = ring[(since + i) % size];
	return (int64_t)n;
}

int64_t pb_ledger_changed_since(const pb_ledger_t *l, uint64_t since,
				uint32_t *out, uint32_t max)
{
	return _ring_since(l->log, l->ndomains, l->nlog, since, out, max);
}

uint64_t pb_ledger_power_cursor(const pb_ledger_t *l)
{
	return l->nplog;
}

int64_t pb_ledger_powered_since(const pb_ledger_t *l, uint64_t since,
				uint32_t *out, uint32_t max)
{
	return _ring_since(l->plog, l->nnodes, l->nplog, since, out, max);
}

static void _windows_follow_cap(pb_ledger_t *l, uint32_t d);

int pb_ledger_set_cap(pb_ledger_t *l, uint32_t domain, pb_watts_t cap_w,
		      pb_error_t *err)
{
	l->gen++;
	if (domain >= l->ndomains)
		return pb_error_set(err, "domain #%u: no such domain", domain);
	if (cap_w <= 0)
		return pb_error_set(err, "domain %s: cap must be > 0 W",
				    pb_site_domain_name(l->site, domain));
	l->cap[domain] = cap_w;
	_log(l, domain);
	l->limit[domain] =
	    pb_site_it_limit(l->site, domain, cap_w) - l->unmodelled[domain];
	_windows_follow_cap(l, domain);
	return 0;
}

/* What pb_ledger_set_unmodelled(l, w) holds for domain d. */
static pb_watts_t _unmodelled_of(const pb_watts_t *w, uint32_t d)
{
	return w && w[d] > 0 ? w[d] : 0;
}

void pb_ledger_set_unmodelled(pb_ledger_t *l, const pb_watts_t *w)
{
	l->gen++;
	_log_all(l);
	for (uint32_t d = 0; d < l->ndomains; d++) {
		l->unmodelled[d] = _unmodelled_of(w, d);
		l->limit[d] =
		    pb_site_it_limit(l->site, d, l->cap[d]) - l->unmodelled[d];
	}
}

bool pb_ledger_unmodelled_is(const pb_ledger_t *l, const pb_watts_t *w)
{
	for (uint32_t d = 0; d < l->ndomains; d++)
		if (l->unmodelled[d] != _unmodelled_of(w, d))
			return false;
	return true;
}

pb_watts_t pb_ledger_unmodelled(const pb_ledger_t *l, uint32_t domain)
{
	return domain < l->ndomains ? l->unmodelled[domain] : 0;
}

int pb_ledger_job_add(const pb_ledger_t *l, uint32_t job_id, pb_watts_t *node_w,
		      pb_watts_t *dom_w)
{
	const struct job *j = _job(l, job_id);

	if (!j)
		return -1;
	for (uint32_t e = j->first; e != NIL; e = l->entries[e].next) {
		const struct entry *en = &l->entries[e];
		const uint32_t *path;
		uint32_t len;

		if (node_w)
			node_w[en->node] += en->incr;
		if (!dom_w)
			continue;
		len = _path(l, en->node, &path);
		for (uint32_t i = 0; i < len; i++)
			dom_w[path[i]] += en->incr;
	}
	return 0;
}

pb_watts_t pb_ledger_cap(const pb_ledger_t *l, uint32_t domain)
{
	return domain < l->ndomains ? l->cap[domain] : 0;
}

pb_watts_t pb_ledger_limit(const pb_ledger_t *l, uint32_t domain)
{
	return domain < l->ndomains ? l->limit[domain] : 0;
}

pb_watts_t pb_ledger_committed(const pb_ledger_t *l, uint32_t domain)
{
	return domain < l->ndomains ? l->committed[domain] : 0;
}

pb_watts_t pb_ledger_headroom(const pb_ledger_t *l, uint32_t domain)
{
	if (domain >= l->ndomains)
		return 0;
	return l->limit[domain] - l->committed[domain];
}

pb_watts_t pb_ledger_node_draw(const pb_ledger_t *l, uint32_t node)
{
	if (node >= l->nnodes)
		return 0;
	if (!l->on[node])
		return pb_site_node_off_w(l->site, node);
	return pb_site_node_idle_w(l->site, node) + l->node_incr[node];
}

pb_watts_t pb_ledger_node_increment(const pb_ledger_t *l, uint32_t node,
				    uint32_t gpus, uint32_t cores,
				    pb_watts_t hint_w, pb_hint_scope_t scope)
{
	return node < l->nnodes ? _incr(l, node, gpus, cores, hint_w, scope)
				: 0;
}

pb_watts_t pb_ledger_node_wake_w(const pb_ledger_t *l, uint32_t node)
{
	return node < l->nnodes ? _wake_w(l, node) : 0;
}

/* ---- job views ---- */

static void _info(const struct job *j, pb_job_info_t *out)
{
	out->job_id = j->id;
	out->watts = j->watts;
	out->nnodes = j->nnodes;
	out->expected_end = j->end;
	out->suspended = j->suspended;
}

uint32_t pb_ledger_job_count(const pb_ledger_t *l)
{
	return l->njobs;
}

int pb_ledger_job_info(const pb_ledger_t *l, uint32_t job_id,
		       pb_job_info_t *out)
{
	const struct job *j = _job(l, job_id);

	if (!j)
		return -1;
	_info(j, out);
	return 0;
}

int64_t pb_ledger_job_nodes(const pb_ledger_t *l, uint32_t job_id,
			    pb_alloc_node_t *out, uint32_t max)
{
	const struct job *j = _job(l, job_id);
	uint32_t i = 0;

	if (!j)
		return -1;
	for (uint32_t e = j->first; e != NIL && i < max;
	     e = l->entries[e].next, i++) {
		out[i].node = l->entries[e].node;
		out[i].gpus = l->entries[e].gpus;
		out[i].cores = l->entries[e].cores;
	}
	return j->nnodes;
}

int pb_ledger_foreach_job(const pb_ledger_t *l,
			  int (*fn)(const pb_job_info_t *job, void *arg),
			  void *arg)
{
	for (uint32_t i = 0; i < l->jobs_hi; i++) {
		pb_job_info_t info;
		int rc;

		if (!l->jobs[i].used)
			continue;
		_info(&l->jobs[i], &info);
		rc = fn(&info, arg);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- reservations ---- */

/* The slot of reservation id, in the ledger (lifted false) or lifted. */
static int32_t _resv_index(const pb_ledger_t *l, uint32_t id, bool lifted)
{
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if ((lifted ? rv->lifted : rv->used) && rv->id == id)
			return (int32_t)r;
	}
	return -1;
}

/* load(d, t) for t > now over all domains, from scratch, into out. */
static void _load_at(const pb_ledger_t *l, int64_t t, pb_watts_t *out)
{
	memcpy(out, l->committed, l->ndomains * sizeof(*out));
	for (uint32_t i = 0; i < l->jobs_hi; i++) {
		const struct job *j = &l->jobs[i];

		if (!j->used || j->suspended || j->end > t)
			continue;
		for (uint32_t e = j->first; e != NIL; e = l->entries[e].next)
			_apply_resv(l, out, l->entries[e].node,
				    -l->entries[e].incr);
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		if (!_resv_active(&l->resv[r], t))
			continue;
		for (uint32_t d = 0; d < l->ndomains; d++)
			out[d] += l->resv[r].held[d];
	}
}

/* A free reservation slot for @resv_id on [start, end), or -1 (err set). */
static int32_t _resv_slot(pb_ledger_t *l, uint32_t resv_id, int64_t start,
			  int64_t end, pb_error_t *err)
{
	int32_t r;

	if (_resv_index(l, resv_id, false) >= 0 ||
	    _resv_index(l, resv_id, true) >= 0)
		return pb_error_set(err, "reservation %u: already held",
				    resv_id);
	if (start >= end)
		return pb_error_set(err, "reservation %u: invalid times",
				    resv_id);
	for (r = 0;
	     r < (int32_t)l->resv_cap && (l->resv[r].used || l->resv[r].lifted);
	     r++)
		;
	if (r == (int32_t)l->resv_cap)
		return pb_error_set(err, "reservation %u: table full (%u)",
				    resv_id, l->resv_cap);
	return r;
}

/*
 * Put slot r, with held[] and its times set, into the timeline; its own
 * load(d, start) is computed again unless @load_holds.
 */
static void _resv_put_in(pb_ledger_t *l, int32_t r, bool load_holds)
{
	struct resv *rv = &l->resv[r];

	/*
	 * The others' start-time loads now include this one where active,
	 * lifted ones too (_resv_take_out). rv is not marked used yet, so
	 * test its window directly.
	 */
	for (uint32_t q = 0; q < l->resv_hi; q++) {
		struct resv *o = &l->resv[q];

		if ((!o->used && !o->lifted) || o->start < rv->start ||
		    o->start >= rv->end)
			continue;
		for (uint32_t d = 0; d < l->ndomains; d++)
			o->load[d] += rv->held[d];
	}
	/* its nodes are pinned while it is in (_resv_take_out unpins) */
	for (uint32_t e = rv->first; e != NIL; e = l->entries[e].next)
		l->node_resv[l->entries[e].node]++;
	rv->used = true;
	l->nresv++;
	if ((uint32_t)r >= l->resv_hi)
		l->resv_hi = (uint32_t)r + 1;
	if (!load_holds)
		_load_at(l, rv->start, rv->load);
}

static void _resv_insert(pb_ledger_t *l, int32_t r, uint32_t resv_id,
			 int64_t start, int64_t end)
{
	struct resv *rv = &l->resv[r];

	rv->id = resv_id;
	rv->start = start;
	rv->end = end;
	_resv_put_in(l, r, false);
}

int pb_ledger_reserve(pb_ledger_t *l, uint32_t resv_id, const pb_alloc_t *alloc,
		      int64_t start, int64_t end, pb_error_t *err)
{
	pb_watts_t increment; /* unused: held[] is what counts */
	struct resv *rv;
	int32_t r;

	l->gen++;
	if ((r = _resv_slot(l, resv_id, start, end, err)) < 0)
		return -1;
	if (_gather(l, alloc) < 0)
		return pb_error_set(err, "reservation %u: invalid allocation",
				    resv_id);
	if (_reserve_entries(l, alloc->count))
		return pb_error_set(err, "reservation %u: out of memory",
				    resv_id);
	rv = &l->resv[r];
	memset(rv->held, 0, l->ndomains * sizeof(*rv->held));
	for (uint32_t i = 0; i < l->s->ntouched; i++)
		rv->held[l->s->touched[i]] = l->s->delta[l->s->touched[i]];
	rv->window = false;
	rv->first = _store_chain(l, alloc, &increment);
	_resv_insert(l, r, resv_id, start, end);
	return 0;
}

/* What a window's cap takes from its domain's limit (never adds). */
static pb_watts_t _window_held(const pb_ledger_t *l, uint32_t d,
			       pb_watts_t cap_w)
{
	pb_watts_t w = pb_site_it_limit(l->site, d, l->cap[d]) -
		       pb_site_it_limit(l->site, d, cap_w);

	return w > 0 ? w : 0;
}

int pb_ledger_cap_window(pb_ledger_t *l, uint32_t id, uint32_t domain,
			 pb_watts_t cap_w, int64_t start, int64_t end,
			 pb_error_t *err)
{
	struct resv *rv;
	int32_t r;

	l->gen++;
	if (domain >= l->ndomains || cap_w <= 0)
		return pb_error_set(err, "cap window %u: bad domain or cap",
				    id);
	if ((r = _resv_slot(l, id, start, end, err)) < 0)
		return -1;
	rv = &l->resv[r];
	memset(rv->held, 0, l->ndomains * sizeof(*rv->held));
	rv->held[domain] = _window_held(l, domain, cap_w);
	rv->window = true;
	rv->win_domain = domain;
	rv->win_cap = cap_w;
	rv->first = NIL;
	_resv_insert(l, r, id, start, end);
	return 0;
}

/* After a cap change: what the domain's windows hold follows it. */
static void _windows_follow_cap(pb_ledger_t *l, uint32_t d)
{
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		struct resv *rv = &l->resv[r];
		pb_watts_t diff;

		if (!rv->used || !rv->window || rv->win_domain != d)
			continue;
		diff = _window_held(l, d, rv->win_cap) - rv->held[d];
		rv->held[d] += diff;
		for (uint32_t q = 0; q < l->resv_hi; q++) {
			struct resv *o = &l->resv[q];

			if (o->used && rv->start <= o->start &&
			    o->start < rv->end)
				o->load[d] += diff;
		}
	}
}

pb_watts_t pb_ledger_cap_at(const pb_ledger_t *l, uint32_t domain, int64_t t)
{
	pb_watts_t cap;

	if (domain >= l->ndomains)
		return 0;
	cap = l->cap[domain];
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (rv->window && rv->win_domain == domain &&
		    _resv_active(rv, t) && rv->win_cap < cap)
			cap = rv->win_cap;
	}
	return cap;
}

int pb_ledger_next_cap(const pb_ledger_t *l, uint32_t domain, int64_t t,
		       int64_t *at, pb_watts_t *cap_w)
{
	int64_t best = PB_TIME_NEVER;

	if (domain >= l->ndomains)
		return -1;
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (!rv->used || !rv->window || rv->win_domain != domain)
			continue;
		if (rv->start > t && rv->start < best)
			best = rv->start;
		if (rv->end > t && rv->end < best && _resv_active(rv, t))
			best = rv->end;
	}
	if (best == PB_TIME_NEVER)
		return -1;
	*at = best;
	*cap_w = pb_ledger_cap_at(l, domain, best);
	return 0;
}

/* Take used slot @rv out of every figure; its chain and load stay. */
static void _resv_take_out(pb_ledger_t *l, struct resv *rv)
{
	rv->used = false;
	/* lifted ones too: a lift or unlift keeps their loads true */
	for (uint32_t q = 0; q < l->resv_hi; q++) {
		struct resv *o = &l->resv[q];

		if ((!o->used && !o->lifted) ||
		    !(rv->start <= o->start && o->start < rv->end))
			continue;
		for (uint32_t d = 0; d < l->ndomains; d++)
			o->load[d] -= rv->held[d];
	}
	for (uint32_t e = rv->first; e != NIL; e = l->entries[e].next)
		l->node_resv[l->entries[e].node]--;
	l->nresv--;
}

/* Give slot @r (out of every figure) back to the free slots. */
static void _resv_free(pb_ledger_t *l, uint32_t r)
{
	_give_chain(l, l->resv[r].first);
	l->resv[r].first = NIL;
	l->resv[r].lifted = false;
	while (l->resv_hi && !l->resv[l->resv_hi - 1].used &&
	       !l->resv[l->resv_hi - 1].lifted)
		l->resv_hi--;
}

int pb_ledger_unreserve(pb_ledger_t *l, uint32_t resv_id)
{
	int32_t r = _resv_index(l, resv_id, false);

	l->gen++;
	/* _resv_take_out keeps the lifted ones' loads true, as a lift does */
	l->lift_gens++;
	if (r >= 0)
		_resv_take_out(l, &l->resv[r]);
	else if ((r = _resv_index(l, resv_id, true)) < 0)
		return -1;
	_resv_free(l, (uint32_t)r);
	return 0;
}

/*
 * How many calls changed the ledger other than by lifts, unlifts and
 * unreserves, which keep the lifted reservations' loads true; any other
 * change can move them.
 */
static uint64_t _mutations(const pb_ledger_t *l)
{
	return l->gen - l->lift_gens;
}

int pb_ledger_lift(pb_ledger_t *l, uint32_t resv_id)
{
	int32_t r = _resv_index(l, resv_id, false);

	l->gen++;
	l->lift_gens++;
	if (r < 0 || l->resv[r].window)
		return -1;
	_resv_take_out(l, &l->resv[r]);
	l->resv[r].lifted = true;
	l->resv[r].lift_mut = _mutations(l);
	return 0;
}

int pb_ledger_unlift(pb_ledger_t *l, uint32_t resv_id)
{
	int32_t r = _resv_index(l, resv_id, true);
	struct resv *rv;
	bool same;

	l->gen++;
	l->lift_gens++;
	if (r < 0)
		return -1;
	rv = &l->resv[r];
	/* nothing but lifts since its lift: its load(d, start) still holds */
	same = _mutations(l) == rv->lift_mut;
	rv->lifted = false;
	_resv_put_in(l, r, same);
	return 0;
}

uint32_t pb_ledger_reservation_count(const pb_ledger_t *l)
{
	return l->nresv;
}

uint32_t pb_ledger_checkpoints(const pb_ledger_t *l, int64_t now, int64_t end)
{
	uint32_t n = 0;

	for (uint32_t r = 0; r < l->resv_hi; r++)
		n += l->resv[r].used && l->resv[r].start > now &&
		     l->resv[r].start < end;
	return n;
}

bool pb_ledger_window_plain(const pb_ledger_t *l, int64_t now, int64_t end)
{
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (_resv_active(rv, now) ||
		    (rv->used && rv->start > now && rv->start < end))
			return false;
	}
	return true;
}

pb_watts_t pb_ledger_reserved_at(const pb_ledger_t *l, uint32_t domain,
				 int64_t t)
{
	pb_watts_t w = 0;

	if (domain >= l->ndomains)
		return 0;
	for (uint32_t r = 0; r < l->resv_hi; r++)
		if (_resv_active(&l->resv[r], t) && !l->resv[r].window)
			w += l->resv[r].held[domain];
	return w;
}

void pb_ledger_window_avail(const pb_ledger_t *l, int64_t now, int64_t end,
			    pb_watts_t *out)
{
	for (uint32_t d = 0; d < l->ndomains; d++)
		out[d] = l->limit[d] - l->committed[d];
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (_resv_active(rv, now)) {
			for (uint32_t d = 0; d < l->ndomains; d++)
				out[d] -= rv->held[d];
		}
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (!rv->used || rv->start <= now || rv->start >= end)
			continue;
		for (uint32_t d = 0; d < l->ndomains; d++) {
			pb_watts_t a = l->limit[d] - rv->load[d];

			if (a < out[d])
				out[d] = a;
		}
	}
}

/* ---- timeline ---- */

/*
 * The events are kept as a binary min-heap on time, not sorted: the
 * search stops at the first time the job fits, which is most often one
 * of the first few, and events of one time may be applied in any order
 * (levels are sums).
 */
static void _heap_down(struct event *ev, uint32_t n, uint32_t i)
{
	for (;;) {
		uint32_t c = 2 * i + 1;
		struct event tmp;

		if (c >= n)
			return;
		if (c + 1 < n && ev[c + 1].t < ev[c].t)
			c++;
		if (ev[i].t <= ev[c].t)
			return;
		tmp = ev[i];
		ev[i] = ev[c];
		ev[c] = tmp;
		i = c;
	}
}

static struct event _heap_pop(struct event *ev, uint32_t *n)
{
	struct event top = ev[0];

	ev[0] = ev[--*n];
	_heap_down(ev, *n, 0);
	return top;
}

/* Add w to level[d] for the touched domain d, keeping the violation count. */
static void _level_add(const pb_ledger_t *l, uint32_t d, pb_watts_t w,
		       uint32_t *viol)
{
	struct scratch *s = l->s;
	bool was = s->level[d] + s->delta[d] > l->limit[d];
	bool is;

	s->level[d] += w;
	is = s->level[d] + s->delta[d] > l->limit[d];
	*viol += is;
	*viol -= was;
}

static void _event_apply(const pb_ledger_t *l, const struct event *ev,
			 uint32_t *viol)
{
	const struct scratch *s = l->s;

	if (ev->kind == EV_JOB_END) {
		const struct job *j = &l->jobs[ev->idx];

		for (uint32_t e = j->first; e != NIL; e = l->entries[e].next) {
			const uint32_t *path;
			uint32_t len = _path(l, l->entries[e].node, &path);

			for (uint32_t k = 0; k < len; k++)
				if (s->dom_mark[path[k]] == s->epoch)
					_level_add(l, path[k],
						   -l->entries[e].incr, viol);
		}
		return;
	}
	for (uint32_t i = 0; i < s->ntouched; i++) {
		uint32_t d = s->touched[i];
		pb_watts_t w = l->resv[ev->idx].held[d];

		_level_add(l, d, ev->kind == EV_RESV_START ? w : -w, viol);
	}
}

/* The jobs' ends and reservations' starts and ends after now, as a heap. */
static uint32_t _collect_events(const pb_ledger_t *l, int64_t now)
{
	struct event *ev = l->s->events;
	uint32_t n = 0;

	for (uint32_t i = 0; i < l->jobs_hi; i++) {
		const struct job *j = &l->jobs[i];

		if (!j->used || j->suspended || j->end == PB_TIME_NEVER)
			continue;
		/* an overdue job is assumed gone just after now */
		ev[n++] = (struct event){j->end > now ? j->end : now + 1,
					 EV_JOB_END, i};
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (!rv->used)
			continue;
		if (rv->start > now)
			ev[n++] = (struct event){rv->start, EV_RESV_START, r};
		if (rv->end > now && rv->end != PB_TIME_NEVER)
			ev[n++] = (struct event){rv->end, EV_RESV_END, r};
	}
	for (uint32_t i = n / 2; i-- > 0;)
		_heap_down(ev, n, i);
	return n;
}

/* Does a failing reservation checkpoint fall inside (t, t + duration)? */
static bool _window_blocked(const pb_ledger_t *l, int64_t t, int64_t duration)
{
	int64_t end =
	    (duration == PB_TIME_NEVER || t > PB_TIME_NEVER - duration)
		? PB_TIME_NEVER
		: t + duration;

	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (rv->used && !l->s->resv_fits[r] && rv->start > t &&
		    rv->start < end)
			return true;
	}
	return false;
}

int pb_ledger_earliest_start(const pb_ledger_t *l, const pb_alloc_t *alloc,
			     int64_t duration, int64_t now, int64_t *start,
			     pb_verdict_t *why)
{
	struct scratch *s = l->s;
	pb_watts_t job_w = _gather(l, alloc), short_w = 0;
	uint32_t viol = 0, nev;
	int64_t t = now;
	pb_verdict_t tmp;

	if (!why)
		why = &tmp;
	*why = (pb_verdict_t){.ok = false, .domain = -1, .at = now};
	*start = PB_TIME_NEVER;
	if (job_w < 0 || duration <= 0)
		return -1;
	why->job_w = job_w;
	for (uint32_t r = 0; r < l->resv_hi; r++)
		s->resv_fits[r] =
		    !l->resv[r].used ||
		    _worst(l, l->resv[r].load, false, &short_w) < 0;
	for (uint32_t k = 0; k < s->ntouched; k++) {
		uint32_t d = s->touched[k];

		s->level[d] = _load_now(l, d, now);
		viol += s->level[d] + s->delta[d] > l->limit[d];
	}
	/* the events are gathered only when the job does not fit now */
	nev = viol || _window_blocked(l, t, duration) ? _collect_events(l, now)
						      : 0;
	for (;;) {
		if (!viol && !_window_blocked(l, t, duration)) {
			*start = t;
			why->ok = true;
			why->at = t;
			return 0;
		}
		if (nev == 0)
			break;
		t = s->events[0].t;
		while (nev && s->events[0].t == t) {
			struct event ev = _heap_pop(s->events, &nev);

			_event_apply(l, &ev, &viol);
		}
	}
	why->domain = _worst(l, NULL, true, &short_w);
	why->short_w = short_w;
	why->at = t;
	return 1;
}

/* ---- reset / rebuild ---- */

void pb_ledger_reset(pb_ledger_t *l)
{
	l->gen++;
	for (uint32_t r = 0; r < l->resv_hi; r++)
		if (l->resv[r].used || l->resv[r].lifted)
			pb_ledger_unreserve(l, l->resv[r].id);
	for (uint32_t i = 0; i < l->jobs_hi; i++)
		if (l->jobs[i].used)
			pb_ledger_release(l, l->jobs[i].id);
	/* drop accumulated rounding of nothing: recompute from node states */
	_init_state(l);
}

int pb_ledger_rebuild(pb_ledger_t *l, const pb_running_job_t *jobs, uint32_t n,
		      pb_error_t *err)
{
	pb_ledger_reset(l);
	for (uint32_t i = 0; i < n; i++) {
		const pb_running_job_t *j = &jobs[i];

		if (pb_ledger_commit(l, j->job_id, &j->alloc, j->expected_end,
				     err) ||
		    (j->suspended && pb_ledger_suspend(l, j->job_id))) {
			pb_ledger_reset(l);
			return -1;
		}
	}
	return 0;
}

/* ---- verification ---- */

static int _verify_nodes(const pb_ledger_t *l, pb_watts_t *dom, pb_watts_t *inc,
			 uint32_t *jobs, uint32_t *resv, pb_error_t *err)
{
	for (uint32_t n = 0; n < l->nnodes; n++) {
		if (inc[n] != l->node_incr[n] || jobs[n] != l->node_jobs[n] ||
		    resv[n] != l->node_resv[n]) {
			return pb_error_set(
			    err,
			    "node %s: increment %lld/%lld, jobs %u/%u, "
			    "reservations %u/%u (ledger/recomputed)",
			    pb_site_node_name(l->site, n),
			    (long long)l->node_incr[n], (long long)inc[n],
			    l->node_jobs[n], jobs[n], l->node_resv[n], resv[n]);
		}
		/* a reservation may sit on an OFF node: it holds the wake-up */
		if (jobs[n] && !l->on[n])
			return pb_error_set(err, "node %s: off but in use",
					    pb_site_node_name(l->site, n));
	}
	for (uint32_t d = 0; d < l->ndomains; d++) {
		if (dom[d] != l->committed[d])
			return pb_error_set(
			    err,
			    "domain %s: committed %lld W, recomputed %lld W",
			    pb_site_domain_name(l->site, d),
			    (long long)l->committed[d], (long long)dom[d]);
		if (l->limit[d] !=
		    pb_site_it_limit(l->site, d, l->cap[d]) - l->unmodelled[d])
			return pb_error_set(err, "domain %s: stale limit",
					    pb_site_domain_name(l->site, d));
	}
	return 0;
}

static int _verify_resv(const pb_ledger_t *l, pb_watts_t *buf, pb_error_t *err)
{
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		const struct resv *rv = &l->resv[r];

		if (!rv->used)
			continue;
		_load_at(l, rv->start, buf);
		for (uint32_t d = 0; d < l->ndomains; d++) {
			if (buf[d] != rv->load[d])
				return pb_error_set(
				    err,
				    "reservation %u: load of %s at start %lld "
				    "W, recomputed %lld W",
				    rv->id, pb_site_domain_name(l->site, d),
				    (long long)rv->load[d], (long long)buf[d]);
		}
	}
	return 0;
}

static void _recompute(const pb_ledger_t *l, pb_watts_t *dom, pb_watts_t *inc,
		       uint32_t *jobs, uint32_t *resv)
{
	for (uint32_t n = 0; n < l->nnodes; n++)
		_apply_resv(l, dom, n,
			    l->on[n] ? pb_site_node_idle_w(l->site, n)
				     : pb_site_node_off_w(l->site, n));
	for (uint32_t i = 0; i < l->jobs_hi; i++) {
		const struct job *j = &l->jobs[i];

		if (!j->used)
			continue;
		for (uint32_t e = j->first; e != NIL; e = l->entries[e].next) {
			const struct entry *en = &l->entries[e];

			jobs[en->node]++;
			if (j->suspended)
				continue;
			inc[en->node] += en->incr;
			_apply_resv(l, dom, en->node, en->incr);
		}
	}
	for (uint32_t r = 0; r < l->resv_hi; r++) {
		if (!l->resv[r].used)
			continue;
		for (uint32_t e = l->resv[r].first; e != NIL;
		     e = l->entries[e].next)
			resv[l->entries[e].node]++;
	}
}

static int _verify_jobs(const pb_ledger_t *l, pb_error_t *err)
{
	uint32_t used = 0;

	for (uint32_t i = 0; i < l->jobs_cap; i++) {
		const struct job *j = &l->jobs[i];
		pb_watts_t w = 0;
		uint32_t n = 0;

		if (!j->used)
			continue;
		if (i >= l->jobs_hi)
			return pb_error_set(err,
					    "job %u: in slot %u, above the "
					    "%u in use",
					    j->id, i, l->jobs_hi);
		used++;
		for (uint32_t e = j->first; e != NIL; e = l->entries[e].next) {
			w += l->entries[e].incr;
			n++;
		}
		if (w != j->watts || n != j->nnodes || _job(l, j->id) != j)
			return pb_error_set(err, "job %u: inconsistent record",
					    j->id);
	}
	if (used != l->njobs)
		return pb_error_set(err, "job count %u, found %u", l->njobs,
				    used);
	return 0;
}

int pb_ledger_verify(const pb_ledger_t *l, pb_error_t *err)
{
	pb_watts_t *dom = calloc(l->ndomains, sizeof(*dom));
	pb_watts_t *buf = calloc(l->ndomains, sizeof(*buf));
	pb_watts_t *inc = calloc(l->nnodes, sizeof(*inc));
	uint32_t *jobs = calloc(l->nnodes, sizeof(*jobs));
	uint32_t *resv = calloc(l->nnodes, sizeof(*resv));
	int rc = -1;

	if (!dom || !buf || !inc || !jobs || !resv) {
		pb_error_set(err, "verify: out of memory");
		goto out;
	}
	_recompute(l, dom, inc, jobs, resv);
	if (_verify_jobs(l, err) ||
	    _verify_nodes(l, dom, inc, jobs, resv, err) ||
	    _verify_resv(l, buf, err))
		goto out;
	rc = 0;
out:
	free(dom);
	free(buf);
	free(inc);
	free(jobs);
	free(resv);
	return rc;
}
