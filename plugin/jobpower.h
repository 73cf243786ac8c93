/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a Slurm job asks of the power model: its per-node share (GPUs,
 * cores, per-GPU watt hint) before nodes are chosen, and its exact
 * allocation once cons_tres has chosen or the job runs. The only place
 * that reads a job's GRES and job_resources for power.
 */
#ifndef PB_PLUGIN_JOBPOWER_H
#define PB_PLUGIN_JOBPOWER_H

#include "src/slurmctld/slurmctld.h"

#include "policy/ledger.h"
#include "policy/place.h"
#include "plugin/model.h"

/* The tag a user writes in --comment to declare a per-GPU draw. */
#define JOBPOWER_HINT_TAG "pb_gpu_watts="

/*
 * What a started job was modelled at, in its SPANK job environment: the
 * prolog on the nodes reads it (as SPANK_POWERBUDGET_GPU_WATTS) to set
 * the GPU power limit, and the ledger reads it back after a restart, so a
 * comment changed while the job runs changes neither. JOBPOWER_ENV_RECORD
 * marks a record (also one without watts: full draw). A user can put
 * SPANK_ entries into a job too (SLURM_SPANK_* at submit), so every start
 * drops all SPANK_POWERBUDGET_* entries and writes the record anew; only
 * a job already running when the plugin was first installed could carry
 * one nobody checked.
 */
#define JOBPOWER_ENV_PREFIX "SPANK_POWERBUDGET_"
#define JOBPOWER_ENV_WATTS JOBPOWER_ENV_PREFIX "GPU_WATTS="
#define JOBPOWER_ENV_SCOPE JOBPOWER_ENV_PREFIX "HINT_SCOPE="
#define JOBPOWER_ENV_RECORD JOBPOWER_ENV_PREFIX "RECORDED="
#define JOBPOWER_ENV_CHOSEN JOBPOWER_ENV_PREFIX "CHOSEN="

/*
 * The per-node request of @job for @nnodes nodes, as placement needs it:
 * GPUs per node from the GPU GRES request (per node, or per job spread
 * over the nodes, or per task), cores per node from the CPU request (all
 * of them for whole-node jobs), the watt hint if the site honours hints,
 * and the job's lifetime from @now. Estimates round up.
 */
extern void jobpower_request(const model_t *m, job_record_t *job,
			     uint32_t nnodes, int64_t now, pb_place_req_t *out);

/*
 * The allocation of @job on the Slurm node set @bitmap, in m->alloc_buf
 * (valid until the next call): exact GPU and CPU counts where Slurm has
 * them (GRES allocated or selected per node, job_resources' CPUs), the
 * estimate of jobpower_request() otherwise. Nodes outside the budget are
 * skipped and counted in the return value: 0 when every node is known.
 */
extern int jobpower_alloc(model_t *m, job_record_t *job, bitstr_t *bitmap,
			  pb_alloc_t *out);

/* Expected end of @job as the ledger wants it (PB_TIME_NEVER if none). */
extern int64_t jobpower_end(job_record_t *job, int64_t start);

/* Its time limit in seconds, or PB_TIME_NEVER. */
extern int64_t jobpower_duration(job_record_t *job);

/*
 * The per-GPU watt hint that applies to @job, and in *scope where it
 * holds: the job's own (its comment carries JOBPOWER_HINT_TAG<watts>) if
 * the site takes users' word for it (UserWattHints=yes: everywhere;
 * =enforced: on GpuLimitEnforced classes only), raised to the site's
 * floor; else its partition's GpuWattHint, set by the site (everywhere);
 * else 0 (full draw). The model clamps any hint to the GPU's
 * [MinCapW, MaxW]. @scope may be NULL.
 */
extern pb_watts_t jobpower_hint(const model_t *m, job_record_t *job,
				pb_hint_scope_t *scope);

/*
 * At the start of @job (job_begin, before the prolog is launched): record
 * the hint it is modelled at in its SPANK job environment, replacing any
 * earlier record (a requeued job starts anew); without a hint the record
 * says full draw. @chosen_w > 0 is a limit the scheduler chose for it
 * (limits.h): recorded as an enforced hint, and marked as chosen.
 * From then on jobpower_hint() answers from the record.
 */
extern void jobpower_record_hint(const model_t *m, job_record_t *job,
				 pb_watts_t chosen_w);

#endif
