/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_draw: what each job's GPUs really draw, uncapped.  A per-GPU power
 * CDF measured on a real site (AcmeTrace's A100 clusters: DCGM samples
 * over GPU-time, idle GPUs included) is read as percentile,watts rows;
 * each job class gets one level drawn from it, each run a jitter around
 * its class's level, and the watts are mapped from the measured GPU's
 * board onto the simulated one.  Deterministic: the draws are hashes of
 * the seed and the class key or the trace row, not a sequence, so they do
 * not depend on the order jobs are read or run in.
 *
 * Rules (what part of the CDF a job's level comes from):
 *   all   the whole CDF.  It includes unallocated idle GPUs, so most
 *         "jobs" come out near idle: this flatters any policy that
 *         charges or limits by draw, and is reported only to show how
 *         much.
 *   busy  the CDF above busy_w (default 150 W on A100, above the idle
 *         mode at 55-120 W): GPUs that are doing work.  The default.
 * Board mapping (linear): a watts on the measured GPU (idle src_idle_w,
 * board src_max_w) become gpu_idle + (a - src_idle) / (src_max -
 * src_idle) x (gpu_max - gpu_idle) on the simulated one, clamped to
 * [gpu_idle, gpu_max] (samples above the A100's 400 W board limit are
 * transients the simulated board's own limit clips).
 * Per run: level x (1 + jitter x (2u - 1)), u uniform in [0, 1), clamped
 * the same way.
 */
#ifndef PB_SIM_DRAW_H
#define PB_SIM_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "policy/error.h"
#include "sim_site.h"
#include "sim_trace.h"

struct sim_cdf {
	double *pct, *w; /* ascending */
	size_t n;
};

/*
 * Read "percentile,watts" rows (a header line, percentiles 0..100
 * ascending, watts non-decreasing).  Returns 0, or -1 with "file:line:
 * message" in err.
 */
int sim_cdf_parse(const char *text, const char *name, struct sim_cdf *c,
		  pb_error_t *err);
int sim_cdf_load(const char *path, struct sim_cdf *c, pb_error_t *err);
void sim_cdf_free(struct sim_cdf *c);

/* Watts at percentile p (linear between rows); percentile of watts w. */
double sim_cdf_watts(const struct sim_cdf *c, double p);
double sim_cdf_pct(const struct sim_cdf *c, double w);

enum sim_draw_kind { SIM_DRAW_BUSY, SIM_DRAW_ALL };

struct sim_draw_rule {
	enum sim_draw_kind kind;
	double busy_w;		      /* busy: levels above this (source W) */
	double src_idle_w, src_max_w; /* the measured GPU's board */
	double jitter;		      /* per-run relative spread */
	uint64_t seed;
	/* filled by sim_draw_apply */
	double busy_pct;    /* percentile of busy_w in the CDF */
	double mean_gpu_w;  /* per-GPU draw, GPU-seconds weighted */
	double mean_node_w; /* node draw of the jobs, node-seconds weighted */
};

/*
 * Set every job's draw_w by the rule, for site s.  Returns 0, or -1 (the
 * rule leaves no part of the CDF, e.g. busy_w above its highest watts).
 */
int sim_draw_apply(const struct sim_cdf *c, struct sim_draw_rule *r,
		   const struct sim_site *s, struct sim_trace *t);

/* A uniform draw in [0, 1) from (seed, key): the rule's hash. */
double sim_draw_u01(uint64_t seed, const char *key, uint64_t salt);

#endif
