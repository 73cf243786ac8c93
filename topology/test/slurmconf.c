/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the slurm.conf node-line reader used by pb-check. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "topology/slurmconf.h"

static void test_nodes(void **state)
{
	static const char text[] =
	    "ClusterName=x\n"
	    "NodeName=DEFAULT Gres=gpu:8 Sockets=2 CoresPerSocket=56\n"
	    "NodeName=g[01-02] CPUs=224 Feature=\"a b\"\n"
	    "nodename=m1 Gres=gpu:a100:4,gpu:v100:2(S:0-1),nic:1\n"
	    "NodeName=c1 Gres=nic:1 Boards=2 SocketsPerBoard=2 "
	    "CoresPerSocket=8\n"
	    "   include /etc/slurm/nodes.conf\n"
	    "NodeName=DEFAULT Gres=gpu\n"
	    "NodeName=o1\n"
	    "PartitionName=all Nodes=ALL\n";
	pb_diag_t *d = pb_diag_create();
	pb_slurmconf_t *s = NULL;

	(void)state;
	assert_int_equal(
	    pb_slurmconf_parse_buffer("slurm.conf", text, strlen(text), &s, d),
	    0);
	assert_int_equal(s->n_nodes, 5);
	assert_string_equal(s->nodes[1].name, "g02");
	assert_int_equal(s->nodes[1].line, 3);
	assert_int_equal(s->nodes[1].gpus, 8);
	assert_int_equal(s->nodes[1].cores, 112);
	assert_int_equal(s->nodes[1].cpus, 224);
	assert_int_equal(s->nodes[2].gpus, 6);
	assert_true(s->nodes[3].has_gres);
	assert_int_equal(s->nodes[3].gpus, 0);
	assert_int_equal(s->nodes[3].sockets, 4);
	assert_int_equal(s->nodes[3].cores, 32);
	assert_int_equal(s->nodes[4].gpus, 1);
	assert_int_equal(pb_slurmconf_find_node(s, "m1"), 2);
	assert_non_null(pb_diag_find(d, "slurm.conf:6: notice: Include is "
					"not followed"));
	pb_slurmconf_destroy(s);
	pb_diag_destroy(d);
}

/* Prolog=, Epilog=, PrologFlags=: present where, and Alloc or not. */
static void test_prolog_lines(void **state)
{
	static const struct {
		const char *text;
		int prolog, epilog, flags;
		bool alloc;
	} cases[] = {
	    {"ClusterName=x\n", 0, 0, 0, false},
	    {"Prolog=/p\nEpilog=/e\nPrologFlags=Alloc\n", 1, 2, 3, true},
	    {"prologflags=contain,alloc # set up early\n", 0, 0, 1, true},
	    {"PrologFlags=Contain,X11\n", 0, 0, 1, false},
	    {"PrologFlags=Allocate\n", 0, 0, 1, false},
	    {"PrologSlurmctld=/c\nEpilogSlurmctld=/d\n", 0, 0, 0, false},
	    {"  Prolog=/etc/slurm/prolog.d/*\n", 1, 0, 0, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pb_diag_t *d = pb_diag_create();
		pb_slurmconf_t *s = NULL;

		assert_int_equal(
		    pb_slurmconf_parse_buffer("slurm.conf", cases[i].text,
					      strlen(cases[i].text), &s, d),
		    0);
		assert_int_equal(s->prolog_line, cases[i].prolog);
		assert_int_equal(s->epilog_line, cases[i].epilog);
		assert_int_equal(s->prolog_flags_line, cases[i].flags);
		assert_int_equal(s->prolog_alloc, cases[i].alloc);
		assert_int_equal(s->n_nodes, 0);
		pb_slurmconf_destroy(s);
		pb_diag_destroy(d);
	}
}

static void test_errors(void **state)
{
	static const char text[] = "NodeName=a[1-3]\nNodeName=a2\n"
				   "NodeName=b Gres=gpu:x:99999\n"
				   "NodeName=c Sockets=-1\nNodeName=d[1-\n";
	pb_diag_t *d = pb_diag_create();
	pb_slurmconf_t *s = NULL;

	(void)state;
	assert_int_equal(
	    pb_slurmconf_parse_buffer("slurm.conf", text, strlen(text), &s, d),
	    -1);
	assert_non_null(pb_diag_find(d, "slurm.conf:2: node 'a2' defined "
					"twice (first at line 1)"));
	assert_non_null(pb_diag_find(d, "slurm.conf:3: Gres: bad GPU count"));
	assert_non_null(pb_diag_find(d, "slurm.conf:4: Sockets:"));
	assert_non_null(pb_diag_find(d, "slurm.conf:5: NodeName: bad "
					"hostlist"));
	pb_slurmconf_destroy(s);
	pb_diag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nodes),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_prolog_lines),
	};
	return cmocka_run_group_tests_name("topology_slurmconf", tests, NULL,
					   NULL);
}
