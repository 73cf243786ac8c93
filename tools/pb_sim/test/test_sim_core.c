// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of pb-sim's policy-independent core: the trace mapping, the
 * event engine with EASY backfill and its metrics, on traces small enough
 * that every number below was worked out by hand (the working is in the
 * comments).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim_engine.h"
#include "sim_pols.h"
#include "sim_site.h"
#include "sim_trace.h"

/*
 * 8 nodes of 8 GPUs.  Node: base 500 + CPU 100 (idle = max) + 8 GPUs at
 * 50 W idle / 550 W max: idle 1,000 W, busy 5,000 W, standby 100 W.
 * Racks of 2 (cap 10 kW), rows of 2 racks (18 kW: a full row of busy nodes
 * is 20 kW, over), one hall of 8 (40 kW); leaf switches of 4 nodes.
 * PUE 1.25, facility cap 40 kW (32 kW of IT), no cooling limit, no reserve.
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
	s->rack_cap_w = 10e3;
	s->row_cap_w = 18e3;
	s->hall_cap_w = 40e3;
	s->cap_w = 40e3;
	s->pue = 1.25;
	s->cooling_w = 0;
	s->reserve = 0;
}

static const char tiny_trace[] = "submit,duration,nodes\n"
				 "0,100,4\n"
				 "0,50,4\n"
				 "10,100,8\n"
				 "20,30,2\n";

static void _load(const char *text, const struct sim_site *s,
		  struct sim_mapping *m, struct sim_trace *t)
{
	pb_error_t err = {""};
	int rc = sim_trace_parse(text, "tiny.csv", NULL, s->nodes, s->gpn, m, t,
				 &err);

	if (rc)
		fail_msg("%s", err.text);
}

static void test_site_power(void **state)
{
	struct sim_site s;

	(void)state;
	_tiny_site(&s);
	assert_true(sim_site_idle_w(&s) == 1000);
	assert_true(sim_site_busy_w(&s, 8, 1) == 5000);
	/* load 0.5: 50 + 0.5 x 500 = 300 W a GPU: 1000 + 8 x 250 */
	assert_true(sim_site_busy_w(&s, 8, 0.5) == 3000);
	/* a low load is held at the lowest cap, 100 W */
	assert_true(sim_site_gpu_w(&s, 0.01) == 100);
}

static void test_generic_mapping(void **state)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;

	(void)state;
	_tiny_site(&s);
	_load(tiny_trace, &s, &m, &t);
	assert_string_equal(m.name, "generic-v1");
	assert_int_equal(t.n, 4);
	assert_true(m.compress == 1);
	assert_int_equal(t.jobs[2].nodes, 8);
	assert_true(t.jobs[2].submit == 10);
	assert_int_equal(t.jobs[3].gpus_per_node, 8);
	sim_trace_free(&t);
}

/*
 * openb-train-v1 on a 100-node site, scale 64, load 0.9, cut at 48 h:
 *   p0 1 GPU, 900 s          -> 8 nodes
 *   p1 num_gpu 0             -> dropped (CPU-only)
 *   p2 2 GPUs, 600 s         -> 16 nodes
 *   p3 pending, no duration  -> dropped (never ran)
 *   p4 8 GPUs, 499,600 s     -> 64 nodes, cut to 172,800 s
 * work = 8 x 900 + 16 x 600 + 64 x 172,800 = 11,076,000 node-s over an
 * arrival span of 400 s: compress = 0.9 x 100 x 400 / 11,076,000.
 */
static const char openb_trace[] =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
    "creation_time,deletion_time,scheduled_time\n"
    "p0,12000,16384,1,1000,,LS,Running,0,1000,100\n"
    "p1,6000,12288,0,0,,BE,Succeeded,50,300,60\n"
    "p2,12000,16384,2,1000,,LS,Running,100,700,100\n"
    "p3,6000,12288,1,500,,BE,Pending,200,250,\n"
    "p4,12000,16384,8,1000,,LS,Running,400,500000,400\n";

static void test_openb_mapping(void **state)
{
	struct sim_mapping m;
	struct sim_trace t;
	pb_error_t err = {""};
	double c = 0.9 * 100 * 400 / 11076000.0;

	(void)state;
	assert_int_equal(sim_trace_parse(openb_trace, "o.csv", "scale=64", 100,
					 8, &m, &t, &err),
			 0);
	assert_string_equal(m.name, "openb-train-v1");
	assert_int_equal(m.rows, 5);
	assert_int_equal(m.kept, 3);
	assert_int_equal(m.dropped_cpu, 1);
	assert_int_equal(m.dropped_nodur, 1);
	assert_int_equal(m.cut, 1);
	assert_true(fabs(m.compress - c) < 1e-12);
	assert_int_equal(t.jobs[0].nodes, 8);
	assert_int_equal(t.jobs[1].nodes, 16);
	assert_int_equal(t.jobs[2].nodes, 64);
	assert_true(t.jobs[0].dur == 900);
	assert_true(t.jobs[2].dur == 172800);
	assert_true(t.jobs[1].submit == floor(100 / c));
	assert_true(t.jobs[2].submit == floor(400 / c));
	sim_trace_free(&t);

	/* a wider scale than the site drops the job, and says so */
	assert_int_equal(sim_trace_parse(openb_trace, "o.csv", "scale=128", 100,
					 8, &m, &t, &err),
			 0);
	assert_int_equal(m.dropped_big, 1);
	assert_int_equal(m.kept, 2);
	sim_trace_free(&t);
}

static void test_bad_input(void **state)
{
	struct sim_mapping m;
	struct sim_trace t;
	pb_error_t err = {""};

	(void)state;
	assert_int_equal(
	    sim_trace_parse("a,b\n1,2\n", "x.csv", NULL, 8, 8, &m, &t, &err),
	    -1);
	assert_non_null(strstr(err.text, "x.csv:1:"));
	/* blank lines count: the bad row is line 4 */
	assert_int_equal(sim_trace_parse("submit,duration,nodes\n\n0,1,1\n"
					 "0,1,x\n",
					 "y.csv", NULL, 8, 8, &m, &t, &err),
			 -1);
	assert_non_null(strstr(err.text, "y.csv:4:"));
	assert_int_equal(sim_trace_parse(tiny_trace, "z.csv", "scale=abc", 8, 8,
					 &m, &t, &err),
			 -1);
	assert_non_null(strstr(err.text, "--mapping"));
	/* sacct's time formats */
	assert_int_equal(sim_trace_parse("Submit|Elapsed|NNodes\n"
					 "2024-01-01T00:00:00|1-00:00:10|2\n"
					 "2024-01-01T00:01:00|01:00|1\n",
					 "s.txt", NULL, 8, 8, &m, &t, &err),
			 0);
	assert_int_equal(t.n, 2);
	assert_true(t.jobs[0].dur == 86410);
	assert_true(t.jobs[1].submit == 60 && t.jobs[1].dur == 60);
	sim_trace_free(&t);
}

/*
 * Oblivious on the tiny trace (first fit, all nodes on):
 *   t=0   j0 on 0-3, j1 on 4-7 (8 busy: IT 40 kW, facility 50 kW: over)
 *   t=10  j2 (8 nodes) is the head: reserved at t=100 (j0's end), 0 spare
 *   t=50  j1 ends; j3 (2 nodes, ends 80 <= 100) backfills on 4-5:
 *         IT 6 x 5 + 2 x 1 = 32 kW, facility 40 kW (= cap: not over)
 *   t=80  j3 ends: IT 24 kW
 *   t=100 j0 ends, j2 starts on 0-7: facility 50 kW again, to t=200
 * waits 0, 0, 90, 30; bounded slowdowns 1, 1, 1.9, 2; leaves 1, 1, 2, 1.
 * GPU-s 3,200 + 1,600 + 6,400 + 480 = 11,680; within [0, 20]: 1,280.
 * Facility: 50 kW for 150 s, 40 kW for 30 s, 30 kW for 20 s: mean 46.5 kW.
 * Rows (18 kW): row 0 over 0-200, row 1 over 0-50 and 100-200.
 */
static void test_oblivious_by_hand(void **state)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_result r;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	_load(tiny_trace, &s, &m, &t);
	assert_int_equal(sim_base_oblivious(&s, &p, &err), 0);
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	assert_int_equal(r.started, 4);
	assert_int_equal(r.rejected, 0);
	assert_int_equal(r.events, 8);
	assert_true(r.makespan == 200);
	assert_true(r.wait_mean == 30);
	assert_true(r.wait_p95 == 90);
	assert_true(fabs(r.bsld_mean - 1.475) < 1e-12);
	assert_true(r.bsld_p95 == 2);
	assert_true(fabs(r.gpu_hours - 11680 / 3600.0) < 1e-12);
	assert_true(fabs(r.gpu_hours_window - 1280 / 3600.0) < 1e-12);
	assert_true(r.leaf_mean == 1.25);
	assert_int_equal(r.fac_viol, 2);
	assert_true(r.fac_worst_w == 10000);
	assert_true(r.fac_over_s == 150);
	assert_true(r.fac_max == 50000);
	assert_true(fabs(r.fac_mean - 46500) < 1e-9);
	assert_true(r.fac_p95 == 50000);
	assert_int_equal(r.dom_viol, 3);
	assert_true(r.dom_worst_w == 2000);
	assert_true(r.dom_over_s == 350);
	sim_result_free(&r);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

/*
 * Static provisioning on the tiny site: at 4,900 W over standby a node,
 * nodes 0, 1, 2 fit row 0 (100 x 4 + 3 x 4,900 = 15.1 kW <= 18 kW; a
 * fourth would make 20 kW), likewise 4, 5, 6; facility IT 800 + 6 x 4,900
 * = 30.2 kW <= 32 kW.  So 6 nodes are powered, j2 (8 nodes) is rejected.
 *   t=0   j0 on 0,1,2,4; j1 (4) waits: head, reserved at t=100, 2 spare
 *   t=20  j3 on 5,6 (ends 50 <= 100)
 *   t=100 j0 ends, j1 starts, ends 150
 * Never over any cap.
 */
static void test_static_by_hand(void **state)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_result r;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	_load(tiny_trace, &s, &m, &t);
	assert_int_equal(sim_base_static(&s, &p, &err), 0);
	assert_int_equal(p.powered, 6);
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	assert_int_equal(r.started, 3);
	assert_int_equal(r.rejected, 1);
	assert_true(r.makespan == 150);
	/* waits 0, 100, 0 */
	assert_true(fabs(r.wait_mean - 100 / 3.0) < 1e-12);
	assert_true(r.wait_p95 == 100);
	assert_int_equal(r.fac_viol, 0);
	assert_int_equal(r.dom_viol, 0);
	/* leaves: j0 {0,1,2 | 4} 2, j3 {5,6} 1, j1 2 */
	assert_true(fabs(r.leaf_mean - 5 / 3.0) < 1e-12);
	sim_result_free(&r);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

/*
 * A spy around a policy's operations: which nodes its starts took, and
 * whether each hold was handed exactly the free nodes as bits (none
 * past the site's last) and, besides, only nodes of running jobs.
 */
static const struct sim_pol_ops *spied;
static uint8_t spy_busy[64];
static uint32_t spy_nodes, spy_holds;

static int _spy_start(void *ctx, const struct sim_job *j, double now,
		      uint32_t *out)
{
	int ok = spied->start(ctx, j, now, out);

	for (uint32_t k = 0; ok && k < j->nodes; k++)
		spy_busy[out[k]] = 1;
	return ok;
}

static void _spy_finish(void *ctx, const struct sim_job *j,
			const uint32_t *nodes)
{
	for (uint32_t k = 0; k < j->nodes; k++)
		spy_busy[nodes[k]] = 0;
	spied->finish(ctx, j, nodes);
}

static void _spy_hold(void *ctx, const struct sim_job *j, double start,
		      const uint64_t *idle, const uint32_t *ending, uint32_t n)
{
	(void)ctx;
	(void)j;
	(void)start;
	for (uint32_t k = 0; k < 64; k++) {
		int bit = (int)((idle[0] >> k) & 1);

		assert_int_equal(bit, k < spy_nodes && !spy_busy[k]);
	}
	for (uint32_t i = 0; i < n; i++)
		assert_true(ending[i] < spy_nodes && spy_busy[ending[i]]);
	spy_holds++;
}

/*
 * Static provisioning (6 nodes powered) with the spy's hold: j2 (4
 * nodes) is the head from t=10 behind j0 and j1 (3 each), held when j3
 * backfills at t=20 and, after j0's end at t=50, again when j4 does at
 * t=60: the second hold sees the nodes a finish freed.
 */
static const char hold_trace[] = "submit,duration,nodes\n"
				 "0,50,3\n"
				 "0,200,3\n"
				 "10,100,4\n"
				 "20,10,1\n"
				 "60,10,1\n";

static void test_hold_candidates(void **state)
{
	struct sim_site s;
	struct sim_mapping m;
	struct sim_trace t;
	struct sim_pol p;
	struct sim_pol_ops spy;
	struct sim_result r;
	pb_error_t err = {""};

	(void)state;
	_tiny_site(&s);
	_load(hold_trace, &s, &m, &t);
	assert_int_equal(sim_base_static(&s, &p, &err), 0);
	spied = p.ops;
	spy = *p.ops;
	spy.start = _spy_start;
	spy.finish = _spy_finish;
	spy.hold = _spy_hold;
	p.ops = &spy;
	spy_nodes = s.nodes;
	memset(spy_busy, 0, sizeof(spy_busy));
	spy_holds = 0;
	assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
	assert_int_equal(r.started, 5);
	assert_int_equal(spy_holds, 2);
	sim_result_free(&r);
	sim_pol_destroy(&p);
	sim_trace_free(&t);
}

/* Starts per job of a spied run (test_queue_random). */
static uint32_t spy_starts[512];

static int _count_start(void *ctx, const struct sim_job *j, double now,
			uint32_t *out)
{
	int ok = spied->start(ctx, j, now, out);

	if (ok == 1)
		spy_starts[j->id]++;
	return ok;
}

/*
 * Random traces on the tiny site under static provisioning, where many
 * passes start several jobs, the head among them, and 8-node jobs are
 * refused: each job the queue held starts exactly once.
 */
static void test_queue_random(void **state)
{
	static char text[512 * 24];

	(void)state;
	for (uint32_t seed = 1; seed <= 40; seed++) {
		struct sim_site s;
		struct sim_mapping m;
		struct sim_trace t;
		struct sim_pol p;
		struct sim_pol_ops spy;
		struct sim_result r;
		pb_error_t err = {""};
		uint64_t x = seed * UINT64_C(0x9E3779B97F4A7C15);
		size_t at = (size_t)sprintf(text, "submit,duration,nodes\n");
		uint32_t submit = 0, refused = 0;

		for (uint32_t i = 0; i < 400; i++) {
			uint32_t nodes;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			submit += (uint32_t)(x % 7);
			nodes = 1 + (uint32_t)(x >> 8) % 8;
			refused += nodes > 6;
			at += (size_t)sprintf(text + at, "%u,%u,%u\n", submit,
					      1 + (uint32_t)(x >> 20) % 90,
					      nodes);
		}
		_tiny_site(&s);
		_load(text, &s, &m, &t);
		assert_int_equal(sim_base_static(&s, &p, &err), 0);
		spied = p.ops;
		spy = *p.ops;
		spy.start = _count_start;
		p.ops = &spy;
		memset(spy_starts, 0, sizeof(spy_starts));
		assert_int_equal(sim_run(&s, &t, &p, &r, NULL, NULL), 0);
		assert_int_equal(r.rejected, refused);
		assert_int_equal(r.started + r.rejected, t.n);
		for (size_t k = 0; k < t.n; k++)
			assert_int_equal(spy_starts[t.jobs[k].id],
					 t.jobs[k].nodes <= 6);
		sim_result_free(&r);
		sim_pol_destroy(&p);
		sim_trace_free(&t);
	}
}

static void _write(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_site_file(void **state)
{
	char good[] = "/tmp/pb-sim-site-XXXXXX",
	     bad[] = "/tmp/pb-sim-site-XXXXXX";
	pb_error_t err = {""};
	char want[64];
	struct sim_site s;

	(void)state;
	_write(good, "# a small site\nNodes=64 FacilityCapMW=0.5  # trial\n"
		     "\nRackCapKW=45 PUE=1.1\n");
	_write(bad, "Nodes=64\n\nRackCapKW=abc\n");
	assert_int_equal(sim_site_load(&s, good, &err), 0);
	assert_int_equal(s.nodes, 64);
	assert_true(s.cap_w == 0.5e6 && s.rack_cap_w == 45e3 && s.pue == 1.1);
	/* what the file does not name stays as in the reference */
	assert_int_equal(s.leaf_nodes, 32);
	assert_int_equal(sim_site_load(&s, bad, &err), -1);
	snprintf(want, sizeof(want), "%s:3: RackCapKW", bad);
	assert_non_null(strstr(err.text, want));
	unlink(good);
	unlink(bad);
}

static void test_curve_quantile(void **state)
{
	struct sim_point c[] = {{0, 3}, {10, 1}, {80, 2}};

	(void)state;
	/* 3 for 10 s, 1 for 70 s, 2 for 20 s */
	assert_true(sim_curve_quantile(c, 3, 100, 0.5) == 1);
	assert_true(sim_curve_quantile(c, 3, 100, 0.85) == 2);
	assert_true(sim_curve_quantile(c, 3, 100, 0.95) == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_site_power),
	    cmocka_unit_test(test_generic_mapping),
	    cmocka_unit_test(test_openb_mapping),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_oblivious_by_hand),
	    cmocka_unit_test(test_static_by_hand),
	    cmocka_unit_test(test_hold_candidates),
	    cmocka_unit_test(test_queue_random),
	    cmocka_unit_test(test_site_file),
	    cmocka_unit_test(test_curve_quantile),
	};

	return cmocka_run_group_tests_name("sim_core", tests, NULL, NULL);
}
