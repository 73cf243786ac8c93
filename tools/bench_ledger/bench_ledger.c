/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb_bench_ledger: cost per call of the ledger's hot calls (admit, commit,
 * release), of the candidate filter and of placement, on a reference-size
 * site: 12,500 DGX-H100-class nodes, facility -> 4 halls -> rows of 25
 * racks -> racks of 4 nodes, and a three-level fat tree (32 nodes per
 * leaf switch, 16 leaves per spine group, one core).  The ledger is
 * first loaded to about 60 % of the nodes with running jobs.  Each figure
 * is the median over many calls, timed one by one with clock_gettime,
 * next to a baseline measured in the same run: one pass over the 12,500
 * bit node bitmap (what slurmctld already pays per job test).
 *
 * usage: pb_bench_ledger [reservations]   (default 0; up to 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/bitset.h"
#include "policy/ledger.h"
#include "policy/net.h"
#include "policy/place.h"
#include "policy/site.h"

#define NODES 12500
#define HALLS 4
#define RACK_NODES 4
#define ROW_RACKS 25
#define LEAF_NODES 32
#define SPINE_LEAVES 16
#define REPS 2001

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return v[n / 2];
}

static void die(const char *what, const pb_error_t *err)
{
	fprintf(stderr, "pb_bench_ledger: %s: %s\n", what,
		err ? err->text : "");
	exit(1);
}

static pb_site_t *build_site(void)
{
	pb_error_t err;
	pb_site_t *s = pb_site_create();
	pb_class_spec_t dgx = {.name = "dgx-h100",
			       .gpu_model = "H100 SXM",
			       .gpus = 8,
			       .cpu_packages = 2,
			       .cores = 112,
			       .cpu_idle_w = 100,
			       .cpu_max_w = 350,
			       .base_w = 3900,
			       .standby_w = 80};
	pb_facility_t fac = {1250, INT64_C(130000000), 20000};
	uint32_t per_hall = NODES / HALLS, node = 0;
	char name[64];

	if (!s || pb_site_add_class(s, &dgx, &err) < 0 ||
	    pb_site_add_domain(s, "facility", -1, INT64_C(100000000), &err) <
		0 ||
	    pb_site_set_facility(s, &fac, &err))
		die("site", &err);
	for (uint32_t h = 0; h < HALLS; h++) {
		int32_t hall, row = -1, rack = -1;

		snprintf(name, sizeof(name), "hall%u", h);
		hall = pb_site_add_domain(s, name, 0, INT64_C(30000000), &err);
		for (uint32_t i = 0; i < per_hall; i++, node++) {
			uint32_t r = i / RACK_NODES;

			if (i % (RACK_NODES * ROW_RACKS) == 0) {
				snprintf(name, sizeof(name), "h%u-row%u", h,
					 r / ROW_RACKS);
				row = pb_site_add_domain(s, name, hall, 800000,
							 &err);
			}
			if (i % RACK_NODES == 0) {
				snprintf(name, sizeof(name), "h%u-rack%u", h,
					 r);
				rack = pb_site_add_domain(s, name, row, 36000,
							  &err);
			}
			snprintf(name, sizeof(name), "gpu%05u", node);
			if (hall < 0 || row < 0 || rack < 0 ||
			    pb_site_add_node(s, name, 0, (uint32_t)rack, &err) <
				0)
				die("site", &err);
		}
	}
	if (pb_site_finalize(s, &err))
		die("finalize", &err);
	return s;
}

static pb_net_t *build_net(void)
{
	pb_error_t err;
	pb_net_t *n = pb_net_create(NODES);
	int32_t core = pb_net_add_switch(n, "core", -1, &err), spine = -1;
	char name[32];

	for (uint32_t v = 0, leaf = 0; v < NODES; v++) {
		int32_t sw;

		if (v % LEAF_NODES == 0) {
			if (leaf % SPINE_LEAVES == 0) {
				snprintf(name, sizeof(name), "spine%u",
					 leaf / SPINE_LEAVES);
				spine = pb_net_add_switch(n, name, core, &err);
			}
			snprintf(name, sizeof(name), "leaf%u", leaf++);
			if (pb_net_add_switch(n, name, spine, &err) < 0)
				die("net", &err);
		}
		sw = (int32_t)pb_net_switch_count(n) - 1;
		if (pb_net_attach_node(n, (uint32_t)sw, v, &err))
			die("net", &err);
	}
	if (pb_net_finalize(n, &err))
		die("net", &err);
	return n;
}

/*
 * Start whole-node jobs of 1-64 nodes until 60 % of the nodes run or the
 * power runs out (200 refusals in a row): a site at its cap, the case the
 * ledger exists for.
 */
static uint32_t load(pb_ledger_t *l, pb_alloc_node_t *buf)
{
	uint32_t id = 1, used = 0, node = 0, refused = 0;

	while (used < NODES * 6 / 10 && refused < 200) {
		uint32_t k = 1 + rnd(64);
		pb_alloc_t a = {buf, 0, 0, PB_HINT_EVERYWHERE};
		int64_t end = 1 + rnd(86400);
		pb_verdict_t v;

		for (uint32_t i = 0; i < k; i++, node = (node + 1) % NODES)
			buf[a.count++] = (pb_alloc_node_t){node, 8, 112};
		node = (node + rnd(40)) % NODES;
		if (pb_ledger_admit(l, &a, 0, end, &v) == 0 &&
		    pb_ledger_commit(l, id++, &a, end, NULL) == 0) {
			used += k;
			refused = 0;
		} else {
			refused++;
		}
	}
	return id;
}

static void random_alloc(pb_alloc_node_t *buf, pb_alloc_t *a, uint32_t k)
{
	uint32_t first = rnd(NODES - k);

	for (uint32_t i = 0; i < k; i++)
		buf[i] = (pb_alloc_node_t){first + i, 8, 112};
	*a = (pb_alloc_t){buf, k, 0, PB_HINT_EVERYWHERE};
}

struct result {
	const char *name;
	int64_t ns;
};

/* What every stage shares: the loaded site and the figures so far. */
struct bench {
	pb_site_t *site;
	pb_net_t *net;
	pb_ledger_t *l;
	pb_placer_t *p;
	pb_bitset_t *cand, *out;
	uint32_t id; /* first job id load() left unused */
	struct result res[20];
	uint32_t nres;
	/* what the timed calls return ends here, so none is optimised out */
	volatile uint64_t sink;
};

/* The placement request timed: a 64-node whole-node job of an hour. */
static const pb_place_req_t req64 = {
    64, 8, 112, 0, 0, 3600, PB_HINT_EVERYWHERE};

/* scratch for every stage; static, as the node buffer is large */
static pb_alloc_node_t buf[NODES];
static int64_t t[REPS];

static void add(struct bench *b, const char *name, int64_t ns)
{
	b->res[b->nres++] = (struct result){name, ns};
}

static void setup(struct bench *b, uint32_t nresv)
{
	pb_error_t err;
	pb_alloc_t a;

	b->site = build_site();
	b->net = build_net();
	b->l = pb_ledger_create(b->site, NULL, &err);
	b->p = pb_place_create(b->site, b->net, &err);
	b->cand = pb_bitset_create(NODES);
	b->out = pb_bitset_create(NODES);
	if (!b->l || !b->p || !b->cand || !b->out)
		die("setup", &err);
	b->id = load(b->l, buf);
	for (uint32_t r = 0; r < nresv && r < 64; r++) {
		random_alloc(buf, &a, 64);
		if (pb_ledger_reserve(b->l, r + 1, &a, 600 + rnd(7200), 100000,
				      &err))
			die("reserve", &err);
	}
}

/* baseline: one pass over the node bitmap, as slurmctld does */
static void bench_baseline(struct bench *b)
{
	pb_bitset_set_all(b->cand);
	for (uint32_t i = 0; i < REPS; i++) {
		int64_t t0 = now_ns();
		uint64_t c = 0;

		for (uint32_t n = 0; n < NODES; n++)
			c += pb_bitset_test(b->cand, n);
		t[i] = now_ns() - t0;
		b->sink += c;
	}
	add(b, "baseline: bitmap pass, 12500 nodes", median(t, REPS));
}

/* each job is released at once, so every call sees the ledger load() made */
static void bench_job_calls(struct bench *b)
{
	pb_error_t err;
	pb_verdict_t v;
	pb_alloc_t a;

	for (uint32_t k = 8; k <= 512; k *= 8) {
		int64_t ta[REPS], tc[REPS], tr[REPS];
		static char names[3][3][64];
		uint32_t s = k == 8 ? 0 : k == 64 ? 1 : 2;

		for (uint32_t i = 0; i < REPS; i++) {
			int64_t t0;

			random_alloc(buf, &a, k);
			t0 = now_ns();
			pb_ledger_admit(b->l, &a, 0, 3600, &v);
			ta[i] = now_ns() - t0;
			t0 = now_ns();
			if (pb_ledger_commit(b->l, b->id + i, &a, 3600, &err))
				die("commit", &err);
			tc[i] = now_ns() - t0;
			t0 = now_ns();
			pb_ledger_release(b->l, b->id + i);
			tr[i] = now_ns() - t0;
		}
		snprintf(names[s][0], 64, "admit, %u-node job", k);
		snprintf(names[s][1], 64, "commit, %u-node job", k);
		snprintf(names[s][2], 64, "release, %u-node job", k);
		add(b, names[s][0], median(ta, REPS));
		add(b, names[s][1], median(tc, REPS));
		add(b, names[s][2], median(tr, REPS));
	}
}

static void bench_earliest(struct bench *b)
{
	pb_verdict_t v;
	pb_alloc_t a;

	for (uint32_t i = 0; i < REPS / 4; i++) {
		int64_t t0, start;

		random_alloc(buf, &a, 64);
		t0 = now_ns();
		pb_ledger_earliest_start(b->l, &a, 3600, 0, &start, &v);
		t[i] = now_ns() - t0;
		b->sink += (uint64_t)start;
	}
	add(b, "earliest_start, 64-node job", median(t, REPS / 4));
}

static void bench_filter(struct bench *b)
{
	for (uint32_t i = 0; i < REPS; i++) {
		int64_t t0;

		pb_bitset_set_all(b->cand);
		t0 = now_ns();
		b->sink += pb_place_filter(b->p, b->l, b->cand, &req64);
		t[i] = now_ns() - t0;
	}
	add(b, "filter, all 12500 candidates", median(t, REPS));
}

static void bench_place(struct bench *b)
{
	pb_place_req_t req = req64;
	pb_verdict_t v;

	for (uint32_t k = 8; k <= 512; k *= 8) {
		static char names[3][64];
		uint32_t s = k == 8 ? 0 : k == 64 ? 1 : 2;

		req.nnodes = k;
		pb_bitset_set_all(b->cand);
		for (uint32_t i = 0; i < REPS / 4; i++) {
			int64_t t0 = now_ns();

			b->sink += (uint64_t)pb_place_choose(
			    b->p, b->l, b->cand, &req, b->out, &v);
			t[i] = now_ns() - t0;
		}
		snprintf(names[s], 64, "place, %u nodes of 12500 (%s)", k,
			 v.ok ? "found" : "none");
		add(b, names[s], median(t, REPS / 4));
	}
}

static void report(const struct bench *b)
{
	const struct result *res = b->res;

	printf("site: %u nodes, %u domains (depth %u), %u switches; %u running "
	       "jobs, %u reservations\n",
	       pb_site_node_count(b->site), pb_site_domain_count(b->site),
	       pb_site_max_depth(b->site) + 1, pb_net_switch_count(b->net),
	       pb_ledger_job_count(b->l), pb_ledger_reservation_count(b->l));
	printf("facility committed %.2f MW IT of %.2f MW IT limit\n",
	       pb_ledger_committed(b->l, 0) / 1e6,
	       pb_ledger_limit(b->l, 0) / 1e6);
	printf("%-44s %12s %10s\n", "call", "median ns", "x baseline");
	for (uint32_t i = 0; i < b->nres; i++)
		printf("%-44s %12lld %10.2f\n", res[i].name,
		       (long long)res[i].ns,
		       (double)res[i].ns / (double)res[0].ns);
}

static void teardown(struct bench *b)
{
	pb_error_t err;

	if (pb_ledger_verify(b->l, &err))
		die("verify", &err);
	pb_bitset_destroy(b->cand);
	pb_bitset_destroy(b->out);
	pb_place_destroy(b->p);
	pb_ledger_destroy(b->l);
	pb_net_destroy(b->net);
	pb_site_destroy(b->site);
}

int main(int argc, char **argv)
{
	uint32_t nresv = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
	static struct bench b;

	setup(&b, nresv);
	bench_baseline(&b);
	bench_job_calls(&b);
	bench_earliest(&b);
	bench_filter(&b);
	bench_place(&b);
	report(&b);
	teardown(&b);
	return b.sink == 42 ? 1 : 0;
}
