/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger as a status file an admin (and pb-status) can read without a
 * debugger: per domain cap, limit, committed, headroom and reserved watts;
 * per node its domain, power state and draw; running jobs with their watts
 * and nodes; jobs held back by power with their reason.
 *
 * The hot path only marks the ledger dirty; a thread of this module takes
 * slurmctld's read locks at most once a second, renders the records in
* memory, drops the locks, and only then writes the file (write to a
 * temporary file and rename, so readers never see half a file).
 */
#ifndef PB_PLUGIN_STATUS_H
#define PB_PLUGIN_STATUS_H

#include "plugin/model.h"

/* Default file name, in StateSaveLocation, when the config names none. */
#define STATUS_DEFAULT_NAME "power_budget.status"

/* Starts the writer thread. */
extern void status_start(void);

/* Stops and joins it (no lock of slurmctld may be held by the caller). */
extern void status_stop(void);

/*
 * A job was held back by power: put back the reasons slurmctld overwrites
 * as soon as its scheduler releases the job lock. Hot path safe.
 */
extern void status_kick_reasons(void);

/* The ledger changed: rewrite the file soon. Cheap; hot path safe. */
extern void status_mark_dirty(void);

/*
 * Renders @m as Slurm-style Key=Value records, one per line (xmalloc'd, caller xfrees). Needs slurmctld's job and
 * node read locks (or stronger) for a consistent view.
 */
extern char *status_render(const model_t *m);

/* Where the status file goes for @m (xmalloc'd). */
extern char *status_path(const model_t *m);

#endif
