/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.h - one call for slurmctld (and the simulator): power_budget.conf,
 * its class exports and optionally topology.conf, to a finalized site, a
 * network tree and the plugin settings.  Nothing is returned unless every
 * file is free of errors, so a caller at reconfigure keeps its old model.
 */
#ifndef PB_TOPOLOGY_LOAD_H
#define PB_TOPOLOGY_LOAD_H

#include <stdbool.h>

#include "policy/capsched.h"
#include "policy/net.h"
#include "policy/site.h"
#include "topology/conf.h"
#include "topology/diag.h"

/*
 * The floor of a chosen GPU limit: floor_w watts, or floor_milli
 * thousandths of the GPU model's MaxW (whichever is set, > 0).
 */
typedef struct {
	pb_watts_t floor_w;
	uint32_t floor_milli;
} pb_limit_floor_t;

typedef struct {
	char name[64];		    /* a Slurm partition */
	pb_watts_t gpu_watt_hint_w; /* per-GPU hint of jobs giving none; 0 */
	pb_limit_floor_t floor;	    /* 0/0: the site's */
} pb_partition_hint_t;

/* The default of MeterMaxAge=, seconds. */
#define PB_METER_MAX_AGE_DEFAULT 30u

/*
 * LearnedDrawAfter= default: a run's draw is learned once it has been
 * sampled for 10 minutes (past the start-up of a training job), so that
 * runs of a class that start while the first still runs are charged what
 * it draws; a shorter run is learned at its end.
 */
#define PB_LEARN_AFTER_DEFAULT 600u

/* The site default of GpuLimitFloor=: 70% of MaxW. */
#define PB_LIMIT_FLOOR_MILLI_DEFAULT 700u

/* A RampLimit= of a Domain= or the Facility= line, in IT watts. */
typedef struct {
	uint32_t domain; /* site index */
	pb_watts_t it_w; /* a minute; the facility's is divided by PUE */
} pb_ramp_setting_t;

/* A CapWindow= line, its domain resolved to the site's index. */
typedef struct {
	char name[64];
	pb_cap_window_t w;
} pb_window_setting_t;

typedef struct {
	pb_conf_hints_t
	    user_watt_hints;	      /* whose word a job's hint is taken on */
	pb_watts_t user_watt_floor_w; /* lowest hint; 0 = model's MinCapW */
	pb_conf_limits_t gpu_limits;  /* scheduler-chosen GPU limits */
	pb_limit_floor_t gpu_limit_floor; /* never 0/0 */
	pb_conf_limit_time_t gpu_limit_time;
	pb_speed_curve_t speed_curve;	 /* given, or the fitted default */
	bool learned_draw;		 /* LearnedDraw= */
	unsigned learned_after_s;	 /* LearnedDrawAfter=; 0: at the end */
	bool debug_trace;		 /* log each decision */
	char *status_file;		 /* NULL = none */
	char *meter_file;		 /* NULL = none */
	unsigned meter_max_age_s;	 /* > 0 */
	pb_conf_curtail_t curtail;	 /* as parsed; lead_s defaulted */
	pb_partition_hint_t *partitions; /* Partition= lines, file order */
	size_t n_partitions;
	pb_window_setting_t *windows; /* CapWindow= lines, file order */
	size_t n_windows;
	pb_ramp_setting_t *ramps; /* RampLimit=s, facility first */
	size_t n_ramps;
} pb_settings_t;

typedef struct {
	pb_site_t *site; /* finalized */
	pb_net_t *net;	 /* finalized, NULL without topology.conf */
	pb_settings_t settings;
} pb_loaded_t;

/*
 * Parses and builds.  topology_conf may be NULL (the plugin may build the
 * tree from slurmctld's switch table instead).  Returns 0 with *out filled,
 * or -1 with every problem in d and *out zeroed.  Notices may be reported
 * either way.
 */
extern int pb_load(const char *power_conf, const char *topology_conf,
		   pb_loaded_t *out, pb_diag_t *d);

/* Frees what pb_load filled; NULL-safe, leaves *l zeroed. */
extern void pb_loaded_free(pb_loaded_t *l);

#endif
