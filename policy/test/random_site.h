/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seeded random sites and network trees for the property tests: a domain
 * tree of random depth and fan-out, nodes of two classes in its leaves,
 * caps drawn between the subtree's idle and full-load draw (so some
 * starts fit and some do not), random PUE/cooling/reserve, and a random
 * switch tree over the same nodes.  Deterministic for a given seed.
 */
#ifndef PB_TEST_RANDOM_SITE_H
#define PB_TEST_RANDOM_SITE_H

#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "policy/net.h"

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
	rng_next(r);
}

/* Environment knob for iteration counts (manual runs scale up). */
static inline uint32_t env_u32(const char *name, uint32_t def)
{
	const char *v = getenv(name);

	return v && *v ? (uint32_t)strtoul(v, NULL, 0) : def;
}

#define RS_MAX_DOMAINS 64

/*
 * Caps are set after the tree is built: idle and max of each subtree are
 * summed bottom-up (parents precede children, so a reverse pass works).
 */
static inline pb_site_t *random_site(struct rng *r, uint32_t max_nodes)
{
	pb_error_t err = {{0}};
	pb_site_t *s = pb_site_create();
	pb_class_spec_t big = {.name = "big",
			       .gpu_model = "H100 SXM",
			       .gpus = 8,
			       .cpu_packages = 2,
			       .cores = 96,
			       .cpu_idle_w = 90,
			       .cpu_max_w = 350,
			       .base_w = 1800,
			       .standby_w = 45,
			       .gpu_limit_enforced = rng_below(r, 2) != 0};
	int32_t parent[RS_MAX_DOMAINS];
	pb_watts_t idle[RS_MAX_DOMAINS] = {0}, max[RS_MAX_DOMAINS] = {0};
	uint32_t nd = 1, depth = 1 + rng_below(r, 4), nn = 0;
	uint32_t level_lo = 0, level_hi = 1;
	pb_facility_t fac = {1000 + rng_below(r, 500), rng_below(r, 2) ? 0 : 1,
			     rng_below(r, 30000)};
	char name[32];

	tiny_class(s);
	pb_site_add_class(s, &big, &err);
	parent[0] = -1;
	for (uint32_t lv = 1; lv < depth; lv++) {
		for (uint32_t p = level_lo; p < level_hi; p++) {
			uint32_t k = 1 + rng_below(r, 3);

			for (uint32_t c = 0; c < k && nd < RS_MAX_DOMAINS; c++)
				parent[nd++] = (int32_t)p;
		}
		level_lo = level_hi;
		level_hi = nd;
	}
	/* nodes in leaves (domains without children) */
	{
		bool has_child[RS_MAX_DOMAINS] = {false};
		uint32_t cls_of[256], dom_of[256];

		for (uint32_t d = 1; d < nd; d++)
			has_child[parent[d]] = true;
		for (uint32_t d = 0; d < nd; d++) {
			uint32_t k = has_child[d] ? 0 : 1 + rng_below(r, 5);

			for (uint32_t i = 0;
			     i < k && nn < max_nodes && nn < 256; i++) {
				cls_of[nn] = rng_below(r, 4) == 0;
				dom_of[nn++] = d;
			}
		}
		/* the first leaf always gets a node: nn > 0 when max_nodes > 0
		 */
		assert_true(nn > 0);
		for (uint32_t i = 0; i < nn; i++) {
			const pb_power_class_t *c = pb_site_class(s, cls_of[i]);

			for (int32_t d = (int32_t)dom_of[i]; d >= 0;
			     d = parent[d]) {
				idle[d] += pb_power_idle_w(c);
				max[d] += pb_power_max_w(c);
			}
		}
		for (uint32_t d = 0; d < nd; d++) {
			pb_watts_t span = max[d] - idle[d];
			pb_watts_t cap =
			    idle[d] + 1 +
			    (pb_watts_t)rng_below(
				r, (uint32_t)(span + span / 4 + 1));

			/* root cap is facility watts: scale for PUE/reserve */
			if (d == 0)
				cap =
				    cap * fac.pue_milli / 1000 * 11 / 10 + 1000;
			else
				cap = cap * 11 / 10 + 10;
			snprintf(name, sizeof(name), "d%u", d);
			if (pb_site_add_domain(s, name, parent[d], cap, &err) <
			    0)
				fail_msg("random site: %s", err.text);
		}
		if (fac.cooling_w)
			fac.cooling_w = idle[0] + (max[0] - idle[0]) / 2 + 100;
		for (uint32_t i = 0; i < nn; i++) {
			snprintf(name, sizeof(name), "n%u", i);
			if (pb_site_add_node(s, name, cls_of[i], dom_of[i],
					     &err) < 0)
				fail_msg("random site: %s", err.text);
		}
	}
	pb_site_set_facility(s, &fac, &err);
	if (pb_site_finalize(s, &err))
		fail_msg("random site: %s", err.text);
	return s;
}

/*
 * Leaf switches of 1-6 consecutive nodes under 0-2 upper levels; unless
 * all_attached, a few nodes stay on no switch (drawn only then, so both
 * kinds keep their own random sequences).
 */
static inline pb_net_t *random_net_of(struct rng *r, uint32_t nn,
				      int all_attached)
{
	pb_error_t err = {{0}};
	pb_net_t *net = pb_net_create(nn);
	uint32_t levels = rng_below(r, 3), nsw = 0, node = 0;
	int32_t top = -1, mid = -1;
	char name[32];

	if (levels >= 1)
		top = pb_net_add_switch(net, "top", -1, &err);
	while (node < nn) {
		uint32_t k = 1 + rng_below(r, 6);
		int32_t leaf;

		if (levels == 2 && (mid < 0 || rng_below(r, 3) == 0)) {
			snprintf(name, sizeof(name), "mid%u", nsw);
			mid = pb_net_add_switch(net, name, top, &err);
		}
		snprintf(name, sizeof(name), "leaf%u", nsw++);
		leaf =
		    pb_net_add_switch(net, name, levels == 2 ? mid : top, &err);
		for (uint32_t i = 0; i < k && node < nn; i++, node++)
			if (all_attached || rng_below(r, 12))
				pb_net_attach_node(net, (uint32_t)leaf, node,
						   &err);
	}
	if (pb_net_finalize(net, &err))
		fail_msg("random net: %s", err.text);
	return net;
}

/* Leaf switches of 1-6 consecutive-ish nodes under 0-2 upper levels. */
static inline pb_net_t *random_net(struct rng *r, uint32_t nn)
{
	return random_net_of(r, nn, 0);
}

#endif /* PB_TEST_RANDOM_SITE_H */
