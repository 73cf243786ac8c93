/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-gres: prints, from a node class's hwloc XML export, the GPU/NIC/NUMA
 * affinity table and matching gres.conf lines; with -p, the gres.conf
 * lines of every class of a power_budget.conf that has a Topology= export.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "topology/hostlist.h"

#include "topology/conf.h"
#include "topology/gres.h"

static void _usage(FILE *out)
{
	fprintf(out,
		"usage: pb-gres [-n NODES] [-t TYPE] [-a|-g] FILE.xml\n"
		"       pb-gres -p power_budget.conf [-t TYPE]\n"
		"  -n NODES  NodeName= hostlist for the gres.conf lines\n"
		"  -t TYPE   Type= for the gres.conf lines\n"
		"  -a        affinity table only\n"
		"  -g        gres.conf lines only\n"
		"  -p CONF   gres.conf lines of every class with Topology=\n");
}

/* The class's nodes as one hostlist expression (malloc'd), or NULL. */
static char *_class_nodes(const pb_conf_t *c, size_t cls)
{
	pb_hostlist_t hl = slurm_hostlist_create(NULL);
	char *s;

	if (!hl)
		return NULL;
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].class_idx == (long)cls)
			slurm_hostlist_push_host(hl, c->nodes[i].name);
	slurm_hostlist_uniq(hl); /* sorts, too */
	s = pb_hostlist_ranged(hl);
	slurm_hostlist_destroy(hl);
	return s;
}

static int _from_conf(const char *path, const char *type, pb_diag_t *d)
{
	pb_conf_t *c = NULL;
	int rc = 0;

	if (pb_conf_parse_file(path, &c, d)) {
		pb_conf_destroy(c);
		return 1;
	}
	printf("# gres.conf from %s\n", path);
	for (size_t i = 0; i < c->n_classes; i++) {
		const pb_conf_class_t *k = &c->classes[i];
		pb_hw_inv_t *inv;
		char *nodes;

		if (!k->topology_path) {
			printf("\n# NodeClass '%s' (%s:%d) has no Topology= "
			       "export: write its lines by hand\n",
			       k->name, path, k->line);
			continue;
		}
		if (pb_hw_load_xml(k->topology_path, &inv, d)) {
			rc = 1;
			continue;
		}
		nodes = _class_nodes(c, i);
		printf("\n# NodeClass '%s' (%s:%d)\n", k->name, path, k->line);
		rc |= pb_gres_print_conf(inv, nodes ? nodes : "<nodes>", type,
					 stdout)
			  ? 1
			  : 0;
		free(nodes);
		pb_hw_destroy(inv);
	}
	pb_conf_destroy(c);
	return rc;
}

int main(int argc, char **argv)
{
	const char *nodes = NULL, *type = NULL, *conf = NULL;
	bool table = true, gres = true;
	pb_hw_inv_t *inv;
	pb_diag_t *d;
	int c, rc;

	while ((c = getopt(argc, argv, "n:t:agp:h")) != -1) {
		switch (c) {
		case 'n':
			nodes = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'a':
			gres = false;
			break;
		case 'g':
			table = false;
			break;
		case 'p':
			conf = optarg;
			break;
		case 'h':
			_usage(stdout);
			return 0;
		default:
			_usage(stderr);
			return 2;
		}
	}
	if (optind + (conf ? 0 : 1) != argc) {
		_usage(stderr);
		return 2;
	}
	if (!(d = pb_diag_create()))
		return 1;
	if (conf) {
		rc = _from_conf(conf, type, d);
		pb_diag_print(d, stderr);
		pb_diag_destroy(d);
		return rc;
	}
	rc = pb_hw_load_xml(argv[optind], &inv, d);
	pb_diag_print(d, stderr);
	pb_diag_destroy(d);
	if (rc)
		return 1;
	if (table)
		rc |= pb_gres_print_affinity(inv, stdout);
	if (table && gres)
		printf("\n");
	if (gres)
		rc |= pb_gres_print_conf(inv, nodes, type, stdout);
	pb_hw_destroy(inv);
	return rc ? 1 : 0;
}
