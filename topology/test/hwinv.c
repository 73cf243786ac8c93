/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Node-class inventories of the real hwloc exports in tests/data/hwloc:
 * the counts asserted here were read with lstopo-no-graphics -v. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "topology/gres.h"
#include "topology/hwinv.h"

#define XML(f) PB_TEST_DATA_DIR "/hwloc/" f

static pb_hw_inv_t *_load(const char *path, pb_diag_t **d)
{
	pb_hw_inv_t *inv = NULL;

	*d = pb_diag_create();
	assert_int_equal(pb_hw_load_xml(path, &inv, *d), 0);
	assert_non_null(inv);
	return inv;
}

static void test_dgx2(void **state)
{
	pb_diag_t *d;
	pb_hw_inv_t *inv = _load(XML("nvidiaDGX2.xml"), &d);
	const char *models[4];

	(void)state;
	assert_int_equal(inv->packages, 2);
	assert_int_equal(inv->numa_nodes, 2);
	assert_int_equal(inv->cores, 4); /* the export holds 4 of the cores */
	assert_int_equal(inv->n_gpus, 16);
	assert_int_equal(inv->gpu_osdevs, 16);
	assert_int_equal(inv->n_nics, 0);
	assert_int_equal(pb_hw_models(inv, models, 4), 1);
	assert_string_equal(models[0], "Tesla V100-SXM3-32GB-H");
	assert_string_equal(inv->gpus[0].busid, "0000:34:00.0");
	assert_int_equal(inv->gpus[15].nvml_index, 15);
	/* 8 GPUs per package, each local to its package's NUMA node */
	for (size_t i = 0; i < 16; i++) {
		assert_int_equal(inv->gpus[i].n_numa, 1);
		assert_int_equal(inv->gpus[i].numa[0], i < 8 ? 0 : 1);
		assert_string_equal(inv->gpus[i].cores, i < 8 ? "0-1" : "2-3");
		assert_int_equal(inv->gpus[i].n_nic, 0);
		assert_true(inv->gpus[i].nvidia);
	}
	/* all NVLinks go to the 12 NVSwitches, none GPU to GPU */
	assert_true(inv->nvswitch);
	assert_null(inv->links);
	assert_int_equal(pb_diag_count(d), 0);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

static void test_power8_dedup(void **state)
{
	pb_diag_t *d;
	pb_hw_inv_t *inv = _load(XML("power8gpudistances.xml"), &d);

	(void)state;
	assert_int_equal(inv->packages, 2);
	assert_int_equal(inv->numa_nodes, 2);
	assert_int_equal(inv->cores, 8);
	assert_int_equal(inv->pus, 16);
	/* CUDA + OpenCL + NVML for each of 4 P100: 12 OS devices, 4 GPUs */
	assert_int_equal(inv->gpu_osdevs, 12);
	assert_int_equal(inv->n_gpus, 4);
	assert_string_equal(inv->gpus[0].osdevs, "cuda0,opencl0d0,nvml0");
	assert_string_equal(inv->gpus[3].busid, "000b:01:00.0");
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(inv->gpus[i].model, "Tesla P100-SXM2-16GB");
		assert_int_equal(inv->gpus[i].numa[0], i < 2 ? 0 : 1);
		assert_int_equal(inv->gpus[i].nvml_index, (int)i);
		assert_int_equal(inv->gpus[i].cuda_index, (int)i);
	}
	/* NVLink pairs 0-1 and 2-3 (the other links go to the CPUs) */
	assert_non_null(inv->links);
	assert_int_equal(inv->links[0 * 4 + 0], -1);
	assert_int_equal(inv->links[0 * 4 + 1], 1);
	assert_int_equal(inv->links[0 * 4 + 2], 0);
	assert_int_equal(inv->links[2 * 4 + 3], 1);
	assert_int_equal(inv->links[3 * 4 + 1], 0);
	assert_false(inv->nvswitch);
	assert_int_equal(inv->n_nics, 0);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

static void test_32em64t_wholeio(void **state)
{
	pb_diag_t *d;
	pb_hw_inv_t *inv = _load(XML("32em64t-2n8c2t-pci-wholeio.xml"), &d);
	const char *models[4];

	(void)state;
	assert_int_equal(inv->packages, 2);
	assert_int_equal(inv->cores, 16);
	assert_int_equal(inv->pus, 32);
	assert_int_equal(inv->numa_nodes, 2);
	/* cuda0 (K40m) and opencl0d1 (Radeon, OpenCL GPU); card0 is DRM */
	assert_int_equal(inv->n_gpus, 2);
	assert_int_equal(pb_hw_models(inv, models, 4), 2);
	assert_string_equal(inv->gpus[0].model, "Tesla K40m");
	assert_string_equal(inv->gpus[0].osdevs, "cuda0");
	assert_true(inv->gpus[0].nvidia);
	assert_string_equal(inv->gpus[1].model,
			    "AMD Radeon R9 200 / HD 7900 Series");
	assert_false(inv->gpus[1].nvidia);
	/* mlx5_0 + ib0 are one RDMA NIC; eth0 and eth1 are two functions */
	assert_int_equal(inv->n_nics, 3);
	assert_string_equal(inv->nics[2].name, "mlx5_0");
	assert_string_equal(inv->nics[2].netdevs, "ib0");
	assert_true(inv->nics[2].rdma);
	assert_false(inv->nics[0].rdma);
	/* the K40m's nearest NIC is the RDMA one, under the same bridge */
	assert_int_equal(inv->gpus[0].n_nic, 1);
	assert_int_equal(inv->gpus[0].nic[0], 2);
	assert_true(inv->gpus[0].nic_same_switch);
	assert_int_equal(inv->gpus[0].numa[0], 1);
	assert_string_equal(inv->gpus[0].cores, "8-15");
	/* two Tesla M2075 3D controllers have no OS device: noticed only */
	assert_int_equal(pb_diag_errors(d), 0);
	assert_int_equal(pb_diag_notices(d), 2);
	assert_non_null(pb_diag_find(d, "PCI 3D controller 0000:03:00.0"));
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

static void test_96em64t_cpu_only(void **state)
{
	pb_diag_t *d;
	pb_hw_inv_t *inv = _load(XML("96em64t-4n4d3ca2co-pci.xml"), &d);

	(void)state;
	assert_int_equal(inv->packages, 16);
	assert_int_equal(inv->cores, 96);
	assert_int_equal(inv->numa_nodes, 4);
	/* card0 (ATI ES1000 VGA) is the onboard display, not a GPU */
	assert_int_equal(inv->n_gpus, 0);
	assert_int_equal(inv->n_nics, 8);
	assert_string_equal(inv->nics[7].name, "eth7");
	assert_int_equal(inv->nics[7].numa[0], 3);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

/* No compute OS device: the PCI class fallback, BMC VGA excluded. */
static void test_pci_class_fallback(void **state)
{
	static const char xml[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">\n"
	    "<topology version=\"2.0\">\n"
	    " <object type=\"Machine\" os_index=\"0\" cpuset=\"0x1\" "
	    "complete_cpuset=\"0x1\" allowed_cpuset=\"0x1\" nodeset=\"0x1\" "
	    "complete_nodeset=\"0x1\" allowed_nodeset=\"0x1\" gp_index=\"1\">\n"
	    "  <object type=\"Package\" os_index=\"0\" cpuset=\"0x1\" "
	    "complete_cpuset=\"0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\" "
	    "gp_index=\"2\">\n"
	    "   <object type=\"NUMANode\" os_index=\"0\" cpuset=\"0x1\" "
	    "complete_cpuset=\"0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\" "
	    "gp_index=\"3\" local_memory=\"1000000\"/>\n"
	    "   <object type=\"Core\" os_index=\"0\" cpuset=\"0x1\" "
	    "complete_cpuset=\"0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\" "
	    "gp_index=\"4\">\n"
	    "    <object type=\"PU\" os_index=\"0\" cpuset=\"0x1\" "
	    "complete_cpuset=\"0x1\" nodeset=\"0x1\" complete_nodeset=\"0x1\" "
	    "gp_index=\"5\"/>\n"
	    "   </object>\n"
	    "   <object type=\"Bridge\" gp_index=\"6\" bridge_type=\"0-1\" "
	    "depth=\"0\" bridge_pci=\"0000:[00-02]\">\n"
	    "    <object type=\"PCIDev\" gp_index=\"7\" "
	    "pci_busid=\"0000:01:00.0\" "
	    "pci_type=\"0302 [10de:2330] [10de:16c1] a1\" "
	    "pci_link_speed=\"0\">\n"
	    "     <info name=\"PCIDevice\" value=\"GH100 [H100 SXM5 80GB]\"/>\n"
	    "    </object>\n"
	    "    <object type=\"PCIDev\" gp_index=\"8\" "
	    "pci_busid=\"0000:02:00.0\" "
	    "pci_type=\"0300 [1a03:2000] [1a03:2000] 41\" "
	    "pci_link_speed=\"0\">\n"
	    "     <info name=\"PCIDevice\" value=\"ASPEED Graphics Family\"/>\n"
	    "     <object type=\"OSDev\" gp_index=\"9\" name=\"card0\" "
	    "osdev_type=\"1\"/>\n"
	    "    </object>\n"
	    "   </object>\n"
	    "  </object>\n"
	    " </object>\n"
	    "</topology>\n";
	pb_diag_t *d = pb_diag_create();
	pb_hw_inv_t *inv = NULL;

	(void)state;
	assert_int_equal(
	    pb_hw_load_xml_buffer("fb.xml", xml, sizeof(xml), &inv, d), 0);
	pb_diag_print(d, stderr);
	assert_int_equal(inv->n_gpus, 1);
	assert_true(inv->gpus[0].from_pci_class);
	assert_string_equal(inv->gpus[0].model, "GH100 [H100 SXM5 80GB]");
	assert_string_equal(inv->gpus[0].busid, "0000:01:00.0");
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

static void test_bad_xml(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_hw_inv_t *inv = NULL;

	(void)state;
	assert_int_equal(
	    pb_hw_load_xml_buffer("bad.xml", "<topology", 9, &inv, d), -1);
	assert_null(inv);
	assert_non_null(pb_diag_find(d, "bad.xml: not a readable hwloc XML"));
	assert_int_equal(pb_hw_load_xml("/nonexistent/x.xml", &inv, d), -1);
	assert_non_null(pb_diag_find(d, "/nonexistent/x.xml: cannot open"));
	pb_diag_destroy(d);
}

/*
 * An export on which hwloc 2.9 itself segfaults (found by fuzz_hwinv;
 * lstopo dies on it too): the reader reports it instead of crashing.
 * hwloc 2.12 (Debian 13 and unstable) no longer crashes on it and refuses
 * it as unreadable, which the reader reports as for any unreadable file.
 */
static void test_export_that_crashes_hwloc(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_hw_inv_t *inv = NULL;

	(void)state;
	assert_int_equal(pb_hw_load_xml(XML("bad/hwloc-crashes.xml"), &inv, d),
			 -1);
	assert_null(inv);
#if HWLOC_VERSION_MAJOR == 2 && HWLOC_VERSION_MINOR <= 9
	assert_non_null(pb_diag_find(d, "hwloc-crashes.xml: malformed hwloc "
					"XML export: hwloc crashed"));
#elif HWLOC_VERSION_MAJOR == 2 && HWLOC_VERSION_MINOR >= 12
	assert_non_null(pb_diag_find(d, "hwloc-crashes.xml: not a readable "
					"hwloc XML export"));
#else
	assert_true(pb_diag_find(d, "hwloc-crashes.xml: malformed hwloc "
				    "XML export: hwloc crashed") ||
		    pb_diag_find(d, "hwloc-crashes.xml: not a readable "
				    "hwloc XML export"));
#endif
	pb_diag_destroy(d);
}

static void test_gres_lines(void **state)
{
	pb_diag_t *d;
	pb_hw_inv_t *inv = _load(XML("power8gpudistances.xml"), &d);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(pb_gres_print_conf(inv, "p8n[1-2]", "p100", f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "NodeName=p8n[1-2] Name=gpu Type=p100 "
				    "File=/dev/nvidia0 Cores=0-3 "
				    "Links=-1,1,0,0\n"));
	assert_non_null(strstr(buf, "File=/dev/nvidia3 Cores=4-7 "
				    "Links=0,0,1,-1\n"));
	free(buf);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);

	inv = _load(XML("32em64t-2n8c2t-pci-wholeio.xml"), &d);
	f = open_memstream(&buf, &len);
	assert_int_equal(pb_gres_print_conf(inv, NULL, NULL, f), 0);
	assert_int_equal(pb_gres_print_affinity(inv, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "NodeName=<nodes> Name=gpu "
				    "File=/dev/nvidia0 Cores=8-15\n"));
	assert_non_null(strstr(buf, "# GPU 1 (0000:84:00.1, AMD Radeon R9 "
				    "200 / HD 7900 Series): not an NVIDIA"));
	assert_non_null(strstr(buf, "mlx5_0           yes"));
	free(buf);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dgx2),
	    cmocka_unit_test(test_power8_dedup),
	    cmocka_unit_test(test_32em64t_wholeio),
	    cmocka_unit_test(test_96em64t_cpu_only),
	    cmocka_unit_test(test_pci_class_fallback),
	    cmocka_unit_test(test_bad_xml),
	    cmocka_unit_test(test_export_that_crashes_hwloc),
	    cmocka_unit_test(test_gres_lines),
	};
	return cmocka_run_group_tests_name("topology_hwinv", tests, NULL, NULL);
}
