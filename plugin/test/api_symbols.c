/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The forwarding table against the real Slurm tree and the built module:
 * - our symbol list equals node_select_syms[] in the tree's
 *   src/common/select.c, name for name and in order (the loader fills
 *   slurm_select_ops_t positionally, so order matters);
 * - the built .so exports every one of them, plus plugin_name/type/version,
 *   and none of its internal helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/api_symbols.h"

#define MAX_SYMS 128

static size_t read_slurm_syms(char names[][64])
{
	FILE *f = fopen(PB_SLURM_SELECT_C, "r");
	char line[256];
	size_t n = 0;
	int inside = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *q;

		if (!inside) {
			inside = strstr(line, "node_select_syms[] = {") != NULL;
			continue;
		}
		if (strstr(line, "};"))
			break;
		q = strchr(line, '"');
		if (!q)
			continue;
		assert_true(n < MAX_SYMS);
		sscanf(q + 1, "%63[^\"]", names[n++]);
	}
	fclose(f);
	return n;
}

static void test_names_match_slurm_tree(void **state)
{
	static char names[MAX_SYMS][64];
	size_t n = read_slurm_syms(names);

	(void)state;
	assert_int_equal(n, pb_api_symbol_count);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], pb_api_symbols[i]);
}

/* Returns 1 if `nm -D --defined-only` lists @sym in the module. */
static int module_exports(const char *sym)
{
	char cmd[1024], line[512];
	int found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", PB_PLUGIN_SO);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char type[8], name[256];

		if (sscanf(line, "%*s %7s %255s", type, name) == 2 &&
		    !strcmp(name, sym))
			found = 1;
	}
	assert_int_equal(pclose(p), 0);
	return found;
}

static void test_module_exports_every_entry_point(void **state)
{
	static const char *extra[] = {"plugin_name", "plugin_type",
				      "plugin_version", "init", "fini"};

	(void)state;
	for (size_t i = 0; i < pb_api_symbol_count; i++) {
		if (!module_exports(pb_api_symbols[i]))
			fail_msg("%s is not exported", pb_api_symbols[i]);
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		if (!module_exports(extra[i]))
			fail_msg("%s is not exported", extra[i]);
	}
}

static void test_module_hides_internals(void **state)
{
	(void)state;
	assert_false(module_exports("fwd_init"));
	assert_false(module_exports("hook_job_test_before"));
	assert_false(module_exports("pb_api_symbols"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_match_slurm_tree),
	    cmocka_unit_test(test_module_exports_every_entry_point),
	    cmocka_unit_test(test_module_hides_internals),
	};

	return cmocka_run_group_tests_name("plugin_api_symbols", tests, NULL,
					   NULL);
}
