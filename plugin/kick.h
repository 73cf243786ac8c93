/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the hot path asks of the background thread (ticker.c): the ledger
 * changed, so rewrite the status file soon; or a job was held back by
 * power, so put its reason back as soon as the scheduler lets go of the
 * job lock. Setting a flag and signalling a condition: hot path safe. A
 * leaf: it calls no other file of the plugin.
 */
#ifndef PB_PLUGIN_KICK_H
#define PB_PLUGIN_KICK_H

#include <stdbool.h>
#include <time.h>

/* The ledger changed: rewrite the status file soon. */
extern void kick_dirty(void);

/* A job was held back by power: restore reasons now (and rewrite). */
extern void kick_reasons(void);

/* What the thread was asked since it last looked. */
typedef struct {
	bool dirty; /* rewrite the status file */
	bool stop;  /* leave the loop */
} kick_t;

/*
 * The thread's side: waits until kicked for reasons, stopped, or @until
 * (epoch s); takes and clears what was asked.
 */
extern kick_t kick_wait(time_t until);

/* A new thread is about to wait: nothing stopped, the file is due. */
extern void kick_reset(void);

/* Wakes the waiting thread for good. */
extern void kick_stop(void);

#endif
