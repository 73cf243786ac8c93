/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Randomized property test of the ledger: random event sequences (admit +
 * commit, release, node power, cap changes, reservations, cap windows,
 * suspend/resume,
 * end-time changes, meter readings above and below the model, time
 * passing) on random domain trees.  Properties:
 *  - after every admitted commit, no domain on the job's paths is over its
 *    limit, now or at any reservation or cap window checkpoint inside the
 *    job's run (a window's lower cap counts from its start);
 *  - a refused admit names a real overflow and changes nothing;
 *  - commit then release returns every domain's committed watts exactly
 *    to its prior value (plus the wake-ups of nodes the commit powered on);
 *  - failing calls have no side effects;
 *  - earliest_start answers "now" exactly when admit says yes now, and a
 *    later answer t is admitted at t once the jobs ending by t are gone,
 *    but not at t - 1 once those ending by then are;
 *  - the draw the model misses covers every meter reading and a parent's
 *    covers its children's; the facility rule counts it;
 *  - pb_ledger_verify passes after every step.
 * Deterministic: sequence i uses seed PB_PROPERTY_SEED + i; a failure
 * prints the seed and step.  PB_PROPERTY_ITERS sets the sequence count.
 */
#include "random_site.h"
#include "policy/measured.h"

#define STEPS 40
#define MAX_JOBS 64

/* How often each property was exercised, printed once at the end. */
static struct {
	uint64_t admitted, refused_now, refused_later, exact_releases;
	uint64_t earliest_checked, earliest_minimal, windows, lifts;
	uint64_t lifts_changed, dropped_while_lifted;
} stats;

struct world {
	struct rng r;
	pb_site_t *site;
	pb_ledger_t *l;
	int64_t now;
	uint32_t next_id;
	uint32_t jobs[MAX_JOBS];
	uint32_t njobs;
	uint32_t resv[4];
	bool resv_window[4];
	uint32_t nresv;
	pb_watts_t *snap;
	pb_watts_t *avail;
	uint64_t seed;
	uint32_t step;
};

#define CHECK(w, cond)                                                         \
	do {                                                                   \
		if (!(cond))                                                   \
			fail_msg("seed %llu step %u: %s",                      \
				 (unsigned long long)(w)->seed, (w)->step,     \
				 #cond);                                       \
	} while (0)

static void snapshot(const struct world *w, pb_watts_t *out)
{
	for (uint32_t d = 0; d < pb_site_domain_count(w->site); d++)
		out[d] = pb_ledger_committed(w->l, d);
}

static bool same(const struct world *w, const pb_watts_t *a)
{
	for (uint32_t d = 0; d < pb_site_domain_count(w->site); d++)
		if (a[d] != pb_ledger_committed(w->l, d))
			return false;
	return true;
}

static void random_alloc(struct world *w, pb_alloc_node_t *nodes, pb_alloc_t *a)
{
	uint32_t nn = pb_site_node_count(w->site);
	uint32_t k = 1 + rng_below(&w->r, nn < 4 ? nn : 4);
	uint32_t first = rng_below(&w->r, nn);

	for (uint32_t i = 0; i < k; i++) {
		uint32_t n = (first + i * (1 + rng_below(&w->r, 2))) % nn;
		const pb_power_class_t *c =
		    pb_site_class(w->site, pb_site_node_class(w->site, n));
		bool dup = false;

		for (uint32_t j = 0; j < i; j++)
			dup |= nodes[j].node == n;
		if (dup) {
			k = i;
			break;
		}
		nodes[i].node = n;
		nodes[i].gpus = (uint16_t)rng_below(&w->r, c->gpus + 1u);
		nodes[i].cores = (uint16_t)rng_below(&w->r, c->cores + 1u);
	}
	*a = (pb_alloc_t){
	    nodes, k,
	    rng_below(&w->r, 3) ? 0 : (pb_watts_t)rng_below(&w->r, 900),
	    rng_below(&w->r, 2) ? PB_HINT_EVERYWHERE : PB_HINT_WHERE_ENFORCED};
}

/*
 * The job's increment from first principles: a hint lowers a node's GPU
 * draw only where its scope lets it hold, and never below the model's
 * minimum cap; everywhere else the GPUs are at full draw.
 */
static pb_watts_t expected_job_w(struct world *w, const pb_alloc_t *a)
{
	pb_watts_t sum = 0;

	for (uint32_t i = 0; i < a->count; i++) {
		const pb_power_class_t *c = pb_site_class(
		    w->site, pb_site_node_class(w->site, a->nodes[i].node));
		bool holds = a->hint_scope == PB_HINT_EVERYWHERE ||
			     c->gpu_limit_enforced;
		pb_watts_t gpu = c->gpu.max_w;
		uint32_t gpus = a->nodes[i].gpus, cores = a->nodes[i].cores;

		if (holds && a->gpu_watts_hint > 0)
			gpu = a->gpu_watts_hint < c->gpu.min_cap_w
				  ? c->gpu.min_cap_w
			      : a->gpu_watts_hint > c->gpu.max_w
				  ? c->gpu.max_w
				  : a->gpu_watts_hint;
		gpus = gpus > c->gpus ? c->gpus : gpus;
		cores = cores > c->cores ? c->cores : cores;
		sum += (pb_watts_t)gpus * (gpu - c->gpu.idle_w);
		if (cores)
			sum += ((pb_watts_t)cores * c->cpu_packages *
				    (c->cpu_max_w - c->cpu_idle_w) +
				c->cores - 1) /
			       c->cores;
	}
	return sum;
}

/*
 * The facility rule checked from first principles, not through
 * pb_site_it_limit: facility watts = ceil(IT * PUE) within the cap less
 * its reserve (rounded up), IT within cooling less its reserve.
 */
static void check_facility(struct world *w)
{
	const pb_facility_t *f = pb_site_facility(w->site);
	uint32_t root = pb_site_root(w->site);
	pb_watts_t it = pb_ledger_committed(w->l, root) +
			pb_ledger_reserved_at(w->l, root, w->now) +
			pb_ledger_unmodelled(w->l, root);
	/* a window on now lowers the cap the rule applies to */
	pb_watts_t cap = pb_ledger_cap_at(w->l, root, w->now);
	pb_watts_t held = (cap * f->reserve_ppm + PB_PPM - 1) / PB_PPM;

	CHECK(w, pb_power_facility_w(it, f->pue_milli) <= cap - held);
	if (f->cooling_w) {
		held = (f->cooling_w * f->reserve_ppm + PB_PPM - 1) / PB_PPM;
		CHECK(w, it <= f->cooling_w - held);
	}
}

/* Within limits on every domain of the alloc's paths, over (now, end). */
static void check_within(struct world *w, const pb_alloc_t *a, int64_t end)
{
	check_facility(w);
	pb_ledger_window_avail(w->l, w->now, end, w->avail);
	for (uint32_t i = 0; i < a->count; i++) {
		const uint32_t *path;
		uint32_t len =
		    pb_site_node_path(w->site, a->nodes[i].node, &path);

		for (uint32_t k = 0; k < len; k++)
			CHECK(w, w->avail[path[k]] >= 0);
	}
}

static void expected_after_wake(struct world *w, const pb_alloc_t *a,
				pb_watts_t *exp)
{
	for (uint32_t i = 0; i < a->count; i++) {
		uint32_t n = a->nodes[i].node;
		pb_watts_t wake = pb_ledger_node_wake_w(w->l, n);
		const uint32_t *path;
		uint32_t len = pb_site_node_path(w->site, n, &path);

		for (uint32_t k = 0; k < len; k++)
			exp[path[k]] += wake;
	}
}

static void op_start(struct world *w)
{
	pb_alloc_node_t nodes[4];
	pb_alloc_t a;
	pb_verdict_t v;
	int64_t end = w->now + 1 + rng_below(&w->r, 600), t;
	uint32_t nd = pb_site_domain_count(w->site);
	pb_watts_t *exp = w->snap + nd;
	int rc;

	random_alloc(w, nodes, &a);
	snapshot(w, w->snap);
	rc = pb_ledger_admit(w->l, &a, w->now, end, &v);
	CHECK(w, rc == 0 || rc == 1);
	CHECK(w, same(w, w->snap));
	CHECK(w, v.job_w == expected_job_w(w, &a));
	/* earliest_start agrees with admit about "now" */
	CHECK(w, pb_ledger_earliest_start(w->l, &a, end - w->now, w->now, &t,
					  NULL) >= 0);
	CHECK(w, (rc == 0) == (t == w->now));
	if (rc == 1) {
		if (v.at == w->now)
			stats.refused_now++;
		else
			stats.refused_later++;
		CHECK(w, !v.ok && v.domain >= 0 && (uint32_t)v.domain < nd);
		CHECK(w, v.short_w > 0);
		CHECK(w, v.at >= w->now && v.at < end);
		return;
	}
	stats.admitted++;
	if (w->njobs == MAX_JOBS)
		return;
	memcpy(exp, w->snap, nd * sizeof(*exp));
	expected_after_wake(w, &a, exp);
	CHECK(w, pb_ledger_commit(w->l, w->next_id, &a, end, NULL) == 0);
	check_within(w, &a, end);
	if (rng_below(&w->r, 3) == 0) {
		CHECK(w, pb_ledger_release(w->l, w->next_id) == 0);
		CHECK(w, same(w, exp));
		stats.exact_releases++;
	} else {
		w->jobs[w->njobs++] = w->next_id;
	}
	w->next_id++;
}

static void op_release(struct world *w)
{
	uint32_t i;

	if (!w->njobs)
		return;
	i = rng_below(&w->r, w->njobs);
	CHECK(w, pb_ledger_release(w->l, w->jobs[i]) == 0);
	w->jobs[i] = w->jobs[--w->njobs];
}

static void op_node_power(struct world *w)
{
	uint32_t n = rng_below(&w->r, pb_site_node_count(w->site));
	bool on = rng_below(&w->r, 2);

	snapshot(w, w->snap);
	if (pb_ledger_set_node_power(w->l, n, on, NULL))
		CHECK(w, same(w, w->snap));
}

static void op_cap(struct world *w)
{
	uint32_t d = rng_below(&w->r, pb_site_domain_count(w->site));
	pb_watts_t cap = pb_site_domain_cap(w->site, d);

	cap = cap / 2 + (pb_watts_t)rng_below(&w->r, (uint32_t)cap) + 1;
	CHECK(w, pb_ledger_set_cap(w->l, d, cap, NULL) == 0);
	CHECK(w, pb_ledger_cap(w->l, d) == cap);
}

/*
 * Random meter readings, some above the model: the draw the model misses
 * covers every reading, a parent's covers its children's, and the ledger
 * counts it from then on (check_facility, check_within).
 */
static void op_measure(struct world *w)
{
	uint32_t nn = pb_site_node_count(w->site);
	uint32_t nd = pb_site_domain_count(w->site);
	pb_watts_t *node_w = calloc(nn, sizeof(*node_w));
	pb_watts_t *dom_w = calloc(nd, sizeof(*dom_w));
	pb_watts_t *un = calloc(nd, sizeof(*un));

	assert_true(node_w && dom_w && un);
	for (uint32_t n = 0; n < nn; n++)
		node_w[n] = rng_below(&w->r, 2)
				? -1
				: pb_ledger_node_draw(w->l, n) - 200 +
				      (pb_watts_t)rng_below(&w->r, 600);
	for (uint32_t d = 0; d < nd; d++)
		dom_w[d] = rng_below(&w->r, 3)
			       ? -1
			       : pb_ledger_committed(w->l, d) - 500 +
				     (pb_watts_t)rng_below(&w->r, 1500);
	pb_measured_unmodelled(w->l, node_w, dom_w, NULL, NULL, un);
	for (uint32_t d = 0; d < nd; d++) {
		int32_t parent = pb_site_domain_parent(w->site, d);

		CHECK(w, un[d] >= 0);
		if (dom_w[d] >= 0)
			CHECK(w,
			      pb_ledger_committed(w->l, d) + un[d] >= dom_w[d]);
		if (parent >= 0)
			CHECK(w, un[parent] >= un[d]);
	}
	for (uint32_t n = 0; n < nn; n++)
		if (node_w[n] >= 0)
			CHECK(w, un[pb_site_node_domain(w->site, n)] >=
				     node_w[n] - pb_ledger_node_draw(w->l, n));
	/* now and then the readings go stale: the model alone */
	pb_ledger_set_unmodelled(w->l, rng_below(&w->r, 4) ? un : NULL);
	free(node_w);
	free(dom_w);
	free(un);
}

static void op_reserve(struct world *w)
{
	pb_alloc_node_t nodes[4];
	pb_alloc_t a;
	int64_t start = w->now + rng_below(&w->r, 400);

	if (w->nresv && (w->nresv == 4 || rng_below(&w->r, 2))) {
		uint32_t i = rng_below(&w->r, w->nresv);

		CHECK(w, pb_ledger_unreserve(w->l, w->resv[i]) == 0);
		w->resv_window[i] = w->resv_window[w->nresv - 1];
		w->resv[i] = w->resv[--w->nresv];
		return;
	}
	w->resv_window[w->nresv] = false;
	if (rng_below(&w->r, 3) == 0) {
		/* a cap window: a domain's cap at 30% to 110% for a while */
		uint32_t d = rng_below(&w->r, pb_site_domain_count(w->site));
		pb_watts_t cap = pb_ledger_cap(w->l, d);

		cap = cap / 10 * (3 + rng_below(&w->r, 9)) + 1;
		CHECK(w, pb_ledger_cap_window(w->l, w->next_id, d, cap, start,
					      start + 1 + rng_below(&w->r, 500),
					      NULL) == 0);
		CHECK(w, pb_ledger_cap_at(w->l, d, start) <= cap);
		w->resv_window[w->nresv] = true;
		stats.windows++;
	} else {
		random_alloc(w, nodes, &a);
		CHECK(w, pb_ledger_reserve(w->l, w->next_id, &a, start,
					   start + 1 + rng_below(&w->r, 500),
					   NULL) == 0);
	}
	w->resv[w->nresv++] = w->next_id++;
}

/* Each domain's window from now on, into out. */
static void windows(const struct world *w, pb_watts_t *out)
{
	pb_ledger_window_avail(w->l, w->now, w->now + 600, out);
}

/* Shuffle ids[0..n) (Fisher-Yates). */
static void shuffle(struct world *w, uint32_t *ids, uint32_t n)
{
	for (uint32_t k = n; k > 1; k--) {
		uint32_t x = rng_below(&w->r, k), t = ids[k - 1];

		ids[k - 1] = ids[x];
		ids[x] = t;
	}
}

/* Room permitting, at least two job reservations to lift. */
static void two_job_resv(struct world *w)
{
	uint32_t jobs = 0;

	for (uint32_t i = 0; i < w->nresv; i++)
		jobs += !w->resv_window[i];
	for (; jobs < 2 && w->nresv < 4; jobs++) {
		pb_alloc_node_t nodes[4];
		pb_alloc_t a;
		int64_t start = w->now + rng_below(&w->r, 400);

		random_alloc(w, nodes, &a);
		CHECK(w, pb_ledger_reserve(w->l, w->next_id, &a, start,
					   start + 1 + rng_below(&w->r, 500),
					   NULL) == 0);
		w->resv_window[w->nresv] = false;
		w->resv[w->nresv++] = w->next_id++;
	}
}

/* Lift some job reservations (no cap window) in a random order; how many. */
static uint32_t lift_some(struct world *w, uint32_t *ids)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < w->nresv; i++) {
		if (w->resv_window[i]) {
			CHECK(w, pb_ledger_lift(w->l, w->resv[i]) == -1);
			continue;
		}
		if (rng_below(&w->r, 3))
			ids[n++] = w->resv[i];
	}
	shuffle(w, ids, n);
	for (uint32_t k = 0; k < n; k++) {
		CHECK(w, pb_ledger_lift(w->l, ids[k]) == 0);
		CHECK(w, pb_ledger_lift(w->l, ids[k]) == -1);
	}
	return n;
}

static void forget_resv(struct world *w, uint32_t id)
{
	for (uint32_t i = 0; i < w->nresv; i++) {
		if (w->resv[i] != id)
			continue;
		w->resv_window[i] = w->resv_window[w->nresv - 1];
		w->resv[i] = w->resv[--w->nresv];
		return;
	}
}

/* Unreserve one job reservation that is not among the n lifted ids. */
static void drop_one_not_lifted(struct world *w, const uint32_t *ids,
				uint32_t n)
{
	for (uint32_t i = 0; i < w->nresv; i++) {
		bool lifted = false;

		for (uint32_t k = 0; k < n; k++)
			lifted |= ids[k] == w->resv[i];
		if (lifted || w->resv_window[i])
			continue;
		CHECK(w, pb_ledger_unreserve(w->l, w->resv[i]) == 0);
		stats.dropped_while_lifted++;
		forget_resv(w, w->resv[i]);
		return;
	}
}

/*
 * Jobs' reservations lifted (a test of a job frees what it outranks) and
 * put back in another order: with nothing between, every figure is what
 * it was; with a change between, one dropped while lifted, or another
 * dropped (which keeps the lifted loads true, so they are put back as
 * kept), the ledger still verifies. While lifted an id cannot be reserved
 * again, and the ledger verifies then too.
 */
static void op_lift(struct world *w)
{
	uint32_t nd = pb_site_domain_count(w->site), ids[4], n;
	pb_watts_t *before = calloc(nd, sizeof(*before));
	pb_watts_t *after = calloc(nd, sizeof(*after));
	pb_alloc_node_t nodes[4];
	pb_alloc_t a;
	uint32_t what = rng_below(&w->r, 7);

	if (!before || !after)
		fail_msg("out of memory");
	two_job_resv(w);
	windows(w, before);
	n = lift_some(w, ids);
	/* (a refused reserve still counts as a change: not when none is) */
	if (n && what != 4 && what != 6) {
		random_alloc(w, nodes, &a);
		CHECK(w, pb_ledger_reserve(w->l, ids[0], &a, w->now + 10,
					   w->now + 20, NULL) == -1);
	}
	verify_ok(w->l);
	stats.lifts += n;
	stats.lifts_changed += what < 4 ? n : 0;
	if (what == 0)
		op_start(w);
	else if (what == 1)
		op_release(w);
	else if (what == 2)
		op_node_power(w);
	else if (what == 3)
		op_cap(w);
	else if (what == 6)
		drop_one_not_lifted(w, ids, n);
	shuffle(w, ids, n);
	for (uint32_t k = 0; k < n; k++) {
		if (what == 5 && k == 0) {
			CHECK(w, pb_ledger_unreserve(w->l, ids[k]) == 0);
			CHECK(w, pb_ledger_unlift(w->l, ids[k]) == -1);
			forget_resv(w, ids[k]);
			continue;
		}
		CHECK(w, pb_ledger_unlift(w->l, ids[k]) == 0);
		CHECK(w, pb_ledger_unlift(w->l, ids[k]) == -1);
		verify_ok(w->l);
	}
	windows(w, after);
	for (uint32_t d = 0; what == 4 && d < nd; d++)
		CHECK(w, after[d] == before[d]);
	free(before);
	free(after);
}

static void op_job_state(struct world *w)
{
	uint32_t id;

	if (!w->njobs)
		return;
	id = w->jobs[rng_below(&w->r, w->njobs)];
	switch (rng_below(&w->r, 3)) {
	case 0:
		if (pb_ledger_suspend(w->l, id))
			CHECK(w, pb_ledger_resume(w->l, id) == 0);
		break;
	case 1:
		CHECK(w, pb_ledger_update_end(
			     w->l, id, w->now + rng_below(&w->r, 700)) == 0);
		break;
	default:
		snapshot(w, w->snap);
		/* a duplicate commit fails without side effects */
		{
			pb_alloc_node_t n = {0, 0, 1};
			pb_alloc_t a = {&n, 1, 0, PB_HINT_EVERYWHERE};

			CHECK(w, pb_ledger_commit(w->l, id, &a, 1, NULL) == -1);
		}
		CHECK(w, same(w, w->snap));
	}
}

/*
 * earliest_start's answer t holds up when the world gets there: release
 * the jobs the timeline assumes gone by t, and admit at t must pass.
 * Ends the sequence's use of the job list (it releases jobs).
 */
/* Release the jobs the timeline assumes gone by t (not suspended). */
static void release_ended(struct world *w, int64_t t)
{
	uint32_t i = 0;

	while (t > w->now && i < w->njobs) {
		pb_job_info_t info;

		CHECK(w, pb_ledger_job_info(w->l, w->jobs[i], &info) == 0);
		if (info.expected_end <= t && !info.suspended) {
			CHECK(w, pb_ledger_release(w->l, w->jobs[i]) == 0);
			w->jobs[i] = w->jobs[--w->njobs];
		} else {
			i++;
		}
	}
}

static void check_earliest(struct world *w)
{
	pb_alloc_node_t nodes[4];
	pb_alloc_t a;
	pb_verdict_t v;
	int64_t dur = 1 + rng_below(&w->r, 800), t;

	random_alloc(w, nodes, &a);
	if (pb_ledger_earliest_start(w->l, &a, dur, w->now, &t, &v) != 0) {
		CHECK(w, t == PB_TIME_NEVER && !v.ok);
		return;
	}
	CHECK(w, t >= w->now);
	/* nothing earlier: one second before t, with the jobs gone by then */
	if (t - 1 > w->now) {
		release_ended(w, t - 1);
		if (pb_ledger_admit(w->l, &a, t - 1, t - 1 + dur, &v) == 0)
			fail_msg("seed %llu: earliest start %lld, but admitted "
				 "at %lld",
				 (unsigned long long)w->seed, (long long)t,
				 (long long)(t - 1));
		stats.earliest_minimal++;
	}
	release_ended(w, t);
	if (pb_ledger_admit(w->l, &a, t, t + dur, &v) != 0)
		fail_msg("seed %llu: earliest start %lld refused at domain %d",
			 (unsigned long long)w->seed, (long long)t, v.domain);
	stats.earliest_checked++;
}

static void run_sequence(uint64_t seed, uint32_t max_nodes)
{
	struct world w = {.seed = seed, .now = 1000, .next_id = 1};
	pb_error_t err;

	rng_seed(&w.r, seed);
	w.site = random_site(&w.r, max_nodes);
	w.l = pb_ledger_create(w.site, NULL, &err);
	assert_non_null(w.l);
	w.snap = calloc(2 * pb_site_domain_count(w.site), sizeof(*w.snap));
	w.avail = calloc(pb_site_domain_count(w.site), sizeof(*w.avail));
	for (w.step = 0; w.step < STEPS; w.step++) {
		uint32_t op = rng_below(&w.r, 12);

		if (getenv("PB_PROPERTY_TRACE"))
			fprintf(stderr, "step %u op %u now %lld\n", w.step, op,
				(long long)w.now);
		switch (op) {
		case 0:
		case 1:
		case 2:
		case 3:
			op_start(&w);
			break;
		case 4:
			op_release(&w);
			break;
		case 5:
			op_node_power(&w);
			break;
		case 6:
			op_cap(&w);
			break;
		case 7:
			op_reserve(&w);
			break;
		case 8:
			op_job_state(&w);
			break;
		case 9:
			op_measure(&w);
			break;
		case 10:
			op_lift(&w);
			break;
		default:
			w.now += rng_below(&w.r, 200);
		}
		if (pb_ledger_verify(w.l, &err))
			fail_msg("seed %llu step %u: verify: %s",
				 (unsigned long long)seed, w.step, err.text);
	}
	check_earliest(&w);
	/* everything released: back to node-state-only committed power */
	while (w.njobs)
		op_release(&w);
	while (w.nresv)
		CHECK(&w, pb_ledger_unreserve(w.l, w.resv[--w.nresv]) == 0);
	verify_ok(w.l);
	free(w.snap);
	free(w.avail);
	pb_ledger_destroy(w.l);
	pb_site_destroy(w.site);
}

static void test_random_sequences(void **state)
{
	uint32_t iters = env_u32("PB_PROPERTY_ITERS", 3000);
	uint64_t base = env_u32("PB_PROPERTY_SEED", 1);

	(void)state;
	for (uint32_t i = 0; i < iters; i++)
		run_sequence(base + i, 48);
	printf("%u sequences: %llu admitted, %llu refused now, %llu refused at "
	       "a reservation checkpoint, %llu exact releases, %llu later "
	       "starts confirmed (%llu not earlier), %llu cap windows, %llu "
	       "reservations "
	       "lifted (%llu with a change before they were put back, %llu "
	       "with another dropped)\n",
	       iters, (unsigned long long)stats.admitted,
	       (unsigned long long)stats.refused_now,
	       (unsigned long long)stats.refused_later,
	       (unsigned long long)stats.exact_releases,
	       (unsigned long long)stats.earliest_checked,
	       (unsigned long long)stats.earliest_minimal,
	       (unsigned long long)stats.windows,
	       (unsigned long long)stats.lifts,
	       (unsigned long long)stats.lifts_changed,
	       (unsigned long long)stats.dropped_while_lifted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_sequences),
	};

	return cmocka_run_group_tests_name("policy_property", tests, NULL,
					   NULL);
}
