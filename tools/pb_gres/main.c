/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-gres: prints, from a node class's hwloc XML export, the GPU/NIC/NUMA
 * affinity table and matching gres.conf lines.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "topology/gres.h"

static void _usage(FILE *out)
{
	fprintf(out, "usage: pb-gres [-n NODES] [-t TYPE] [-a|-g] FILE.xml\n"
		"  -n NODES  NodeName= hostlist for the gres.conf lines\n"
		"  -t TYPE   Type= for the gres.conf lines\n"
		"  -a        affinity table only\n"
		"  -g        gres.conf lines only\n");
}

int main(int argc, char **argv)
{
	const char *nodes = NULL, *type = NULL;
	bool table = true, gres = true;
	pb_hw_inv_t *inv;
	pb_diag_t *d;
	int c, rc;

	while ((c = getopt(argc, argv, "n:t:agh")) != -1) {
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
		case 'h':
			_usage(stdout);
			return 0;
		default:
			_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		_usage(stderr);
		return 2;
	}
	if (!(d = pb_diag_create()))
		return 1;
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
