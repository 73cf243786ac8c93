/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the power_budget.conf reader: the lab example, then one test per
 * error class, each asserting the exact "file:line:" of the message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/conf.h"

static pb_conf_t *_parse(const char *text, pb_diag_t **d, int *rc)
{
	pb_conf_t *c = NULL;

	*d = pb_diag_create();
	assert_non_null(*d);
	*rc = pb_conf_parse_buffer("t.conf", text, strlen(text), &c, *d);
	assert_non_null(c);
	return c;
}

/*
 * Asserts that parsing returns rc with a message of the given level
 * starting with prefix and containing needle.
 */
static void _expect_diag(const char *text, int want_rc, int level,
			 const char *prefix, const char *needle)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c = _parse(text, &d, &rc);
	bool found = false;

	for (size_t i = 0; i < pb_diag_count(d); i++) {
		const char *m = pb_diag_text(d, i);

		if ((int)pb_diag_level(d, i) == level &&
		    !strncmp(m, prefix, strlen(prefix)) && strstr(m, needle))
			found = true;
	}
	if (!found || rc != want_rc) {
		print_error("expected '%s...%s', got rc %d:\n", prefix, needle,
			    rc);
		pb_diag_print(d, stderr);
	}
	assert_int_equal(rc, want_rc);
	assert_true(found);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
}

/* Parsing fails with an error at prefix containing needle. */
static void _expect_error(const char *text, const char *prefix,
			  const char *needle)
{
	_expect_diag(text, -1, PB_DIAG_ERROR, prefix, needle);
}

/* Parsing succeeds with a notice at prefix containing needle. */
static void _expect_notice(const char *text, const char *prefix,
			   const char *needle)
{
	_expect_diag(text, 0, PB_DIAG_NOTICE, prefix, needle);
}

#define BASE                                                                   \
	"Facility=site Cap=1MW\n"                                              \
	"NodeClass=g Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW Nodes=n[1-4]\n"

static void test_lab_example(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_conf_t *c = NULL;
	long i;

	(void)state;
	assert_int_equal(
	    pb_conf_parse_file(PB_TEST_DATA_DIR "/conf/lab.conf", &c, d), 0);
	pb_diag_print(d, stderr);
	assert_int_equal(pb_diag_errors(d), 0);
	assert_string_equal(c->facility.name, "lab");
	assert_true(c->facility.cap_w == 60e3);
	assert_true(c->facility.pue == 1.4);
	assert_true(c->facility.cooling_w == 45e3);
	assert_true(c->facility.reserve == 0.05);
	assert_int_equal(c->settings.user_watt_hints, PB_CONF_HINTS_YES);
	assert_true(c->settings.user_watt_floor_w == 150);
	assert_false(c->settings.debug_trace);
	assert_string_equal(c->settings.status_file,
			    "/run/slurm/power_budget.status");
	assert_int_equal(c->n_models, 1);
	assert_string_equal(c->models[0].match, "V100-SXM3");
	assert_true(c->models[0].min_cap_w == 150);
	assert_int_equal(c->n_classes, 2);
	assert_int_equal(c->classes[0].n_nodes, 3);
	assert_true(c->classes[0].base_w == 3000);
	assert_non_null(strstr(c->classes[0].topology_path,
			       "conf/../hwloc/nvidiaDGX2.xml"));
	assert_int_equal(c->n_domains, 3);
	assert_int_equal(c->domains[0].parent_idx, -1);
	assert_false(c->domains[0].is_leaf);
	assert_int_equal(c->domains[1].parent_idx, 0);
	assert_true(c->domains[2].is_leaf);
	assert_int_equal(c->domains[2].depth, 2);
	assert_int_equal(c->n_nodes, 7);
	/* ordered by leaf domain */
	assert_string_equal(c->nodes[0].name, "dgx01");
	assert_string_equal(c->nodes[2].name, "dgx03");
	assert_string_equal(c->nodes[6].name, "cn4");
	i = pb_conf_find_node(c, "cn2");
	assert_true(i >= 0);
	assert_int_equal(c->nodes[i].class_idx, 1);
	assert_int_equal(c->nodes[i].domain_idx, 2);
	assert_int_equal(c->nodes[i].domain_line, 27);
	/* rack1+rack2 = 46 kW > room's 40 kW; room x PUE 1.4 = 56 kW <= 60 */
	assert_non_null(pb_diag_find(d, "lab.conf:25: notice: children of "
					"'room' may draw 46 kW, 1.15x"));
	assert_int_equal(pb_diag_notices(d), 1);
	assert_int_equal(c->n_partitions, 1);
	assert_string_equal(c->partitions[0].name, "inference");
	assert_true(c->partitions[0].gpu_watt_hint_w == 250);
	assert_int_equal(c->partitions[0].line, 22);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
}

static void test_units(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	c = _parse("facility=s cap=2.5MW pue=1.25 reserve=0.1 "
		   "coolingcap=3000kW\n"
		   "NODECLASS=g gpus=0 cores=32 baseW=500w nodes=a[01-10]\n"
		   "domain=r cap=unlimited nodes=a[01-10]  # trailing\n",
		   &d, &rc);
	pb_diag_print(d, stderr);
	assert_int_equal(rc, 0);
	assert_true(c->facility.cap_w == 2.5e6);
	assert_true(c->facility.cooling_w == 3e6);
	assert_true(c->facility.reserve == 0.1);
	assert_true(c->domains[0].cap_w == PB_CONF_UNLIMITED);
	assert_true(c->classes[0].base_w == 500);
	assert_int_equal(c->n_nodes, 10);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
}

static void test_facility_oversubscribed(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	c = _parse(BASE "Domain=a Cap=600kW Nodes=n[1-2]\n"
			"Domain=b Cap=600kW Nodes=n[3-4]\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(pb_diag_find(d,
				     "t.conf:1: notice: children of "
				     "'site' may draw 1.2 MW with PUE, 1.20x"));
	pb_conf_destroy(c);
	pb_diag_destroy(d);
}

static void test_bad_unit(void **state)
{
	(void)state;
	_expect_error("Facility=s Cap=5MJ\n",
		      "t.conf:1: ", "bad power unit 'MJ'");
	_expect_error(BASE "Domain=r Cap=40mW Nodes=n[1-4]\n",
		      "t.conf:3: ", "ambiguous");
	_expect_error("Facility=s Cap=1MW Reserve=5kW\n",
		      "t.conf:1: ", "Reserve: '5kW': bad unit");
	_expect_error("Facility=s Cap=1MW Reserve=60%\n",
		      "t.conf:1: ", "at most 50%");
	_expect_error("Facility=s Cap=1MW PUE=0.9\n",
		      "t.conf:1: ", "PUE: '0.9': must be between 1 and 5");
	_expect_error("Facility=s Cap=-3kW\n",
		      "t.conf:1: ", "signs are not allowed");
	_expect_error("Facility=s Cap=kW\n", "t.conf:1: ", "expected a number");
	_expect_error("DebugTrace=maybe\n", "t.conf:1: ", "expected yes or no");
}

static void test_overflow(void **state)
{
	(void)state;
	_expect_error("\nFacility=s Cap=99999999999999999999W\n",
		      "t.conf:2: ", "overflow");
	_expect_error("Facility=s Cap=5000GW\n",
		      "t.conf:1: ", "out of range (overflow");
	_expect_error("Facility=s Cap=1MW\n"
		      "NodeClass=g Gpus=18446744073709551617 GpuModel=H100 "
		      "BaseW=1 Nodes=n1\nDomain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ",
		      "Gpus: '18446744073709551617': number "
		      "out of range (overflow, max 64)");
	_expect_error("Facility=s Cap=1MW\n"
		      "NodeClass=g Gpus=0 BaseW=1 Nodes=n[1-99999999999]\n",
		      "t.conf:2: ", "range number too long (overflow)");
}

static void test_bad_hostlist(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n[1-4\n",
		      "t.conf:3: ", "Nodes: bad hostlist 'n[1-4': missing ']'");
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n[4-1]\n",
		      "t.conf:3: ", "Nodes: bad hostlist 'n[4-1]'");
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n[1-x]\n",
		      "t.conf:3: ", "'x' inside brackets");
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n/1\n",
		      "t.conf:3: ", "character '/' is not allowed");
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n[[1]]\n",
		      "t.conf:3: ", "nested");
	_expect_error(BASE "Domain=r Cap=1kW Nodes=n[0-2000000]\n",
		      "t.conf:3: ", "Nodes: bad hostlist");
}

/* A text of @n copies of @fmt (one %d: the copy's number) after @head. */
static char *_repeat(const char *head, const char *fmt, int n)
{
	size_t cap = strlen(head) + (size_t)n * (strlen(fmt) + 16) + 1;
	char *t = malloc(cap);
	size_t o;

	assert_non_null(t);
	o = (size_t)snprintf(t, cap, "%s", head);
	for (int i = 1; i <= n; i++)
		o += (size_t)snprintf(t + o, cap - o, fmt, i);
	return t;
}

/*
 * The documented bounds of a file (conf.h): each is an error at the line
 * that passes it, not a stall; at the bound itself the file is read.
 */
static void test_bounds(void **state)
{
	char fmt[512], *t;

	(void)state;
	t = _repeat("Facility=site Cap=1MW\n",
		    "NodeClass=c%d Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
		    "Nodes=x[1-2]\n",
		    PB_CONF_MAX_CLASSES + 1);
	_expect_error(t, "t.conf:10002: ", "more than 10000 NodeClass records");
	free(t);
	t = _repeat(BASE, "Domain=d%d Cap=1kW\n", PB_CONF_MAX_DOMAINS + 1);
	_expect_error(t, "t.conf:250003: ", "more than 250000 Domain records");
	free(t);
	t = _repeat(BASE, "# %d\n", PB_CONF_MAX_LINES);
	_expect_error(t, "t.conf:1000001: ", "more than 1000000 lines");
	free(t);
	/*
	 * three lists of 900,000 names, 2.7 M, are past 2 M at the third
	 * (in ranges of 60,000: libslurm 22.05 takes at most 64 Ki a range)
	 */
	strcpy(fmt, "Domain=e%d Cap=1kW Nodes=n[");
	for (int r = 0; r < 15; r++)
		snprintf(fmt + strlen(fmt), sizeof(fmt) - strlen(fmt),
			 "%s%d-%d", r ? "," : "", r * 60000 + 1,
			 (r + 1) * 60000);
	strcat(fmt, "]\n");
	t = _repeat(BASE, fmt, 3);
	_expect_error(
	    t, "t.conf:5: ",
	    "Nodes: the file's hostlists name more than 2000000 nodes");
	free(t);
}

static void test_duplicate_node(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-3]\n"
			   "Domain=b Cap=1kW Nodes=n[3-4]\n",
		      "t.conf:4: ",
		      "duplicate node 'n3': already in leaf "
		      "domain 'a' (line 3)");
	_expect_error(BASE "NodeClass=h Gpus=0 BaseW=1 Nodes=n4\n"
			   "Domain=a Cap=1kW Nodes=n[1-4]\n",
		      "t.conf:3: ",
		      "duplicate node 'n4': already in "
		      "NodeClass 'g' (line 2)");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4],n2\n",
		      "t.conf:3: ", "duplicate node 'n2'");
	/* 15 repeated: 10 listed, the other 5 counted */
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4],n[1-4],n[1-4],"
			   "n[1-4],n[1-3]\n",
		      "t.conf:3: ", "duplicate node 'n2'");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4],n[1-4],n[1-4],"
			   "n[1-4],n[1-3]\n",
		      "t.conf:3: ", "Nodes: 5 more duplicate nodes not listed");
}

static void test_node_membership(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-2]\n", "t.conf:2: ",
		      "2 nodes of NodeClass 'g' in no leaf domain: n[3-4]");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-5]\n",
		      "t.conf:3: ", "1 node of domain 'a' in no NodeClass: n5");
	_expect_error(BASE "Domain=row Cap=1kW Nodes=n[1-2]\n"
			   "Domain=rack Parent=row Cap=1kW Nodes=n[3-4]\n",
		      "t.conf:3: ",
		      "domain 'row' has child domains, so it "
		      "may not list Nodes=");
}

static void test_orphan_domain(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Parent=hall9 Cap=1kW Nodes=n[1-4]\n",
		      "t.conf:3: ", "domain 'a': unknown parent 'hall9'");
}

static void test_cycle(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Parent=c Cap=1kW\n"
			   "Domain=b Parent=a Cap=1kW\n"
			   "Domain=c Parent=b Cap=1kW\n"
			   "Domain=leaf Cap=1kW Nodes=n[1-4]\n",
		      "t.conf:3: ", "domain cycle: a -> c -> b -> a");
	_expect_error(BASE "Domain=a Parent=a Cap=1kW Nodes=n[1-4]\n",
		      "t.conf:3: ", "domain cycle: a -> a");
}

static void test_unknown_key(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4] Breaker=32A\n",
		      "t.conf:3: ", "unknown key 'Breaker' in Domain line");
	_expect_error("# c\nFacility=s Cap=1MW\nSchedulerType=x\n",
		      "t.conf:3: ", "unknown key 'SchedulerType'");
}

static void test_duplicate_names(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-2]\n"
			   "Domain=a Cap=1kW Nodes=n[3-4]\n",
		      "t.conf:4: ", "duplicate domain 'a' (first at line 3)");
	_expect_error(BASE "Domain=site Cap=1kW Nodes=n[1-4]\n",
		      "t.conf:3: ", "duplicate domain 'site'");
	_expect_error(BASE "NodeClass=g Gpus=0 BaseW=1 Nodes=m1\n",
		      "t.conf:3: ",
		      "duplicate NodeClass 'g' (first at line "
		      "2)");
	_expect_error("GpuModel=X IdleW=1 MaxW=2\nGpuModel=x IdleW=1 MaxW=2\n",
		      "t.conf:2: ", "duplicate GpuModel 'x' (first at line 1)");
	_expect_error("Facility=a Cap=1kW\nFacility=b Cap=1kW\n", "t.conf:2: ",
		      "second Facility line (the first is at line 1)");
}

static void test_partitions(void **state)
{
	(void)state;
	_expect_error(
	    BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
		 "Partition=p GpuWattHint=300W\n"
		 "Partition=p GpuWattHint=400W\n",
	    "t.conf:5: ", "duplicate Partition 'p' (first at line 4)");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\nPartition=p\n",
		      "t.conf:4: ", "Partition 'p' needs GpuWattHint=");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "Partition=p GpuWattHint=0\n",
		      "t.conf:4: ", "GpuWattHint must be positive");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "Partition=p GpuWattHint=3 Qos=x\n",
		      "t.conf:4: ", "unknown key 'Qos' in Partition line");
}

/*
 * A job's own hint is nobody's word by default; yes trusts users,
 * enforced trusts GpuLimitEnforced classes only.
 */
static void test_user_watt_hints(void **state)
{
	static const char *const vals[] = {"", "UserWattHints=no\n",
					   "UserWattHints=yes\n",
					   "UserWattHints=Enforced\n"};
	static const pb_conf_hints_t want[] = {
	    PB_CONF_HINTS_NO, PB_CONF_HINTS_NO, PB_CONF_HINTS_YES,
	    PB_CONF_HINTS_ENFORCED};
	char text[512];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		pb_diag_t *d;
		int rc;
		pb_conf_t *c;

		snprintf(text, sizeof(text),
			 "Facility=site Cap=1MW\n"
			 "NodeClass=g Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
			 "GpuLimitEnforced=yes Nodes=n[1-2]\n"
			 "NodeClass=h Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
			 "Nodes=n[3-4]\n"
			 "Domain=a Cap=1kW Nodes=n[1-4]\n%s",
			 vals[i]);
		c = _parse(text, &d, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(c->settings.user_watt_hints, want[i]);
		assert_true(c->classes[0].gpu_limit_enforced);
		assert_false(c->classes[1].gpu_limit_enforced);
		pb_conf_destroy(c);
		pb_diag_destroy(d);
	}
	_expect_error(
	    BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
		 "UserWattHints=sometimes\n",
	    "t.conf:4: ",
	    "UserWattHints: 'sometimes': expected no, yes or enforced");
	_expect_error(
	    "Facility=site Cap=1MW\n"
	    "NodeClass=g Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
	    "GpuLimitEnforced=perhaps Nodes=n[1-4]\n",
	    "t.conf:2: ", "GpuLimitEnforced: 'perhaps': expected yes or no");
	_expect_notice(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			    "UserWattHints=enforced\n",
		       "t.conf:4: ", "no NodeClass has GpuLimitEnforced=yes");
	_expect_notice("Facility=site Cap=1MW\n"
		       "NodeClass=g Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
		       "GpuLimitEnforced=yes Nodes=n[1-4]\n"
		       "Domain=a Cap=1kW Nodes=n[1-4]\nUserWattHints=yes\n",
		       "t.conf:2: ",
		       "GpuLimitEnforced=yes has no effect without "
		       "UserWattHints=enforced");
}

/* Scheduler-chosen GPU limits: defaults, each key, and bad values. */
static void test_gpu_limits(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	c = _parse(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n", &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->settings.gpu_limits, PB_CONF_LIMITS_NO);
	assert_int_equal(c->settings.gpu_limit_time, PB_CONF_LIMIT_TIME_EXTEND);
	assert_false(c->settings.has_speed_curve);
	pb_conf_destroy(c);
	pb_diag_destroy(d);

	c = _parse(BASE
		   "Domain=a Cap=1kW Nodes=n[1-4]\n"
		   "GpuLimits=efficient GpuLimitFloor=65% GpuLimitTime=fit "
		   "SpeedCurve=0.5:0.6,80%:0.9,1:1 LearnedDraw=yes\n"
		   "Partition=long GpuLimitFloor=500W\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->settings.gpu_limits, PB_CONF_LIMITS_EFFICIENT);
	assert_int_equal(c->settings.gpu_limit_time, PB_CONF_LIMIT_TIME_FIT);
	assert_true(c->settings.gpu_limit_floor.frac > 0.649 &&
		    c->settings.gpu_limit_floor.frac < 0.651);
	assert_true(c->settings.has_speed_curve);
	assert_true(c->settings.learned_draw);
	assert_false(c->settings.has_learned_after);
	assert_int_equal(c->settings.speed_curve.n, 3);
	assert_int_equal(c->settings.speed_curve.r_milli[1], 800);
	assert_int_equal(c->settings.speed_curve.s_milli[1], 900);
	assert_int_equal(c->n_partitions, 1);
	assert_true(c->partitions[0].gpu_limit_floor.watts == 500);
	assert_true(c->partitions[0].gpu_watt_hint_w == 0);
	pb_conf_destroy(c);
	pb_diag_destroy(d);

	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\nGpuLimits=max\n",
		      "t.conf:4: ",
		      "GpuLimits: 'max': expected no, highest or efficient");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "GpuLimitFloor=0%\n",
		      "t.conf:4: ", "GpuLimitFloor: must be above 0%");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "GpuLimitFloor=lots\n",
		      "t.conf:4: ", "GpuLimitFloor: ");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "GpuLimitTime=later\n",
		      "t.conf:4: ", "GpuLimitTime: 'later': expected extend");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "SpeedCurve=0.5:0.6,0.4:0.7,1:1\n",
		      "t.conf:4: ", "SpeedCurve: speed curve point 2");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "SpeedCurve=0.5:0.6,0.9:0.95\n",
		      "t.conf:4: ", "SpeedCurve: a speed curve ends at full");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "SpeedCurve=0.5-0.6,1:1\n",
		      "t.conf:4: ", "a point is limit:speed");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "SpeedCurve=,\n",
		      "t.conf:4: ", "SpeedCurve: ");
	_expect_notice(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			    "GpuLimits=highest\n",
		       "t.conf:4: ", "no limit can be chosen");

	c = _parse(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			"LearnedDraw=yes LearnedDrawAfter=0\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_true(c->settings.has_learned_after);
	assert_int_equal(c->settings.learned_after_s, 0);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "LearnedDrawAfter=604801\n",
		      "t.conf:4: ", "LearnedDrawAfter: ");
	_expect_error(BASE "Domain=a Cap=1kW Nodes=n[1-4]\n"
			   "LearnedDrawAfter=soon\n",
		      "t.conf:4: ", "LearnedDrawAfter: ");
}

static void test_caps(void **state)
{
	(void)state;
	_expect_error(BASE "Domain=a Cap=0kW Nodes=n[1-4]\n",
		      "t.conf:3: ", "domain 'a': Cap must be positive");
	_expect_error(BASE "Domain=a Nodes=n[1-4]\n",
		      "t.conf:3: ", "domain 'a' needs Cap=");
	_expect_error("Facility=s Cap=unlimited\n",
		      "t.conf:1: ", "Cap: 'unlimited': expected a number");
}

static void test_syntax(void **state)
{
	(void)state;
	_expect_error("Facility=s Cap=1MW\nDomain a\n",
		      "t.conf:2: ", "expected '=' after 'Domain'");
	_expect_error("Facility=s Cap=\n", "t.conf:1: ", "empty value for Cap");
	_expect_error("GpuModel=X Match=\"Tesla V100 IdleW=1\n",
		      "t.conf:1: ", "unterminated quote");
	_expect_error("Facility=s Cap=1MW cap=2MW\n",
		      "t.conf:1: ", "key cap given twice");
	_expect_error("Facility=s!x Cap=1MW\n",
		      "t.conf:1: ", "may only hold letters");
	_expect_error("Facility=s Cap=1MW\n=x\n",
		      "t.conf:2: ", "expected Key=Value");
	_expect_error("", "t.conf:1: ", "no Facility= line");
	_expect_error("Facility=s Cap=1MW\r\nStatusFile=rel/path\r\n",
		      "t.conf:2: ", "not an absolute path");
}

static void test_class_rules(void **state)
{
	(void)state;
	_expect_error("Facility=s Cap=1MW\nNodeClass=g BaseW=1 Nodes=n1\n"
		      "Domain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "needs Topology=<hwloc XML> or Gpus=");
	_expect_error("Facility=s Cap=1MW\nNodeClass=g Gpus=4 BaseW=1 "
		      "Nodes=n1\nDomain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "Gpus=4 needs GpuModel=");
	_expect_error("Facility=s Cap=1MW\nNodeClass=g Topology=x.xml Gpus=4 "
		      "BaseW=1 Nodes=n1\nDomain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "come from Topology=");
	_expect_error("Facility=s Cap=1MW\nNodeClass=g Gpus=0 Nodes=n1\n"
		      "Domain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "needs BaseW=");
	_expect_error("Facility=s Cap=1MW\nNodeClass=g Gpus=0 BaseW=1 "
		      "Nodes=n1\nDomain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "needs Cores= (all packages)");
	_expect_error("Facility=s Cap=1MW\nNodeClass=g Gpus=0 BaseW=1 "
		      "CpuIdleW=300 CpuMaxW=200 Nodes=n1\n"
		      "Domain=r Cap=1kW Nodes=n1\n",
		      "t.conf:2: ", "CpuIdleW is above CpuMaxW");
	_expect_error("GpuModel=V100 IdleW=400 MaxW=300\n",
		      "t.conf:1: ", "IdleW is above MaxW");
	_expect_error("GpuModel=V100 IdleW=40 MaxW=300 MinCapW=20\n",
		      "t.conf:1: ", "MinCapW is below IdleW");
}

/* Whatever the bytes, the reader returns and reports; never crashes. */
static void test_garbage(void **state)
{
	static const char *inputs[] = {
	    "\0\0\0",
	    "====",
	    "\"\"\"",
	    "a=\"",
	    "#\n#\n\n\n",
	    "x=y=z",
	    "Domain=a Parent=a Parent=b",
	    "Facility=\xff Cap=1",
	    "Domain=a Cap=1 Nodes=[",
	    "Domain=a Cap=1 Nodes=]",
	    "Domain=a Cap=1 Nodes=,,,",
	    "NodeClass=\tNodes=a",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		pb_diag_t *d = pb_diag_create();
		pb_conf_t *c = NULL;
		size_t len = i == 0 ? 3 : strlen(inputs[i]);

		assert_int_equal(
		    pb_conf_parse_buffer("g", inputs[i], len, &c, d), -1);
		pb_conf_destroy(c);
		pb_diag_destroy(d);
	}
}

#define DOMAINS BASE "Domain=hall Cap=500kW Nodes=n[1-4]\n"

static void test_cap_windows(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	setenv("TZ", "UTC", 1);
	c = _parse(DOMAINS
		   "CapWindow=peak Cap=800kW Days=Mon-Fri Start=14:00 "
		   "End=19:00\n"
		   "CapWindow=night Domain=hall Cap=300kW Days=Fri-Mon,Wed "
		   "Start=22:00 End=06:00\n"
		   "CapWindow=dr Domain=site Cap=600kW From=2026-12-24T08:00 "
		   "Until=2026-12-24T20:30:15\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->n_windows, 3);
	assert_string_equal(c->windows[0].domain, "site");
	assert_true(c->windows[0].weekly);
	assert_int_equal(c->windows[0].days, 0x3e);
	assert_int_equal(c->windows[0].start_min, 14 * 60);
	assert_int_equal(c->windows[0].end_min, 19 * 60);
	assert_int_equal((int)c->windows[0].cap_w, 800000);
	assert_string_equal(c->windows[1].domain, "hall");
	/* Fri Sat Sun Mon, and Wed */
	assert_int_equal(c->windows[1].days, 0x63 | 0x08);
	assert_false(c->windows[2].weekly);
	assert_int_equal(c->windows[2].from, 1798099200);
	assert_int_equal(c->windows[2].until, 1798099200 + 12 * 3600 + 1815);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
}

static void test_cap_window_errors(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	_expect_error(DOMAINS "CapWindow=w Cap=2MW Start=1:00 End=2:00\n",
		      "t.conf:4: ", "Start: '1:00': expected a time of day");
	_expect_error(DOMAINS "CapWindow=w Cap=1MW Start=01:00 End=02:00\n",
		      "t.conf:4: ", "does not lower the cap of 'site'");
	_expect_error(DOMAINS "CapWindow=w Domain=hall Cap=600kW Start=01:00 "
			      "End=02:00\n",
		      "t.conf:4: ", "does not lower the cap of 'hall'");
	_expect_error(DOMAINS "CapWindow=w Domain=row Cap=6kW Start=01:00 "
			      "End=02:00\n",
		      "t.conf:4: ", "no Domain or Facility named 'row'");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW Days=Mon-Fry Start=01:00 "
			      "End=02:00\n",
		      "t.conf:4: ", "Days: 'Mon-Fry': expected days");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW Start=01:00 End=01:00\n",
		      "t.conf:4: ", "End= equals Start=");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW Start=01:00\n",
		      "t.conf:4: ", "needs Start= and End=");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW From=2026-02-30T10:00 "
			      "Until=2026-03-01T10:00\n",
		      "t.conf:4: ", "From: '2026-02-30T10:00': no such date");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW From=2026-03-01T10:00 "
			      "Until=2026-03-01T09:00\n",
		      "t.conf:4: ", "Until= is not after From=");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW\n",
		      "t.conf:4: ", "needs From= and Until=");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW Start=01:00 End=02:00 "
			      "From=2026-03-01T10:00\n",
		      "t.conf:4: ", "not both");
	_expect_error(DOMAINS "CapWindow=w Start=01:00 End=02:00\n",
		      "t.conf:4: ", "needs Cap=");
	_expect_error(DOMAINS "CapWindow=w Cap=6kW Start=01:00 End=02:00 "
			      "Lenght=3\n",
		      "t.conf:4: ", "Lenght");
	_expect_error(
	    DOMAINS "CapWindow=w Cap=6kW Start=01:00 End=02:00\n"
		    "CapWindow=w Cap=7kW Start=03:00 End=04:00\n",
	    "t.conf:5: ", "duplicate CapWindow 'w' (first at line 4)");
	_expect_error(BASE "Domain=u Cap=unlimited Nodes=n[1-4]\n"
			   "CapWindow=w Domain=u Cap=6kW Start=01:00 "
			   "End=02:00\n",
		      "t.conf:4: ", "has Cap=unlimited");
}

static void test_ramp_limit(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	c = _parse("Facility=site Cap=1MW RampLimit=20kW\n"
		   "NodeClass=g Gpus=8 GpuModel=H100 Cores=64 BaseW=2kW "
		   "Nodes=n[1-4]\n"
		   "Domain=hall Cap=500kW RampLimit=5kW Nodes=n[1-4]\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal((int)c->facility.ramp_w, 20000);
	assert_int_equal((int)c->domains[0].ramp_w, 5000);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
	_expect_error("Facility=site Cap=1MW RampLimit=0W\n",
		      "t.conf:1: ", "RampLimit: must be positive");
	_expect_error(BASE "Domain=h Cap=1kW RampLimit=fast Nodes=n[1-4]\n",
		      "t.conf:3: ", "RampLimit");
}

#define DOM "Domain=h Cap=500kW Nodes=n[1-4]\n"

static void test_curtail_settings(void **state)
{
	pb_diag_t *d;
	int rc;
	pb_conf_t *c;

	(void)state;
	c = _parse(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			"CurtailShed=requeue CurtailLead=30 "
			"CurtailOrder=qos:scavenger,partition:batch\n",
		   &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->settings.curtail.shed, PB_CONF_SHED_REQUEUE);
	assert_int_equal(c->settings.curtail.lead_s, 30);
	assert_int_equal(c->settings.curtail.n_order, 2);
	assert_true(c->settings.curtail.order[0].qos);
	assert_string_equal(c->settings.curtail.order[0].name, "scavenger");
	assert_false(c->settings.curtail.order[1].qos);
	assert_string_equal(c->settings.curtail.order[1].name, "batch");
	pb_conf_destroy(c);
	pb_diag_destroy(d);
	c = _parse(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n", &d, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(c->settings.curtail.shed, PB_CONF_SHED_SUSPEND);
	assert_int_equal(c->settings.curtail.n_order, 0);
	pb_conf_destroy(c);
	pb_diag_destroy(d);
	_expect_error(
	    BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
		 "CurtailShed=kill\n",
	    "t.conf:4: ", "CurtailShed: 'kill': expected suspend or requeue");
	_expect_error(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			   "CurtailOrder=user:bob\n",
		      "t.conf:4: ", "CurtailOrder: 'user:bob'");
	_expect_error(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			   "CurtailOrder=qos:a,,qos:b\n",
		      "t.conf:4: ", "CurtailOrder: ''");
	_expect_error(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			   "CurtailOrder=qos:\n",
		      "t.conf:4: ", "CurtailOrder: 'qos:'");
	_expect_error(BASE
		      "Domain=h Cap=500kW Nodes=n[1-4]\n"
		      "CurtailOrder=qos:a,qos:b,qos:c,qos:d,qos:e,"
		      "qos:f,qos:g,qos:h,qos:i,qos:j,qos:k,qos:l,qos:m,qos:n,"
		      "qos:o,qos:p,qos:q\n",
		      "t.conf:4: ", "CurtailOrder: more than 16 entries");
	_expect_error(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			   "CurtailLead=0\n",
		      "t.conf:4: ", "CurtailLead: must be at least 1 second");
	_expect_error(BASE "Domain=h Cap=500kW Nodes=n[1-4]\n"
			   "CurtailLead=7200\n",
		      "t.conf:4: ", "CurtailLead");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lab_example),
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_facility_oversubscribed),
	    cmocka_unit_test(test_bad_unit),
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_bad_hostlist),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_duplicate_node),
	    cmocka_unit_test(test_node_membership),
	    cmocka_unit_test(test_orphan_domain),
	    cmocka_unit_test(test_cycle),
	    cmocka_unit_test(test_cap_windows),
	    cmocka_unit_test(test_cap_window_errors),
	    cmocka_unit_test(test_ramp_limit),
	    cmocka_unit_test(test_curtail_settings),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_duplicate_names),
	    cmocka_unit_test(test_partitions),
	    cmocka_unit_test(test_user_watt_hints),
	    cmocka_unit_test(test_gpu_limits),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_class_rules),
	    cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests_name("topology_conf", tests, NULL, NULL);
}
