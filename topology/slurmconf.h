/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slurmconf.h - the node definitions of slurm.conf, as far as the
 * consistency check needs them: NodeName= hostlists (NodeName=DEFAULT
 * applies to the lines after it, as in Slurm), Gres= GPU counts,
 * CPUs=, Boards=, Sockets=/SocketsPerBoard=, CoresPerSocket=; and the
 * Prolog=, Epilog= and PrologFlags= lines (UserWattHints=enforced needs
 * them).  Every other line, and every other key of a node line, is ignored;
 * Include lines are reported as a notice (not followed).
 */
#ifndef PB_TOPOLOGY_SLURMCONF_H
#define PB_TOPOLOGY_SLURMCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "topology/diag.h"

typedef struct {
	char *name;
	int line;
	bool has_gres;	  /* a Gres= value applied (even without gpu) */
	unsigned gpus;	  /* sum of the gpu[:type]:N entries */
	bool has_sockets; /* Sockets (x Boards) given */
	unsigned sockets;
	bool has_cores; /* CoresPerSocket given */
	unsigned cores; /* sockets x cores per socket */
	unsigned cpus;	/* CPUs=, 0 if not given */
} pb_slurm_node_t;

typedef struct pb_slurmconf {
	char *file;
	int prolog_line, epilog_line; /* 0: no Prolog= / Epilog= line */
	int prolog_flags_line;	      /* 0: no PrologFlags= line */
	bool prolog_alloc;	      /* PrologFlags= holds Alloc */
	pb_slurm_node_t *nodes;	      /* in file order */
	size_t n_nodes;
	void *priv;
} pb_slurmconf_t;

/* Same contract as pb_conf_parse_buffer(). */
extern int pb_slurmconf_parse_buffer(const char *file, const char *buf,
				     size_t len, pb_slurmconf_t **out,
				     pb_diag_t *d);
extern int pb_slurmconf_parse_file(const char *path, pb_slurmconf_t **out,
				   pb_diag_t *d);
extern void pb_slurmconf_destroy(pb_slurmconf_t *s);
extern long pb_slurmconf_find_node(const pb_slurmconf_t *s, const char *name);

#endif
