/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * build.h - from the parsed files to policy/'s model.
 *
 *   pb_conf_t  --pb_build_classes-->  pb_class_info_t[] (hwloc inventories)
 *   pb_conf_t + classes  --pb_build_site-->  pb_site_t (finalized)
 *   pb_topo_t + pb_site_t  --pb_build_net-->  pb_net_t (finalized)
 *
 * Every problem is reported as "file:line: message" at the config line it
 * comes from (the NodeClass line for an unknown GPU model, the Domain line
 * for a cap policy/ refuses, ...).  The conf passed in must have parsed
 * without errors.
 */
#ifndef PB_TOPOLOGY_BUILD_H
#define PB_TOPOLOGY_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "policy/net.h"
#include "policy/site.h"
#include "topology/conf.h"
#include "topology/diag.h"
#include "topology/hwinv.h"
#include "topology/topoconf.h"

/* The inventory of one NodeClass, from its hwloc export or its keys. */
typedef struct {
	pb_hw_inv_t *inv; /* NULL without Topology= (or if it failed) */
	unsigned gpus;	  /* GPUs the class counts (of its GPU model) */
	unsigned packages, cores;
	const char *gpu_model_string; /* device string to resolve, or NULL */
	int ok;			      /* 1 if the inventory is usable */
} pb_class_info_t;

/*
 * Loads the hwloc export of every class with Topology= (relative paths are
 * relative to the conf file) and fills one pb_class_info_t per class,
 * parallel to conf->classes.  Returns 0, or -1 with errors in d (*out is
 * still set unless out of memory).  Free with pb_build_classes_free().
 */
extern int pb_build_classes(const pb_conf_t *conf, pb_class_info_t **out,
			    pb_diag_t *d);
extern void pb_build_classes_free(pb_class_info_t *ci, size_t n);

/*
 * A finalized site: facility (PUE, cooling, reserve), GPU models (built-in
 * ones overridden or added by GpuModel= lines), classes, the facility and
 * its domains (parents first), and the nodes in conf->nodes order -- so
 * site node i is conf->nodes[i].  GPU models of exports are resolved with
 * the site's table (longest match); an unknown one is an error at the
 * NodeClass line that names the model string and the GpuModel= line to
 * add.  Caps are rounded down to whole watts, draws up.  Cap=unlimited
 * becomes PB_BUILD_UNLIMITED_W.  Returns 0, or -1 with *out NULL.
 */
#define PB_BUILD_UNLIMITED_W ((pb_watts_t)1000000000000000LL) /* 1 PW */
extern int pb_build_site(const pb_conf_t *conf, const pb_class_info_t *ci,
			 pb_site_t **out, pb_diag_t *d);

/*
 * A finalized network tree over the site's nodes: switches added parents
 * first, nodes matched by name.  Nodes of topology.conf that the site does
 * not know are notices (pb-check reports them as errors); site nodes in no
 * switch stay unattached.  Returns 0, or -1 with *out NULL.
 */
extern int pb_build_net(const pb_topo_t *topo, const pb_site_t *site,
			pb_net_t **out, pb_diag_t *d);

#endif
