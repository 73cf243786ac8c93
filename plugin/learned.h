/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learned draw inside slurmctld (LearnedDraw=yes): what each class of jobs
 * (same user and job name, or the site tag --comment=pb_class=TAG) drew
 * per GPU in its past runs, from node readings (MeterFile= Node= lines,
 * slurmctld's node energy data), and the watts its next run is charged
 * and held to as an enforced GPU limit (policy/learn.h). The table
 * outlives reconfigures and restarts in StateSaveLocation; it is an
 * estimate, never the ledger. Called under slurmctld's locks, except
 * learned_save which writes the file.
 */
#ifndef PB_PLUGIN_LEARNED_H
#define PB_PLUGIN_LEARNED_H

#include "src/slurmctld/slurmctld.h"

#include "plugin/model.h"

/* The tag of a site-chosen class in --comment. */
#define LEARNED_CLASS_TAG "pb_class="

/* slurmctld start: the saved table from @dir, or an empty one. */
extern void learned_init(const char *dir);
extern void learned_fini(void);

/*
 * The learned per-GPU watts for pending @job, if LearnedDraw=yes and its
 * class has an estimate: 0 otherwise (the caller then charges full draw).
 * Held only where a GPU limit is enforced.
 */
extern pb_watts_t learned_hint(const model_t *m, job_record_t *job);

/*
 * Once a second, with node readings @node_w (site nodes, -1: none): add
 * what every running job's GPUs draw on nodes whose GPUs it holds all
 * of; a run's observation is the mean of these samples, taken once it
 * has LearnedDrawAfter= of them (or at its end, if that comes first).
 * @read_at is when the oldest reading was taken: a job that started at
 * or after it is not in them, and is not sampled.
 */
extern void learned_sample(const model_t *m, const pb_watts_t *node_w,
			   time_t read_at);

/*
 * @job ends: its mean per-GPU draw becomes an observation of its class,
 * unless it was observed while it ran.
 */
extern void learned_job_ended(const model_t *m, job_record_t *job, time_t now);

/*
 * Status thread: under the read locks take a snapshot of the table if it
 * changed (learned_snapshot, xmalloc'd or NULL), then write it without
 * them (learned_save, which frees it).
 */
extern char *learned_snapshot(void);
extern void learned_save(char *text);

#endif
