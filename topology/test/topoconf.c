/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the topology.conf reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "topology/topoconf.h"

static void _expect(const char *text, int rc_want, pb_diag_level_t level,
		    const char *prefix, const char *needle)
{
	pb_diag_t *d = pb_diag_create();
	pb_topo_t *t = NULL;
	int rc =
	    pb_topo_parse_buffer("topology.conf", text, strlen(text), &t, d);
	bool found = false;

	for (size_t i = 0; i < pb_diag_count(d); i++) {
		const char *m = pb_diag_text(d, i);

		if (pb_diag_level(d, i) == level &&
		    !strncmp(m, prefix, strlen(prefix)) && strstr(m, needle))
			found = true;
	}
	if (!found || rc != rc_want) {
		print_error("expected '%s...%s', rc %d, got rc %d:\n", prefix,
			    needle, rc_want, rc);
		pb_diag_print(d, stderr);
	}
	assert_int_equal(rc, rc_want);
	assert_true(found);
	pb_topo_destroy(t);
	pb_diag_destroy(d);
}

#define ERR(text, prefix, needle)                                              \
	_expect(text, -1, PB_DIAG_ERROR, prefix, needle)

static void test_lab(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_topo_t *t = NULL;
	long i;

	(void)state;
	assert_int_equal(pb_topo_parse_file(
			     PB_TEST_DATA_DIR "/topo/lab.topology.conf", &t, d),
			 0);
	assert_int_equal(pb_diag_count(d), 0);
	assert_int_equal(t->n_switches, 3);
	assert_int_equal(t->n_roots, 1);
	assert_int_equal(t->n_nodes, 7);
	assert_string_equal(t->switches[2].name, "spine");
	assert_int_equal(t->switches[0].parent, 2);
	assert_int_equal(t->switches[1].parent, 2);
	assert_int_equal(t->switches[2].parent, -1);
	assert_int_equal(t->switches[0].depth, 1);
	assert_int_equal(t->switches[1].n_nodes, 5);
	i = pb_topo_find_node(t, "cn3");
	assert_true(i >= 0);
	assert_int_equal(t->nodes[i].sw, 1);
	assert_int_equal(pb_topo_find_switch(t, "leaf2"), 1);
	assert_int_equal(pb_topo_find_node(t, "cn9"), -1);
	pb_topo_destroy(t);
	pb_diag_destroy(d);
}

static void test_errors(void **state)
{
	(void)state;
	ERR("SwitchName=s0 Nodes=a[1-2]\nSwitchName=top Switches=s[0-1]\n",
	    "topology.conf:2: ",
	    "switch 'top': unknown switch 's1' in "
	    "Switches=");
	ERR("SwitchName=s0 Nodes=a[1-4]\nSwitchName=s1 Nodes=a[4-5]\n"
	    "SwitchName=top Switches=s[0-1]\n",
	    "topology.conf:2: ",
	    "node 'a4' is in two leaf switches: 's0' "
	    "(line 1) and 's1'");
	ERR("SwitchName=a Switches=b\nSwitchName=b Switches=c\n"
	    "SwitchName=c Switches=a\n",
	    "topology.conf:1: ", "switch loop: a -> c -> b -> a");
	ERR("SwitchName=a Switches=b\nSwitchName=b Switches=c\n"
	    "SwitchName=c Switches=a\n",
	    "topology.conf:3: ", "no root switch");
	ERR("SwitchName=s0 Nodes=x\nSwitchName=a Switches=s0\n"
	    "SwitchName=b Switches=s0\nSwitchName=t Switches=a,b\n",
	    "topology.conf:3: ",
	    "switch 's0' has two parents: 'a' (line 2) "
	    "and 'b'");
	ERR("SwitchName=s0 Nodes=x Switches=s1\nSwitchName=s1 Nodes=y\n",
	    "topology.conf:1: ", "both Switches= and Nodes=");
	ERR("SwitchName=s0 Nodes=x\nSwitchName=s0 Nodes=y\n",
	    "topology.conf:2: ", "duplicate switch 's0' (first at line 1)");
	ERR("SwitchName=s0 Nodes=x Bandwidth=1\n",
	    "topology.conf:1: ", "unknown key 'Bandwidth' in SwitchName line");
	ERR("# x\nNodeName=s0\n", "topology.conf:2: ",
	    "unknown key 'NodeName' (lines start with SwitchName=)");
	ERR("SwitchName=s0 Nodes=x[1-\n",
	    "topology.conf:1: ", "Nodes: bad hostlist 'x[1-': missing ']'");
	ERR("SwitchName=s0 Switches=s[3-1]\n",
	    "topology.conf:1: ", "Switches: bad hostlist");
	/*
	 * Counted from the text before libslurm expands anything: a product
	 * of ranges (1.8e11 names) is refused at once, not expanded.
	 */
	ERR("SwitchName=leaf4 Nodes=d[0-2604]dxg[0-26044]dxg[0-2604]\n",
	    "topology.conf:1: ",
	    "Nodes: bad hostlist 'd[0-2604]dxg[0-26044]dxg[0-2604]': too many hosts");
	ERR("SwitchName=s0 Nodes=a[0-600000],b[1-3,5-600000]\n",
	    "topology.conf:1: ", "too many hosts");
}

static void test_notices(void **state)
{
	(void)state;
	_expect("SwitchName=s0 Nodes=a\nSwitchName=s1 Nodes=b\n", 0,
		PB_DIAG_NOTICE, "topology.conf:2: notice: ",
		"2 root switches (s0, s1): jobs cannot span them");
	_expect("SwitchName=s0\n", 0, PB_DIAG_NOTICE,
		"topology.conf:1: notice: ", "neither Nodes= nor Switches=");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lab),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_notices),
	};
	return cmocka_run_group_tests_name("topology_topoconf", tests, NULL,
					   NULL);
}
