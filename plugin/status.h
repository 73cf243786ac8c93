/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ledger as a status file an admin (and pb-status) can read without a
 * debugger: per domain cap, limit, committed, headroom and reserved watts;
 * per node its domain, power state and draw; running jobs with their watts
 * and nodes; jobs held back by power with their reason.
 *
 * Rendering and writing only: the hot path marks the ledger dirty
 * (kick.h), and the background thread (ticker.h) renders the records
 * under slurmctld's read locks at most once a second, drops the locks,
 * and only then writes the file.
 */
#ifndef PB_PLUGIN_STATUS_H
#define PB_PLUGIN_STATUS_H

#include "plugin/model.h"

/* Default file name, in StateSaveLocation, when the config names none. */
#define STATUS_DEFAULT_NAME "power_budget.status"

/*
 * Renders @m as Slurm-style Key=Value records, one per line (xmalloc'd,
 * caller xfrees). Needs slurmctld's job and node read locks (or stronger)
 * for a consistent view.
 */
extern char *status_render(const model_t *m);

/* Where the status file goes for @m (xmalloc'd). */
extern char *status_path(const model_t *m);

/*
 * Writes @text to @path through a temporary file and a rename, so readers
 * never see half a file. File I/O: call with no slurmctld lock held.
 */
extern void status_write(const char *path, const char *text);

#endif
