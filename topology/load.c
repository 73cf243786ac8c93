/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/build.h"

static pb_limit_floor_t _floor(const pb_conf_floor_t *f)
{
	return (pb_limit_floor_t){.floor_w = (pb_watts_t)ceil(f->watts),
				  .floor_milli =
				      (uint32_t)ceil(f->frac * 1000)};
}

static void _limit_settings(const pb_conf_settings_t *c, pb_settings_t *s)
{
	s->gpu_limits = c->gpu_limits;
	s->gpu_limit_time = c->gpu_limit_time;
	s->learned_draw = c->learned_draw;
	s->learned_after_s =
	    c->has_learned_after ? c->learned_after_s : PB_LEARN_AFTER_DEFAULT;
	s->gpu_limit_floor = _floor(&c->gpu_limit_floor);
	if (!s->gpu_limit_floor.floor_w && !s->gpu_limit_floor.floor_milli)
		s->gpu_limit_floor.floor_milli = PB_LIMIT_FLOOR_MILLI_DEFAULT;
	if (c->has_speed_curve)
		s->speed_curve = c->speed_curve;
	else
		pb_speed_curve_default(&s->speed_curve);
}

/* CapWindow= lines, their domains as site indexes (checked by conf.c). */
static int _windows(const pb_conf_t *conf, pb_loaded_t *out,
		    const char *power_conf, pb_diag_t *d)
{
	if (!conf->n_windows)
		return 0;
	out->settings.windows =
	    calloc(conf->n_windows, sizeof(*out->settings.windows));
	if (!out->settings.windows) {
		pb_diag_add(d, PB_DIAG_ERROR, power_conf, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < conf->n_windows; i++) {
		const pb_conf_cap_window_t *cw = &conf->windows[i];
		pb_window_setting_t *ws = &out->settings.windows[i];
		int32_t dom = pb_site_domain_by_name(out->site, cw->domain);

		if (dom < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, power_conf, cw->line,
				    "CapWindow '%s': no domain '%s'", cw->name,
				    cw->domain);
			return -1;
		}
		snprintf(ws->name, sizeof(ws->name), "%s", cw->name);
		ws->w = (pb_cap_window_t){.domain = (uint32_t)dom,
					  .cap_w = (pb_watts_t)cw->cap_w,
					  .weekly = cw->weekly,
					  .from = cw->from,
					  .until = cw->until,
					  .days = (uint8_t)cw->days,
					  .start_min = (uint16_t)cw->start_min,
					  .end_min = (uint16_t)cw->end_min};
	}
	out->settings.n_windows = conf->n_windows;
	return 0;
}

static void _ramp(pb_loaded_t *out, const char *name, pb_watts_t it_w)
{
	int32_t dom = pb_site_domain_by_name(out->site, name);

	if (dom < 0 || it_w <= 0)
		return;
	out->settings.ramps[out->settings.n_ramps++] =
	    (pb_ramp_setting_t){(uint32_t)dom, it_w};
}

/* RampLimit=s in IT watts: the facility's is facility power (PUE). */
static int _ramps(const pb_conf_t *conf, pb_loaded_t *out,
		  const char *power_conf, pb_diag_t *d)
{
	out->settings.ramps =
	    calloc(conf->n_domains + 1, sizeof(*out->settings.ramps));
	if (!out->settings.ramps) {
		pb_diag_add(d, PB_DIAG_ERROR, power_conf, 0, "out of memory");
		return -1;
	}
	if (conf->facility.ramp_w > 0)
		_ramp(out, conf->facility.name,
		      (pb_watts_t)floor(conf->facility.ramp_w /
					conf->facility.pue));
	for (size_t i = 0; i < conf->n_domains; i++)
		_ramp(out, conf->domains[i].name,
		      (pb_watts_t)floor(conf->domains[i].ramp_w));
	return 0;
}

int pb_load(const char *power_conf, const char *topology_conf, pb_loaded_t *out,
	    pb_diag_t *d)
{
	pb_conf_t *conf = NULL;
	pb_class_info_t *ci = NULL;
	pb_topo_t *topo = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (pb_conf_parse_file(power_conf, &conf, d) ||
	    (topology_conf && pb_topo_parse_file(topology_conf, &topo, d)) ||
	    pb_build_classes(conf, &ci, d) ||
	    pb_build_site(conf, ci, &out->site, d) ||
	    (topo && pb_build_net(topo, out->site, &out->net, d)))
		goto out;
	out->settings.user_watt_hints = conf->settings.user_watt_hints;
	out->settings.user_watt_floor_w =
	    (pb_watts_t)ceil(conf->settings.user_watt_floor_w);
	_limit_settings(&conf->settings, &out->settings);
	out->settings.debug_trace = conf->settings.debug_trace;
	if (conf->settings.status_file &&
	    !(out->settings.status_file = strdup(conf->settings.status_file))) {
		pb_diag_add(d, PB_DIAG_ERROR, power_conf, 0, "out of memory");
		goto out;
	}
	out->settings.meter_max_age_s = conf->settings.meter_max_age_s
					    ? conf->settings.meter_max_age_s
					    : PB_METER_MAX_AGE_DEFAULT;
	out->settings.curtail = conf->settings.curtail;
	if (!conf->settings.curtail.lead_s)
		out->settings.curtail.lead_s = PB_CURTAIL_LEAD_DEFAULT;
	if (conf->settings.meter_file &&
	    !(out->settings.meter_file = strdup(conf->settings.meter_file))) {
		pb_diag_add(d, PB_DIAG_ERROR, power_conf, 0, "out of memory");
		goto out;
	}
	if (conf->n_partitions &&
	    !(out->settings.partitions = calloc(
		  conf->n_partitions, sizeof(*out->settings.partitions)))) {
		pb_diag_add(d, PB_DIAG_ERROR, power_conf, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < conf->n_partitions; i++) {
		pb_partition_hint_t *ph = &out->settings.partitions[i];

		snprintf(ph->name, sizeof(ph->name), "%s",
			 conf->partitions[i].name);
		ph->gpu_watt_hint_w =
		    (pb_watts_t)ceil(conf->partitions[i].gpu_watt_hint_w);
		ph->floor = _floor(&conf->partitions[i].gpu_limit_floor);
	}
	out->settings.n_partitions = conf->n_partitions;
	if (_windows(conf, out, power_conf, d) ||
	    _ramps(conf, out, power_conf, d))
		goto out;
	rc = 0;
out:
	if (rc)
		pb_loaded_free(out);
	if (conf)
		pb_build_classes_free(ci, conf->n_classes);
	pb_conf_destroy(conf);
	pb_topo_destroy(topo);
	return rc;
}

void pb_loaded_free(pb_loaded_t *l)
{
	if (!l)
		return;
	pb_site_destroy(l->site);
	pb_net_destroy(l->net);
	free(l->settings.status_file);
	free(l->settings.meter_file);
	free(l->settings.partitions);
	free(l->settings.windows);
	free(l->settings.ramps);
	memset(l, 0, sizeof(*l));
}
