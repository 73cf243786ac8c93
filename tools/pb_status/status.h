/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - the ledger status file the plugin writes (plugin/status.c),
 * read back into plain structs for pb-status.
 *
 * The file is Slurm-style Key=Value records, one per line: a Status= header,
 * one Facility=, then Domain=, Node=, Job= and Held= records.  It is split
 * with topology/'s own lexer (quoted values, '#' comments) so it reads
 * exactly like the configuration files.  A record of unknown kind or an
 * unknown key is skipped (a newer plugin may add some); a missing or
 * malformed value, a dangling name or a header of another format is an
 * error reported as "file:line: message".
 *
 * On top of the records this module derives what the file does not say
 * directly: the domain tree (children in file order) and, per domain, the
 * watts each running job holds under it (see pb_status_holders()).
 */
#ifndef PB_TOOLS_STATUS_H
#define PB_TOOLS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology/diag.h"

/* The only format this reader knows (Status=1). */
#define PB_STATUS_FORMAT 1

typedef struct {
	char *name;
	char *parent_name; /* NULL for the root ("-") */
	long parent;	   /* index, -1 for the root */
	int64_t cap_w, limit_w, committed_w, headroom_w, reserved_w;
	int64_t unmodelled_w; /* measured above the model; 0 if not given */
	/*
	 * Cap windows (CapWindow= lines) that apply to the domain: has_caps,
	 * its cap now and the window setting it (NULL: its own), and the
	 * next change (next_cap_at -1: none ahead).
	 */
	bool has_caps;
	int64_t cap_now_w, next_cap_at, next_cap_w;
	char *window, *next_window;
	long *children; /* indexes in file order */
	size_t n_children;
	int line;
} pb_status_domain_t;

typedef struct {
	char *name;
	long domain; /* index */
	bool on;
	int64_t draw_w;
	int line;
} pb_status_node_t;

typedef struct {
	uint32_t id;
	int64_t watts;
	int64_t gpu_limit_w; /* per-GPU watts it is held to; 0: full draw */
	bool suspended;
	int64_t expected_end; /* epoch seconds, -1 if unknown */
	long *nodes;	      /* node indexes */
	size_t n_nodes;
	int line;
} pb_status_job_t;

typedef struct {
	uint32_t id;
	char *reason;
	int64_t short_w; /* "... short 12.5 kW" in the reason, -1 if none */
	long domain;	 /* "Power...: NAME short ...": NAME's index, or -1 */
	int line;
} pb_status_held_t;

typedef struct pb_status {
	char *file;	   /* label used in messages */
	int64_t generated; /* epoch seconds */
	char *config;	   /* power_budget.conf the plugin runs with */
	char *facility;
	unsigned pue_milli;
	int64_t cooling_w;
	unsigned reserve_ppm;
	pb_status_domain_t *domains;
	size_t n_domains;
	pb_status_node_t *nodes;
	size_t n_nodes;
	pb_status_job_t *jobs;
	size_t n_jobs;
	pb_status_held_t *held;
	size_t n_held;
	long root; /* the domain without a parent */
	/* A Curtail= record (pb-ctl(8)): curtail_domain NULL without one. */
	char *curtail_domain, *curtail_state, *curtail_by;
	int64_t curtail_target_w, curtail_deadline;
	int64_t curtail_until; /* INT64_MAX: until pb-ctl restore */
	int64_t curtail_committed_w, curtail_allowed_w;
	size_t n_shed; /* Shed= records: jobs shed for it */
} pb_status_t;

/*
 * Parses buf[0..len) labelled `file`.  Returns 0 and a status in *out, or
 * -1 with every problem found reported into d (*out is then NULL).  Errors
 * are reported at most once per line; the first bad line does not stop the
 * reading.
 */
extern int pb_status_parse_buffer(const char *file, const char *buf, size_t len,
				  pb_status_t **out, pb_diag_t *d);

/* Reads and parses a file; an unreadable file is "path: strerror". */
extern int pb_status_parse_file(const char *path, pb_status_t **out,
				pb_diag_t *d);

extern void pb_status_destroy(pb_status_t *s);

/* Domain index by exact name, -1 if absent. */
extern long pb_status_find_domain(const pb_status_t *s, const char *name);

/* True if domain @d is @ancestor or below it. */
extern bool pb_status_under(const pb_status_t *s, long d, long ancestor);

typedef struct {
	uint32_t job;
	int64_t watts; /* the job's watts on the nodes under the domain */
	size_t nodes;  /* how many of its nodes are there */
} pb_status_holder_t;

/*
 * The @top largest holders of every domain, at once: the running (not
 * suspended) jobs with the most watts on nodes at or under the domain,
 * largest first, ties by job id.  Domain d's list is out[d * top ..] with
 * n[d] entries; out holds n_domains * top entries, n n_domains.  The file
 * gives a job's watts as one total, so they are shared evenly among its
 * nodes: right for the usual one-class, whole-node training job, an
 * approximation for a job spread over node classes.  One pass over the
 * jobs' nodes and their ancestors.  Returns 0, or -1 when out of memory.
 */
extern int pb_status_top_holders(const pb_status_t *s, unsigned top,
				 pb_status_holder_t *out, unsigned *n);

#endif
