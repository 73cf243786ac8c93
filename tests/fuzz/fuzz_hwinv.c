/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the hwloc XML reader: any bytes given as a node
 * class's export must give an inventory or messages, never a crash, a
 * sanitizer report or a leak. hwloc itself parses the XML; what is fuzzed
 * is our walk over whatever topology it accepts. */
#include <stddef.h>
#include <stdint.h>

#include "topology/hwinv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_diag_t *d = pb_diag_create();
	pb_hw_inv_t *inv = NULL;

	if (!d)
		return 0;
	pb_hw_load_xml_buffer("fuzz.xml", (const char *)data, size, &inv, d);
	for (size_t i = 0; i < pb_diag_count(d); i++)
		(void)pb_diag_text(d, i);
	pb_hw_destroy(inv);
	pb_diag_destroy(d);
	return 0;
}
