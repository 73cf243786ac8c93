/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests of the meter file reader: a good file, its resolution against a
 * site, and one test per error class with its "file:line:". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "policy/site.h"
#include "topology/meter.h"

static int _parse(const char *text, pb_meter_t *m, pb_diag_t **d)
{
	*d = pb_diag_create();
	assert_non_null(*d);
	return pb_meter_parse("m.txt", text, strlen(text), m, *d);
}

static void _expect_error(const char *text, const char *want)
{
	pb_meter_t m;
	pb_diag_t *d;

	if (_parse(text, &m, &d) != -1 || !pb_diag_find(d, want)) {
		pb_diag_print(d, stderr);
		fail_msg("expected error '%s'", want);
	}
	assert_int_equal(m.n, 0);
	assert_null(m.readings);
	pb_diag_destroy(d);
}

static void test_good(void **state)
{
	pb_meter_t m;
	pb_diag_t *d;

	(void)state;
	assert_int_equal(_parse("# collector\nTime=1796159244\n"
				"Domain=rack07 Watts=31.2kW\n"
				"node=n1 watts=9800   # BMC\n",
				&m, &d),
			 0);
	assert_int_equal(m.time, 1796159244);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.readings[0].name, "rack07");
	assert_int_equal(m.readings[0].is_node, 0);
	assert_int_equal(m.readings[0].watts, 31200);
	assert_int_equal(m.readings[0].line, 3);
	assert_string_equal(m.readings[1].name, "n1");
	assert_int_equal(m.readings[1].is_node, 1);
	assert_int_equal(m.readings[1].watts, 9800);
	pb_meter_free(&m);
	pb_diag_destroy(d);
}

static void test_errors(void **state)
{
	(void)state;
	_expect_error("Domain=r Watts=1kW\n",
		      "m.txt:1: no Time= line (when the readings were taken)");
	_expect_error("", "m.txt:1: no Time= line");
	_expect_error("Time=1\nTime=2\n",
		      "m.txt:2: Time= given again (first at line 1)");
	_expect_error("Time=soon\n", "m.txt:1: Time: ");
	_expect_error("Time=1\nDomain=r\n", "m.txt:2: Domain 'r' needs Watts=");
	_expect_error("Time=1\nNode=n1 Watts=lots\n", "m.txt:2: Watts: ");
	_expect_error("Time=1\nNode=n1 Watts=1\nNode=n1 Watts=2\n",
		      "m.txt:3: Node 'n1' read twice (first at line 2)");
	_expect_error("Time=1\nRack=r Watts=1\n",
		      "m.txt:2: unknown record 'Rack'");
	_expect_error("Time=1\nNode=n1 Watts=1 Volts=230\n",
		      "m.txt:2: unknown key 'Volts'");
	_expect_error("Time=1\nNode=n/1 Watts=1\n", "m.txt:2: Node: ");
	_expect_error("Time=1\nNode=\"n1 Watts=1\n", "m.txt:2: ");
}

static void test_resolve(void **state)
{
	pb_error_t err;
	pb_site_t *s = pb_site_create();
	pb_class_spec_t c = {.name = "c", .cores = 4, .base_w = 100};
	pb_meter_t m;
	pb_diag_t *d;
	pb_watts_t node_w[2], dom_w[2];

	(void)state;
	assert_int_equal(pb_site_add_class(s, &c, &err), 0);
	assert_int_equal(pb_site_add_domain(s, "site", -1, 10000, &err), 0);
	assert_int_equal(pb_site_add_domain(s, "rack", 0, 5000, &err), 1);
	assert_int_equal(pb_site_add_node(s, "n1", 0, 1, &err), 0);
	assert_int_equal(pb_site_add_node(s, "n2", 0, 1, &err), 1);
	assert_int_equal(pb_site_finalize(s, &err), 0);
	assert_int_equal(_parse("Time=5\nDomain=rack Watts=300\n"
				"Node=n2 Watts=150\nNode=n9 Watts=1\n",
				&m, &d),
			 0);
	assert_int_equal(pb_meter_resolve(&m, "m.txt", s, node_w, dom_w, d), 2);
	assert_int_equal(dom_w[0], -1);
	assert_int_equal(dom_w[1], 300);
	assert_int_equal(node_w[0], -1);
	assert_int_equal(node_w[1], 150);
	assert_non_null(
	    pb_diag_find(d, "m.txt:4: node 'n9' is not in the power budget"));
	pb_meter_free(&m);
	pb_diag_destroy(d);
	pb_site_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests_name("topology_meter", tests, NULL, NULL);
}
