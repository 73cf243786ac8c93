/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_out: what pb-sim shows and writes -- the terminal table, the JSON
 * result file and the gnuplot PNG of facility power against the cap -- and
 * the progress line on stderr.  Formatting only; no simulation here.
 */
#ifndef PB_SIM_OUT_H
#define PB_SIM_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "sim_engine.h"
#include "sim_site.h"
#include "sim_trace.h"

struct sim_report {
	const char *trace; /* file name as shown (basename) */
	const struct sim_site *site;
	const struct sim_mapping *map;
	uint64_t seed;
	int power_save;
	const struct sim_result *res;
	size_t nres;
};

void sim_out_table(FILE *f, const struct sim_report *rep);

/*
 * JSON with fixed key order and number formats: the same inputs give the
 * same bytes.  Wall-clock figures (not reproducible) are written only when
 * timing is set, in a separate "timing" object.  Returns 0 or -1 (I/O).
 */
int sim_out_json(FILE *f, const struct sim_report *rep, int timing);

/*
 * Render facility power against the cap to a PNG with gnuplot.  Returns 0,
 * or -1 with a message in err (gnuplot missing or failing).
 */
int sim_out_plot(const char *png, const struct sim_report *rep, char *err,
		 size_t errlen);

/* Progress on stderr, at most a few updates a second. */
struct sim_progress {
	int on;
	double last;
};
void sim_progress_cb(void *arg, const char *policy, uint32_t done,
		     uint32_t total, double t);
void sim_progress_end(struct sim_progress *p);

#endif
