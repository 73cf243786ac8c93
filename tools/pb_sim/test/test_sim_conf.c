// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of sim_conf: pb-sim's site from power_budget.conf and
 * topology.conf.  The shipped example files must give exactly the
 * built-in reference sites; a bad file is reported at its line; a
 * setting pb-sim cannot replay is said once; a site outside pb-sim's
 * model is refused with the domain that breaks it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim_conf.h"
#include "sim_site.h"

#define SITES PB_SIM_SITES_DIR

/* Messages of one load: a memory stream and its text. */
struct msgs {
	FILE *f;
	char *text;
	size_t len;
};

static FILE *_open(struct msgs *m)
{
	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->text, &m->len);
	assert_non_null(m->f);
	return m->f;
}

static const char *_close(struct msgs *m)
{
	fclose(m->f);
	return m->text;
}

static size_t _count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void _write(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Every field of the two sites is the same. */
static void _same_site(const struct sim_site *a, const struct sim_site *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->gpu_model, b->gpu_model);
	assert_int_equal(a->nodes, b->nodes);
	assert_int_equal(a->gpn, b->gpn);
	assert_int_equal(a->cpu_pkgs, b->cpu_pkgs);
	assert_int_equal(a->leaf_nodes, b->leaf_nodes);
	assert_int_equal(a->group_leaves, b->group_leaves);
	assert_int_equal(a->rack_nodes, b->rack_nodes);
	assert_int_equal(a->row_racks, b->row_racks);
	assert_int_equal(a->hall_rows, b->hall_rows);
	assert_true(a->gpu_idle_w == b->gpu_idle_w);
	assert_true(a->gpu_max_w == b->gpu_max_w);
	assert_true(a->gpu_min_w == b->gpu_min_w);
	assert_true(a->cpu_idle_w == b->cpu_idle_w);
	assert_true(a->cpu_max_w == b->cpu_max_w);
	assert_true(a->base_w == b->base_w);
	assert_true(a->standby_w == b->standby_w);
	assert_true(a->rack_cap_w == b->rack_cap_w);
	assert_true(a->row_cap_w == b->row_cap_w);
	assert_true(a->hall_cap_w == b->hall_cap_w);
	assert_true(a->cap_w == b->cap_w);
	assert_true(a->pue == b->pue);
	assert_true(a->cooling_w == b->cooling_w);
	assert_true(a->reserve == b->reserve);
}

static void _example(double mw, const char *dir)
{
	char conf[512], topo[512];
	struct sim_site ref, s;
	struct sim_conf c;
	struct msgs out;

	snprintf(conf, sizeof(conf), "%s/%s/power_budget.conf", SITES, dir);
	snprintf(topo, sizeof(topo), "%s/%s/topology.conf", SITES, dir);
	assert_true(sim_conf_sniff(conf));
	assert_false(sim_conf_sniff(topo));
	assert_int_equal(sim_conf_load(&s, &c, conf, topo, _open(&out)), 0);
	/* nothing to report: the file is all pb-sim models */
	assert_string_equal(_close(&out), "");
	free(out.text);
	sim_site_reference(&ref, mw);
	_same_site(&s, &ref);
	assert_true(c.floor_w == 490); /* GpuLimitFloor's default, 70% */
	assert_string_equal(c.policy, "power");
}

static void test_examples(void **state)
{
	(void)state;
	_example(100, "reference-100MW");
	_example(500, "reference-500MW");
}

/* One class of 8 nodes on two racks of 4 in one row. */
#define HEAD                                                                   \
	"Facility=f Cap=1MW PUE=1.2\n"                                         \
	"NodeClass=c Gpus=8 GpuModel=\"H100 SXM\" Cores=112 BaseW=3kW "        \
	"GpuLimitEnforced=yes Nodes=g[1-8]\n"                                  \
	"Domain=row Cap=80kW\n"

/* The messages of the last _load, freed by the next one and at the end. */
static struct msgs m;

static int _teardown(void **state)
{
	(void)state;
	free(m.text);
	m.text = NULL;
	return 0;
}

static int _load(const char *text, const char **out, struct sim_site *s,
		 struct sim_conf *c)
{
	char path[] = "/tmp/pb-sim-conf-XXXXXX";
	int rc;

	free(m.text);
	_write(path, text);
	rc = sim_conf_load(s, c, path, NULL, _open(&m));
	*out = _close(&m);
	unlink(path);
	return rc;
}

static void test_small_site(void **state)
{
	struct sim_site s;
	struct sim_conf c;
	const char *msg;

	(void)state;
	assert_int_equal(_load(HEAD
			       "GpuLimits=efficient "
			       "GpuLimitFloor=400W\n"
			       "Domain=r1 Parent=row Cap=40kW Nodes=g[1-4]\n"
			       "Domain=r2 Parent=row Cap=40kW Nodes=g[5-8]\n",
			       &msg, &s, &c),
			 0);
	assert_int_equal(s.nodes, 8);
	assert_int_equal(s.rack_nodes, 4);
	assert_int_equal(s.row_racks, 2);
	assert_int_equal(s.hall_rows, 1); /* no hall level: one, unlimited */
	assert_true(s.rack_cap_w == 40e3 && s.row_cap_w == 80e3);
	assert_true(s.hall_cap_w >= 1e15);
	assert_true(s.pue == 1.2 && s.cap_w == 1e6 && s.reserve == 0);
	assert_true(s.gpu_max_w == 700 && s.base_w == 3000);
	assert_true(c.floor_w == 400);
	assert_string_equal(c.policy, "power-efficient");
	/* only the assumed network is said */
	assert_int_equal(_count(msg, "\n"), 1);
	assert_non_null(strstr(msg, "no --topology"));
}

/* A class described by its hwloc export: GPUs counted from the export. */
static void test_hwloc_class(void **state)
{
	struct sim_site s;
	struct sim_conf c;
	const char *msg;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
		 "Facility=lab Cap=200kW\n"
		 "GpuModel=V100 Match=\"V100-SXM3\" IdleW=50W MaxW=350W "
		 "MinCapW=150W\n"
		 "NodeClass=dgx2 Topology=%s/hwloc/nvidiaDGX2.xml BaseW=3kW "
		 "StandbyW=60W CpuIdleW=60 CpuMaxW=205 GpuLimitEnforced=yes "
		 "Nodes=dgx[01-04]\n"
		 "Domain=rack1 Cap=40kW Nodes=dgx[01-02]\n"
		 "Domain=rack2 Cap=40kW Nodes=dgx[03-04]\n",
		 PB_TEST_DATA_DIR);
	assert_int_equal(_load(text, &msg, &s, &c), 0);
	assert_int_equal(s.gpn, 16);
	assert_int_equal(s.cpu_pkgs, 2);
	assert_string_equal(s.gpu_model, "V100");
	assert_true(s.gpu_idle_w == 50 && s.gpu_max_w == 350);
	assert_true(s.gpu_min_w == 150 && s.standby_w == 60);
	assert_true(c.floor_w == 245); /* 70% of 350 W */
	assert_int_equal(s.rack_nodes, 2);
}

static void test_bad_file(void **state)
{
	struct sim_site s;
	struct sim_conf c;
	const char *msg;

	(void)state;
	assert_int_equal(_load(HEAD "Domain=r1 Parent=row Cap=40kW "
				    "Nodes=g[1-8] Bogus=1\n",
			       &msg, &s, &c),
			 -1);
	/* topology/'s own message, at the file and line */
	assert_non_null(strstr(msg, ":4: "));
	assert_non_null(strstr(msg, "Bogus"));
}

static void test_not_modelled(void **state)
{
	struct sim_site s;
	struct sim_conf c;
	const char *msg;

	(void)state;
	assert_int_equal(_load(HEAD
			       "MeterFile=/run/pb/meter\n"
			       "Partition=a GpuWattHint=300W\n"
			       "Partition=b GpuWattHint=200W\n"
			       "Domain=r1 Parent=row Cap=40kW Nodes=g[1-4]\n"
			       "Domain=r2 Parent=row Cap=40kW Nodes=g[5-8]\n",
			       &msg, &s, &c),
			 0);
	assert_int_equal(_count(msg, "not modelled"), 2);
	assert_int_equal(_count(msg, "MeterFile"), 1);
	assert_non_null(strstr(msg, ":5: not modelled: Partition=a and"));
	/* a rack of another size in the middle is refused at its line */
	assert_int_equal(_load(HEAD
			       "Domain=r1 Parent=row Cap=40kW Nodes=g[1-3]\n"
			       "Domain=r2 Parent=row Cap=40kW Nodes=g[4-7]\n"
			       "Domain=r3 Parent=row Cap=40kW Nodes=g8\n",
			       &msg, &s, &c),
			 -1);
	assert_non_null(
	    strstr(msg, ":5: not modelled: Domain=r2 does not hold 3"));
	/* as is a second cap on one level */
	assert_int_equal(_load(HEAD
			       "Domain=r1 Parent=row Cap=40kW Nodes=g[1-4]\n"
			       "Domain=r2 Parent=row Cap=30kW Nodes=g[5-8]\n",
			       &msg, &s, &c),
			 -1);
	assert_non_null(strstr(msg, ":5: not modelled: Domain=r2 has another"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_small_site),
	    cmocka_unit_test(test_hwloc_class),
	    cmocka_unit_test(test_bad_file),
	    cmocka_unit_test(test_not_modelled),
	};

	return cmocka_run_group_tests_name("sim_conf", tests, NULL, _teardown);
}
