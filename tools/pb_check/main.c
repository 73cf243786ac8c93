/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-check: checks that slurm.conf, power_budget.conf, the node classes'
 * hwloc exports and topology.conf agree, before slurmctld is restarted.
 * Exit status: 0 consistent, 1 errors found, 2 usage.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/check.h"

static void _usage(FILE *out)
{
	fprintf(out,
		"usage: pb-check [-s slurm.conf] [-p power_budget.conf] "
		"[-t topology.conf | -T] [-q]\n"
		"  defaults: files beside $SLURM_CONF (or /etc/slurm); -T skips "
		"topology.conf; -q prints errors only\n");
}

static char *_beside(const char *conf, const char *name)
{
	const char *slash = strrchr(conf, '/');
	size_t dlen = slash ? (size_t)(slash - conf) : 1;
	char *out = malloc(dlen + strlen(name) + 2);

	if (out)
		sprintf(out, "%.*s/%s", (int)dlen, slash ? conf : ".", name);
	return out;
}

int main(int argc, char **argv)
{
	const char *env = getenv("SLURM_CONF");
	const char *slurm = env && *env ? env : "/etc/slurm/slurm.conf";
	char *power = NULL, *topo = NULL, *dflt_p, *dflt_t;
	bool no_topo = false, quiet = false;
	pb_check_args_t a;
	pb_diag_t *d;
	size_t errors;
	int c;

	while ((c = getopt(argc, argv, "s:p:t:Tqh")) != -1) {
		switch (c) {
		case 's':
			slurm = optarg;
			break;
		case 'p':
			power = optarg;
			break;
		case 't':
			topo = optarg;
			break;
		case 'T':
			no_topo = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			_usage(stdout);
			return 0;
		default:
			_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		_usage(stderr);
		return 2;
	}
	dflt_p = _beside(slurm, "power_budget.conf");
	dflt_t = _beside(slurm, "topology.conf");
	if (!(d = pb_diag_create()) || !dflt_p || !dflt_t) {
		fprintf(stderr, "pb-check: out of memory\n");
		return 1;
	}
	a.slurm_conf = slurm;
	a.power_conf = power ? power : dflt_p;
	a.topology_conf = no_topo ? NULL : topo ? topo : dflt_t;
	errors = pb_check_run(&a, d);
	for (size_t i = 0; i < pb_diag_count(d); i++)
		if (!quiet || pb_diag_level(d, i) == PB_DIAG_ERROR)
			printf("%s\n", pb_diag_text(d, i));
	if (pb_diag_errors(d) > PB_DIAG_MAX_ERRORS)
		printf("... and %zu more errors\n",
		       pb_diag_errors(d) - PB_DIAG_MAX_ERRORS);
	printf("pb-check: %zu error%s, %zu notice%s\n", errors,
	       errors == 1 ? "" : "s", pb_diag_notices(d),
	       pb_diag_notices(d) == 1 ? "" : "s");
	pb_diag_destroy(d);
	free(dflt_p);
	free(dflt_t);
	return errors ? 1 : 0;
}
