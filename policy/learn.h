/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The learned-draw table: what a class of jobs has really drawn per GPU
 * in its past runs, and the per-GPU watts the scheduler may charge (and
 * enforce as a GPU power limit) for its next run.  Pure C11: no clock
 * (times are parameters), no I/O (the state file is formatted into a
 * caller's buffer or callback and parsed from a caller's buffer).
 *
 * A class is a key string the caller chooses ("user/jobname", a site tag,
 * a trace's job shape): 1 to PB_LEARN_KEY_MAX - 1 bytes, each printable
 * ASCII other than space (0x21..0x7e), so a key is one word of the state
 * file.  A caller with other names maps them (e.g. spaces to '_').
 *
 * Bounds.  A class keeps its last max_runs observations (a ring: a new
 * run pushes out its oldest); the table keeps at most max_classes classes,
 * and observing a new class in a full table evicts the class observed
 * least recently (smallest last-observation time, ties to the one
 * observed earlier in call order).  Estimates do not count as use: a
 * class nobody runs any more ages out however often it is looked up.
 *
 * The estimate of a class with at least min_runs observations is
 *   ceil(q * (100 + margin_pct) / 100),
 * q the nearest-rank percentile-th percentile of its observations,
 * clamped by the caller's [lo_w, hi_w].  Defaults: p95 and 10%.  The
 * percentile keeps one unusual run from setting the level, p95 of 32 runs
 * being the second highest; the margin is there because the figure is
 * enforced as a limit: a run that draws more than the estimate is slowed,
 * not the budget broken (the node holds the limit), and under the fitted
 * speed curve (gpulimit.h) a run 10% above its limit loses 1.3% of its
 * speed, while every further 10% of margin costs 10% of the watts
 * charged.  10% covers the run-to-run spread of a repeated job and the
 * part of a run above its mean that an average-over-the-run observation
 * hides.
 *
 * Observations are what the node measured (the job's mean per-GPU draw
 * over its run, from energy counters), which under an enforced limit is
 * at most that limit: a class whose limit was too low learns a figure no
 * higher than the limit, so callers charge a first run (no estimate yet)
 * at the board limit.
 */
#ifndef PB_POLICY_LEARN_H
#define PB_POLICY_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "policy/error.h"
#include "policy/power.h"

#define PB_LEARN_KEY_MAX 128	     /* bytes of a key, with its NUL */
#define PB_LEARN_RUNS_MAX 1024	     /* highest max_runs */
#define PB_LEARN_CLASSES_MAX 1000000 /* highest max_classes */
#define PB_LEARN_W_MAX 100000	     /* highest per-GPU watts observed */

typedef struct pb_learn pb_learn_t;

typedef struct pb_learn_params {
	uint32_t max_classes; /* 1..PB_LEARN_CLASSES_MAX; default 4096 */
	uint32_t max_runs;    /* 1..PB_LEARN_RUNS_MAX; default 32 */
	uint32_t percentile;  /* 1..100; default 95 */
	uint32_t margin_pct;  /* 0..1000; default 10 */
	uint32_t min_runs;    /* 1..max_runs; default 1 */
} pb_learn_params_t;

/* The defaults above. */
void pb_learn_params_default(pb_learn_params_t *p);

/*
 * An empty table with parameters p (NULL: the defaults).  Returns NULL
 * with a message in err for parameters out of range, or out of memory
 * (errno ENOMEM).  The table's memory is allocated as classes are added.
 */
pb_learn_t *pb_learn_create(const pb_learn_params_t *p, pb_error_t *err);

/* NULL-safe. */
void pb_learn_destroy(pb_learn_t *t);

/* The table's parameters. */
const pb_learn_params_t *pb_learn_params(const pb_learn_t *t);

/*
 * Record one run of class key that drew draw_w per GPU (1..PB_LEARN_W_MAX),
 * observed at time now (seconds, any epoch; used for eviction and saved).
 * Returns 0, or -1 with errno EINVAL (bad key or watts) or ENOMEM; the
 * table is unchanged on failure.
 */
int pb_learn_observe(pb_learn_t *t, const char *key, pb_watts_t draw_w,
		     int64_t now);

/*
 * The estimate for class key (above), clamped to [lo_w, hi_w] (hi_w <= 0:
 * no upper clamp).  Returns 0 with *watts set, or 1 (*watts untouched)
 * when the class is unknown or has fewer than min_runs observations.
 * No side effects.
 */
int pb_learn_estimate(const pb_learn_t *t, const char *key, pb_watts_t lo_w,
		      pb_watts_t hi_w, pb_watts_t *watts);

/* Observations kept for key (0 if unknown). */
uint32_t pb_learn_runs(const pb_learn_t *t, const char *key);

/* Classes in the table. */
uint32_t pb_learn_count(const pb_learn_t *t);

/*
 * The state file, text, one line each:
 *   pb-learn 1                      (first line that is not a comment)
 *   class KEY LAST N W1 ... WN      (N >= 1 observations, oldest first;
 *                                    LAST the last observation's time)
 *   end COUNT                       (last line: COUNT class lines)
 * Blank lines and lines starting with '#' are ignored.  Classes are
 * written least recently observed first, so parsing what was formatted
 * gives the same table, eviction order included.
 *
 * pb_learn_format calls write(arg, text, len) with consecutive pieces of
 * the file; a non-zero return stops it and is returned.  Returns 0.
 */
typedef int (*pb_learn_write_fn)(void *arg, const char *text, size_t len);
int pb_learn_format(const pb_learn_t *t, pb_learn_write_fn write, void *arg);

/*
 * The same into buf[0..size) like snprintf: always NUL-terminated when
 * size > 0; returns the length of the whole text (excluding the NUL),
 * which is >= size when it was truncated.
 */
size_t pb_learn_format_buf(const pb_learn_t *t, char *buf, size_t size);

/*
 * A new table with parameters p (NULL: defaults) holding the state in
 * buf[0..len) (need not be NUL-terminated).  The file is taken whole or
 * not at all: any malformed line, a repeated class, watts or counts out
 * of range, a NUL byte, or a missing or wrong end line (a truncated
 * write) gives NULL with "line N: message" in err (errno EINVAL; ENOMEM
 * when out of memory).  A file saved under larger bounds than p's is not
 * corrupt: a class keeps its newest max_runs observations and the table
 * its max_classes most recently observed classes.
 */
pb_learn_t *pb_learn_parse(const pb_learn_params_t *p, const char *buf,
			   size_t len, pb_error_t *err);

#endif /* PB_POLICY_LEARN_H */
