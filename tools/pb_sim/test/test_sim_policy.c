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
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim_engine.h"
#include "sim_pols.h"
#include "sim_site.h"
#include "sim_trace.h"

#define TRACE PB_TEST_DATA_DIR "/traces/openb_pod_list_head400.csv"

/* The reference site cut to 512 nodes with its caps cut alike. */
static void _site(struct sim_site *s)
{
	pb_error_t err = {""};

	sim_site_reference(s, 100);
	assert_int_equal(sim_policy_gpu_table(s, "H100 SXM", &err), 0);
	s->nodes = 512;
	s->cap_w = 4.1e6;
	s->cooling_w = 5.3e6;
}

static void _run(const struct sim_site *s, const struct sim_trace *t, int k,
		 int power_save, struct sim_result *r)
{
	struct sim_pol p;
	pb_error_t err = {""};
	int rc;

	if (k == 0)
		rc = sim_base_oblivious(s, &p, &err);
	else
		rc = sim_policy_power(s, k == 1, power_save, &p, &err);
	if (rc)
		fail_msg("%s", err.text);
	assert_int_equal(sim_run(s, t, &p, r, NULL, NULL), 0);
	sim_pol_destroy(&p);
}

static void _check(const char *mapping, int power_save, int all_fit)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_result a, c, d;
	pb_error_t err = {""};

	_site(&s);
	if (sim_trace_load(TRACE, mapping, s.nodes, s.gpn, &m, &t, &err))
		fail_msg("%s", err.text);
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
	pb_error_t err = {""};

	(void)state;
	sim_site_reference(&s, 100);
	assert_int_equal(sim_policy_gpu_table(&s, "no such GPU", &err), -1);
	assert_non_null(strstr(err.text, "no such GPU"));
	/* a device model string resolves like hwloc's GPUModel would */
	assert_int_equal(
	    sim_policy_gpu_table(&s, "NVIDIA H100 80GB HBM3", &err), 0);
	assert_string_equal(s.gpu_model, "H100 SXM");
	assert_true(s.gpu_max_w == 700);
}

/* 300 one-node jobs that all arrive at once, running dur0, dur0 + 1, ... s. */
static void _burst(const struct sim_site *s, int dur0, struct sim_trace *t)
{
	struct sim_mapping m;
	char path[] = "/tmp/pb-sim-burst-XXXXXX";
	pb_error_t err = {""};
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "submit,duration,nodes\n");
	for (int i = 0; i < 300; i++)
		fprintf(f, "0,%d,1\n", dur0 + i);
	fclose(f);
	if (sim_trace_load(path, NULL, s->nodes, s->gpn, &m, t, &err))
		fail_msg("%s", err.text);
	unlink(path);
}

/*
 * Grid limits, on 300 one-node jobs that all arrive at once: with a ramp
 * limit committed power never rises faster than it allows (each job is
 * far below it); a cap window's lower cap is what the engine checks while
 * it is on, and the power policy keeps under it; both make jobs wait.
 */
static void test_grid(void **state)
{
	struct sim_site s, g;
	struct sim_trace t;
	struct sim_result plain, grid, obl;

	(void)state;
	_site(&s);
	_burst(&s, 3000, &t);
	g = s;
	g.windows[0] = (struct sim_window){600, 1800, 2.5e6};
	g.nwindows = 1;
	g.ramp_w = 0.2e6;
	_run(&s, &t, 1, 1, &plain);
	_run(&g, &t, 1, 1, &grid);
	_run(&g, &t, 0, 1, &obl);
	assert_int_equal(grid.fac_viol, 0);
	assert_int_equal(grid.true_fac_viol, 0);
	assert_int_equal(grid.dom_viol, 0);
	assert_true(obl.fac_viol > 0);
	assert_true(plain.rise_committed_max_w > 1.0e6);
	assert_true(grid.rise_committed_max_w <= g.ramp_w + 1);
	assert_true(grid.rise_max_w <= g.ramp_w + 1);
	assert_true(grid.wait_mean > plain.wait_mean);
	assert_int_equal(grid.started, 300);
	sim_result_free(&plain);
	sim_result_free(&grid);
	sim_result_free(&obl);
	sim_trace_free(&t);
}

/*
 * A curtailment (pb-ctl curtail) on 300 one-node jobs running at its
 * issue: the power policy hears of it only then, sheds by suspend before
 * the deadline so that neither its committed power nor the draw is over
 * the target from the deadline on, resumes the shed jobs afterwards, and
 * loses no job and no GPU-hour of work: they only run later.  The
 * power-oblivious baseline sheds nothing and is over the target.
 */
static void test_curtail(void **state)
{
	struct sim_site s, g;
	struct sim_trace t;
	struct sim_result plain, cur, obl;

	(void)state;
	_site(&s);
	_burst(&s, 6000, &t);
	g = s;
	g.curtail = (struct sim_curtail){.issue = 600,
					 .deadline = 1200,
					 .until = 3000,
					 .cap_w = 2.5e6,
					 .lead = SIM_CURTAIL_LEAD_S};
	g.curtailed = 1;
	_run(&s, &t, 1, 1, &plain);
	_run(&g, &t, 1, 1, &cur);
	_run(&g, &t, 0, 1, &obl);
	/* the load is over the target at the issue */
	assert_true(plain.fac_max > g.curtail.cap_w * 1.2);
	assert_true(cur.shed_jobs > 0);
	assert_int_equal(cur.fac_viol, 0);
	assert_int_equal(cur.true_fac_viol, 0);
	assert_int_equal(cur.dom_viol, 0);
	assert_true(cur.curtail_reach_committed_s >= 0);
	assert_true(cur.curtail_reach_committed_s <= 600);
	assert_true(cur.curtail_reach_s >= 0 && cur.curtail_reach_s <= 600);
	assert_true(cur.shed_gpu_h > 0);
	/* every job ran to its end: the same GPU-hours, just later */
	assert_int_equal(cur.started, 300);
	assert_int_equal(cur.rejected, 0);
	assert_true(fabs(cur.gpu_hours - plain.gpu_hours) < 1e-6);
	assert_true(cur.makespan > plain.makespan);
	/* a policy that cannot shed: over the target from the deadline on */
	assert_int_equal(obl.shed_jobs, 0);
	assert_true(obl.fac_viol > 0);
	sim_result_free(&plain);
	sim_result_free(&cur);
	sim_result_free(&obl);
	sim_trace_free(&t);
}

/*
 * Learned draw: whenever job_w_gen stays the same across an observed
 * run, every job's job_w does too (the engine then keeps the queued
 * jobs' figures).  Runs of a few classes at a few draws, so that some
 * observations move an estimate and some do not.
 */
static void test_learned_job_w_gen(void **state)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_power_opts o = {.topo = 1, .power_save = 1, .learned = 1};
	pb_error_t err = {""};
	static double before[4096];
	uint32_t kept = 0, moved = 0;

	(void)state;
	_site(&s);
	if (sim_trace_load(TRACE, NULL, s.nodes, s.gpn, &m, &t, &err))
		fail_msg("%s", err.text);
	assert_true(t.n <= 4096);
	assert_int_equal(sim_policy_power_ex(&s, &o, &t, &p, &err), 0);
	for (uint32_t i = 0; i < 600; i++) {
		const struct sim_job *j = &t.jobs[(i * 7) % 5 % t.n];
		uint64_t gen = p.ops->job_w_gen(p.ctx);

		for (size_t k = 0; k < t.n; k++)
			before[k] = p.ops->job_w(p.ctx, &t.jobs[k]);
		p.ops->observe(p.ctx, j, 300 + 100 * (double)(i % 3), i);
		if (p.ops->job_w_gen(p.ctx) != gen) {
			moved++;
			continue;
		}
		kept++;
		for (size_t k = 0; k < t.n; k++)
			assert_true(p.ops->job_w(p.ctx, &t.jobs[k]) ==
				    before[k]);
	}
	assert_true(kept > 0 && moved > 0);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_draw),
	    cmocka_unit_test(test_declared_draw),
	    cmocka_unit_test(test_no_power_saving),
	    cmocka_unit_test(test_unknown_gpu),
	    cmocka_unit_test(test_grid),
	    cmocka_unit_test(test_curtail),
	    cmocka_unit_test(test_learned_job_w_gen),
	};

	return cmocka_run_group_tests_name("sim_policy", tests, NULL, NULL);
}
