/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What job_test costs, per mode, split into the time cons_tres takes and
 * the rest (the power policy): the wrapper's overhead measured inside
 * slurmctld on its real workload, apart from everything else a
 * scheduling cycle does. Wall clock and the thread's CPU time both: on a
 * shared host the wall clock also counts the time the thread waited for
 * a core. And the thread's context switches, which say why the wall
 * clock ran ahead of the CPU: a voluntary one is the thread blocking (a
 * lock, I/O), an involuntary one a core taken from it. Shown as JobTest=
 * records in the status file. Called under slurmctld's job write lock
 * (the counters need no lock of their own); two clock reads and a
 * getrusage a mark, no allocation. A leaf.
 */
#ifndef PB_PLUGIN_JOBCOST_H
#define PB_PLUGIN_JOBCOST_H

#include <stdint.h>

typedef struct {
	uint64_t wall_ns, cpu_ns;
	uint64_t vcsw, ivcsw; /* the thread's voluntary, involuntary switches */
} jobcost_mark_t;

/* Now, to measure from. */
extern jobcost_mark_t jobcost_mark(void);

/* A job_test in @base_mode (SELECT_MODE_BASE bits) begins: now. */
extern jobcost_mark_t jobcost_begin(uint16_t base_mode);

/* The job_test begun at @since has returned. */
extern void jobcost_end(jobcost_mark_t since);

/* cons_tres, called at @since inside the job_test under way, returned. */
extern void jobcost_cons_tres(jobcost_mark_t since);

/* Append one JobTest= line per mode to *text (xmalloc'd). */
extern void jobcost_append(char **text);

#endif /* PB_PLUGIN_JOBCOST_H */
