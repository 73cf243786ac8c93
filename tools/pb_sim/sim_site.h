/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim_site: the description of a simulated site.  A regular site generator
 * (nodes of one GPU class, a fat-tree network, a power-domain tree facility
 * -> halls -> rows -> racks with breaker caps, facility cap, PUE, cooling,
 * reserve) and a Key=Value site file to describe other sites.  Nodes are
 * numbered in physical order: rack, row, hall, leaf and spine group are all
 * contiguous ranges, so a node's place is a division away.
 */
#ifndef PB_SIM_SITE_H
#define PB_SIM_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/error.h"

/* Most cap windows a site may have in pb-sim (--cap-window). */
#define SIM_WINDOWS_MAX 16

/* The facility's cap is cap_w (facility watts) on [start, end), s. */
struct sim_window {
	double start, end, cap_w;
};

/*
 * A curtailment (pb-ctl curtail): issued at issue, the facility may draw at
 * most cap_w from deadline until until (facility watts, s).  Unlike a
 * window, a policy learns of it only at issue; the plugin then plans with
 * the target at once and sheds running jobs lead seconds before the
 * deadline (CurtailLead=).
 */
#define SIM_CURTAIL_LEAD_S 60 /* CurtailLead='s default */

struct sim_curtail {
	double issue, deadline, until, cap_w, lead;
};

struct sim_site {
	char name[64];
	uint32_t nodes;
	uint32_t gpn; /* GPUs per node */
	char gpu_model[64];
	/* per-part power (W), from the GPU class's power table */
	double gpu_idle_w, gpu_max_w, gpu_min_w; /* min: lowest cap */
	uint32_t cpu_pkgs;
	double cpu_idle_w, cpu_max_w;
	double base_w;	  /* fans, memory, NICs, NVSwitch */
	double standby_w; /* powered off: BMC only */
	/* network: fat tree */
	uint32_t leaf_nodes;   /* nodes per leaf switch */
	uint32_t group_leaves; /* leaf switches per spine group */
	/* power domains */
	uint32_t rack_nodes, row_racks, hall_rows;
	double rack_cap_w, row_cap_w, hall_cap_w; /* IT watts */
	double cap_w; /* facility watts (IT x PUE) */
	double pue;
	double cooling_w; /* IT heat the cooling removes */
	double reserve;	  /* fraction of every cap held back */
	/* grid: lower facility caps for a while, and a ramp limit */
	struct sim_window windows[SIM_WINDOWS_MAX];
	uint32_t nwindows;
	double ramp_w; /* facility watts a minute committed may rise; 0 none */
	struct sim_curtail curtail;
	int curtailed; /* curtail holds one */
};

/*
 * Node draw (W) when idle, and when a whole-node job uses gpus of its GPUs
 * at activity load (0..1).  The same model as policy/power.h: constant
 * base, idle parts, and per used GPU the increment to
 * sim_site_gpu_w(load); a whole-node job holds all cores (CPUs at max).
 */
double sim_site_idle_w(const struct sim_site *s);
double sim_site_busy_w(const struct sim_site *s, uint32_t gpus, double load);

/* The same with each used GPU drawing gpu_w (a measured or capped draw). */
double sim_site_node_w(const struct sim_site *s, uint32_t gpus, double gpu_w);

/* Draw of one GPU at activity load: idle + load x (max - idle), >= min. */
double sim_site_gpu_w(const struct sim_site *s, double load);

/*
 * The facility cap (facility watts) in force at t: windows lower it, and so
 * does a curtailment from its deadline on.
 */
double sim_site_cap_at(const struct sim_site *s, double t);

/* The first window start or end after t; INFINITY if none. */
double sim_site_cap_change_after(const struct sim_site *s, double t);

/* IT watts the facility may carry: min(cap / PUE, cooling). */
double sim_site_it_cap_w(const struct sim_site *s);

static inline uint32_t sim_site_rack(const struct sim_site *s, uint32_t n)
{
	return n / s->rack_nodes;
}

static inline uint32_t sim_site_row(const struct sim_site *s, uint32_t n)
{
	return n / (s->rack_nodes * s->row_racks);
}

static inline uint32_t sim_site_hall(const struct sim_site *s, uint32_t n)
{
	return n / (s->rack_nodes * s->row_racks * s->hall_rows);
}

static inline uint32_t sim_site_leaf(const struct sim_site *s, uint32_t n)
{
	return n / s->leaf_nodes;
}

uint32_t sim_site_count(const struct sim_site *s, int level);
enum { SIM_LVL_RACK, SIM_LVL_ROW, SIM_LVL_HALL, SIM_LVL_LEAF, SIM_LVL_GROUP };

/*
 * The reference site: 12,500 DGX-class H100 SXM nodes, 100 MW, or with
 * mw = 500 a fivefold copy (62,500 nodes, 650 MW of cooling).
 */
void sim_site_reference(struct sim_site *s, double mw);

/*
 * Load a site from "reference", "reference-500" or a Key=Value file (see
 * pb-sim(1)).  Returns 0, or -1 with "file:line: message" in err.
 */
int sim_site_load(struct sim_site *s, const char *what, pb_error_t *err);

/* Check consistency; returns 0 or -1 with a message. */
int sim_site_check(const struct sim_site *s, pb_error_t *err);

#endif
