/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builders: power_budget.conf + hwloc exports -> pb_site_t, and
 * topology.conf -> pb_net_t, with the watts worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "topology/build.h"
#include "topology/load.h"

#define DATA PB_TEST_DATA_DIR

typedef struct {
	pb_diag_t *d;
	pb_conf_t *conf;
	pb_class_info_t *ci;
	pb_site_t *site;
	int rc;
} _built_t;

/* text is parsed as if it were DATA/conf/<label> so Topology= paths
 * resolve like the lab example's. */
static void _build(_built_t *b, const char *text)
{
	memset(b, 0, sizeof(*b));
	b->d = pb_diag_create();
	assert_int_equal(pb_conf_parse_buffer(DATA "/conf/t.conf", text,
					      strlen(text), &b->conf, b->d),
			 0);
	b->rc = pb_build_classes(b->conf, &b->ci, b->d);
	if (!b->rc)
		b->rc = pb_build_site(b->conf, b->ci, &b->site, b->d);
}

static void _free(_built_t *b)
{
	pb_site_destroy(b->site);
	pb_build_classes_free(b->ci, b->conf->n_classes);
	pb_conf_destroy(b->conf);
	pb_diag_destroy(b->d);
}

static void _expect(const char *text, const char *needle)
{
	_built_t b;

	_build(&b, text);
	if (b.rc != -1 || !pb_diag_find(b.d, needle)) {
		print_error("expected '%s', got:\n", needle);
		pb_diag_print(b.d, stderr);
	}
	assert_int_equal(b.rc, -1);
	assert_non_null(pb_diag_find(b.d, needle));
	assert_null(b.site);
	_free(&b);
}

static void test_lab_site(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_conf_t *conf;
	pb_class_info_t *ci;
	pb_site_t *site;
	pb_topo_t *topo;
	pb_net_t *net;
	const pb_power_class_t *pc;
	int32_t n;

	(void)state;
	assert_int_equal(pb_conf_parse_file(DATA "/conf/lab.conf", &conf, d),
			 0);
	assert_int_equal(pb_build_classes(conf, &ci, d), 0);
	assert_int_equal(ci[0].gpus, 16);
	assert_int_equal(ci[1].gpus, 0);
	assert_int_equal(pb_build_site(conf, ci, &site, d), 0);
	assert_int_equal(pb_site_node_count(site), 7);
	assert_int_equal(pb_site_domain_count(site), 4);
	assert_int_equal(pb_site_class_count(site), 2);
	assert_int_equal(pb_site_facility(site)->pue_milli, 1400);
	assert_int_equal(pb_site_facility(site)->reserve_ppm, 50000);
	assert_int_equal(pb_site_facility(site)->cooling_w, 45000);
	assert_int_equal(pb_site_domain_cap(site, pb_site_root(site)), 60000);

	/* DGX-2: 16 V100 (GpuModel=V100 line) */
	pc = pb_site_class(site, 0);
	assert_string_equal(pc->gpu.name, "V100");
	assert_int_equal(pc->gpus, 16);
	assert_int_equal(pc->cpu_packages, 2);
	assert_int_equal(pc->cores, 4);
	/* idle = 3000 base + 16 x 50 + 2 x 60 */
	n = pb_site_node_by_name(site, "dgx02");
	assert_true(n >= 0);
	assert_int_equal(pb_site_node_idle_w(site, (uint32_t)n), 3920);
	assert_int_equal(pb_site_node_off_w(site, (uint32_t)n), 60);
	assert_string_equal(
	    pb_site_domain_name(site, pb_site_node_domain(site, (uint32_t)n)),
	    "rack1");
	/* CPU class: 250 base + 16 packages x 40 */
	n = pb_site_node_by_name(site, "cn4");
	assert_int_equal(pb_site_node_idle_w(site, (uint32_t)n), 890);
	assert_int_equal(pb_site_class(site, 1)->cores, 96);
	/* site node i is conf node i */
	for (size_t i = 0; i < conf->n_nodes; i++)
		assert_int_equal(
		    pb_site_node_by_name(site, conf->nodes[i].name),
		    (int32_t)i);

	assert_int_equal(
	    pb_topo_parse_file(DATA "/topo/lab.topology.conf", &topo, d), 0);
	assert_int_equal(pb_build_net(topo, site, &net, d), 0);
	assert_int_equal(pb_net_switch_count(net), 3);
	assert_int_equal(pb_net_node_switch(net, (uint32_t)n),
			 pb_net_switch_by_name(net, "leaf2"));
	assert_int_equal(
	    pb_net_switch_level(net,
				(uint32_t)pb_net_switch_by_name(net, "spine")),
	    1);
	assert_int_equal(pb_diag_errors(d), 0);
	pb_net_destroy(net);
	pb_topo_destroy(topo);
	pb_site_destroy(site);
	pb_build_classes_free(ci, conf->n_classes);
	pb_conf_destroy(conf);
	pb_diag_destroy(d);
}

#define FAC "Facility=f Cap=1MW\n"

static void test_overrides(void **state)
{
	_built_t b;
	const pb_power_class_t *pc;

	(void)state;
	_build(&b, FAC
	       "GpuModel=\"H100 SXM\" MaxW=650\n"
	       "NodeClass=a Gpus=8 GpuModel=\"H100 SXM\" Cores=112 "
	       "BaseW=2kW Nodes=a[1-2]\n"
	       "NodeClass=b Gpus=8 GpuModel=\"h100 sxm\" Cores=112 BaseW=2kW "
	       "GpuMaxW=500 GpuMinCapW=300 Nodes=b1\n"
	       "Domain=r Cap=20kW Nodes=a[1-2],b1\n");
	pb_diag_print(b.d, stderr);
	assert_int_equal(b.rc, 0);
	pc = pb_site_class(b.site, 0);
	assert_int_equal(pc->gpu.max_w, 650);
	pc = pb_site_class(b.site, 1);
	assert_int_equal(pc->gpu.max_w, 500);
	assert_int_equal(pc->gpu.min_cap_w, 300);
	/* the class copy does not capture device matching */
	assert_string_equal(
	    pb_site_find_gpu_model(b.site, "NVIDIA H100 80GB HBM3")->name,
	    "H100 SXM");
	_free(&b);
}

static void test_select_model(void **state)
{
	_built_t b;

	(void)state;
	_build(&b, FAC
	       "GpuModel=K40m Match=K40m IdleW=20 MaxW=235\n"
	       "NodeClass=k Topology=../hwloc/32em64t-2n8c2t-pci-wholeio.xml "
	       "GpuModel=K40m BaseW=300 Nodes=k1\n"
	       "Domain=r Cap=5kW Nodes=k1\n");
	pb_diag_print(b.d, stderr);
	assert_int_equal(b.rc, 0);
	assert_int_equal(pb_site_class(b.site, 0)->gpus, 1);
	assert_int_equal(pb_site_class(b.site, 0)->gpu.min_cap_w, 235);
	assert_non_null(pb_diag_find(b.d, "t.conf:3: notice: NodeClass 'k': "
					  "1 GPU of"));
	_free(&b);
}

static void test_errors(void **state)
{
	(void)state;
	_expect(FAC "NodeClass=p Topology=../hwloc/power8gpudistances.xml "
		    "BaseW=1kW Nodes=p1\nDomain=r Cap=5kW Nodes=p1\n",
		"t.conf:2: NodeClass 'p': GPU model 'Tesla P100-SXM2-16GB' (");
	_expect(
	    FAC "NodeClass=p Topology=../hwloc/power8gpudistances.xml "
		"BaseW=1kW Nodes=p1\nDomain=r Cap=5kW Nodes=p1\n",
	    "add a line like: GpuModel=<name> "
	    "Match=\"Tesla P100-SXM2-16GB\" IdleW=<W> MaxW=<W> MinCapW=<W>");
	_expect(FAC
		"GpuModel=K40m Match=K40m IdleW=20 MaxW=235\n"
		"GpuModel=R9 Match=Radeon IdleW=20 MaxW=250\n"
		"NodeClass=k Topology=../hwloc/32em64t-2n8c2t-pci-wholeio.xml "
		"BaseW=300 Nodes=k1\nDomain=r Cap=5kW Nodes=k1\n",
		"t.conf:4: NodeClass 'k': ");
	_expect(FAC
		"GpuModel=K40m Match=K40m IdleW=20 MaxW=235\n"
		"GpuModel=R9 Match=Radeon IdleW=20 MaxW=250\n"
		"NodeClass=k Topology=../hwloc/32em64t-2n8c2t-pci-wholeio.xml "
		"BaseW=300 Nodes=k1\nDomain=r Cap=5kW Nodes=k1\n",
		"mixes GPU models 'K40m' and 'R9'");
	_expect(FAC "GpuModel=V100 MaxW=300\n",
		"t.conf:2: GpuModel 'V100' "
		"is not a built-in model, so it needs IdleW= and MaxW=");
	_expect(FAC "NodeClass=g Gpus=4 GpuModel=X100 Cores=8 BaseW=1 "
		    "Nodes=n1\nDomain=r Cap=5kW Nodes=n1\n",
		"t.conf:2: NodeClass 'g': unknown GpuModel 'X100'");
	_expect(FAC "NodeClass=g Topology=missing.xml BaseW=1 Nodes=n1\n"
		    "Domain=r Cap=5kW Nodes=n1\n",
		"t.conf:2: NodeClass 'g': cannot use Topology=missing.xml");
}

static void test_load(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_loaded_t l;

	(void)state;
	assert_int_equal(pb_load(DATA "/conf/lab.conf",
				 DATA "/topo/lab.topology.conf", &l, d),
			 0);
	assert_int_equal(pb_site_node_count(l.site), 7);
	assert_int_equal(pb_net_switch_count(l.net), 3);
	assert_int_equal(l.settings.user_watt_hints, PB_CONF_HINTS_YES);
	assert_int_equal(l.settings.user_watt_floor_w, 150);
	assert_false(l.settings.debug_trace);
	assert_string_equal(l.settings.status_file,
			    "/run/slurm/power_budget.status");
	assert_int_equal(l.settings.n_partitions, 1);
	assert_string_equal(l.settings.partitions[0].name, "inference");
	assert_int_equal(l.settings.partitions[0].gpu_watt_hint_w, 250);
	pb_loaded_free(&l);

	/* a broken file returns nothing, so the caller keeps its model */
	assert_int_equal(pb_load(DATA "/check/bad/power_budget.conf",
				 DATA "/nonexistent.conf", &l, d),
			 -1);
	assert_null(l.site);
	assert_null(l.net);
	assert_non_null(pb_diag_find(d, "nonexistent.conf: cannot open"));
	pb_loaded_free(&l);
	pb_diag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lab_site),
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_select_model),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests_name("topology_build", tests, NULL, NULL);
}
