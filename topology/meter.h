/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * meter.h - the meter file: what a site's PDU, breaker or BMC collector
 * measured, for the power budget to check its model against.  One
 * reading set with its time, per domain and per node, in IT watts:
 *
 *   # written by the site's collector every few seconds
 *   Time=1796159244              # Unix seconds the readings were taken
 *   Domain=rack07 Watts=31.2kW
 *   Node=gpu00012 Watts=9.8kW
 *
 * The reader only parses (names stay names: the site they resolve
 * against may change under the caller); pb_meter_resolve maps them.
 * A file with any error is refused as a whole (the caller then trusts
 * the model alone), every error as "file:line: message".
 */
#ifndef PB_TOPOLOGY_METER_H
#define PB_TOPOLOGY_METER_H

#include <stddef.h>
#include <stdint.h>

#include "policy/site.h"
#include "topology/diag.h"

/* At most this many readings in one file: far above 62,500 nodes. */
#define PB_METER_MAX_READINGS 1000000

typedef struct {
	char name[64];
	int line;
	uint8_t is_node; /* 0: Domain=, 1: Node= */
	pb_watts_t watts;
} pb_meter_reading_t;

typedef struct {
	int64_t time; /* Unix seconds */
	pb_meter_reading_t *readings;
	size_t n;
} pb_meter_t;

/*
 * Parse buf[0..len) labelled file.  Returns 0 with *out filled (free with
 * pb_meter_free), or -1 with every problem in d and *out empty.  A file
 * needs Time= once; each reading names one domain or node, at most once.
 */
extern int pb_meter_parse(const char *file, const char *buf, size_t len,
			  pb_meter_t *out, pb_diag_t *d);

extern void pb_meter_free(pb_meter_t *m);

/*
 * The readings as arrays over site: node_w[nodes] and dom_w[domains], -1
 * where there is no reading.  A name the site does not have is reported
 * as an error in d (its reading is left out; the others stand).  Returns
 * the number of readings used.
 */
extern size_t pb_meter_resolve(const pb_meter_t *m, const char *file,
			       const pb_site_t *site, pb_watts_t *node_w,
			       pb_watts_t *dom_w, pb_diag_t *d);

#endif
