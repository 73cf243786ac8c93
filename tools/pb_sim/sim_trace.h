/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_trace: job traces for pb-sim.  Reads either the Alibaba OpenB pod list
 * (header with name,...,num_gpu,gpu_milli,...,creation_time,...) or a generic
 * CSV (submit,duration,nodes|gpus[,gpus_per_node][,load]) as a site exports
 * it from sacct, and maps the rows to whole-node training jobs by a named,
 * documented, deterministic rule (see pb-sim(1), MAPPING).  The format is
 * detected from the header line.
 */
#ifndef PB_SIM_TRACE_H
#define PB_SIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/error.h"

#define SIM_CLS_MAX 64 /* bytes of a class key, with its NUL */

/* One training job as the simulator schedules it. */
struct sim_job {
	uint32_t id;		/* 0-based, in priority (submit) order */
	uint32_t row;		/* 1-based data row in the trace file */
	double submit;		/* s, after mapping */
	double dur;		/* s of run time, > 0 */
	uint32_t nodes;		/* whole nodes */
	uint32_t gpus_per_node; /* GPUs the job uses on each node */
	double load;  /* GPU activity 0..1: share of max-over-idle draw */
	uint32_t cls; /* job class: index into the trace's cls[] */
	/*
	 * What each of its GPUs really draws uncapped (W; 0: the load's
	 * draw), from sim_draw.  Physics: only the engine reads it; a
	 * policy learns it only through what the engine reports at a job's
	 * end (sim_pol_ops.observe).
	 */
	double draw_w;
};

/* The mapping rule and its parameters, printed with every result. */
struct sim_mapping {
	char name[32];	    /* "openb-train-v1" or "generic-v1" */
	double scale;	    /* training GPUs per trace GPU */
	double target_load; /* offered node load after compression; 0 = keep */
	double max_dur;	 /* s; longer runs are cut (site MaxTime); 0 = keep */
	int power_milli; /* 1: load = gpu_milli/1000; 0: full draw */
	double from;	 /* s; rows submitted earlier are dropped; 0 = keep */
	uint32_t site_nodes; /* nodes of the site the load refers to */
	uint32_t gpn;	     /* GPUs per node of the site */
	/* results of the mapping, filled by sim_trace_load() */
	double compress;	/* arrival-time divisor actually applied */
	uint32_t rows;		/* data rows read */
	uint32_t kept;		/* jobs produced */
	uint32_t dropped_cpu;	/* num_gpu 0 (CPU-only pods) */
	uint32_t dropped_nodur; /* never scheduled: no duration */
	uint32_t dropped_big;	/* wider than the whole site */
	uint32_t cut;		/* runs cut to max_dur */
	uint32_t dropped_early; /* submitted before from */
	double offered_load; /* node-s offered / (site nodes x arrival span) */
};

struct sim_trace {
	struct sim_job *jobs; /* owned; sorted by (submit, row) */
	size_t n;
	/*
	 * Job classes, the key a site would learn draws by (user/jobname):
	 * OpenB rows by openb-class-v1 (qos/num_gpu g/gpu_milli m/cpu_milli
	 * c/memory_mib M, one workload template's pods), generic rows by a
	 * class (or jobname) column, else nodes/gpus.  One word of
	 * printable ASCII each.
	 */
	char (*cls)[SIM_CLS_MAX];
	uint32_t ncls;
	uint32_t *hash; /* internal: key lookup while loading */
	size_t nhash;
};

/*
 * Apply "key=value[,key=value...]" (scale, load, max-dur, from,
 * power=full|milli)
 * to *m, over the defaults of the detected format.  Returns 0, or -1 with a
 * message in err and *m unchanged.
 */
int sim_mapping_parse(struct sim_mapping *m, const char *spec, pb_error_t *err);

/*
 * Read and map a trace file for a site of site_nodes nodes of gpn GPUs.
 * spec (may be NULL) overrides the format's mapping defaults.  On success
 * returns 0, fills *t (caller frees with sim_trace_free) and *m.  On failure
 * returns -1, leaves *t empty and puts "file:line: message" in err.
 */
int sim_trace_load(const char *path, const char *spec, uint32_t site_nodes,
		   uint32_t gpn, struct sim_mapping *m, struct sim_trace *t,
		   pb_error_t *err);

/* The same from text already in memory; name is used in messages. */
int sim_trace_parse(const char *text, const char *name, const char *spec,
		    uint32_t site_nodes, uint32_t gpn, struct sim_mapping *m,
		    struct sim_trace *t, pb_error_t *err);

void sim_trace_free(struct sim_trace *t);

#endif
