/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flags from the hot path to the background thread (see kick.h).
 */
#include "config.h"

#include <pthread.h>

#include "src/common/slurm_xlator.h"
#include "src/common/macros.h"

#include "plugin/kick.h"

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool dirty, restore, stopping;

extern void kick_reasons(void)
{
	slurm_mutex_lock(&mtx);
	/* Already kicked: the thread restores before it waits again. */
	if (!restore) {
		restore = true;
		pthread_cond_broadcast(&cond);
	}
	dirty = true;
	slurm_mutex_unlock(&mtx);
}

extern void kick_dirty(void)
{
	slurm_mutex_lock(&mtx);
	dirty = true;
	slurm_mutex_unlock(&mtx);
}

extern kick_t kick_wait(time_t until)
{
	struct timespec ts = {.tv_sec = until};
	kick_t k;

	slurm_mutex_lock(&mtx);
	if (!stopping && !restore)
		pthread_cond_timedwait(&cond, &mtx, &ts);
	restore = false;
	k.dirty = dirty;
	k.stop = stopping;
	dirty = false;
	slurm_mutex_unlock(&mtx);
	return k;
}

extern void kick_reset(void)
{
	slurm_mutex_lock(&mtx);
	stopping = false;
	dirty = true;
	slurm_mutex_unlock(&mtx);
}

extern void kick_stop(void)
{
	slurm_mutex_lock(&mtx);
	stopping = true;
	pthread_cond_broadcast(&cond);
	slurm_mutex_unlock(&mtx);
}
