/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the site model: construction errors (no side effects),
 * lookups, paths, facility limits (reserve, PUE, cooling), oversubscription.
 */
#include "util.h"

#include "policy/site.h"

static void test_build_and_lookup(void **state)
{
	pb_site_t *s = two_racks(NULL);
	const uint32_t *path;

	(void)state;
	assert_int_equal(pb_site_node_count(s), 4);
	assert_int_equal(pb_site_domain_count(s), 3);
	assert_int_equal(pb_site_class_count(s), 1);
	assert_int_equal(pb_site_node_by_name(s, "b1"), 3);
	assert_int_equal(pb_site_node_by_name(s, "zz"), -1);
	assert_int_equal(pb_site_domain_by_name(s, "rackB"), 2);
	assert_int_equal(pb_site_class_by_name(s, "tiny"), 0);
	assert_string_equal(pb_site_node_name(s, 2), "b0");
	assert_int_equal(pb_site_node_domain(s, 2), 2);
	assert_int_equal(pb_site_root(s), 0);
	assert_int_equal(pb_site_domain_depth(s, 2), 1);
	assert_int_equal(pb_site_max_depth(s), 1);
	assert_true(pb_site_domain_is_leaf(s, 1));
	assert_false(pb_site_domain_is_leaf(s, 0));
	assert_int_equal(pb_site_node_path(s, 3, &path), 2);
	assert_int_equal(path[0], 2);
	assert_int_equal(path[1], 0);
	assert_int_equal(pb_site_node_idle_w(s, 0), TINY_IDLE);
	assert_int_equal(pb_site_node_off_w(s, 0), TINY_OFF);
	/* children 3000 W under 2500 W: 1.2x */
	assert_int_equal(pb_site_domain_oversub_milli(s, 0), 1200);
	assert_int_equal(pb_site_domain_oversub_milli(s, 1), 0);
	pb_site_destroy(s);
}

static void test_errors_no_side_effects(void **state)
{
	pb_site_t *s = pb_site_create();
	pb_error_t err;
	pb_facility_t bad_pue = {900, 0, 0}, bad_res = {1000, 0, PB_PPM};
	pb_class_spec_t c = {.name = "c",
			     .gpu_model = "nope",
			     .gpus = 1,
			     .cpu_packages = 1,
			     .cores = 4};

	(void)state;
	assert_int_equal(pb_site_add_class(s, &c, &err), -1);
	assert_non_null(strstr(err.text, "unknown GPU model"));
	c.gpus = 0;
	c.cores = 0;
	assert_int_equal(pb_site_add_class(s, &c, &err), -1);
	assert_int_equal(pb_site_class_count(s), 0);
	assert_int_equal(pb_site_add_domain(s, "f", 3, 10, &err), -1);
	assert_int_equal(pb_site_add_domain(s, "f", -1, 0, &err), -1);
	assert_int_equal(pb_site_add_domain(s, "f", -1, 100, &err), 0);
	assert_int_equal(pb_site_add_domain(s, "g", -1, 100, &err), -1);
	assert_non_null(strstr(err.text, "second root"));
	assert_int_equal(pb_site_add_domain(s, "f", 0, 100, &err), -1);
	assert_non_null(strstr(err.text, "duplicate"));
	assert_int_equal(pb_site_domain_count(s), 1);
	assert_int_equal(pb_site_set_facility(s, &bad_pue, &err), -1);
	assert_int_equal(pb_site_set_facility(s, &bad_res, &err), -1);
	assert_int_equal(pb_site_facility(s)->pue_milli, 1000);
	/* nothing to finalize yet: no nodes */
	assert_int_equal(pb_site_finalize(s, &err), -1);
	assert_false(pb_site_is_final(s));
	pb_site_destroy(s);
}

static void test_node_in_inner_domain(void **state)
{
	pb_site_t *s = pb_site_create();
	pb_error_t err;

	(void)state;
	tiny_class(s);
	pb_site_add_domain(s, "f", -1, 5000, &err);
	pb_site_add_domain(s, "r", 0, 2000, &err);
	assert_int_equal(pb_site_add_node(s, "n0", 0, 0, &err), 0);
	assert_int_equal(pb_site_add_node(s, "n0", 0, 1, &err), -1);
	assert_int_equal(pb_site_add_node(s, "n1", 1, 1, &err), -1);
	assert_int_equal(pb_site_finalize(s, &err), -1);
	assert_non_null(strstr(err.text, "not a leaf"));
	pb_site_destroy(s);
}

static void test_gpu_table_override(void **state)
{
	pb_site_t *s = pb_site_create();
	pb_gpu_model_t m = {"H100 SXM", "H100 80GB HBM3", 90, 650, 250};
	pb_gpu_model_t pcie = {"H100 PCIe", "H100 PCIe", 45, 350, 200};
	pb_error_t err;
	pb_class_spec_t c = {.name = "dgx",
			     .gpu_model = "NVIDIA H100 PCIe",
			     .gpus = 8,
			     .cpu_packages = 2,
			     .cores = 112,
			     .cpu_idle_w = 100,
			     .cpu_max_w = 350,
			     .base_w = 1500,
			     .standby_w = 60};

	(void)state;
	assert_string_equal(
	    pb_site_find_gpu_model(s, "NVIDIA H100 80GB HBM3")->name,
	    "H100 SXM");
	assert_int_equal(pb_site_set_gpu_model(s, &m, &err), 0);
	assert_int_equal(pb_site_gpu_model_by_name(s, "h100 sxm")->max_w, 650);
	/* PCIe unknown until the site adds it; then a device string works */
	assert_int_equal(pb_site_add_class(s, &c, &err), -1);
	assert_int_equal(pb_site_set_gpu_model(s, &pcie, &err), 0);
	assert_int_equal(pb_site_add_class(s, &c, &err), 0);
	assert_int_equal(pb_site_class(s, 0)->gpu.max_w, 350);
	/* 1500 + 8 * 45 + 2 * 100 */
	assert_int_equal(pb_power_idle_w(pb_site_class(s, 0)), 2060);
	pb_site_destroy(s);
}

static void test_it_limits(void **state)
{
	/* PUE 1.25, cooling 1900 W, reserve 1 % */
	pb_facility_t f = {1250, 1900, 10000};
	pb_site_t *s = two_racks(&f);

	(void)state;
	/* rack: 1500 - 15 */
	assert_int_equal(pb_site_it_limit(s, 1, 1500), 1485);
	/* root: 2500 - 25 = 2475 facility W -> 1980 IT W; cooling 1900 - 19 */
	assert_int_equal(pb_site_it_limit(s, 0, 2500), 1881);
	/* without cooling the PUE bound holds, and is exact */
	assert_int_equal(pb_site_it_limit(s, 0, 2475 + 25), 1881);
	pb_site_destroy(s);

	f.cooling_w = 0;
	s = two_racks(&f);
	assert_int_equal(pb_site_it_limit(s, 0, 2500), 1980);
	assert_true(pb_power_facility_w(1980, 1250) <= 2475);
	assert_true(pb_power_facility_w(1981, 1250) > 2475);
	/* reserve rounds up: 1 % of 1501 is 15.01 -> 16 held */
	assert_int_equal(pb_site_it_limit(s, 1, 1501), 1485);
	/* 500 MW root, 1 % reserve, PUE 1.25: 495 MW / 1.25 */
	assert_int_equal(pb_site_it_limit(s, 0, INT64_C(500000000)),
			 INT64_C(396000000));
	pb_site_destroy(s);
}

static void test_many_nodes_hashed(void **state)
{
	pb_site_t *s = pb_site_create();
	pb_error_t err;
	char name[32];

	(void)state;
	tiny_class(s);
	pb_site_add_domain(s, "f", -1, INT64_C(100000000), &err);
	for (uint32_t i = 0; i < 13000; i++) {
		snprintf(name, sizeof(name), "gpu%05u", i);
		assert_int_equal(pb_site_add_node(s, name, 0, 0, &err), i);
	}
	assert_int_equal(pb_site_finalize(s, &err), 0);
	assert_int_equal(pb_site_node_by_name(s, "gpu12345"), 12345);
	assert_int_equal(pb_site_node_by_name(s, "gpu13000"), -1);
	assert_int_equal(pb_site_finalize(s, &err), -1); /* twice */
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_and_lookup),
	    cmocka_unit_test(test_errors_no_side_effects),
	    cmocka_unit_test(test_node_in_inner_domain),
	    cmocka_unit_test(test_gpu_table_override),
	    cmocka_unit_test(test_it_limits),
	    cmocka_unit_test(test_many_nodes_hashed),
	};

	return cmocka_run_group_tests_name("policy_site", tests, NULL, NULL);
}
