/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's background thread in slurmctld. Once a second, or at once
 * when kicked (kick.h), it reads meter files off the locks, lets the hooks
 * put back reasons and apply readings under the job write lock, runs a
 * curtailment's work at most once a second under the locks suspend and
 * requeue need, and, when the ledger changed, renders the status under
 * read locks and writes it (and the learned draw) after dropping them.
 * File I/O happens here, never on the scheduling hot path.
 */
#ifndef PB_PLUGIN_TICKER_H
#define PB_PLUGIN_TICKER_H

/* Starts the thread (after hook_init). */
extern void ticker_start(void);

/* Stops and joins it (before hook_fini; no slurmctld lock held). */
extern void ticker_stop(void);

#endif
