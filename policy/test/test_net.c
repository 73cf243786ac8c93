/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the bitset and the network tree.
 */
#include "util.h"

#include "policy/bitset.h"
#include "policy/net.h"

static void test_bitset(void **state)
{
	pb_bitset_t *b = pb_bitset_create(130), *c = pb_bitset_create(130);
	pb_bitset_t *d = pb_bitset_create(7);
	int64_t seen[4], n = 0;

	(void)state;
	assert_int_equal(pb_bitset_size(b), 130);
	assert_int_equal(pb_bitset_count(b), 0);
	assert_int_equal(pb_bitset_next(b, 0), -1);
	pb_bitset_set(b, 0);
	pb_bitset_set(b, 64);
	pb_bitset_set(b, 129);
	pb_bitset_set(b, 130); /* out of range: ignored */
	assert_true(pb_bitset_test(b, 64));
	assert_false(pb_bitset_test(b, 63));
	assert_false(pb_bitset_test(b, 500));
	assert_int_equal(pb_bitset_count(b), 3);
	for (int64_t i = pb_bitset_next(b, 0); i >= 0;
	     i = pb_bitset_next(b, (uint32_t)i + 1))
		seen[n++] = i;
	assert_int_equal(n, 3);
	assert_int_equal(seen[1], 64);
	assert_int_equal(seen[2], 129);
	assert_int_equal(pb_bitset_next(b, 65), 129);
	pb_bitset_clear(b, 64);
	assert_int_equal(pb_bitset_count(b), 2);
	pb_bitset_set_all(c);
	assert_int_equal(pb_bitset_count(c), 130);
	assert_int_equal(pb_bitset_copy(c, b), 0);
	assert_int_equal(pb_bitset_count(c), 2);
	assert_int_equal(pb_bitset_copy(d, b), -1);
	pb_bitset_clear_all(c);
	assert_int_equal(pb_bitset_count(c), 0);
	pb_bitset_destroy(b);
	pb_bitset_destroy(c);
	pb_bitset_destroy(d);
	pb_bitset_destroy(NULL);
}

/* Word access: the documented layout, a clear tail, writes seen by tests. */
static void test_bitset_words(void **state)
{
	pb_bitset_t *b = pb_bitset_create(130);
	const uint64_t *w;

	(void)state;
	assert_int_equal(pb_bitset_word_count(b), 3);
	pb_bitset_set(b, 1);
	pb_bitset_set(b, 65);
	pb_bitset_set_all(b);
	pb_bitset_clear(b, 64);
	w = pb_bitset_words(b);
	assert_true(w[0] == ~UINT64_C(0));
	assert_true(w[1] == ~UINT64_C(1));
	assert_true(w[2] == UINT64_C(3)); /* bits 128, 129; tail clear */
	pb_bitset_words_mut(b)[1] = UINT64_C(1) << 5;
	assert_true(pb_bitset_test(b, 69));
	assert_false(pb_bitset_test(b, 70));
	assert_int_equal(pb_bitset_next(b, 64), 69);
	assert_int_equal(pb_bitset_count(b), 64 + 1 + 2);
	pb_bitset_destroy(b);
	b = pb_bitset_create(0);
	assert_int_equal(pb_bitset_word_count(b), 0);
	pb_bitset_destroy(b);
}

/*
 * core -> {agg0 -> {leaf0: 3 1, leaf1: 0}, agg1 -> {leaf2: 5}}, a lone
 * root "other" with leaf3: 2; node 4 unattached.
 */
static pb_net_t *sample(void)
{
	pb_error_t err;
	pb_net_t *n = pb_net_create(6);

	assert_int_equal(pb_net_add_switch(n, "core", -1, &err), 0);
	assert_int_equal(pb_net_add_switch(n, "agg0", 0, &err), 1);
	assert_int_equal(pb_net_add_switch(n, "agg1", 0, &err), 2);
	assert_int_equal(pb_net_add_switch(n, "leaf0", 1, &err), 3);
	assert_int_equal(pb_net_add_switch(n, "leaf1", 1, &err), 4);
	assert_int_equal(pb_net_add_switch(n, "leaf2", 2, &err), 5);
	assert_int_equal(pb_net_add_switch(n, "other", -1, &err), 6);
	assert_int_equal(pb_net_add_switch(n, "leaf3", 6, &err), 7);
	assert_int_equal(pb_net_attach_node(n, 3, 3, &err), 0);
	assert_int_equal(pb_net_attach_node(n, 3, 1, &err), 0);
	assert_int_equal(pb_net_attach_node(n, 4, 0, &err), 0);
	assert_int_equal(pb_net_attach_node(n, 5, 5, &err), 0);
	assert_int_equal(pb_net_attach_node(n, 7, 2, &err), 0);
	return n;
}

static void test_net_layout(void **state)
{
	pb_net_t *n = sample();
	pb_error_t err;
	const uint32_t *nodes;

	(void)state;
	assert_int_equal(pb_net_finalize(n, &err), 0);
	assert_int_equal(pb_net_switch_count(n), 8);
	assert_int_equal(pb_net_switch_level(n, 0), 2);
	assert_int_equal(pb_net_switch_level(n, 2), 1);
	assert_int_equal(pb_net_switch_level(n, 5), 0);
	assert_int_equal(pb_net_switch_level(n, 6), 1);
	assert_int_equal(pb_net_max_level(n), 2);
	assert_int_equal(pb_net_node_switch(n, 1), 3);
	assert_int_equal(pb_net_node_switch(n, 4), -1);
	assert_int_equal(pb_net_switch_by_name(n, "leaf2"), 5);
	assert_string_equal(pb_net_switch_name(n, 6), "other");
	assert_int_equal(pb_net_switch_parent(n, 5), 2);
	/* core's subtree: leaf0 (1 3), leaf1 (0), leaf2 (5) */
	assert_int_equal(pb_net_switch_nodes(n, 0, &nodes), 4);
	assert_int_equal(nodes[0], 1);
	assert_int_equal(nodes[1], 3);
	assert_int_equal(nodes[2], 0);
	assert_int_equal(nodes[3], 5);
	assert_int_equal(pb_net_switch_nodes(n, 1, &nodes), 3);
	assert_int_equal(pb_net_switch_nodes(n, 4, &nodes), 1);
	assert_int_equal(nodes[0], 0);
	assert_int_equal(pb_net_switch_nodes(n, 6, &nodes), 1);
	assert_int_equal(nodes[0], 2);
	/* the unattached node follows everything */
	assert_int_equal(nodes[1], 4);
	assert_int_equal(pb_net_order(n, &nodes), 6);
	assert_int_equal(nodes[0], 1);
	assert_int_equal(nodes[4], 2);
	assert_int_equal(nodes[5], 4);
	assert_int_equal(pb_net_finalize(n, &err), -1);
	pb_net_destroy(n);
}

static void test_net_errors(void **state)
{
	pb_net_t *n = sample();
	pb_error_t err;

	(void)state;
	assert_int_equal(pb_net_add_switch(n, "core", -1, &err), -1);
	assert_non_null(strstr(err.text, "duplicate"));
	assert_int_equal(pb_net_add_switch(n, "x", 42, &err), -1);
	assert_int_equal(pb_net_attach_node(n, 5, 3, &err), -1);
	assert_non_null(strstr(err.text, "already"));
	assert_int_equal(pb_net_attach_node(n, 5, 6, &err), -1);
	assert_int_equal(pb_net_switch_count(n), 8);
	/* nodes on a switch with children */
	assert_int_equal(pb_net_attach_node(n, 1, 4, &err), 0);
	assert_int_equal(pb_net_finalize(n, &err), -1);
	assert_non_null(strstr(err.text, "agg0"));
	pb_net_destroy(n);
	pb_net_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bitset),
	    cmocka_unit_test(test_bitset_words),
	    cmocka_unit_test(test_net_layout),
	    cmocka_unit_test(test_net_errors),
	};

	return cmocka_run_group_tests_name("policy_net", tests, NULL, NULL);
}
