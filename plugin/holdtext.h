/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The words the plugin uses for watts and for holds: "12.4 kW"-style
 * amounts in logs, and the pending reason of a job that power or the ramp
 * limit holds ("PowerNotAvail: rack1 short 3.2 kW", "PowerRamp: ...").
 * Setting a reason goes through reasons.h, which keeps it in place.
 */
#ifndef PB_PLUGIN_HOLDTEXT_H
#define PB_PLUGIN_HOLDTEXT_H

#include <stdint.h>

#include "src/slurmctld/slurmctld.h"

#include "plugin/model.h"
#include "plugin/ramplimit.h"

/* Size of the buffer holdtext_watts writes. */
#define HOLDTEXT_WATTS_LEN 32

/* @w as text in @buf (HOLDTEXT_WATTS_LEN bytes); returns @buf. */
extern const char *holdtext_watts(pb_watts_t w, char *buf);

/* Name of domain @d of @m's site, "none" for -1. */
extern const char *holdtext_domain(const model_t *m, int32_t d);

/*
 * @job waits for power by verdict @v (the domain and watts it lacks, from
 * when): its reason names the cap, cap window or curtailment that holds
 * it.
 */
extern void holdtext_power(const model_t *m, job_record_t *job,
			   const pb_verdict_t *v, int64_t now);

/* @job waits for the ramp limit, by verdict @rv. */
extern void holdtext_ramp(const model_t *m, job_record_t *job,
			  const ramplimit_verdict_t *rv);

#endif
