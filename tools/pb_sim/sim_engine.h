/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_engine: the event-driven scheduler core of pb-sim.  Replays a mapped
 * trace (submit, start, end events) under priority FCFS with EASY backfill
 * against one placement/admission policy given as a table of operations,
 * and measures what happened: facility and domain power over time against
 * the caps, waits, slowdowns, GPU-hours, compactness.  The engine owns the
 * physical power accounting, the same for every policy, so a policy cannot
 * flatter itself: it only decides where and whether a job starts.
 */
#ifndef PB_SIM_ENGINE_H
#define PB_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "sim_site.h"
#include "sim_trace.h"

/* A running job a curtailment may shed (sim_pol_ops.shed). */
struct sim_shed {
	uint32_t job;
	double start;
	int shed; /* out: the policy shed it */
};

/*
 * A policy, as the engine drives it.  Power units of headroom_w/job_w are
 * the policy's own (the engine only compares them with each other, to find
 * when the head job's power frees up).
 */
struct sim_pol_ops {
	/* 1 if a node without a job is powered (idle draw), 0 if off */
	int (*free_on)(void *ctx, uint32_t node);
	/* 0 if the job could never start on this site (it is rejected) */
	int (*fits_ever)(void *ctx, const struct sim_job *j);
	/* try to start j now: on 1, out[0..j->nodes) holds its nodes */
	int (*start)(void *ctx, const struct sim_job *j, double now,
		     uint32_t *out);
	void (*finish)(void *ctx, const struct sim_job *j,
		       const uint32_t *nodes);
	/* aggregate view for the head job's reservation */
	uint32_t (*free_nodes)(void *ctx);
	double (*headroom_w)(void *ctx); /* INFINITY if unlimited */
	double (*job_w)(void *ctx, const struct sim_job *j);
	/*
	 * Optional: a number that changes whenever job_w's answer for some
	 * job may have; the engine keeps the queued jobs' job_w while it
	 * stays the same.  Without it, job_w is asked again at every pass.
	 */
	uint64_t (*job_w_gen)(void *ctx);
	/*
	 * Optional: hold power for the blocked head job j from start on,
	 * on some of the nodes free by then: those free now (idle: a bit
	 * per node, (nodes + 63) / 64 words, the bits past the last node
	 * clear) and ending[0..n), the nodes of jobs ending by then; so
	 * that backfill cannot take the domain headroom it will need; and
	 * drop that hold.  The engine drops the hold at every event before
	 * anything changes.
	 */
	void (*hold)(void *ctx, const struct sim_job *j, double start,
		     const uint64_t *idle, const uint32_t *ending, uint32_t n);
	void (*unhold)(void *ctx);
	/*
	 * Optional: right after j started, the per-GPU power limit set on
	 * its GPUs (W; <= 0: none, the board's own) and the power held for
	 * it, in job_w's units (default: job_w before the start).
	 */
	void (*grant)(void *ctx, const struct sim_job *j, double *limit_w,
		      double *held_w);
	/*
	 * Optional: at j's end, before finish (or once it has run
	 * observe_after), the mean per-GPU draw its nodes measured (W):
	 * min(true draw, limit), what energy counters give.  The only way a
	 * policy learns a job's true draw.
	 */
	void (*observe)(void *ctx, const struct sim_job *j, double gpu_w,
			double now);
	/*
	 * Optional: the next time after @after at which a start refused now
	 * may be tried again without any other event (a ramp limit's pace);
	 * INFINITY for none.  And the facility power committed in the
	 * policy's own account (facility watts), for the rise it reports.
	 */
	double (*wake)(void *ctx, double after);
	double (*committed_w)(void *ctx);
	/*
	 * Optional, a curtailment (sim_site.curtail), as the plugin's
	 * pb-ctl curtail: curtail at its issue (plan with the target from
	 * then on); shed at every event from lead s before its deadline to
	 * its end: mark in c[0..n) (the running jobs) those to suspend so
	 * that the target holds at the deadline, and suspend them in the
	 * policy's account (c's order kept); returns how many.  resume: may
	 * suspended j resume now, to run until end?  1: resumed in the policy's
	 * account. shed and resume come together.
	 */
	void (*curtail)(void *ctx, const struct sim_curtail *c);
	uint32_t (*shed)(void *ctx, double now, struct sim_shed *c, uint32_t n);
	int (*resume)(void *ctx, const struct sim_job *j, double now,
		      double end);
	void (*destroy)(void *ctx);
};

/*
 * What a power limit does to a job: its speed (0..1] when its GPUs, which
 * would draw draw_w, are limited to limit_w < draw_w.  pb-sim passes
 * policy's fitted curve (gpulimit.h); NULL physics: never slowed.
 */
struct sim_physics {
	double (*speed)(void *arg, double limit_w, double draw_w);
	void *arg;
};

struct sim_pol {
	char name[24];
	const struct sim_pol_ops *ops;
	void *ctx;
	uint32_t powered; /* nodes kept powered when free (report) */
	/*
	 * s: observe (ops->observe) a job once it has run this long, not at
	 * its end, as the plugin's LearnedDrawAfter= does; 0: at its end.
	 * A job is observed once either way.
	 */
	double observe_after;
};

/* One point of the facility power curve: from t on, facility draws w. */
struct sim_point {
	double t, w;
};

struct sim_result {
	char policy[24];
	uint32_t jobs, started, rejected;
	uint32_t powered;
	uint64_t events, decisions;
	double makespan;		   /* s, last end */
	double gpu_hours;		   /* all jobs run */
	double gpu_hours_window;	   /* within the arrival span */
	double wait_mean, wait_p95;	   /* s */
	double bsld_mean, bsld_p95;	   /* bounded slowdown, tau 10 s */
	double leaf_mean;		   /* leaf switches per job */
	double fac_mean, fac_p95, fac_max; /* facility W, over makespan */
	uint32_t fac_viol;		   /* episodes above the facility cap */
	double fac_worst_w, fac_over_s;
	uint32_t dom_viol; /* episodes, all racks/rows/halls/cooling */
	double dom_worst_w, dom_over_s; /* domain-seconds over */
	/*
	 * The same counted on the jobs' true draw (min(draw_w, limit) per
	 * GPU), where the above counts the modelled one (the load's draw,
	 * capped by the limit).  The power curve and the facility means
	 * are the true draw.
	 */
	uint32_t true_fac_viol, true_dom_viol;
	double true_fac_worst_w, true_dom_worst_w;
	/*
	 * Work: full-speed GPU-hours delivered within the arrival span (a
	 * job slowed to speed s for wall time w delivers s x w); facility
	 * energy within the arrival span (MWh, true draw); limited jobs.
	 */
	double work_gpu_h, energy_mwh_window;
	uint32_t limited;
	double speed_mean; /* over limited jobs */
	/*
	 * Grid: the largest rise of facility power within a minute (from
	 * the minute's lowest), on the true draw and in the policy's own
	 * committed account (0 if it has none).
	 */
	double rise_max_w, rise_committed_max_w;
	/*
	 * With cap windows or a ramp limit (the site's grid settings): the
	 * work of the same policy without them (pb-sim runs both), else -1.
	 */
	double work_nogrid_gpu_h;
	/*
	 * A curtailment: the jobs it shed (suspended), the GPU-hours they
	 * spent suspended, and the seconds from its issue until the true
	 * facility draw, and the policy's committed power, were first within
	 * its target (-1: never).
	 */
	uint32_t shed_jobs;
	double shed_gpu_h, curtail_reach_s, curtail_reach_committed_s;
	/* wall clock: not deterministic, kept out of the default JSON */
	double wall_s, ns_per_decision;
	struct sim_point *curve; /* owned */
	size_t ncurve;
};

typedef void (*sim_progress_fn)(void *arg, const char *policy, uint32_t done,
				uint32_t total, double t);

/*
 * Replay trace t on site s under policy p, filling *r (release with
 * sim_result_free).  progress may be NULL.  Returns 0, or -1 on memory
 * exhaustion with *r empty.
 */
int sim_run(const struct sim_site *s, const struct sim_trace *t,
	    const struct sim_pol *p, struct sim_result *r,
	    sim_progress_fn progress, void *parg);

/* The same with limited jobs slowed by phys (may be NULL). */
int sim_run_ex(const struct sim_site *s, const struct sim_trace *t,
	       const struct sim_pol *p, const struct sim_physics *phys,
	       struct sim_result *r, sim_progress_fn progress, void *parg);

void sim_result_free(struct sim_result *r);

/* Time-weighted quantile q of a power curve over [0, end). */
double sim_curve_quantile(const struct sim_point *c, size_t n, double end,
			  double q);

#endif
