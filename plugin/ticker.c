/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The background thread (see ticker.h).
 */
#include "config.h"

#include <stdbool.h>
#include <time.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/slurmctld/locks.h"
#include "src/slurmctld/slurmctld.h"

#include "plugin/compat.h"
#include "plugin/curtail.h"
#include "plugin/hooks.h"
#include "plugin/kick.h"
#include "plugin/learned.h"
#include "plugin/measured.h"
#include "plugin/status.h"
#include "plugin/ticker.h"

static pthread_t tid;
static bool running;

/*
 * Kicks can run the loop many times a second; a curtailment needs the
 * write locks of the whole scheduler, so once a second is its pace.
 */
static bool _curtail_due(void)
{
	static time_t at;

	if (time(NULL) == at)
		return false;
	at = time(NULL);
	curtail_read();
	return curtail_busy();
}

static void _curtail(void)
{
	/* what job_suspend() and job_requeue() need, as their RPCs take */
	slurmctld_lock_t shed_lock = {
	    .job = WRITE_LOCK, .node = WRITE_LOCK, .fed = READ_LOCK};

	lock_slurmctld(shed_lock);
	hook_curtail();
	unlock_slurmctld(shed_lock);
	curtail_save();
}

/* Render under read locks; write the files after dropping them. */
static void _write_status(time_t *last_write)
{
	slurmctld_lock_t read_lock = {
	    .conf = READ_LOCK, .job = READ_LOCK, .node = READ_LOCK};
	char *text = NULL, *path = NULL, *learned_text;

	lock_slurmctld(read_lock);
	hook_status_snapshot(&text, &path);
	learned_text = learned_snapshot();
	unlock_slurmctld(read_lock);
	learned_save(learned_text);
	if (text && path) {
		status_write(path, text);
		*last_write = time(NULL);
	}
	xfree(text);
	xfree(path);
}

static void *_thread(void *arg)
{
	slurmctld_lock_t write_lock = {.job = WRITE_LOCK, .node = READ_LOCK};
	time_t last_write = 0;

	(void)arg;
	for (;;) {
		kick_t k = kick_wait(time(NULL) + 1);

		if (k.stop)
			break;
		/*
		 * Rewritten at least once a minute, so a reader can tell a
		 * quiet ledger from a slurmctld that stopped writing.
		 */
		if (time(NULL) - last_write >= 60)
			k.dirty = true;
		/*
		 * The main scheduler resets the reason of the last job it
		 * tried after job_test returns. Kicked when a job is held, this
		 * thread waits here for the scheduler to release its locks and
		 * puts the reason back at once; otherwise once a second.
		 */
		measured_read(); /* file I/O, before the locks */
		lock_slurmctld(write_lock);
		if (hook_tick())
			k.dirty = true;
		unlock_slurmctld(write_lock);
		if (_curtail_due()) {
			_curtail();
			k.dirty = true;
		}
		if (k.dirty)
			_write_status(&last_write);
	}
	return NULL;
}

extern void ticker_start(void)
{
	if (running)
		return;
	running = true;
	kick_reset();
	pb_thread_create("pb_status", &tid, _thread, NULL);
}

extern void ticker_stop(void)
{
	if (!running)
		return;
	kick_stop();
	pb_thread_join(tid);
	running = false;
}
