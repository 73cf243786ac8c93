// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the pieces pb-sim models power limits and learned draw
 * with: a limited job runs longer and still delivers its full work; cap
 * violations are counted on the true draw, apart from the modelled one;
 * the learned policy charges a class's first run at the board limit and
 * the next at what it learned; the limits policy starts a job that does
 * not fit at full draw at a limit that fits; the job classes and the
 * true-draw rule are deterministic.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_draw.h"
#include "sim_engine.h"
#include "sim_pols.h"
#include "sim_site.h"
#include "sim_trace.h"

/*
 * 8 nodes of 8 GPUs (test_sim_core.c's tiny site): node base 500 + CPU
 * 100 + 8 GPUs at 50 W idle / 550 W max: idle 1,000 W, busy 5,000 W,
 * standby 100 W; racks of 2, rows of 4, one hall; PUE 1.25, facility cap
 * 40 kW, no reserve.
 */
static void _tiny_site(struct sim_site *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "tiny");
	snprintf(s->gpu_model, sizeof(s->gpu_model), "test");
	s->nodes = 8;
	s->gpn = 8;
	s->gpu_idle_w = 50;
	s->gpu_max_w = 550;
	s->gpu_min_w = 100;
	s->cpu_pkgs = 1;
	s->cpu_idle_w = 100;
	s->cpu_max_w = 100;
	s->base_w = 500;
	s->standby_w = 100;
	s->leaf_nodes = 4;
	s->group_leaves = 2;
	s->rack_nodes = 2;
	s->row_racks = 2;
	s->hall_rows = 2;
	s->rack_cap_w = 100e3;
	s->row_cap_w = 100e3;
	s->hall_cap_w = 100e3;
	s->cap_w = 40e3;
	s->pue = 1.25;
	s->reserve = 0;
}

static void _load(const char *text, const struct sim_site *s,
		  struct sim_trace *t)
{
	struct sim_mapping m;
	pb_error_t err = {""};

	if (sim_trace_parse(text, "t.csv", NULL, s->nodes, s->gpn, &m, t, &err))
		fail_msg("%s", err.text);
}

/* A policy that starts anything on the first free nodes at a fixed limit. */
struct fake {
	uint8_t busy[8];
	double limit;
};

static int _f_on(void *ctx, uint32_t n)
{
	(void)ctx;
	(void)n;
	return 1;
}

static int _f_ever(void *ctx, const struct sim_job *j)
{
	(void)ctx;
	(void)j;
	return 1;
}

static int _f_start(void *ctx, const struct sim_job *j, double now,
		    uint32_t *out)
{
	struct fake *f = ctx;
	uint32_t got = 0;

	(void)now;
	for (uint32_t n = 0; n < 8 && got < j->nodes; n++)
		if (!f->busy[n])
			out[got++] = n;
	if (got < j->nodes)
		return 0;
	for (uint32_t k = 0; k < got; k++)
		f->busy[out[k]] = 1;
	return 1;
}

static void _f_finish(void *ctx, const struct sim_job *j, const uint32_t *n)
{
	struct fake *f = ctx;

	for (uint32_t k = 0; k < j->nodes; k++)
		f->busy[n[k]] = 0;
}

static uint32_t _f_free(void *ctx)
{
	struct fake *f = ctx;
	uint32_t c = 0;

	for (int n = 0; n < 8; n++)
		c += !f->busy[n];
	return c;
}

static double _f_head(void *ctx)
{
	(void)ctx;
	return INFINITY;
}

static double _f_w(void *ctx, const struct sim_job *j)
{
	(void)ctx;
	return j->nodes;
}

static void _f_grant(void *ctx, const struct sim_job *j, double *lim,
		     double *held)
{
	(void)j;
	(void)held;
	*lim = ((struct fake *)ctx)->limit;
}

static const struct sim_pol_ops _fake_ops = {
    .free_on = _f_on,
    .fits_ever = _f_ever,
    .start = _f_start,
    .finish = _f_finish,
    .free_nodes = _f_free,
    .headroom_w = _f_head,
    .job_w = _f_w,
    .grant = _f_grant,
};

/* The fake with observations recorded: (job, time, watts) in order. */
struct seen {
	struct fake f;
	uint32_t n, job[8];
	double at[8], w[8];
};

static void _f_observe(void *ctx, const struct sim_job *j, double gpu_w,
		       double now)
{
	struct seen *v = ctx;

	if (v->n < 8) {
		v->job[v->n] = j->id;
		v->at[v->n] = now;
		v->w[v->n++] = gpu_w;
	}
}

static const struct sim_pol_ops _seen_ops = {
    .free_on = _f_on,
    .fits_ever = _f_ever,
    .start = _f_start,
    .finish = _f_finish,
    .free_nodes = _f_free,
    .headroom_w = _f_head,
    .job_w = _f_w,
    .grant = _f_grant,
    .observe = _f_observe,
};

/*
 * observe_after = 50 s (LearnedDrawAfter=): a 100 s job is observed at
 * 50 s and not again at its end; a 30 s job, ended before, at its end;
 * with 0 both at their ends.
 */
static void test_observe_after(void **state)
{
	struct sim_site s;
	struct sim_trace t;
	struct seen v = {.f = {.limit = 0}};
	struct sim_pol p = {.ops = &_seen_ops, .ctx = &v, .observe_after = 50};
	struct sim_result r;

	(void)state;
	_tiny_site(&s);
	_load("submit,duration,nodes\n0,100,1\n0,30,1\n", &s, &t);
	t.jobs[0].draw_w = 400;
	t.jobs[1].draw_w = 200;
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	sim_result_free(&r);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.job[0], 1);
	assert_true(v.at[0] == 30 && v.w[0] == 200);
	assert_int_equal(v.job[1], 0);
	assert_true(v.at[1] == 50 && v.w[1] == 400);

	memset(&v, 0, sizeof(v));
	p.observe_after = 0;
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	sim_result_free(&r);
	assert_int_equal(v.n, 2);
	assert_true(v.job[0] == 1 && v.at[0] == 30);
	assert_true(v.job[1] == 0 && v.at[1] == 100);
	sim_trace_free(&t);
}

static double _half(void *arg, double limit_w, double draw_w)
{
	(void)arg;
	(void)limit_w;
	(void)draw_w;
	return 0.5;
}

/*
 * One 1-node job of 100 s drawing 550 W a GPU, limited to 275 W at speed
 * 0.5, and one that draws 200 W (under the limit: not slowed); a third
 * job at t=1000 only makes the arrival span 1,000 s.
 *   j0 runs 0..200: wall GPU-h 8 x 200 s, work 8 x 100 s.
 *   j1 runs 0..100: 8 x 100 s both.
 */
static void test_stretch(void **state)
{
	struct sim_site s;
	struct sim_trace t;
	struct fake f = {.limit = 275};
	struct sim_pol p = {.ops = &_fake_ops, .ctx = &f};
	struct sim_physics ph = {_half, NULL};
	struct sim_result r;

	(void)state;
	_tiny_site(&s);
	_load("submit,duration,nodes\n0,100,1\n0,100,1\n1000,10,1\n", &s, &t);
	t.jobs[0].draw_w = 550;
	t.jobs[1].draw_w = 200;
	t.jobs[2].draw_w = 200;
	assert_int_equal(sim_run_ex(&s, &t, &p, &ph, &r, NULL, NULL), 0);
	assert_int_equal(r.limited, 1);
	assert_true(r.speed_mean == 0.5);
	assert_true(fabs(r.gpu_hours_window - 8 * 300 / 3600.0) < 1e-12);
	assert_true(fabs(r.work_gpu_h - 8 * 200 / 3600.0) < 1e-12);
	/* the last job (1000..1010) is after the span: makespan 1010 */
	assert_true(r.makespan == 1010);
	sim_result_free(&r);
	/* without physics nothing is slowed */
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	assert_int_equal(r.limited, 0);
	assert_true(fabs(r.gpu_hours_window - r.work_gpu_h) < 1e-12);
	sim_result_free(&r);
	sim_trace_free(&t);
}

/*
 * Oblivious, 8 one-node jobs at once.  Modelled at their load: 5,000 W a
 * node at load 1 -> IT 40 kW, facility 50 kW, over the 40 kW cap; their
 * true 300 W a GPU -> 1,000 + 8 x 250 = 3,000 W a node, facility 30 kW:
 * under.  The other way round (declared load 0.5 = 300 W, true 550 W) the
 * true account is over and the modelled one is not.
 */
static void test_true_violations(void **state)
{
	static const char tr[] = "submit,duration,nodes,load\n"
				 "0,100,1,L\n0,100,1,L\n0,100,1,L\n0,100,1,L\n"
				 "0,100,1,L\n0,100,1,L\n0,100,1,L\n0,100,1,L\n";
	char text[sizeof(tr)];
	pb_error_t err = {""};
	struct sim_site s;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_result r;

	(void)state;
	_tiny_site(&s);
	for (int pass = 0; pass < 2; pass++) {
		memcpy(text, tr, sizeof(tr));
		for (char *c = text; (c = strchr(c, 'L'));)
			*c = pass ? '0' : '1';
		_load(text, &s, &t);
		for (size_t i = 0; i < t.n; i++) {
			if (pass)
				t.jobs[i].load = 0.5;
			t.jobs[i].draw_w = pass ? 550 : 300;
		}
		assert_int_equal(sim_base_oblivious(&s, &p, &err), 0);
		assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
		assert_int_equal(r.fac_viol, pass ? 0 : 1);
		assert_int_equal(r.true_fac_viol, pass ? 1 : 0);
		/* the power curve is the true draw */
		assert_true(r.fac_max == (pass ? 50000 : 30000));
		sim_result_free(&r);
		sim_pol_destroy(&p);
		sim_trace_free(&t);
	}
}

/*
 * power-learned on the tiny site (power saving: a node rises from 100 W
 * standby).  A class's first run is charged at the board limit: 4,900 W;
 * after it measured 300 W a GPU, the next run is charged and limited to
 * ceil(300 x 1.1) = 330 W: 1,000 + 8 x 280 - 100 = 3,140 W.  Another
 * class still gets the board limit.
 */
static void test_learned_first_run(void **state)
{
	struct sim_site s;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_power_opts o = {.name = "power-learned",
				   .topo = 1,
				   .power_save = 1,
				   .enforced = 1,
				   .learned = 1};
	uint32_t out[8];
	double lim, held;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	_load("submit,duration,nodes,class\n0,100,1,a\n200,100,1,a\n"
	      "300,100,1,b\n",
	      &s, &t);
	assert_int_equal(t.ncls, 2);
	assert_string_equal(t.cls[t.jobs[1].cls], "a");
	if (sim_policy_power_ex(&s, &o, &t, &p, &err))
		fail_msg("%s", err.text);
	assert_int_equal(p.ops->start(p.ctx, &t.jobs[0], 0, out), 1);
	p.ops->grant(p.ctx, &t.jobs[0], &lim, &held);
	assert_true(lim <= 0);
	assert_true(held == 4900);
	p.ops->observe(p.ctx, &t.jobs[0], 300, 100);
	p.ops->finish(p.ctx, &t.jobs[0], out);
	assert_int_equal(p.ops->start(p.ctx, &t.jobs[1], 200, out), 1);
	p.ops->grant(p.ctx, &t.jobs[1], &lim, &held);
	assert_true(lim == 330);
	assert_true(held == 3140);
	assert_true(p.ops->job_w(p.ctx, &t.jobs[2]) == 4900);
	p.ops->finish(p.ctx, &t.jobs[1], out);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

/*
 * power-limits with the facility at 6,250 W (5 kW of IT): 8 nodes off at
 * 100 W leave 4,200 W, so a node at full draw (4,900 W over standby)
 * does not fit; at limit L it rises 900 + 8 (L - 50) <= 4,200: L <= 462.
 * The floor is 385 W (70% of 550).  The job draws 550 W: it runs at
 * s(462 / 550) < 1, longer than its 100 s, and the true draw never goes
 * over the cap.
 */
static void test_limits_fit(void **state)
{
	struct sim_site s;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_power_opts o = {.name = "power-limits",
				   .topo = 1,
				   .power_save = 1,
				   .enforced = 1,
				   .limits = SIM_LIMITS_FIT};
	struct sim_physics ph;
	struct sim_result r;
	uint32_t out[8];
	double lim, held;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	s.cap_w = 6250;
	_load("submit,duration,nodes\n0,100,1\n500,10,1\n", &s, &t);
	t.jobs[0].draw_w = 550;
	t.jobs[1].draw_w = 550;
	if (sim_policy_power_ex(&s, &o, &t, &p, &err))
		fail_msg("%s", err.text);
	assert_int_equal(p.ops->start(p.ctx, &t.jobs[0], 0, out), 1);
	p.ops->grant(p.ctx, &t.jobs[0], &lim, &held);
	assert_true(lim >= 385 && lim <= 462);
	assert_true(held <= 4200);
	p.ops->finish(p.ctx, &t.jobs[0], out);
	sim_pol_destroy(&p);
	/* the same through the engine, slowed by policy's curve */
	if (sim_policy_power_ex(&s, &o, &t, &p, &err))
		fail_msg("%s", err.text);
	sim_policy_physics(&ph);
	assert_int_equal(sim_run_ex(&s, &t, &p, &ph, &r, NULL, NULL), 0);
	assert_int_equal(r.started, 2);
	assert_int_equal(r.limited, 2); /* the second no more fits */
	assert_true(r.speed_mean > 0.9 && r.speed_mean < 1);
	assert_int_equal(r.true_fac_viol, 0);
	assert_int_equal(r.fac_viol, 0);
	/* within the span (500 s): j0's 100 s of full-speed work */
	assert_true(fabs(r.work_gpu_h - 8 * 100 / 3600.0) < 1e-12);
	assert_true(r.gpu_hours_window > r.work_gpu_h);
	sim_result_free(&r);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

/* Classes by rule, the draw rule's bounds, determinism, busy vs all. */
static void test_draw_rule(void **state)
{
	static const char cdf_text[] = "percentile,watts\n0,60\n50,60\n"
				       "60,150\n100,400\n";
	static const char tr[] =
	    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,"
	    "pod_phase,creation_time,deletion_time,scheduled_time\n"
	    "p0,1000,100,1,1000,,LS,Running,0,100,0\n"
	    "p1,1000,100,1,1000,,LS,Running,10,110,10\n"
	    "p2,2000,100,1,500,,BE,Running,20,120,20\n";
	struct sim_site s;
	struct sim_trace t;
	struct sim_cdf c;
	struct sim_mapping m;
	struct sim_draw_rule busy = {.kind = SIM_DRAW_BUSY,
				     .busy_w = 150,
				     .src_idle_w = 60,
				     .src_max_w = 400,
				     .jitter = 0.1,
				     .seed = 1},
			     all = busy, again = busy;
	double w0, w1;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	assert_int_equal(sim_cdf_parse(cdf_text, "c.csv", &c, &err), 0);
	assert_true(sim_cdf_watts(&c, 55) == 105);
	assert_true(sim_cdf_pct(&c, 150) == 60);
	/* one trace GPU = one node */
	if (sim_trace_parse(tr, "o.csv", "scale=8,load=0", s.nodes, s.gpn, &m,
			    &t, &err))
		fail_msg("%s", err.text);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.ncls, 2);
	assert_int_equal(t.jobs[0].cls, t.jobs[1].cls);
	assert_string_equal(t.cls[t.jobs[2].cls], "BE/1g/500m/2000c/100M");
	assert_int_equal(sim_draw_apply(&c, &busy, &s, &t), 0);
	assert_true(busy.busy_pct == 60);
	w0 = t.jobs[0].draw_w;
	w1 = t.jobs[1].draw_w;
	for (size_t i = 0; i < t.n; i++) {
		/* busy: at least 150 W on the source's board, mapped */
		double lo = 50 + (150 * 0.9 - 60) / 340.0 * 500;

		assert_true(t.jobs[i].draw_w >= lo - 1e-9);
		assert_true(t.jobs[i].draw_w <= 550);
	}
	/* one class, two runs: within the jitter of each other */
	assert_true(fabs(w0 - w1) <= 0.2 * 400 / 340.0 * 500 + 1e-9);
	assert_int_equal(sim_draw_apply(&c, &again, &s, &t), 0);
	assert_true(t.jobs[0].draw_w == w0 && t.jobs[1].draw_w == w1);
	all.kind = SIM_DRAW_ALL;
	assert_int_equal(sim_draw_apply(&c, &all, &s, &t), 0);
	assert_true(all.mean_gpu_w <= busy.mean_gpu_w);
	busy.busy_w = 500; /* above the CDF: nothing left */
	assert_int_equal(sim_draw_apply(&c, &busy, &s, &t), -1);
	sim_cdf_free(&c);
	assert_int_equal(sim_cdf_parse("p,w\n0,5\n10,4\n", "bad.csv", &c, &err),
			 -1);
	assert_non_null(strstr(err.text, "bad.csv:3:"));
	sim_cdf_free(&c);
	sim_trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stretch),
	    cmocka_unit_test(test_true_violations),
	    cmocka_unit_test(test_learned_first_run),
	    cmocka_unit_test(test_observe_after),
	    cmocka_unit_test(test_limits_fit),
	    cmocka_unit_test(test_draw_rule),
	};

	return cmocka_run_group_tests_name("sim_limits", tests, NULL, NULL);
}
