/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The curtailment request: the file pb-ctl(8) writes into slurmctld's
 * StateSaveLocation and the plugin's status thread reads.  One record,
 *
 *   Curtail=<domain> Target=<power> Issued=<epoch> Deadline=<epoch>
 *           Until=<epoch>|never By=<user>
 *
 * meaning: from Issued the domain's cap is Target (facility watts for
 * the facility, as Cap= is), running jobs must be under it by Deadline,
 * and the cap comes back at Until (never: at pb-ctl restore).  The file
 * lives in StateSaveLocation, so a curtailment outlives a slurmctld
 * restart; removing it is the restore.
 */
#ifndef PB_TOPOLOGY_CURTAILFILE_H
#define PB_TOPOLOGY_CURTAILFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology/diag.h"

#define PB_CURTAIL_FILE_NAME "power_budget.curtail"
#define PB_CURTAIL_NEVER INT64_MAX
/*
 * The times a file may hold: 2000-01-01 to 2200-01-01 UTC; anything else
 * is a broken or foreign file.
 */
#define PB_CURTAIL_EPOCH_MIN INT64_C(946684800)
#define PB_CURTAIL_EPOCH_MAX INT64_C(7258118400)
/*
 * The lowest target: the file holds whole watts (rounded down, never
 * above what was asked), so a smaller one could not be written back.
 */
#define PB_CURTAIL_MIN_W 1.0

typedef struct {
	char domain[64];  /* a Domain= or the Facility= name */
	double target_w;  /* >= PB_CURTAIL_MIN_W */
	int64_t issued;	  /* epoch seconds */
	int64_t deadline; /* >= issued */
	int64_t until;	  /* > deadline, or PB_CURTAIL_NEVER */
	char by[64];	  /* who asked (for the log) */
} pb_curtail_req_t;

/*
 * Parses buf[0..len), labelled file in messages.  Returns 0 with *out
 * filled, or -1 with every problem reported into d as file:line.
 */
int pb_curtail_parse(const char *buf, size_t len, const char *file,
		     pb_curtail_req_t *out, pb_diag_t *d);

/* The file's text for r into buf (NUL-terminated); -1 if it does not fit. */
int pb_curtail_render(const pb_curtail_req_t *r, char *buf, size_t len);

/*
 * The jobs a curtailment shed, which the plugin keeps beside the request
 * (PB_CURTAIL_SHED_NAME) so that it resumes them after a restart too:
 * one "Shed=<job id> How=suspend|requeue" line each, in shed order.
 */
#define PB_CURTAIL_SHED_NAME "power_budget.curtail.shed"

typedef struct {
	uint32_t job_id;
	bool requeued; /* else suspended */
} pb_curtail_shed_t;

/*
 * Parses buf[0..len) into out[0..max), *n entries.  Returns 0, or -1 with
 * every problem in d as file:line (the good lines are still in out).
 */
int pb_curtail_shed_parse(const char *buf, size_t len, const char *file,
			  pb_curtail_shed_t *out, size_t max, size_t *n,
			  pb_diag_t *d);

#endif
