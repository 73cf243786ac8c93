/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.h - power_budget.conf, parsed into plain structs.
 *
 * The file format is described in power_budget.conf(5).  Parsing works on a
 * memory buffer with a file-name label (so it can be fuzzed) and never
 * crashes on any input; every problem is reported into a pb_diag_t as
 * "file:line: message", and the whole file is validated (node in exactly one
 * class and one leaf domain, positive caps, duplicate names, unknown
 * parents, cycles, ...).  The result is independent of policy/: see
 * build.h for turning it into a pb_site_t.
 */
#ifndef PB_TOPOLOGY_CONF_H
#define PB_TOPOLOGY_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/gpulimit.h"
#include "topology/diag.h"

#define PB_CONF_NAME_MAX 64

/*
 * Bounds on one power_budget.conf, far above the largest site it is meant
 * for (62,500 nodes, a few thousand racks): beyond them the file is
 * refused with a file:line error instead of holding slurmctld's startup
 * or reconfigure while it is read (power_budget.conf(5), LIMITS). A
 * single hostlist may name at most PB_MAX_HOSTS nodes (lex.h).  The
 * fuzzers' build alone sets the expansion bounds lower (tests/fuzz), so
 * that inputs at the bound cost milliseconds, not a second each.
 */
#define PB_CONF_MAX_LINES 1000000
#define PB_CONF_MAX_DOMAINS 250000
#define PB_CONF_MAX_CLASSES 10000
#ifndef PB_CONF_MAX_EXPANDED
#define PB_CONF_MAX_EXPANDED 2000000 /* names, every Nodes= together */
#endif

/* Highest LearnedDrawAfter=, in seconds: a week. */
#define PB_LEARN_AFTER_MAX 604800u
#define PB_CONF_UNLIMITED (-1.0) /* Cap=unlimited */

typedef struct {
	char name[PB_CONF_NAME_MAX];
	int line;
	double cap_w;	  /* facility power cap (IT x PUE), > 0 */
	double pue;	  /* >= 1.0, default 1.0 */
	double cooling_w; /* IT heat the cooling removes; 0 = unlimited */
	double reserve;	  /* fraction of every cap held back, [0, 0.5] */
	double ramp_w;	  /* RampLimit=: facility watts a minute; 0 = none */
} pb_conf_facility_t;

/* A GpuModel= line: an override of a built-in model or a new one. */
typedef struct {
	char name[PB_CONF_NAME_MAX];
	char match[128]; /* case-insensitive substring of hwloc's GPUModel */
	int line;
	bool has_match, has_idle, has_max, has_min_cap;
	double idle_w, max_w, min_cap_w;
} pb_conf_gpu_model_t;

typedef struct {
	char name[PB_CONF_NAME_MAX];
	int line;
	char *topology;	     /* hwloc XML path as written, or NULL */
	char *topology_path; /* resolved against the conf file's directory */
	bool has_gpus, has_packages, has_cores;
	unsigned gpus, packages, cores;
	char gpu_model[PB_CONF_NAME_MAX]; /* "" = from the XML's GPUs */
	bool has_base, has_standby, has_cpu_idle, has_cpu_max;
	double base_w, standby_w;     /* node base, powered-down standby */
	double cpu_idle_w, cpu_max_w; /* per CPU package */
	bool has_gpu_idle, has_gpu_max, has_gpu_min_cap;
	double gpu_idle_w, gpu_max_w, gpu_min_cap_w; /* per-class override */
	bool gpu_limit_enforced; /* nodes apply job hints as GPU power limits */
	size_t n_nodes;
} pb_conf_class_t;

typedef struct {
	char name[PB_CONF_NAME_MAX];
	char parent[PB_CONF_NAME_MAX]; /* "" = the facility */
	int line;
	double cap_w;	 /* > 0, or PB_CONF_UNLIMITED */
	double ramp_w;	 /* RampLimit=: IT watts a minute; 0 = none */
	long parent_idx; /* index into domains, -1 = the facility */
	bool is_leaf;	 /* has no child domains */
	size_t n_nodes;	 /* nodes directly in it (leaves only) */
	size_t depth;	 /* 1 under the facility */
} pb_conf_domain_t;

typedef struct {
	char *name;
	long class_idx;	 /* -1 if in no class (error reported) */
	long domain_idx; /* -1 if in no domain (error reported) */
	int class_line, domain_line;
} pb_conf_node_t;

/*
 * The lowest per-GPU power limit the scheduler may choose: watts, or a
 * fraction of the GPU model's MaxW; both 0 = not set.
 */
typedef struct {
	double watts;
	double frac;
} pb_conf_floor_t;

/*
 * A Partition= line: the per-GPU watt hint of jobs that give none
 * (0 = none), and the floor of limits chosen for its jobs.
 */
typedef struct {
	char name[PB_CONF_NAME_MAX];
	int line;
	double gpu_watt_hint_w; /* > 0, or 0 = none */
	pb_conf_floor_t gpu_limit_floor;
} pb_conf_partition_t;

/*
 * UserWattHints=: whose word a job's own per-GPU watt hint is taken on.
 * NO: nobody's (full draw); YES: the user's, on every node (the site
 * trusts its users); ENFORCED: only on nodes of a GpuLimitEnforced class,
 * which apply the hint as a GPU power limit.
 */
typedef enum {
	PB_CONF_HINTS_NO = 0,
	PB_CONF_HINTS_YES,
	PB_CONF_HINTS_ENFORCED,
} pb_conf_hints_t;

/*
 * GpuLimits=: whether, when a job does not fit at full draw, the
 * scheduler may start it at a lower per-GPU power limit on nodes that
 * enforce one.  HIGHEST: the highest limit that fits; EFFICIENT: no
 * higher than the limit with the most work per watt.
 */
typedef enum {
	PB_CONF_LIMITS_NO = 0,
	PB_CONF_LIMITS_HIGHEST,
	PB_CONF_LIMITS_EFFICIENT,
} pb_conf_limits_t;

/*
 * GpuLimitTime=: a limited job runs slower.  EXTEND: its time limit is
 * stretched by the modelled slowdown; FIT: a limit is chosen only if the
 * job's --time-min, stretched, still ends within its time limit.
 */
typedef enum {
	PB_CONF_LIMIT_TIME_EXTEND = 0,
	PB_CONF_LIMIT_TIME_FIT,
} pb_conf_limit_time_t;

/* CurtailShed=: how a curtailment sheds a running job. */
typedef enum {
	PB_CONF_SHED_SUSPEND = 0, /* default: resumed where it stopped */
	PB_CONF_SHED_REQUEUE,	  /* requeue; a job that cannot: suspend */
} pb_conf_shed_t;

/* Most CurtailOrder= entries. */
#define PB_CONF_ORDER_MAX 16

/* A CurtailOrder= entry: jobs of this QOS or partition shed earlier. */
typedef struct {
	bool qos; /* qos:NAME, else partition:NAME */
	char name[PB_CONF_NAME_MAX];
} pb_conf_order_t;

/* CurtailLead= default: shed this long before the deadline. */
#define PB_CURTAIL_LEAD_DEFAULT 60u
#define PB_CURTAIL_LEAD_MAX 3600u

typedef struct {
	pb_conf_shed_t shed;
	pb_conf_order_t order[PB_CONF_ORDER_MAX];
	unsigned n_order;
	unsigned lead_s; /* shed this long before the deadline */
} pb_conf_curtail_t;

typedef struct {
	pb_conf_hints_t user_watt_hints; /* default PB_CONF_HINTS_NO */
	pb_conf_limits_t gpu_limits;	 /* default PB_CONF_LIMITS_NO */
	pb_conf_floor_t gpu_limit_floor; /* default 70% of MaxW */
	pb_conf_limit_time_t gpu_limit_time;
	bool learned_draw; /* LearnedDraw=: charge classes their learned draw */
	bool has_learned_after;
	unsigned learned_after_s; /* LearnedDrawAfter=; 0 = at a run's end */
	bool has_speed_curve;
	pb_speed_curve_t speed_curve; /* default pb_speed_curve_default */
	int line_gpu_limits;
	double user_watt_floor_w; /* lowest hint honoured; 0 = model MinCapW */
	bool debug_trace;	  /* log each placement decision */
	char *status_file;	  /* ledger status file, NULL = none */
	char *meter_file; /* measured draw (topology/meter.h), or NULL */
	unsigned meter_max_age_s; /* older readings are ignored; 0 = default */
	pb_conf_curtail_t
	    curtail; /* CurtailShed=, CurtailOrder=, CurtailLead= */
	int line_user_watt_hints, line_status_file, line_meter_file;
} pb_conf_settings_t;

/* Most CapWindow= lines a file may have. */
#define PB_CONF_WINDOWS_MAX 64

/*
 * A CapWindow= line: the cap of a domain (or the facility) inside a
 * weekly or one-off time window.
 */
typedef struct {
	char name[PB_CONF_NAME_MAX];
	char domain[PB_CONF_NAME_MAX]; /* a Domain= or the Facility= name */
	int line;
	double cap_w;		     /* > 0, below the domain's cap */
	bool weekly;		     /* Days=/Start=/End=, else From=/Until= */
	unsigned days;		     /* bit 0 Sunday ... bit 6 Saturday */
	unsigned start_min, end_min; /* end <= start: ends the next day */
	int64_t from, until;	     /* epoch seconds, until > from */
} pb_conf_cap_window_t;

typedef struct pb_conf {
	char *file; /* the label used in messages */
	bool has_facility;
	pb_conf_facility_t facility;
	pb_conf_settings_t settings;
	pb_conf_gpu_model_t *models;
	size_t n_models;
	pb_conf_class_t *classes;
	size_t n_classes;
	pb_conf_domain_t *domains; /* in file order */
	size_t n_domains;
	pb_conf_node_t *nodes; /* ordered by leaf domain, then as listed */
	size_t n_nodes;
	pb_conf_partition_t *partitions; /* in file order */
	size_t n_partitions;
	pb_conf_cap_window_t *windows; /* CapWindow= lines, in file order */
	size_t n_windows;
	void *priv;
} pb_conf_t;

/*
 * Parses buf[0..len) labelled `file` in messages.  Returns 0 if the file is
 * valid, -1 if any error was reported into d.  *out receives the parsed
 * configuration even when there are errors (so a checker can go on), and
 * NULL only when out of memory; free it with pb_conf_destroy().
 */
extern int pb_conf_parse_buffer(const char *file, const char *buf, size_t len,
				pb_conf_t **out, pb_diag_t *d);

/* Reads and parses a file; a file that cannot be read is "path: error". */
extern int pb_conf_parse_file(const char *path, pb_conf_t **out, pb_diag_t *d);

extern void pb_conf_destroy(pb_conf_t *c);

/* Lookups by name (exact, case-sensitive); -1 / NULL if absent. */
extern long pb_conf_find_node(const pb_conf_t *c, const char *name);
extern long pb_conf_find_class(const pb_conf_t *c, const char *name);
extern long pb_conf_find_domain(const pb_conf_t *c, const char *name);
extern const pb_conf_gpu_model_t *pb_conf_find_model(const pb_conf_t *c,
						     const char *name);

#endif
