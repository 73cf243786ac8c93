/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The power ledger: committed IT power per domain of a finalized site,
 * derived from node power states, running jobs and power reservations,
 * and the admission decisions made against it.  It owns the run-time
 * caps (copied from the site at creation, changed by pb_ledger_set_cap)
 * and the job and reservation tables.  The ledger is derived state: after
 * a slurmctld restart it is rebuilt from the running jobs (pb_ledger_reset
 * + pb_ledger_rebuild), never read back from a file.
 *
 * Model (IT watts throughout; see site.h for how caps become IT limits):
 *   committed(d) = sum over nodes under d of
 *                    standby watts if the node is OFF, idle watts if ON
 *                  + increments of the running (not suspended) jobs
 *   limit(d)     = pb_site_it_limit(site, d, cap(d))
 *   headroom(d)  = limit(d) - committed(d)        (negative after a cap cut)
 * A node that a job is committed on is ON; committing a job on an OFF
 * node powers it on (Slurm resumes powered-down nodes it allocates), and
 * admission counts that wake-up (idle - standby) like any other watts.
 *
 * Reservations and time (backfill, no starvation).  Times are int64_t
 * seconds; PB_TIME_NEVER means "no known end".  A running job with
 * expected end E is assumed to draw until E: at a future time t > now it
 * counts only if E > t (an overdue job, E <= now, still counts at now and
 * is assumed gone at any later time).  Suspended jobs draw nothing and
 * are not expected back by the timeline.  A reservation R = (alloc,
 * start, end) holds its allocation's increment, plus the wake-up of nodes
 * that were OFF when it was made (an over-count if they are powered on
 * earlier: the safe side), on [start, end).  The load of domain d is
 *   load(d, now)   = committed(d) + reservations active at now
 *   load(d, t>now) = committed(d) - jobs with end <= t
 *                    + reservations active at t.
 * Admitting a job at now with expected end E requires
 *   load(d, now) + job(d) <= limit(d)                 for every d, and
 *   load(d, R.start) + job(d) <= limit(d)  for every reservation with
 *                                           now < R.start < E.
 * Load only rises at reservation starts, so these checkpoints are exact
 * for the whole interval [now, E): a lower-priority job may use reserved
 * power only if it ends (E <= R.start) before the reservation needs it.
 * A reservation whose start has passed is held from now on until
 * unreserved (the plugin unreserves when the job starts or goes away).
 *
 * Hot calls (admit, commit, release, headroom, suspend/resume, set_node_power)
 * do no allocation while the job table is within the capacity given at
 * create; above it, commit grows the tables (amortised doubling).
 * Not thread-safe, and the const queries share scratch memory: the
 * caller serialises every call on one ledger (slurmctld's locks).
 */
#ifndef PB_POLICY_LEDGER_H
#define PB_POLICY_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/error.h"
#include "policy/power.h"
#include "policy/site.h"

#define PB_TIME_NEVER INT64_MAX

typedef struct pb_ledger pb_ledger_t;

/* One node of an allocation. */
typedef struct pb_alloc_node {
	uint32_t node; /* site node index */
	uint16_t gpus;
	uint16_t cores;
} pb_alloc_node_t;

/*
 * An allocation: each node at most once.  gpu_watts_hint is the job's
 * declared per-GPU draw (clamped to the model's [min_cap_w, max_w]); 0
 * means none (full max_w).  Whether hints are honoured is site policy:
 * the caller passes 0 when they are not, and hint_scope says on which
 * nodes a hint holds (pb_power_hint_on).
 */
typedef struct pb_alloc {
	const pb_alloc_node_t *nodes;
	uint32_t count;
	pb_watts_t gpu_watts_hint;
	pb_hint_scope_t hint_scope;
} pb_alloc_t;

/*
 * Result of an admission test.  When !ok: domain is the overflowing
 * domain with the lowest index (a parent is always numbered before its
 * children, so an overflowing ancestor is reported before a descendant),
 * at the time it overflows (now or a reservation start); short_w the IT
 * watts missing there.  -1 / 0 when the failure is not a power one
 * (invalid allocation).  job_w is always the job's modelled increment
 * (wake-ups of OFF nodes not included).
 */
typedef struct pb_verdict {
	bool ok;
	int32_t domain;
	pb_watts_t short_w;
	pb_watts_t job_w;
	int64_t at;
} pb_verdict_t;

/* Sizing hints; zero fields take defaults. */
typedef struct pb_ledger_opts {
	uint32_t max_jobs; /* default: max(1024, 2 * nodes) */
	/* node entries over all jobs; default 8 * nodes + 1024 */
	uint32_t max_alloc_nodes;
	uint32_t max_reservations; /* hard limit; default 64 */
} pb_ledger_opts_t;

/* Status view of one job. */
typedef struct pb_job_info {
	uint32_t job_id;
	pb_watts_t watts; /* its increment */
	uint32_t nnodes;
	int64_t expected_end;
	bool suspended;
} pb_job_info_t;

/* A running job for pb_ledger_rebuild. */
typedef struct pb_running_job {
	uint32_t job_id;
	pb_alloc_t alloc;
	int64_t expected_end;
	bool suspended;
} pb_running_job_t;

/*
 * A ledger over a finalized site (borrowed: it must outlive the ledger).
 * All nodes ON, no jobs.  opts may be NULL.  Returns NULL (err set) if the
 * site is not finalized or memory runs out.
 */
pb_ledger_t *pb_ledger_create(const pb_site_t *site,
			      const pb_ledger_opts_t *opts, pb_error_t *err);

/* NULL-safe. */
void pb_ledger_destroy(pb_ledger_t *l);

const pb_site_t *pb_ledger_site(const pb_ledger_t *l);

/*
 * Would alloc, started at now and running until expected_end, keep every
 * domain within its limit (rule above)?  Fills *out; returns 0 when
 * admitted, 1 when refused for power, -1 for an invalid allocation (bad
 * node index, a node listed twice, empty; out->domain = -1).
 * No side effects.
 */
int pb_ledger_admit(const pb_ledger_t *l, const pb_alloc_t *alloc, int64_t now,
		    int64_t expected_end, pb_verdict_t *out);

/*
 * Record a started job.  Does not test caps (Slurm has started it; admit
 * first).  OFF nodes in alloc are powered on.  Returns 0, or -1 (job_id
 * already present, invalid allocation, out of memory while growing) with
 * err set; no side effects on failure.
 */
int pb_ledger_commit(pb_ledger_t *l, uint32_t job_id, const pb_alloc_t *alloc,
		     int64_t expected_end, pb_error_t *err);

/*
 * Forget a job and its increment (nodes stay ON).  Returns 0, or -1 if
 * unknown.  After commit + release the per-domain committed values are
 * exactly what they were before the commit (apart from wake-ups).
 */
int pb_ledger_release(pb_ledger_t *l, uint32_t job_id);

/* Change a job's expected end.  Returns 0, or -1 if unknown. */
int pb_ledger_update_end(pb_ledger_t *l, uint32_t job_id, int64_t end);

/*
 * A suspended job's GPUs idle: its increment leaves committed power but
 * the ledger remembers the allocation.  Resume adds it back without a cap
 * test (call admit on the same allocation first if resuming may be
 * refused).  Return 0, or -1 if unknown or already in that state.
 */
int pb_ledger_suspend(pb_ledger_t *l, uint32_t job_id);
int pb_ledger_resume(pb_ledger_t *l, uint32_t job_id);

/*
 * Node powered on (idle draw) or off (standby draw).  Returns 0, or -1
 * (bad index, or powering off a node a job or reservation is on) with err
 * set; no side effects on failure.
 */
int pb_ledger_set_node_power(pb_ledger_t *l, uint32_t node, bool on,
			     pb_error_t *err);

/*
 * pb_ledger_set_node_power for each of nodes[0..n) in turn, as one
 * change (one generation, each domain logged once): a node that cannot
 * be (bad index, a job or reservation on it when powering off) or is
 * already so is left as it is.  Returns how many changed.
 */
uint32_t pb_ledger_set_nodes_power(pb_ledger_t *l, const uint32_t *nodes,
				   uint32_t n, bool on);
bool pb_ledger_node_is_on(const pb_ledger_t *l, uint32_t node);

/*
 * Every node's power state at once (true: ON), pb_site_node_count()
 * entries, for passes over many nodes: the ledger's own array, which
 * follows its changes and lives as long as the ledger.
 */
const bool *pb_ledger_node_states(const pb_ledger_t *l);

/*
 * Which nodes' power state may have changed, as pb_ledger_changed_since
 * tells of domains: pb_ledger_powered_since copies the nodes whose state
 * was written after cursor since (one may repeat, or be back as it was)
 * into out and returns how many, or -1 when they are more than max or
 * than the ledger remembers (one per node; a cursor from before the
 * ledger's create gives -1): then look at every node.  A cursor means
 * something only to the ledger that gave it.  O(1) and O(changes); no
 * side effects.
 */
uint64_t pb_ledger_power_cursor(const pb_ledger_t *l);
int64_t pb_ledger_powered_since(const pb_ledger_t *l, uint64_t since,
				uint32_t *out, uint32_t max);

/*
 * A number that moves on at every call that may change what a query
 * returns (every call not taking a const ledger, even one that fails),
 * so that a caller can keep what it derived from the ledger while the
 * number stays the same.  O(1).
 */
uint64_t pb_ledger_generation(const pb_ledger_t *l);

/*
 * Which domains' committed or limit watts changed (what headroom and,
 * without reservations, pb_ledger_window_avail follow): the cursor is a
 * count of changes, pb_ledger_changed_since copies the domains changed
 * after cursor since (each at most once per changing call, so one may
 * repeat) into out and returns how many, or -1 when they are more than
 * max or than the ledger remembers (about one per domain; a reset or new
 * unmodelled draw changes every domain): then look at every domain.
 * O(1) and O(changes); no side effects.
 */
uint64_t pb_ledger_change_cursor(const pb_ledger_t *l);
int64_t pb_ledger_changed_since(const pb_ledger_t *l, uint64_t since,
				uint32_t *out, uint32_t max);

/*
 * New cap for a domain (reconfigure).  Running jobs stay; later admits
 * obey it (headroom may go negative).  Returns 0, or -1 (bad index,
 * cap_w <= 0) with err set; no side effects on failure.
 */
int pb_ledger_set_cap(pb_ledger_t *l, uint32_t domain, pb_watts_t cap_w,
		      pb_error_t *err);
pb_watts_t pb_ledger_cap(const pb_ledger_t *l, uint32_t domain);

/*
 * Measured draw the model does not account for (see policy/measured.h):
 * w[d] > 0 lowers domain d's limit by that much, until the next call;
 * w NULL (or entries <= 0) trusts the model alone.  Running jobs stay;
 * headroom may go negative.
 */
void pb_ledger_set_unmodelled(pb_ledger_t *l, const pb_watts_t *w);
/*
 * Whether the ledger already holds what pb_ledger_set_unmodelled(l, w)
 * would set (every call of that counts as a change, so a caller with an
 * unchanged reading asks first).
 */
bool pb_ledger_unmodelled_is(const pb_ledger_t *l, const pb_watts_t *w);
pb_watts_t pb_ledger_unmodelled(const pb_ledger_t *l, uint32_t domain);

/*
 * Add a running job's increment (wake-ups not included) to node_w[node]
 * for each of its nodes and to dom_w[d] for every domain above them
 * (either may be NULL).  Returns 0, or -1 if the job is unknown.
 */
int pb_ledger_job_add(const pb_ledger_t *l, uint32_t job_id, pb_watts_t *node_w,
		      pb_watts_t *dom_w);

/*
 * limit(d) in IT watts: the cap after reserve (root: PUE, cooling), less
 * the unmodelled measured draw.
 */
pb_watts_t pb_ledger_limit(const pb_ledger_t *l, uint32_t domain);

/* committed(d) in IT watts (reservations not included). */
pb_watts_t pb_ledger_committed(const pb_ledger_t *l, uint32_t domain);

/* limit(d) - committed(d); may be negative.  O(1). */
pb_watts_t pb_ledger_headroom(const pb_ledger_t *l, uint32_t domain);

/*
 * Modelled draw of a node now: standby if OFF, idle plus the increments
 * of its running jobs if ON.
 */
pb_watts_t pb_ledger_node_draw(const pb_ledger_t *l, uint32_t node);

/*
 * Increment of gpus/cores with hint on node (pb_power_increment_w of its
 * class, the hint as pb_power_hint_on lets it hold there); does not
 * include a wake-up.
 */
pb_watts_t pb_ledger_node_increment(const pb_ledger_t *l, uint32_t node,
				    uint32_t gpus, uint32_t cores,
				    pb_watts_t hint_w, pb_hint_scope_t scope);

/* Watts needed to power node on now: idle - standby if OFF, else 0. */
pb_watts_t pb_ledger_node_wake_w(const pb_ledger_t *l, uint32_t node);

/*
 * Jobs.  pb_ledger_job_info fills *out; returns 0 or -1 if unknown.
 * pb_ledger_job_nodes copies up to max of the job's nodes into out and
 * returns the job's node count (-1 if unknown).  pb_ledger_foreach_job
 * calls fn for every job (order unspecified) until fn returns non-zero,
 * and returns that value (0 after a full walk).  The ledger must not be
 * changed from fn.
 */
uint32_t pb_ledger_job_count(const pb_ledger_t *l);
int pb_ledger_job_info(const pb_ledger_t *l, uint32_t job_id,
		       pb_job_info_t *out);
int64_t pb_ledger_job_nodes(const pb_ledger_t *l, uint32_t job_id,
			    pb_alloc_node_t *out, uint32_t max);
int pb_ledger_foreach_job(const pb_ledger_t *l,
			  int (*fn)(const pb_job_info_t *job, void *arg),
			  void *arg);

/*
 * Hold power for alloc on [start, end) (end may be PB_TIME_NEVER).
 * Returns 0, or -1 (resv_id in use, invalid allocation, start >= end,
 * the reservation table full) with err set; no side effects on failure.
 * Does not test caps: call pb_ledger_earliest_start to pick start.
 * When the job starts, unreserve before committing it, or its power is
 * counted twice (safe, but wasteful) until the reservation is dropped.
 */
int pb_ledger_reserve(pb_ledger_t *l, uint32_t resv_id, const pb_alloc_t *alloc,
		      int64_t start, int64_t end, pb_error_t *err);

/*
 * A cap window (policy/capsched.h): on [start, end) domain's cap is
 * cap_w.  It holds, in that domain alone (not its parents or children),
 * what the lower cap takes from the limit, as a reservation holds a job's
 * power: admission, pb_ledger_window_avail and pb_ledger_earliest_start
 * plan with it, so a job admitted before the window fits it too or ends
 * before it.  A cap_w at or above the domain's cap holds nothing.  The
 * held watts follow pb_ledger_set_cap.  Shares the reservation table and
 * id space (pb_ledger_unreserve drops it; pb_ledger_reset too).  Returns
 * 0, or -1 (bad domain, cap_w <= 0, start >= end, id in use, table full)
 * with err set; no side effects on failure.
 */
int pb_ledger_cap_window(pb_ledger_t *l, uint32_t id, uint32_t domain,
			 pb_watts_t cap_w, int64_t start, int64_t end,
			 pb_error_t *err);

/* The domain's cap at time t: the lowest of its cap and active windows. */
pb_watts_t pb_ledger_cap_at(const pb_ledger_t *l, uint32_t domain, int64_t t);

/*
 * The next time after t at which the domain's windows change its cap
 * (a window starts, or one on at t ends), and the cap from then on.
 * Returns 0, or -1 when no window of the domain lies ahead.
 */
int pb_ledger_next_cap(const pb_ledger_t *l, uint32_t domain, int64_t t,
		       int64_t *at, pb_watts_t *cap_w);

/* Drop a reservation, lifted or not.  Returns 0, or -1 if unknown. */
int pb_ledger_unreserve(pb_ledger_t *l, uint32_t resv_id);

/*
 * Take a job's reservation out of every figure for a while (a test of its
 * own job, or of one it must not hold power against), as unreserve would,
 * but keep its slot, nodes and times: pb_ledger_unlift puts it back, and
 * when no other call changed the ledger meanwhile, without the pass over
 * every running job that computing a reservation takes.  While lifted its
 * id may not be reserved again; unreserve drops it.  Returns 0, or -1 if
 * no such reservation is held (or it is a cap window).
 */
int pb_ledger_lift(pb_ledger_t *l, uint32_t resv_id);

/* Put a lifted reservation back.  Returns 0, or -1 if none is lifted. */
int pb_ledger_unlift(pb_ledger_t *l, uint32_t resv_id);

uint32_t pb_ledger_reservation_count(const pb_ledger_t *l);

/*
 * Does no reservation (or cap window) touch a job on [now, end): none is
 * active at now or starts inside?  Then pb_ledger_window_avail is just
 * limit - committed.  O(reservations).
 */
bool pb_ledger_window_plain(const pb_ledger_t *l, int64_t now, int64_t end);

/*
 * How many reservation (and cap window) starts fall in (now, end): for a
 * given now, requests with the same count have the same
 * pb_ledger_window_avail.  O(reservations).
 */
uint32_t pb_ledger_checkpoints(const pb_ledger_t *l, int64_t now, int64_t end);

/*
 * Power held by reservations active at time t in domain d (IT watts);
 * cap windows are not power held (pb_ledger_cap_at gives their cap).
 */
pb_watts_t pb_ledger_reserved_at(const pb_ledger_t *l, uint32_t domain,
				 int64_t t);

/*
 * For a job running on [now, end): out[d] = limit(d) - the highest load of
 * d at now and at every reservation start in (now, end) (the rule above),
 * for every domain; out has pb_site_domain_count() entries.  What a new
 * job may add under d.  O(domains * reservations); no side effects.
 */
void pb_ledger_window_avail(const pb_ledger_t *l, int64_t now, int64_t end,
			    pb_watts_t *out);

/*
 * Earliest start t >= now at which alloc, running for duration seconds
 * (> 0, or PB_TIME_NEVER), fits the timeline: load(d, t) + job(d) and
 * load(d, R.start) + job(d) for every reservation with t < R.start <
 * t + duration within limit(d), with running jobs ending at their
 * expected ends (overdue ones just after now) and reservations starting
 * and ending.  At t = now this is exactly pb_ledger_admit.  A later answer
 * is a time at which load drops (a job or reservation end).  Returns 0
 * with *start set (why->ok true); 1 if it never fits, e.g. a job without
 * an end holds the power or the request exceeds a cap (*start =
 * PB_TIME_NEVER, why names the lowest-index domain still short after the
 * last known end, and how much); -1 for an invalid allocation or
 * duration.  why may be NULL.  No side effects.
 * O(jobs log jobs + entries * depth + reservations * domains touched);
 * not a hot call.
 */
int pb_ledger_earliest_start(const pb_ledger_t *l, const pb_alloc_t *alloc,
			     int64_t duration, int64_t now, int64_t *start,
			     pb_verdict_t *why);

/*
 * Drop every job and reservation; node power states and caps stay.
 */
void pb_ledger_reset(pb_ledger_t *l);

/*
 * reset, then commit (and suspend) every job in jobs[0..n).  Returns 0,
 * or -1 with err naming the offending job; the ledger is then reset
 * (empty), never half-built.
 */
int pb_ledger_rebuild(pb_ledger_t *l, const pb_running_job_t *jobs, uint32_t n,
		      pb_error_t *err);

/*
 * Debug invariant checker: recompute every derived value from the node
 * states, jobs and reservations and compare.  Returns 0, or -1 with the
 * first difference in err.  Allocates; not for the hot path.
 */
int pb_ledger_verify(const pb_ledger_t *l, pb_error_t *err);

#endif /* PB_POLICY_LEDGER_H */
