/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the power model: shipped GPU table, model matching and
 * the watts arithmetic (rounding up, hints clamped).
 */
#include "util.h"

#include "policy/error.h"
#include "policy/power.h"

static int find(const char *device)
{
	size_t n;
	const pb_gpu_model_t *m = pb_power_builtin_models(&n);

	return pb_power_match(m, n, device);
}

static const char *name_of(const char *device)
{
	size_t n;
	const pb_gpu_model_t *m = pb_power_builtin_models(&n);
	int i = pb_power_match(m, n, device);

	return i < 0 ? "(none)" : m[i].name;
}

static void test_builtins_valid(void **state)
{
	size_t n;
	const pb_gpu_model_t *m = pb_power_builtin_models(&n);
	pb_error_t err;

	(void)state;
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pb_power_check_model(&m[i], &err), 0);
	assert_int_equal(m[0].max_w, 700);
	assert_int_equal(m[2].max_w, 400);
	assert_int_equal(m[3].max_w, 1000);
}

static void test_match_device_strings(void **state)
{
	(void)state;
	assert_string_equal(name_of("NVIDIA H100 80GB HBM3"), "H100 SXM");
	assert_string_equal(name_of("GH100 [H100 SXM5 80GB]"), "H100 SXM");
	assert_string_equal(name_of("nvidia h100 80gb hbm3"), "H100 SXM");
	assert_string_equal(name_of("NVIDIA H200"), "H200 SXM");
	assert_string_equal(name_of("NVIDIA A100-SXM4-80GB"), "A100 SXM 80GB");
	assert_string_equal(name_of("NVIDIA B200"), "B200");
	/* other boards of the same family must not take the SXM figures */
	assert_int_equal(find("NVIDIA H100 PCIe"), -1);
	assert_int_equal(find("NVIDIA H100 NVL"), -1);
	assert_int_equal(find("NVIDIA A100-PCIE-40GB"), -1);
	assert_int_equal(find("NVIDIA GB200"), -1);
	assert_int_equal(find(""), -1);
	assert_int_equal(find(NULL), -1);
}

static void test_match_longest_wins(void **state)
{
	pb_gpu_model_t m[3] = {
	    {"generic", "H100", 50, 350, 200},
	    {"sxm", "H100 80GB HBM3", 75, 700, 200},
	    {"dup", "H100", 1, 2, 2},
	};

	(void)state;
	/* order of registration does not beat specificity */
	assert_int_equal(pb_power_match(m, 3, "NVIDIA H100 80GB HBM3"), 1);
	/* equal length: first registered */
	assert_int_equal(pb_power_match(m, 3, "NVIDIA H100 PCIe"), 0);
}

static pb_power_class_t tiny(void)
{
	pb_power_class_t c = {.gpus = 2,
			      .cpu_packages = 1,
			      .cores = 10,
			      .cpu_idle_w = 20,
			      .cpu_max_w = 120,
			      .base_w = 100,
			      .standby_w = 10};

	tiny_model(&c.gpu);
	return c;
}

static void test_node_watts(void **state)
{
	pb_power_class_t c = tiny();

	(void)state;
	assert_int_equal(pb_power_off_w(&c), 10);
	assert_int_equal(pb_power_idle_w(&c), TINY_IDLE);
	assert_int_equal(pb_power_increment_w(&c, 2, 10, 0), TINY_FULL);
	assert_int_equal(pb_power_max_w(&c), 820);
	/* 1 GPU + 3 of 10 cores: 250 + 30 */
	assert_int_equal(pb_power_increment_w(&c, 1, 3, 0), 280);
	/* more than the node has is clamped to the node */
	assert_int_equal(pb_power_increment_w(&c, 9, 99, 0), TINY_FULL);
	assert_int_equal(pb_power_increment_w(&c, 0, 0, 0), 0);
}

static void test_core_share_rounds_up(void **state)
{
	pb_power_class_t c = tiny();

	(void)state;
	c.cores = 3;
	/* 100 W over 3 cores: one core is 33.3 -> 34, two 66.7 -> 67 */
	assert_int_equal(pb_power_increment_w(&c, 0, 1, 0), 34);
	assert_int_equal(pb_power_increment_w(&c, 0, 2, 0), 67);
	assert_int_equal(pb_power_increment_w(&c, 0, 3, 0), 100);
	/* two packages: the span doubles */
	c.cpu_packages = 2;
	assert_int_equal(pb_power_increment_w(&c, 0, 1, 0), 67);
}

static void test_hint_clamped(void **state)
{
	pb_power_class_t c = tiny();

	(void)state;
	assert_int_equal(pb_power_gpu_w(&c.gpu, 0), 300);
	assert_int_equal(pb_power_gpu_w(&c.gpu, -5), 300);
	assert_int_equal(pb_power_gpu_w(&c.gpu, 200), 200);
	assert_int_equal(pb_power_gpu_w(&c.gpu, 40), 100);   /* min cap */
	assert_int_equal(pb_power_gpu_w(&c.gpu, 5000), 300); /* max */
	/* 2 GPUs at 200 W: 2 * (200 - 50), no cores */
	assert_int_equal(pb_power_increment_w(&c, 2, 0, 200), 300);
	assert_int_equal(pb_power_increment_w(&c, 2, 0, 1), 100);
}

static void test_hint_scope(void **state)
{
	pb_power_class_t c = tiny();

	(void)state;
	assert_false(c.gpu_limit_enforced);
	assert_int_equal(pb_power_hint_on(&c, 200, PB_HINT_EVERYWHERE), 200);
	assert_int_equal(pb_power_hint_on(&c, 200, PB_HINT_WHERE_ENFORCED), 0);
	c.gpu_limit_enforced = true;
	assert_int_equal(pb_power_hint_on(&c, 200, PB_HINT_WHERE_ENFORCED),
			 200);
	assert_int_equal(pb_power_hint_on(&c, 0, PB_HINT_WHERE_ENFORCED), 0);
}

static void test_facility_rounds_up(void **state)
{
	(void)state;
	assert_int_equal(pb_power_facility_w(1000, 1250), 1250);
	assert_int_equal(pb_power_facility_w(1001, 1250), 1252); /* 1251.25 */
	assert_int_equal(pb_power_facility_w(3, 1001), 4);	 /* 3.003 */
	assert_int_equal(pb_power_facility_w(0, 1500), 0);
	/* 500 MW at PUE 1.4 does not overflow */
	assert_int_equal(pb_power_facility_w(INT64_C(500000000), 1400),
			 INT64_C(700000000));
}

static void test_check_model(void **state)
{
	pb_gpu_model_t m;
	pb_error_t err;

	(void)state;
	tiny_model(&m);
	m.min_cap_w = 20; /* below idle */
	assert_int_equal(pb_power_check_model(&m, &err), -1);
	assert_non_null(strstr(err.text, "T"));
	tiny_model(&m);
	m.max_w = 0;
	assert_int_equal(pb_power_check_model(&m, &err), -1);
	tiny_model(&m);
	m.name[0] = '\0';
	assert_int_equal(pb_power_check_model(&m, &err), -1);
}

static void test_error_null_safe(void **state)
{
	pb_error_t err;

	(void)state;
	pb_error_set(NULL, "x %d", 1);
	pb_error_clear(NULL);
	pb_error_set(&err, "%s %d", "value", 42);
	assert_string_equal(err.text, "value 42");
	pb_error_clear(&err);
	assert_string_equal(err.text, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtins_valid),
	    cmocka_unit_test(test_match_device_strings),
	    cmocka_unit_test(test_match_longest_wins),
	    cmocka_unit_test(test_node_watts),
	    cmocka_unit_test(test_core_share_rounds_up),
	    cmocka_unit_test(test_hint_clamped),
	    cmocka_unit_test(test_hint_scope),
	    cmocka_unit_test(test_facility_rounds_up),
	    cmocka_unit_test(test_check_model),
	    cmocka_unit_test(test_error_null_safe),
	};

	return cmocka_run_group_tests_name("policy_power", tests, NULL, NULL);
}
