/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libslurm's public hostlist API (slurm/slurm.h) the same way on every
 * Slurm release we build for. The API itself changed: up to 22.05
 * hostlist_t is a pointer typedef, since 23.02 it is the struct and
 * functions take hostlist_t *; slurm_hostlist_ranged_string_malloc() is
 * gone in 24.11. This is the only release difference in topology/.
 */
#ifndef PB_TOPOLOGY_HOSTLIST_H
#define PB_TOPOLOGY_HOSTLIST_H

#include <slurm/slurm.h>
#include <slurm/slurm_version.h>

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
typedef hostlist_t *pb_hostlist_t;
#else
typedef hostlist_t pb_hostlist_t;
#endif

/*
 * The ranged form of @hl ("n[1-4,7]"), malloc'd (free() it), or NULL
 * when out of memory.
 */
extern char *pb_hostlist_ranged(pb_hostlist_t hl);

#endif
