/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small hand-computable sites shared by the policy unit tests.
 *
 * The "two racks" site: facility "fac" (#0) over "rackA" (#1) and "rackB"
 * (#2), nodes a0 a1 (#0 #1) in rackA and b0 b1 (#2 #3) in rackB, one
 * class "tiny" (#0): GPU "T" (idle 50, max 300, min cap 100) x2, one CPU
 * package idle 20 / max 120 over 10 cores, base 100 W, standby 10 W.
 *   node idle      = 100 + 2*50 + 20      = 220 W
 *   full increment = 2*(300-50) + 100     = 600 W   (node max 820 W)
 */
#ifndef PB_TEST_UTIL_H
#define PB_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "policy/ledger.h"
#include "policy/site.h"

#define TINY_IDLE 220
#define TINY_FULL 600
#define TINY_OFF 10

static inline void tiny_model(pb_gpu_model_t *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->name, "T");
	strcpy(m->match, "Test GPU");
	m->idle_w = 50;
	m->max_w = 300;
	m->min_cap_w = 100;
}

/* The "tiny" class's hardware and power table, under another name. */
static inline pb_class_spec_t tiny_spec(const char *name)
{
	return (pb_class_spec_t){.name = name,
				 .gpu_model = "T",
				 .gpus = 2,
				 .cpu_packages = 1,
				 .cores = 10,
				 .cpu_idle_w = 20,
				 .cpu_max_w = 120,
				 .base_w = 100,
				 .standby_w = 10};
}

static inline int32_t tiny_class(pb_site_t *s)
{
	pb_gpu_model_t m;
	pb_error_t err = {{0}};
	pb_class_spec_t c = tiny_spec("tiny");

	tiny_model(&m);
	assert_int_equal(pb_site_set_gpu_model(s, &m, &err), 0);
	return pb_site_add_class(s, &c, &err);
}

/*
 * Caps: fac 2500, racks 1500 each; fac may be NULL (PUE 1, no reserve).
 * enforced: the class enforces GPU power limits (GpuLimitEnforced=yes).
 */
static inline pb_site_t *two_racks_of(const pb_facility_t *fac, bool enforced)
{
	pb_error_t err = {{0}};
	pb_site_t *s = pb_site_create();
	pb_gpu_model_t m;
	pb_class_spec_t c = tiny_spec("tiny");
	int32_t root, ra, rb;

	assert_non_null(s);
	c.gpu_limit_enforced = enforced;
	tiny_model(&m);
	assert_int_equal(pb_site_set_gpu_model(s, &m, &err), 0);
	assert_int_equal(pb_site_add_class(s, &c, &err), 0);
	root = pb_site_add_domain(s, "fac", -1, 2500, &err);
	ra = pb_site_add_domain(s, "rackA", root, 1500, &err);
	rb = pb_site_add_domain(s, "rackB", root, 1500, &err);
	assert_int_equal(root, 0);
	assert_int_equal(ra, 1);
	assert_int_equal(rb, 2);
	assert_int_equal(pb_site_add_node(s, "a0", 0, 1, &err), 0);
	assert_int_equal(pb_site_add_node(s, "a1", 0, 1, &err), 1);
	assert_int_equal(pb_site_add_node(s, "b0", 0, 2, &err), 2);
	assert_int_equal(pb_site_add_node(s, "b1", 0, 2, &err), 3);
	if (fac)
		assert_int_equal(pb_site_set_facility(s, fac, &err), 0);
	if (pb_site_finalize(s, &err))
		fail_msg("finalize: %s", err.text);
	return s;
}

static inline pb_site_t *two_racks(const pb_facility_t *fac)
{
	return two_racks_of(fac, false);
}

/* A ledger over s, or the test fails. */
static inline pb_ledger_t *new_ledger(const pb_site_t *s)
{
	pb_error_t err;
	pb_ledger_t *l = pb_ledger_create(s, NULL, &err);

	if (!l)
		fail_msg("ledger: %s", err.text);
	return l;
}

/* An allocation of whole nodes (2 GPUs, 10 cores each). */
struct whole {
	pb_alloc_node_t n[8];
	pb_alloc_t a;
};

static inline pb_alloc_t *whole(struct whole *w, uint32_t count, ...)
{
	va_list ap;

	va_start(ap, count);
	for (uint32_t i = 0; i < count; i++)
		w->n[i] = (pb_alloc_node_t){va_arg(ap, uint32_t), 2, 10};
	va_end(ap);
	w->a = (pb_alloc_t){w->n, count, 0, PB_HINT_EVERYWHERE};
	return &w->a;
}

static inline void verify_ok(const pb_ledger_t *l)
{
	pb_error_t err = {{0}};

	if (pb_ledger_verify(l, &err))
		fail_msg("verify: %s", err.text);
}

#endif /* PB_TEST_UTIL_H */
