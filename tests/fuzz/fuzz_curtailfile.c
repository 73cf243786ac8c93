/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the curtailment request reader: any bytes must
 * give a request or messages, never a crash, a sanitizer report or a
 * leak (also read as a list of shed jobs); a request that parses renders back
 * into one that parses to the same values (the target in whole watts, rounded
 * down). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topology/curtailfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_diag_t *d = pb_diag_create();
	pb_curtail_req_t r, back;
	pb_curtail_shed_t shed[8];
	char buf[512];
	size_t n;

	if (!d)
		return 0;
	if (pb_curtail_parse((const char *)data, size, "fuzz", &r, d) == 0 &&
	    pb_curtail_render(&r, buf, sizeof(buf)) == 0) {
		/* a name with blanks cannot come back: pb_check_name refuses */
		if (pb_curtail_parse(buf, strlen(buf), "back", &back, d) ||
		    back.issued != r.issued || back.deadline != r.deadline ||
		    back.until != r.until || strcmp(back.domain, r.domain) ||
		    back.target_w != floor(r.target_w))
			abort();
	}
	/* the same bytes as the plugin's list of shed jobs */
	(void)pb_curtail_shed_parse((const char *)data, size, "fuzz", shed, 8,
				    &n, d);
	for (size_t i = 0; i < pb_diag_count(d); i++)
		(void)pb_diag_text(d, i);
	pb_diag_destroy(d);
	return 0;
}
