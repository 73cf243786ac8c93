/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: any bytes must give a learned-draw table or a
 * "line N:" message, never a crash, a sanitizer report or a leak; a table
 * that was accepted must format to text that parses to the same text. */
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/learn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_learn_params_t p;
	pb_error_t err = {{0}};
	pb_learn_t *t, *u;
	char *a, *b;
	size_t n;

	/* small bounds, so that eviction and the run ring are exercised */
	pb_learn_params_default(&p);
	p.max_classes = 8;
	p.max_runs = 4;
	t = pb_learn_parse(&p, (const char *)data, size, &err);
	if (!t) {
		if (strncmp(err.text, "line ", 5))
			abort();
		return 0;
	}
	n = pb_learn_format_buf(t, NULL, 0);
	a = malloc(n + 1);
	b = malloc(n + 1);
	if (a && b) {
		pb_learn_format_buf(t, a, n + 1);
		u = pb_learn_parse(&p, a, n, &err);
		if (!u || pb_learn_format_buf(u, b, n + 1) != n ||
		    memcmp(a, b, n))
			abort();
		pb_learn_destroy(u);
	}
	free(a);
	free(b);
	pb_learn_destroy(t);
	return 0;
}
