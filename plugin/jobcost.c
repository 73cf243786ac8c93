/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_test's cost counters (see jobcost.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RUSAGE_THREAD */
#endif
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <time.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xstring.h"

#include "plugin/jobcost.h"

typedef struct {
	uint64_t calls;
	uint64_t total_ns, total_cpu_ns;
	uint64_t cons_tres_ns, cons_tres_cpu_ns;
	uint64_t total_vcsw, total_ivcsw;
	uint64_t cons_tres_vcsw, cons_tres_ivcsw;
	uint64_t cons_tres_calls; /* a job_test may call it twice, or not */
	uint64_t power_only;	  /* job_tests answered without cons_tres */
} cost_t;

/* SELECT_MODE_RUN_NOW, _TEST_ONLY and _WILL_RUN are 0, 1 and 2. */
static const char *const cost_mode[] = {"run_now", "test_only", "will_run"};
static cost_t cost[3];
static cost_t *cost_now = &cost[0]; /* the job_test under way */
static bool cons_tres_called;	    /* in the job_test under way */

static uint64_t _clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

extern jobcost_mark_t jobcost_mark(void)
{
	struct rusage ru = {0};
	jobcost_mark_t m = {.wall_ns = _clock_ns(CLOCK_MONOTONIC),
			    .cpu_ns = _clock_ns(CLOCK_THREAD_CPUTIME_ID)};

	if (getrusage(RUSAGE_THREAD, &ru) == 0) {
		m.vcsw = ru.ru_nvcsw;
		m.ivcsw = ru.ru_nivcsw;
	}
	return m;
}

extern jobcost_mark_t jobcost_begin(uint16_t base_mode)
{
	cost_now = &cost[base_mode < 3 ? base_mode : 0];
	cons_tres_called = false;
	return jobcost_mark();
}

extern void jobcost_end(jobcost_mark_t since)
{
	jobcost_mark_t now = jobcost_mark();

	cost_now->calls++;
	cost_now->power_only += !cons_tres_called;
	cost_now->total_cpu_ns += now.cpu_ns - since.cpu_ns;
	cost_now->total_ns += now.wall_ns - since.wall_ns;
	cost_now->total_vcsw += now.vcsw - since.vcsw;
	cost_now->total_ivcsw += now.ivcsw - since.ivcsw;
}

extern void jobcost_cons_tres(jobcost_mark_t since)
{
	jobcost_mark_t now = jobcost_mark();

	cons_tres_called = true;
	cost_now->cons_tres_calls++;
	cost_now->cons_tres_cpu_ns += now.cpu_ns - since.cpu_ns;
	cost_now->cons_tres_ns += now.wall_ns - since.wall_ns;
	cost_now->cons_tres_vcsw += now.vcsw - since.vcsw;
	cost_now->cons_tres_ivcsw += now.ivcsw - since.ivcsw;
}

extern void jobcost_append(char **text)
{
	for (int i = 0; i < 3; i++)
		xstrfmtcat(
		    *text,
		    "JobTest=%s Calls=%" PRIu64 " TotalUs=%" PRIu64
		    " ConsTresUs=%" PRIu64 " TotalCpuUs=%" PRIu64
		    " ConsTresCpuUs=%" PRIu64 " ConsTresCalls=%" PRIu64
		    " PowerOnly=%" PRIu64 " TotalVcsw=%" PRIu64
		    " TotalIvcsw=%" PRIu64 " ConsTresVcsw=%" PRIu64
		    " ConsTresIvcsw=%" PRIu64 "\n",
		    cost_mode[i], cost[i].calls, cost[i].total_ns / 1000,
		    cost[i].cons_tres_ns / 1000, cost[i].total_cpu_ns / 1000,
		    cost[i].cons_tres_cpu_ns / 1000, cost[i].cons_tres_calls,
		    cost[i].power_only, cost[i].total_vcsw, cost[i].total_ivcsw,
		    cost[i].cons_tres_vcsw, cost[i].cons_tres_ivcsw);
}
