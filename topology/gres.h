/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gres.h - GPU/NIC/NUMA affinity of a node class and the gres.conf lines
 * that keep cons_tres's own GPU choice local to the NUMA node and NIC.
 */
#ifndef PB_TOPOLOGY_GRES_H
#define PB_TOPOLOGY_GRES_H

#include <stdio.h>

#include "topology/hwinv.h"

/* One line per GPU: index, bus id, model, OS devices, NUMA nodes, cores,
 * nearest NIC(s) with hops and whether they share a PCIe switch; then the
 * NICs.  Returns 0, -1 on write error. */
extern int pb_gres_print_affinity(const pb_hw_inv_t *inv, FILE *out);

/*
 * gres.conf lines, "NodeName=<nodes> Name=gpu [Type=<type>] File=...
 * Cores=... [Links=...]", one per GPU, preceded by '#' comments on what the
 * export cannot tell (File= of non-NVIDIA devices, device minor numbers,
 * NVSwitch systems).  nodes and type may be NULL.  Returns 0, -1 on write
 * error.
 */
extern int pb_gres_print_conf(const pb_hw_inv_t *inv, const char *nodes,
			      const char *type, FILE *out);

#endif
