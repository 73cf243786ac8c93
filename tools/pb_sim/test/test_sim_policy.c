// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of pb-sim's power policies (sim_policy.c over policy/) on a loaded
 * slice of the real OpenB trace: the power-budget policy never takes any
 * domain over its cap while the power-oblivious baseline does, whatever
 * the power model's options, and it delivers the same jobs.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim_engine.h"
#include "sim_pols.h"
#include "sim_site.h"
#include "sim_trace.h"

#define TRACE PB_TEST_DATA_DIR "/traces/openb_pod_list_head400.csv"

/* The reference site cut to 512 nodes with its caps cut alike. */
static void _site(struct sim_site *s)
{
	char err[256];

	sim_site_reference(s, 100);
	assert_int_equal(sim_policy_gpu_table(s, "H100 SXM", err, sizeof(err)),
			 0);
	s->nodes = 512;
	s->cap_w = 4.1e6;
	s->cooling_w = 5.3e6;
}

static void _run(const struct sim_site *s, const struct sim_trace *t, int k,
		 int power_save, struct sim_result *r)
{
	struct sim_pol p;
	char err[256] = "";
	int rc;

	if (k == 0)
		rc = sim_base_oblivious(s, &p, err, sizeof(err));
	else
		rc = sim_policy_power(s, k == 1, power_save, &p, err,
				      sizeof(err));
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(sim_run(s, t, &p, r, NULL, NULL), 0);
	sim_pol_destroy(&p);
}

static void _check(const char *mapping, int power_save, int all_fit)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_result a, c, d;
	char err[256] = "";

	_site(&s);
	if (sim_trace_load(TRACE, mapping, s.nodes, s.gpn, &m, &t, err,
			   sizeof(err)))
		fail_msg("%s", err);
	_run(&s, &t, 0, power_save, &a);
	_run(&s, &t, 1, power_save, &c);
	_run(&s, &t, 2, power_save, &d);
	/* the trace is loaded enough that ignoring power breaks caps */
	assert_true(a.fac_viol > 0);
	assert_true(a.dom_viol > 0);
	/* the policy never does, at any level, and stays in its reserve */
	assert_int_equal(c.fac_viol, 0);
	assert_int_equal(c.dom_viol, 0);
	assert_int_equal(d.fac_viol, 0);
	assert_int_equal(d.dom_viol, 0);
	assert_true(c.fac_max <= s.cap_w * (1 - s.reserve) + 2);
	assert_true(d.fac_max <= s.cap_w * (1 - s.reserve) + 2);
	/*
	 * and still runs every job -- unless idle nodes are kept on, when
	 * the widest jobs can never be powered and are refused up front
	 */
	if (all_fit) {
		assert_int_equal(c.started, t.n);
		assert_int_equal(d.started, t.n);
		assert_true(fabs(c.gpu_hours - a.gpu_hours) < 1e-6);
	} else {
		assert_true(c.rejected > 0);
		assert_int_equal(c.started + c.rejected, t.n);
	}
	/* the network tree makes placements no less compact */
	assert_true(c.leaf_mean <= d.leaf_mean);
	sim_result_free(&a);
	sim_result_free(&c);
	sim_result_free(&d);
	sim_trace_free(&t);
}

static void test_full_draw(void **state)
{
	(void)state;
	_check(NULL, 1, 1);
}

static void test_declared_draw(void **state)
{
	(void)state;
	_check("power=milli", 1, 1);
}

static void test_no_power_saving(void **state)
{
	(void)state;
	_check("power=milli", 0, 0);
}

static void test_unknown_gpu(void **state)
{
	struct sim_site s;
	char err[256] = "";

	(void)state;
	sim_site_reference(&s, 100);
	assert_int_equal(
	    sim_policy_gpu_table(&s, "no such GPU", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such GPU"));
	/* a device model string resolves like hwloc's GPUModel would */
	assert_int_equal(
	    sim_policy_gpu_table(&s, "NVIDIA H100 80GB HBM3", err, sizeof(err)),
	    0);
	assert_string_equal(s.gpu_model, "H100 SXM");
	assert_true(s.gpu_max_w == 700);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_draw),
	    cmocka_unit_test(test_declared_draw),
	    cmocka_unit_test(test_no_power_saving),
	    cmocka_unit_test(test_unknown_gpu),
	};

	return cmocka_run_group_tests_name("sim_policy", tests, NULL, NULL);
}
