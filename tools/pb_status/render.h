/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.h - the two views of a parsed status file: the human table (the
 * domain tree with humanised watts, then the jobs held by power) and JSON
 * (the same content, raw watts, stable key order, for scripts).
 */
#ifndef PB_TOOLS_RENDER_H
#define PB_TOOLS_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "tools/pb_status/status.h"

typedef struct {
	long focus;	 /* domain whose subtree is shown; the root if -1 */
	unsigned depth;	 /* tree levels below the focus shown; 0 = all */
	unsigned top;	 /* largest holders listed per domain */
	int64_t now;	 /* for the age of the file */
	int64_t max_age; /* older than this is stale; 0 = never */
} pb_render_opts_t;

/* True when the file is older than opts->max_age. */
extern bool pb_render_stale(const pb_status_t *s, const pb_render_opts_t *o);

/* Writes the table / the JSON document to out; 0, or -1 on write error. */
extern int pb_render_table(const pb_status_t *s, const pb_render_opts_t *o,
			   FILE *out);
extern int pb_render_json(const pb_status_t *s, const pb_render_opts_t *o,
			  FILE *out);

/*
 * Watts for humans in at most 3 significant digits: "350 W", "12.4 kW",
 * "100 MW", "-3.2 kW" (headroom is negative after a cap cut); caps of
 * 1 PW and more (an unlimited domain) are "unlimited".
 */
extern void pb_render_watts(int64_t w, char *buf, size_t len);

/* "42 s", "7 min", "3.5 h", "2.1 d". */
extern void pb_render_age(int64_t seconds, char *buf, size_t len);

#endif
