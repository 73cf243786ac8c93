/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of power-held jobs and their reasons (see reasons.h). Called
 * under slurmctld's job write lock; fixed size, no allocation but the
 * state_desc strings Slurm itself owns and frees.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/compat.h"
#include "plugin/reasons.h"

#define REASONS_MAX 256
#define REASON_DESC_MAX 160

typedef struct {
	uint32_t job_id; /* 0: free slot */
	bool reserved;
	char desc[REASON_DESC_MAX];
} reason_t;

/*
 * slurmctld's, and only slurmctld has it: every client command loads this
 * plugin too, and a strong reference would make dlopen fail there.
 */
extern time_t last_job_update __attribute__((weak));

static reason_t reasons[REASONS_MAX];
static int next_victim;

/*
 * The code beside the description: Slurm's own PowerNotAvail and
 * PowerReserved where the release has them; since 24.05, Resources, what
 * slurmctld itself gives a job waiting for a start. squeue's %R and
 * scontrol's Reason= print the description in either case.
 */
static enum job_state_reason _code(const reason_t *r)
{
#if PB_HAVE_WAIT_POWER
	return r->reserved ? WAIT_POWER_RESERVED : WAIT_POWER_NOT_AVAIL;
#else
	(void)r;
	return WAIT_RESOURCES;
#endif
}

static void _apply(job_record_t *job, const reason_t *r)
{
	enum job_state_reason code = _code(r);

	if (job->state_reason == code && !xstrcmp(job->state_desc, r->desc))
		return;
	job->state_reason = code;
	xfree(job->state_desc);
	job->state_desc = xstrdup(r->desc);
	if (&last_job_update) /* tell squeue the job table changed */
		last_job_update = time(NULL);
}

static reason_t *_find(uint32_t job_id)
{
	for (int i = 0; i < REASONS_MAX; i++) {
		if (reasons[i].job_id == job_id)
			return &reasons[i];
	}
	return NULL;
}

extern void reasons_set(job_record_t *job, bool reserved, const char *desc)
{
	reason_t *r = _find(job->job_id);

	if (!r)
		r = _find(0);
	if (!r) {
		r = &reasons[next_victim];
		next_victim = (next_victim + 1) % REASONS_MAX;
	}
	r->job_id = job->job_id;
	r->reserved = reserved;
	strlcpy(r->desc, desc, sizeof(r->desc));
	_apply(job, r);
}

/*
 * Only reasons slurmctld sets while a job simply waits are replaced: a
 * job held by a user, a dependency or a limit keeps that reason.
 */
static bool _overwritable(job_record_t *job)
{
	switch (job->state_reason) {
	case WAIT_NO_REASON:
	case WAIT_RESOURCES:
	case WAIT_PRIORITY:
#if PB_HAVE_WAIT_POWER
	case WAIT_POWER_NOT_AVAIL:
	case WAIT_POWER_RESERVED:
#endif
		return true;
	default:
		return false;
	}
}

extern void reasons_restore(void)
{
	for (int i = 0; i < REASONS_MAX; i++) {
		job_record_t *job;

		if (!reasons[i].job_id)
			continue;
		job = find_job_record(reasons[i].job_id);
		if (!job || !IS_JOB_PENDING(job)) {
			reasons[i].job_id = 0;
			continue;
		}
		if (_overwritable(job))
			_apply(job, &reasons[i]);
	}
}

extern void reasons_drop(uint32_t job_id)
{
	reason_t *r;

	if (!job_id)
		return;
	r = _find(job_id);
	if (r)
		r->job_id = 0;
}

extern int reasons_count(void)
{
	int n = 0;

	for (int i = 0; i < REASONS_MAX; i++)
		n += reasons[i].job_id != 0;
	return n;
}

extern int reasons_get(int i, uint32_t *job_id, const char **desc)
{
	for (int k = 0; k < REASONS_MAX; k++) {
		if (!reasons[k].job_id || i--)
			continue;
		*job_id = reasons[k].job_id;
		*desc = reasons[k].desc;
		return 0;
	}
	return -1;
}

extern void reasons_clear(void)
{
	memset(reasons, 0, sizeof(reasons));
}
