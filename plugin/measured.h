/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measured draw inside slurmctld: the site's meter file (MeterFile=) and
 * slurmctld's own node energy readings, turned into the unmodelled draw
 * the ledger counts (policy/measured.h), so that admission never trusts
 * the model below what is measured. The file is read by the status
 * thread without slurmctld's locks (measured_read); the readings are
 * applied under them (measured_apply). A missing, stale or bad reading
 * means the model alone, logged once until it changes.
 */
#ifndef PB_PLUGIN_MEASURED_H
#define PB_PLUGIN_MEASURED_H

#include "plugin/model.h"

/* The meter file and age rule of @m (NULL: none); under the config lock. */
extern void measured_configure(const model_t *m);

/* Status thread, no slurmctld lock held: read and parse the meter file. */
extern void measured_read(void);

/*
 * Under the job write and node read locks, once a second: set @m's
 * unmodelled draw from the last good meter file and the nodes' energy
 * readings, as fresh as MeterMaxAge allows at @now, and give the readings
 * to the learned draw. True if that changed the ledger's limits.
 */
extern bool measured_apply(model_t *m, time_t now);

/*
 * Before @job_id leaves @m's ledger: while readings are in force, its
 * modelled watts stay counted as unmodelled draw until the next
 * measured_apply, since the readings still hold its real draw.
 */
extern void measured_job_ended(model_t *m, uint32_t job_id);

/* Free what measured_read keeps. */
extern void measured_fini(void);

#endif
