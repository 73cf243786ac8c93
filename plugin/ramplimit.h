/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ramp limits inside slurmctld (RampLimit= on the Facility= and Domain=
 * lines, policy/ramp.h): how fast each such domain's committed power may
 * rise over a minute. A start that would rise faster waits, at most a
 * minute; while the highest-priority job it held waits, jobs it outranks
 * wait behind it, so a stream of small starts cannot keep a large one
 * from ever finding a quiet minute. Called under slurmctld's locks; no
 * I/O, no allocation after configure.
 */
#ifndef PB_PLUGIN_RAMPLIMIT_H
#define PB_PLUGIN_RAMPLIMIT_H

#include <stdint.h>
#include <time.h>

#include "src/slurmctld/slurmctld.h"

#include "plugin/model.h"

/* The period a RampLimit= is per. */
#define RAMPLIMIT_PERIOD_S 60

typedef struct {
	int32_t domain;	   /* the domain whose ramp holds the job */
	pb_watts_t rise_w; /* its rise over the period with the job */
	pb_watts_t limit_w;
	int64_t at;	 /* the earliest start the ramp allows */
	uint32_t behind; /* the job it waits behind, or 0 */
} ramplimit_verdict_t;

/*
 * The model @m comes into use: ramps for its RampLimit=s. A domain that
 * had a ramp keeps its recent rise; a new one (and every one at
 * slurmctld's start) counts all committed power as risen for a period,
 * since what started just before is not known.
 */
extern void ramplimit_configure(const model_t *m, time_t now);
extern void ramplimit_fini(void);

/* After any change of committed power: note it in every ramp. */
extern void ramplimit_note(const model_t *m, time_t now);

/*
 * May @job start now on @alloc? 0 if so; 1 with *v filled when a ramp
 * or a held job of higher priority makes it wait (@hold: a refused job
 * may take the hold).
 */
extern int ramplimit_check(const model_t *m, job_record_t *job,
			   const pb_alloc_t *alloc, time_t now, bool hold,
			   ramplimit_verdict_t *v);

/* @job_id started or left the queue: it holds the ramp no longer. */
extern void ramplimit_release(uint32_t job_id);

#endif
