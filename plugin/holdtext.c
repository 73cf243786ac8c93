/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watts and hold reasons as text (see holdtext.h).
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"

#include "plugin/capwin.h"
#include "plugin/curtail.h"
#include "plugin/holdtext.h"
#include "plugin/jobpower.h"
#include "plugin/kick.h"
#include "plugin/reasons.h"

extern const char *holdtext_watts(pb_watts_t w, char *buf)
{
	if (w >= 10000000 || w <= -10000000)
		snprintf(buf, HOLDTEXT_WATTS_LEN, "%.2f MW", w / 1e6);
	else if (w >= 10000 || w <= -10000)
		snprintf(buf, HOLDTEXT_WATTS_LEN, "%.1f kW", w / 1e3);
	else
		snprintf(buf, HOLDTEXT_WATTS_LEN, "%" PRId64 " W", w);
	return buf;
}

extern const char *holdtext_domain(const model_t *m, int32_t d)
{
	if (d < 0)
		return "none";
	return pb_site_domain_name(m->site, d);
}

static void _set(const model_t *m, job_record_t *job, bool reserved,
		 const char *desc)
{
	reasons_set(job, reserved, desc);
	kick_reasons();
	MODEL_TRACE(m->settings->debug_trace, "%pJ held: %s", job, desc);
}

/* "curtailed to X until HH:MM" for a curtailment @v's domain is under. */
static bool _curtailed(const model_t *m, job_record_t *job,
		       const pb_verdict_t *v, int64_t now, char *desc,
		       size_t len)
{
	char until[32], w[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN];
	int64_t cut_until = 0;
	pb_watts_t cut_w = 0;
	time_t t;
	struct tm tm;

	if (v->domain < 0 ||
	    !curtail_during(m, v->domain, v->at,
			    MAX(jobpower_end(job, now), v->at + 1), &cut_w,
			    &cut_until))
		return false;
	t = (time_t)cut_until;
	if (cut_until == PB_TIME_NEVER || !localtime_r(&t, &tm) ||
	    !strftime(until, sizeof(until), "%H:%M", &tm))
		snprintf(until, sizeof(until), "restore");
	snprintf(desc, len,
		 "PowerCurtailed: %s short %s (curtailed to %s until %s)",
		 holdtext_domain(m, v->domain), holdtext_watts(v->short_w, w),
		 holdtext_watts(cut_w, w2), until);
	return true;
}

extern void holdtext_power(const model_t *m, job_record_t *job,
			   const pb_verdict_t *v, int64_t now)
{
	char desc[160], w[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN];
	bool reserved = v->at > now;
	int64_t win_at = 0;
	const char *win =
	    capwin_during(m, v->domain, v->at,
			  MAX(jobpower_end(job, now), v->at + 1), &win_at);
	const char *dom = holdtext_domain(m, v->domain);

	if (_curtailed(m, job, v, now, desc, sizeof(desc))) {
		reserved = true;
	} else if (v->domain >= 0 && win) {
		/* A lower cap of a window the job would run into, or is in. */
		snprintf(
		    desc, sizeof(desc),
		    "PowerCapWindow: %s short %s %s (CapWindow %s: cap %s)",
		    dom, holdtext_watts(v->short_w, w),
		    win_at > now ? "once its window begins" : "in its window",
		    win,
		    holdtext_watts(pb_ledger_cap_at(m->ledger, v->domain,
						    MAX(win_at, now)),
				   w2));
		reserved = true;
	} else if (v->domain < 0) {
		snprintf(
		    desc, sizeof(desc),
		    "PowerNotAvail: not enough powered nodes with headroom");
	} else if (reserved) {
		snprintf(
		    desc, sizeof(desc),
		    "PowerReserved: %s short %s (power held for a higher priority job)",
		    dom, holdtext_watts(v->short_w, w));
	} else {
		snprintf(desc, sizeof(desc), "PowerNotAvail: %s short %s", dom,
			 holdtext_watts(v->short_w, w));
	}
	_set(m, job, reserved, desc);
}

extern void holdtext_ramp(const model_t *m, job_record_t *job,
			  const ramplimit_verdict_t *rv)
{
	char desc[160], w1[HOLDTEXT_WATTS_LEN], w2[HOLDTEXT_WATTS_LEN];
	char when[32];
	time_t at = (time_t)rv->at;
	struct tm tm;

	if (!localtime_r(&at, &tm) ||
	    !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "%" PRId64, rv->at);
	if (rv->behind)
		snprintf(
		    desc, sizeof(desc),
		    "PowerRamp: waits behind JobId=%u for %s's ramp limit (until %s at the latest)",
		    rv->behind, holdtext_domain(m, rv->domain), when);
	else
		snprintf(
		    desc, sizeof(desc),
		    "PowerRamp: %s would rise %s in %d s (RampLimit %s); starts %s at the earliest",
		    holdtext_domain(m, rv->domain),
		    holdtext_watts(rv->rise_w, w1), RAMPLIMIT_PERIOD_S,
		    holdtext_watts(rv->limit_w, w2), when);
	_set(m, job, true, desc);
}
