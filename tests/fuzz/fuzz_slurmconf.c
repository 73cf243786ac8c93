/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: any bytes must give a result or messages, never a
 * crash, a sanitizer report or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "topology/slurmconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_diag_t *d = pb_diag_create();
	pb_slurmconf_t *out = NULL;

	if (!d)
		return 0;
	pb_slurmconf_parse_buffer("fuzz", (const char *)data, size, &out, d);
	for (size_t i = 0; i < pb_diag_count(d); i++)
		(void)pb_diag_text(d, i);
	pb_slurmconf_destroy(out);
	pb_diag_destroy(d);
	return 0;
}
