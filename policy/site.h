/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The site model: GPU power table, node classes, the power-domain tree
 * (facility at the root; halls, rows, racks/PDUs... to any depth), the
 * nodes hanging in leaf domains, and the facility settings (PUE, cooling,
 * reserve).  Built by topology/ (power_budget.conf, hwloc), then
 * finalized; immutable afterwards.  Caps that change at run time live in
 * the ledger (pb_ledger_set_cap), which copies them at creation.
 *
 * Indices: classes, domains and nodes are numbered 0.. in the order they
 * are added.  A domain's parent must exist when the domain is added, so
 * a parent's index is always lower than its children's and the tree can
 * have no cycle (a config parser resolves declaration order, and reports
 * cycles in the file, before calling pb_site_add_domain).
 *
 * Facility math (all caps in watts; IT = power drawn by the nodes):
 *   reserve:  every cap C is reduced to  eff(C) = C - ceil(C * reserve_ppm /
 * 1e6) domains:  IT power under domain d must stay <= eff(cap_d) root: facility
 * power ceil(IT * pue_milli / 1000) <= eff(cap_root), i.e. IT <=
 * floor(eff(cap_root) * 1000 / pue_milli)  (exact), and if cooling_w > 0 also
 * IT <= eff(cooling_w) (all IT power becomes heat the cooling plant must
 * remove). pb_site_it_limit() returns that bound in IT watts, so the ledger,
 * headroom and every verdict work in IT watts throughout.
 */
#ifndef PB_POLICY_SITE_H
#define PB_POLICY_SITE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/error.h"
#include "policy/power.h"

typedef struct pb_site pb_site_t;

/* A node class as a config or an hwloc inventory describes it. */
typedef struct pb_class_spec {
	const char *name;
	/*
	 * A GPU table entry's name (case-insensitive), or, if no entry has
	 * that name, a device model string resolved by pb_site_find_gpu_model
	 * (so an hwloc GPUModel value can be passed as is).  Ignored when
	 * gpus == 0.
	 */
	const char *gpu_model;
	uint16_t gpus;
	uint16_t cpu_packages;
	uint32_t cores;	       /* total over all packages, > 0 */
	pb_watts_t cpu_idle_w; /* per package */
	pb_watts_t cpu_max_w;  /* per package, >= cpu_idle_w */
	pb_watts_t base_w;
	pb_watts_t standby_w;
	bool gpu_limit_enforced; /* see pb_power_class_t */
} pb_class_spec_t;

typedef struct pb_facility {
	uint32_t pue_milli;   /* 1250 = PUE 1.25; >= 1000; default 1000 */
	pb_watts_t cooling_w; /* capacity on IT heat; 0 = not modelled */
	uint32_t reserve_ppm; /* of every cap (and cooling); < 1e6; default 0 */
} pb_facility_t;

#define PB_PUE_ONE 1000u
#define PB_PPM 1000000u

/* An empty site with the builtin GPU table preloaded; NULL if out of memory. */
pb_site_t *pb_site_create(void);

/* Free everything; NULL-safe. */
void pb_site_destroy(pb_site_t *site);

/*
 * Add a GPU model, or replace the entry with the same name
 * (case-insensitive).  Returns 0, or -1 (invalid model, site finalized,
 * out of memory) with err set; no side effects on failure.
 */
int pb_site_set_gpu_model(pb_site_t *site, const pb_gpu_model_t *model,
			  pb_error_t *err);

/*
 * The GPU model matching a device model string (longest match, see
 * power.h), or NULL.  The pointer is valid until the next
 * pb_site_set_gpu_model.  No side effects.
 */
const pb_gpu_model_t *pb_site_find_gpu_model(const pb_site_t *site,
					     const char *device);

/* The GPU model with that exact name (case-insensitive), or NULL. */
const pb_gpu_model_t *pb_site_gpu_model_by_name(const pb_site_t *site,
						const char *name);

/*
 * Add a node class.  Returns its index, or -1 (duplicate name, unknown
 * GPU model, cores == 0, cpu_max_w < cpu_idle_w, negative watts,
 * finalized) with err set; no side effects on failure.
 */
int32_t pb_site_add_class(pb_site_t *site, const pb_class_spec_t *spec,
			  pb_error_t *err);

/*
 * Add a power domain under parent (an existing domain index), or the root
 * facility when parent == -1 (only one root).  cap_w > 0.  Returns its
 * index, or -1 with err set; no side effects on failure.
 */
int32_t pb_site_add_domain(pb_site_t *site, const char *name, int32_t parent,
			   pb_watts_t cap_w, pb_error_t *err);

/*
 * Add a node of class cls in domain.  The domain must be a leaf of the
 * final tree (checked by pb_site_finalize, since children may still come).
 * Returns its index, or -1 (duplicate name, bad index, finalized) with err
 * set; no side effects on failure.
 */
int32_t pb_site_add_node(pb_site_t *site, const char *name, uint32_t cls,
			 uint32_t domain, pb_error_t *err);

/*
 * Set PUE, cooling capacity and reserve (see the facility math above).
 * Returns 0, or -1 (pue_milli < 1000, reserve_ppm >= 1e6, cooling_w < 0,
 * finalized) with err set; no side effects on failure.
 */
int pb_site_set_facility(pb_site_t *site, const pb_facility_t *fac,
			 pb_error_t *err);

/*
 * Validate and freeze: exactly one root domain, at least one node, nodes
 * only in leaf domains, every effective limit positive.  Computes depths,
 * root paths and per-node idle/standby watts.  Children's caps may add up
 * to more than their parent's (oversubscription is normal): see
 * pb_site_domain_oversub_milli.  Returns 0, or -1 with err set (the site
 * stays unfinalized and may be fixed).  Calling it twice is an error.
 */
int pb_site_finalize(pb_site_t *site, pb_error_t *err);

bool pb_site_is_final(const pb_site_t *site);

/* Counts (valid at any time). */
uint32_t pb_site_node_count(const pb_site_t *site);
uint32_t pb_site_domain_count(const pb_site_t *site);
uint32_t pb_site_class_count(const pb_site_t *site);

/* Lookups by name (hashed); -1 if absent.  No side effects. */
int32_t pb_site_node_by_name(const pb_site_t *site, const char *name);
int32_t pb_site_domain_by_name(const pb_site_t *site, const char *name);
int32_t pb_site_class_by_name(const pb_site_t *site, const char *name);

/* Accessors; indices must be valid (checked with assert). */
const char *pb_site_node_name(const pb_site_t *site, uint32_t node);
uint32_t pb_site_node_class(const pb_site_t *site, uint32_t node);
uint32_t pb_site_node_domain(const pb_site_t *site, uint32_t node);
const char *pb_site_class_name(const pb_site_t *site, uint32_t cls);
const pb_power_class_t *pb_site_class(const pb_site_t *site, uint32_t cls);
const char *pb_site_domain_name(const pb_site_t *site, uint32_t domain);
int32_t pb_site_domain_parent(const pb_site_t *site, uint32_t domain);
pb_watts_t pb_site_domain_cap(const pb_site_t *site, uint32_t domain);
const pb_facility_t *pb_site_facility(const pb_site_t *site);

/* After finalize: */
uint32_t pb_site_root(const pb_site_t *site);
uint32_t pb_site_domain_depth(const pb_site_t *site,
			      uint32_t domain); /* root 0 */
bool pb_site_domain_is_leaf(const pb_site_t *site, uint32_t domain);
uint32_t pb_site_max_depth(const pb_site_t *site);
pb_watts_t pb_site_node_idle_w(const pb_site_t *site, uint32_t node);
pb_watts_t pb_site_node_off_w(const pb_site_t *site, uint32_t node);

/*
 * The domains from domain up to the root, domain first: *path points into
 * the site (valid until destroy); returns the length (depth + 1).
 */
uint32_t pb_site_domain_path(const pb_site_t *site, uint32_t domain,
			     const uint32_t **path);

/* The same for a node: its leaf domain first, the root last. */
uint32_t pb_site_node_path(const pb_site_t *site, uint32_t node,
			   const uint32_t **path);

/*
 * Sum of the child domains' caps over this domain's cap, in thousandths
 * (1500 = children may draw 1.5x the parent); 0 for a leaf.
 */
uint64_t pb_site_domain_oversub_milli(const pb_site_t *site, uint32_t domain);

/*
 * The IT-watt bound a cap of cap_w on domain implies (facility math
 * above: reserve; for the root also PUE and cooling).  May be <= 0 for a
 * tiny cap.  No side effects.
 */
pb_watts_t pb_site_it_limit(const pb_site_t *site, uint32_t domain,
			    pb_watts_t cap_w);

#endif /* PB_POLICY_SITE_H */
