/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The node power model: GPU power tables (with shipped defaults), the
 * resolved power table of a node class, and the arithmetic that turns an
 * allocation into watts.  All watts are integers; wherever a fraction
 * appears (a share of the CPU cores, PUE, the reserve) the result is
 * rounded so that the model never under-counts the draw.
 */
#ifndef PB_POLICY_POWER_H
#define PB_POLICY_POWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t pb_watts_t;

#define PB_NAME_MAX 64

/*
 * One GPU model.  match holds one or more case-insensitive substrings,
 * separated by '|', looked for in a device model string (NVML/nvidia-smi
 * name, hwloc GPUModel or PCI name).  Matching rule (pb_power_match):
 * among all alternatives of all models that occur in the device string,
 * the LONGEST wins; equal lengths resolve to the model registered first.  So a
 * site that adds a generic "H100" entry still gets the precise "H100 80GB HBM3"
 * (SXM5) entry for SXM boards, and "NVIDIA H100 PCIe" falls to the generic one.
 * Invariant: 0 <= idle_w <= min_cap_w <= max_w, max_w > 0.
 */
typedef struct pb_gpu_model {
	char name[PB_NAME_MAX];
	char match[PB_NAME_MAX];
	pb_watts_t idle_w;
	pb_watts_t max_w;
	pb_watts_t min_cap_w;
} pb_gpu_model_t;

/*
 * Resolved power table of one node class (built by pb_site_add_class).
 * gpu is a copy: later overrides of the site's GPU table do not change a
 * class already added.
 */
typedef struct pb_power_class {
	pb_gpu_model_t gpu;
	uint16_t gpus; /* GPUs per node */
	uint16_t cpu_packages;
	uint32_t cores;	       /* cores per node, all packages */
	pb_watts_t cpu_idle_w; /* per package */
	pb_watts_t cpu_max_w;  /* per package */
	/* fans, memory, NICs, storage: drawn whenever the node is on */
	pb_watts_t base_w;
	/* powered off by Slurm power saving (BMC, PSU losses) */
	pb_watts_t standby_w;
	/*
	 * The nodes set each job's per-GPU watt hint as a GPU power limit
	 * (the powerbudget prolog), so a hint holds there even when users
	 * are not trusted (UserWattHints=enforced).
	 */
	bool gpu_limit_enforced;
} pb_power_class_t;

/*
 * Where a job's per-GPU watt hint holds.  A hint the site vouches for (a
 * partition's default, or user hints under UserWattHints=yes) holds on
 * every node; a user's own hint under UserWattHints=enforced only on
 * nodes that enforce it as a GPU power limit, elsewhere the job is
 * modelled at full draw.  The zero value is PB_HINT_EVERYWHERE.
 */
typedef enum pb_hint_scope {
	PB_HINT_EVERYWHERE = 0,
	PB_HINT_WHERE_ENFORCED,
} pb_hint_scope_t;

/*
 * The shipped GPU table (H100 SXM, H200 SXM, A100 SXM 80GB, B200), sources
 * in power.c.  Returns a static array; *count receives its length.
 */
const pb_gpu_model_t *pb_power_builtin_models(size_t *count);

/*
 * Index of the model that matches device (rule above) in models[0..count),
 * or -1 if none matches or device is NULL/empty.  No side effects.
 */
int pb_power_match(const pb_gpu_model_t *models, size_t count,
		   const char *device);

/*
 * Check a GPU model's invariant.  Returns 0, or -1 with a message in err.
 */
struct pb_error;
int pb_power_check_model(const pb_gpu_model_t *m, struct pb_error *err);

/* Watts a node of class c draws when powered off (standby). */
pb_watts_t pb_power_off_w(const pb_power_class_t *c);

/* Watts a powered, unallocated node of class c draws: base + idle parts. */
pb_watts_t pb_power_idle_w(const pb_power_class_t *c);

/*
 * Watts one GPU of model m is modelled to draw under a job: max_w when
 * hint_w <= 0 (no hint, or the site does not honour hints: pass 0),
 * otherwise hint_w clamped to [min_cap_w, max_w].
 */
pb_watts_t pb_power_gpu_w(const pb_gpu_model_t *m, pb_watts_t hint_w);

/*
 * The hint that holds on a node of class c: hint_w, or 0 (full draw) when
 * scope asks for a node-side limit the class does not enforce.
 */
pb_watts_t pb_power_hint_on(const pb_power_class_t *c, pb_watts_t hint_w,
			    pb_hint_scope_t scope);

/*
 * Increment over idle of an allocation of gpus GPUs and cores cores on one
 * node of class c:
 *   gpus * (pb_power_gpu_w(hint) - idle_w)
 * + ceil(cores * cpu_packages * (cpu_max_w - cpu_idle_w) / c->cores)
 * gpus and cores are clamped to the class's counts (an allocation cannot
 * draw more than the whole node).  Never negative.
 */
pb_watts_t pb_power_increment_w(const pb_power_class_t *c, uint32_t gpus,
				uint32_t cores, pb_watts_t hint_w);

/* Full-load draw of a node of class c: idle + increment of all GPUs/cores. */
pb_watts_t pb_power_max_w(const pb_power_class_t *c);

/* ceil(it_w * pue_milli / 1000): facility watts for it_w of IT load. */
pb_watts_t pb_power_facility_w(pb_watts_t it_w, uint32_t pue_milli);

#endif /* PB_POLICY_POWER_H */
