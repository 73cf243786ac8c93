// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_site: the reference site generator and the site file reader.
 *
 * The reference site (DESIGN.md): 12,500 DGX-class nodes of 8 H100 SXM,
 * 100 MW facility cap, PUE 1.25, 130 MW cooling.  Choices, and why:
 *
 *  - Node power: H100 SXM 75 W idle / 700 W max / 200 W lowest cap (the
 *    policy's shipped table, which pb-sim copies at start); 2 CPU packages
 *    100 / 350 W (Xeon 8480C TDP); base 3,900 W (fans, DRAM, 8 NICs,
 *    NVSwitch), so a node draws 10.2 kW flat out, DGX H100's rated maximum.
 *    The policy's model has a constant base, so the fans' ramp is counted
 *    at idle too: idle is 4.7 kW, on the safe (high) side.  Off (Slurm power
 *    saving) leaves the BMC and PSU losses: 50 W.
 *  - Racks of 4 nodes on a 42 kW breaker: 4 x 10.2 kW = 40.8 kW fits even
 *    after the 2% reserve (41.16 kW), the usual 40-45 kW AI rack; with
 *    41 kW the reserve would leave room for 3 nodes flat out, not 4.
 *  - Rows of 32 racks (128 nodes) on 1.25 MW: 4% below 128 nodes flat out,
 *    as row busways are usually sized for a realistic, not nameplate, load.
 *  - Halls of 25 rows (3,200 nodes) at 30 MW IT: 8% below nameplate.
 *  - Facility: 100 MW x (1 - reserve) of facility power, IT x PUE; cooling
 *    130 MW of IT heat.  Reserve 2% of every cap for estimate error.
 *  - Fat tree: leaf switches of 32 nodes (a 64-port leaf, half down), 16
 *    leaves per spine group (512 nodes, one rail-optimised scalable unit).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim_site.h"

double sim_site_idle_w(const struct sim_site *s)
{
	return s->gpn * s->gpu_idle_w + s->cpu_pkgs * s->cpu_idle_w + s->base_w;
}

double sim_site_gpu_w(const struct sim_site *s, double load)
{
	double w = s->gpu_idle_w + load * (s->gpu_max_w - s->gpu_idle_w);

	if (load >= 1)
		return s->gpu_max_w;
	w = round(w);
	return w < s->gpu_min_w ? s->gpu_min_w : w;
}

double sim_site_busy_w(const struct sim_site *s, uint32_t gpus, double load)
{
	if (gpus > s->gpn)
		gpus = s->gpn;
	return sim_site_idle_w(s) +
	       gpus * (sim_site_gpu_w(s, load) - s->gpu_idle_w) +
	       s->cpu_pkgs * (s->cpu_max_w - s->cpu_idle_w);
}

double sim_site_node_w(const struct sim_site *s, uint32_t gpus, double gpu_w)
{
	if (gpus > s->gpn)
		gpus = s->gpn;
	return sim_site_idle_w(s) + gpus * (gpu_w - s->gpu_idle_w) +
	       s->cpu_pkgs * (s->cpu_max_w - s->cpu_idle_w);
}

double sim_site_cap_at(const struct sim_site *s, double t)
{
	double cap = s->cap_w;

	for (uint32_t i = 0; i < s->nwindows; i++)
		if (s->windows[i].start <= t && t < s->windows[i].end)
			cap = fmin(cap, s->windows[i].cap_w);
	if (s->curtailed && s->curtail.deadline <= t && t < s->curtail.until)
		cap = fmin(cap, s->curtail.cap_w);
	return cap;
}

double sim_site_cap_change_after(const struct sim_site *s, double t)
{
	double next = INFINITY;

	for (uint32_t i = 0; i < s->nwindows; i++) {
		if (s->windows[i].start > t)
			next = fmin(next, s->windows[i].start);
		if (s->windows[i].end > t)
			next = fmin(next, s->windows[i].end);
	}
	return next;
}

double sim_site_it_cap_w(const struct sim_site *s)
{
	double it = s->cap_w / s->pue;

	return s->cooling_w > 0 && s->cooling_w < it ? s->cooling_w : it;
}

uint32_t sim_site_count(const struct sim_site *s, int level)
{
	uint32_t per;

	switch (level) {
	case SIM_LVL_RACK:
		per = s->rack_nodes;
		break;
	case SIM_LVL_ROW:
		per = s->rack_nodes * s->row_racks;
		break;
	case SIM_LVL_HALL:
		per = s->rack_nodes * s->row_racks * s->hall_rows;
		break;
	case SIM_LVL_LEAF:
		per = s->leaf_nodes;
		break;
	default:
		per = s->leaf_nodes * s->group_leaves;
		break;
	}
	return (s->nodes + per - 1) / per;
}

void sim_site_reference(struct sim_site *s, double mw)
{
	double k = mw / 100.0;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "reference-%.0fMW", mw);
	s->nodes = (uint32_t)lround(12500 * k);
	s->gpn = 8;
	snprintf(s->gpu_model, sizeof(s->gpu_model), "H100 SXM");
	s->gpu_idle_w = 75;
	s->gpu_max_w = 700;
	s->gpu_min_w = 200;
	s->cpu_pkgs = 2;
	s->cpu_idle_w = 100;
	s->cpu_max_w = 350;
	s->base_w = 3900;
	s->standby_w = 50;
	s->leaf_nodes = 32;
	s->group_leaves = 16;
	s->rack_nodes = 4;
	s->row_racks = 32;
	s->hall_rows = 25;
	s->rack_cap_w = 42e3;
	s->row_cap_w = 1.25e6;
	s->hall_cap_w = 30e6;
	s->cap_w = mw * 1e6;
	s->pue = 1.25;
	s->cooling_w = 130e6 * k;
	s->reserve = 0.02;
}

struct _key {
	const char *name;
	size_t off;
	int kind; /* 0 double, 1 uint32, 2 string, 3 MW, 4 kW */
};

#define D(n, f)                                                                \
	{                                                                      \
		n, offsetof(struct sim_site, f), 0                             \
	}
#define U(n, f)                                                                \
	{                                                                      \
		n, offsetof(struct sim_site, f), 1                             \
	}
static const struct _key _keys[] = {
    {"Name", offsetof(struct sim_site, name), 2},
    U("Nodes", nodes),
    U("GpusPerNode", gpn),
    {"GpuModel", offsetof(struct sim_site, gpu_model), 2},
    D("GpuIdleWatts", gpu_idle_w),
    D("GpuMaxWatts", gpu_max_w),
    D("GpuMinCapWatts", gpu_min_w),
    U("CpuPackages", cpu_pkgs),
    D("CpuIdleWatts", cpu_idle_w),
    D("CpuMaxWatts", cpu_max_w),
    D("BaseWatts", base_w),
    D("StandbyWatts", standby_w),
    U("LeafNodes", leaf_nodes),
    U("GroupLeaves", group_leaves),
    U("RackNodes", rack_nodes),
    U("RowRacks", row_racks),
    U("HallRows", hall_rows),
    {"RackCapKW", offsetof(struct sim_site, rack_cap_w), 4},
    {"RowCapKW", offsetof(struct sim_site, row_cap_w), 4},
    {"HallCapMW", offsetof(struct sim_site, hall_cap_w), 3},
    {"FacilityCapMW", offsetof(struct sim_site, cap_w), 3},
    {"CoolingMW", offsetof(struct sim_site, cooling_w), 3},
    D("PUE", pue),
    D("Reserve", reserve),
};
#undef D
#undef U

/* Set one Key=Value; returns 0, or -1 with a message in err. */
static int _set(struct sim_site *s, const char *k, const char *v,
		pb_error_t *err)
{
	for (size_t i = 0; i < sizeof(_keys) / sizeof(_keys[0]); i++) {
		const struct _key *key = &_keys[i];
		char *p = (char *)s + key->off, *end;
		double d;

		if (strcasecmp(k, key->name))
			continue;
		if (key->kind == 2) {
			snprintf(p, 64, "%s", v);
			return 0;
		}
		errno = 0;
		d = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(d) || d < 0)
			return pb_error_set(
			    err, "%s: '%s' is not a number >= 0", k, v);
		if (key->kind == 1) {
			if (d != floor(d) || d > 1e8)
				return pb_error_set(
				    err, "%s: '%s' is not a count", k, v);
			*(uint32_t *)(void *)p = (uint32_t)d;
		} else {
			*(double *)(void *)p = d * (key->kind == 3   ? 1e6
						    : key->kind == 4 ? 1e3
								     : 1);
		}
		return 0;
	}
	return pb_error_set(err, "unknown key '%s'", k);
}

int sim_site_check(const struct sim_site *s, pb_error_t *err)
{
	if (!s->nodes || !s->gpn || !s->rack_nodes || !s->row_racks ||
	    !s->hall_rows || !s->leaf_nodes || !s->group_leaves) {
		return pb_error_set(err,
				    "site %s: node, GPU and domain counts must "
				    "be > 0",
				    s->name);
	}
	if (s->pue < 1 || s->cap_w <= 0 || s->reserve >= 1)
		return pb_error_set(
		    err,
		    "site %s: need PUE >= 1, a facility cap > 0 "
		    "and a reserve < 1",
		    s->name);
	if (s->gpu_max_w < s->gpu_min_w || s->gpu_min_w < s->gpu_idle_w ||
	    s->cpu_max_w < s->cpu_idle_w || sim_site_idle_w(s) < s->standby_w) {
		return pb_error_set(err,
				    "site %s: need GPU idle <= min cap <= max, "
				    "CPU idle <= max, standby <= idle",
				    s->name);
	}
	return 0;
}

/* Key=Value words on each line; '#' starts a comment. */
static int _load_file(struct sim_site *s, const char *path, pb_error_t *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	pb_error_t msg;
	unsigned lineno = 0;

	if (!f)
		return pb_error_set(err, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w, *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = '\0';
		for (w = strtok_r(line, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			char *eq = strchr(w, '=');

			if (!eq) {
				pb_error_set(&msg,
					     "'%s' is not "
					     "Key=Value",
					     w);
				goto bad;
			}
			*eq = '\0';
			if (_set(s, w, eq + 1, &msg))
				goto bad;
		}
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	/* a word's message is cut at 255 bytes, as pb-sim always printed it */
	return pb_error_set(err, "%s:%u: %.255s", path, lineno, msg.text);
}

int sim_site_load(struct sim_site *s, const char *what, pb_error_t *err)
{
	if (!strcmp(what, "reference") || !strcmp(what, "reference-100")) {
		sim_site_reference(s, 100);
		return 0;
	}
	if (!strcmp(what, "reference-500")) {
		sim_site_reference(s, 500);
		return 0;
	}
	/* a file starts from the reference and changes what it names */
	sim_site_reference(s, 100);
	snprintf(s->name, sizeof(s->name), "%s", what);
	if (_load_file(s, what, err))
		return -1;
	return sim_site_check(s, err);
}
