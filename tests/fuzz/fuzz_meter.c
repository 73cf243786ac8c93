/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target for the meter file reader: any bytes must give
 * readings or messages, never a crash, a sanitizer report or a leak; what
 * parses must also resolve against a small site. */
#include <stddef.h>
#include <stdint.h>

#include "policy/site.h"
#include "topology/meter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pb_site_t *_site(void)
{
	static pb_site_t *site;
	pb_class_spec_t c = {.name = "c", .cores = 4, .base_w = 100};
	pb_error_t err;

	if (site)
		return site;
	site = pb_site_create();
	if (!site || pb_site_add_class(site, &c, &err) < 0 ||
	    pb_site_add_domain(site, "site", -1, 10000, &err) < 0 ||
	    pb_site_add_domain(site, "rack", 0, 5000, &err) < 0 ||
	    pb_site_add_node(site, "n1", 0, 1, &err) < 0 ||
	    pb_site_add_node(site, "n2", 0, 1, &err) < 0 ||
	    pb_site_finalize(site, &err)) {
		pb_site_destroy(site);
		site = NULL;
	}
	return site;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_diag_t *d = pb_diag_create();
	pb_site_t *site = _site();
	pb_meter_t m;
	pb_watts_t node_w[2], dom_w[2];

	if (!d || !site) {
		pb_diag_destroy(d);
		return 0;
	}
	if (pb_meter_parse("fuzz", (const char *)data, size, &m, d) == 0) {
		pb_meter_resolve(&m, "fuzz", site, node_w, dom_w, d);
		pb_meter_free(&m);
	}
	for (size_t i = 0; i < pb_diag_count(d); i++)
		(void)pb_diag_text(d, i);
	pb_diag_destroy(d);
	return 0;
}
