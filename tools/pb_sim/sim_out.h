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

#include "policy/error.h"
#include "sim_draw.h"
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
	/* the true-draw rule (NULL: jobs draw their load's watts) */
	const struct sim_draw_rule *draw;
	const char *draw_cdf;  /* its CDF file, as shown */
	double span_s;	       /* arrival span */
	uint32_t ncls;	       /* job classes in the trace */
	double floor_w, eff_w; /* site floor, efficient limit (W per GPU) */
	double learned_after; /* s, LearnedDrawAfter= of the learned policies */
};

/*
 * Upper bounds on work within the arrival span (full-speed GPU-hours):
 * every node busy all the span, and as many as the facility IT cap
 * (min(cap / PUE, cooling), no reserve) feeds at the jobs' mean true node
 * draw at full speed.
 */
double sim_out_bound_nodes(const struct sim_report *rep);
double sim_out_bound_power(const struct sim_report *rep);

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
int sim_out_plot(const char *png, const struct sim_report *rep,
		 pb_error_t *err);

/* Progress on stderr, at most a few updates a second. */
struct sim_progress {
	int on;
	double last;
};
void sim_progress_cb(void *arg, const char *policy, uint32_t done,
		     uint32_t total, double t);
void sim_progress_end(struct sim_progress *p);

#endif
