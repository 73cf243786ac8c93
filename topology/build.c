/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pb_watts_t _up(double w)
{
	return (pb_watts_t)ceil(w);
}

static pb_watts_t _down(double w)
{
	return (pb_watts_t)floor(w);
}

int pb_build_classes(const pb_conf_t *conf, pb_class_info_t **out, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	pb_class_info_t *ci;

	*out = NULL;
	if (!(ci =
		  calloc(conf->n_classes ? conf->n_classes : 1, sizeof(*ci)))) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < conf->n_classes; i++) {
		const pb_conf_class_t *k = &conf->classes[i];
		pb_class_info_t *c = &ci[i];

		if (!k->topology_path) {
			c->gpus = k->gpus;
			c->packages = k->packages;
			c->cores = k->cores;
			c->ok = 1;
			continue;
		}
		if (pb_hw_load_xml(k->topology_path, &c->inv, d)) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line,
				    "NodeClass '%s': cannot use Topology=%s",
				    k->name, k->topology);
			continue;
		}
		c->gpus = (unsigned)c->inv->n_gpus;
		c->packages = c->inv->packages;
		c->cores = c->inv->cores;
		c->ok = 1;
	}
	*out = ci;
	return pb_diag_errors(d) > errors0 ? -1 : 0;
}

void pb_build_classes_free(pb_class_info_t *ci, size_t n)
{
	if (!ci)
		return;
	for (size_t i = 0; i < n; i++)
		pb_hw_destroy(ci[i].inv);
	free(ci);
}

/*
 * Indexes 0..n-1 ordered by depth (parents first), stable: a counting
 * sort, so deep chains cost O(n + depth).  NULL if out of memory.
 */
static size_t *_by_depth(size_t n, size_t (*depth)(const void *, size_t),
			 const void *arg)
{
	size_t maxd = 0, *count, *order;

	for (size_t i = 0; i < n; i++)
		if (depth(arg, i) > maxd)
			maxd = depth(arg, i);
	count = calloc(maxd + 2, sizeof(*count));
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!count || !order) {
		free(count);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		count[depth(arg, i) + 1]++;
	for (size_t d = 1; d <= maxd + 1; d++)
		count[d] += count[d - 1];
	for (size_t i = 0; i < n; i++)
		order[count[depth(arg, i)]++] = i;
	free(count);
	return order;
}

static size_t _domain_depth(const void *arg, size_t i)
{
	return ((const pb_conf_t *)arg)->domains[i].depth;
}

static size_t _switch_depth(const void *arg, size_t i)
{
	return ((const pb_topo_t *)arg)->switches[i].depth;
}

static int _models(const pb_conf_t *conf, pb_site_t *site, pb_diag_t *d)
{
	int rc = 0;

	for (size_t i = 0; i < conf->n_models; i++) {
		const pb_conf_gpu_model_t *cm = &conf->models[i];
		const pb_gpu_model_t *old =
		    pb_site_gpu_model_by_name(site, cm->name);
		pb_gpu_model_t m = {0};
		pb_error_t err;

		if (old)
			m = *old;
		else if (!cm->has_idle || !cm->has_max) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, cm->line,
				    "GpuModel '%s' is not a built-in model, so "
				    "it needs IdleW= and MaxW= (and MinCapW=, "
				    "Match=)",
				    cm->name);
			rc = -1;
			continue;
		}
		snprintf(m.name, sizeof(m.name), "%s", cm->name);
		if (cm->has_match || !old) {
			const char *match =
			    cm->has_match ? cm->match : cm->name;

			if (strlen(match) >= sizeof(m.match)) {
				pb_diag_add(d, PB_DIAG_ERROR, conf->file,
					    cm->line,
					    "GpuModel '%s': Match= "
					    "longer than %zu characters",
					    cm->name, sizeof(m.match) - 1);
				rc = -1;
				continue;
			}
			snprintf(m.match, sizeof(m.match), "%s", match);
		}
		if (cm->has_idle)
			m.idle_w = _up(cm->idle_w);
		if (cm->has_max)
			m.max_w = _up(cm->max_w);
		if (cm->has_min_cap)
			m.min_cap_w = _up(cm->min_cap_w);
		else if (!old)
			m.min_cap_w = m.max_w; /* not known to be cappable */
		if (pb_site_set_gpu_model(site, &m, &err)) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, cm->line,
				    "%s", err.text);
			rc = -1;
		}
	}
	return rc;
}

/* Chooses the class's GPU model and count; -1 after reporting. */
static int _class_gpu(const pb_conf_t *conf, const pb_conf_class_t *k,
		      const pb_class_info_t *ci, pb_site_t *site,
		      pb_gpu_model_t *model, unsigned *gpus, pb_diag_t *d)
{
	const pb_gpu_model_t *m = NULL;
	const pb_hw_inv_t *inv = ci->inv;

	*gpus = ci->gpus;
	if (k->gpu_model[0]) {
		m = pb_site_gpu_model_by_name(site, k->gpu_model);
		if (!m) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line,
				    "NodeClass '%s': unknown GpuModel '%s' "
				    "(not built in and no GpuModel=%s line)",
				    k->name, k->gpu_model, k->gpu_model);
			return -1;
		}
		if (inv) { /* count only the GPUs of that model */
			unsigned n = 0, other = 0;

			for (size_t i = 0; i < inv->n_gpus; i++) {
				if (pb_power_match(m, 1, inv->gpus[i].model) ==
				    0)
					n++;
				else
					other++;
			}
			if (other)
				pb_diag_add(
				    d, PB_DIAG_NOTICE, conf->file, k->line,
				    "NodeClass '%s': %u GPU%s "
				    "of %s do not match GpuModel '%s' "
				    "and are not counted (put their "
				    "draw in BaseW)",
				    k->name, other, other == 1 ? "" : "s",
				    inv->file, m->name);
			*gpus = n;
		}
		*model = *m;
		return 0;
	}
	if (!inv || !inv->n_gpus)
		return 0;
	for (size_t i = 0; i < inv->n_gpus; i++) {
		const char *dev = inv->gpus[i].model;
		const pb_gpu_model_t *mi = pb_site_find_gpu_model(site, dev);

		if (!mi) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line,
				    "NodeClass '%s': GPU model '%s' (%s, GPU "
				    "%zu) is not in the power tables; add a "
				    "line like: GpuModel=<name> Match=\"%s\" "
				    "IdleW=<W> MaxW=<W> MinCapW=<W>",
				    k->name, dev, inv->file, i, dev);
			return -1;
		}
		if (m && strcasecmp(m->name, mi->name)) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line,
				    "NodeClass '%s': %s mixes GPU models '%s' "
				    "and '%s'; set GpuModel= to the one the "
				    "class counts",
				    k->name, inv->file, m->name, mi->name);
			return -1;
		}
		m = mi;
	}
	*model = *m;
	return 0;
}

static int _classes(const pb_conf_t *conf, const pb_class_info_t *ci,
		    pb_site_t *site, int32_t *map, pb_diag_t *d)
{
	int rc = 0;

	for (size_t i = 0; i < conf->n_classes; i++) {
		const pb_conf_class_t *k = &conf->classes[i];
		pb_gpu_model_t model = {0};
		pb_class_spec_t spec = {0};
		unsigned gpus = 0;
		pb_error_t err;

		map[i] = -1;
		if (!ci[i].ok) {
			rc = -1;
			continue;
		}
		if (_class_gpu(conf, k, &ci[i], site, &model, &gpus, d)) {
			rc = -1;
			continue;
		}
		if (gpus &&
		    (k->has_gpu_idle || k->has_gpu_max || k->has_gpu_min_cap)) {
			/* a private copy of the model with the overrides; an
			 * empty Match= keeps it out of device matching */
			if (k->has_gpu_idle)
				model.idle_w = _up(k->gpu_idle_w);
			if (k->has_gpu_max)
				model.max_w = _up(k->gpu_max_w);
			if (k->has_gpu_min_cap)
				model.min_cap_w = _up(k->gpu_min_cap_w);
			char base[PB_NAME_MAX];

			memcpy(base, model.name, sizeof(base));
			snprintf(model.name, sizeof(model.name), "%.30s@%.30s",
				 base, k->name);
			model.match[0] = '\0';
			if (pb_site_set_gpu_model(site, &model, &err)) {
				pb_diag_add(d, PB_DIAG_ERROR, conf->file,
					    k->line, "NodeClass '%s': %s",
					    k->name, err.text);
				rc = -1;
				continue;
			}
		}
		if (gpus > UINT16_MAX || ci[i].packages > UINT16_MAX) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line,
				    "NodeClass '%s': too many GPUs or packages",
				    k->name);
			rc = -1;
			continue;
		}
		spec.name = k->name;
		spec.gpu_model = gpus ? model.name : NULL;
		spec.gpus = (uint16_t)gpus;
		spec.cpu_packages = (uint16_t)ci[i].packages;
		spec.cores = ci[i].cores;
		spec.cpu_idle_w = _up(k->cpu_idle_w);
		spec.cpu_max_w = _up(k->cpu_max_w);
		spec.base_w = _up(k->base_w);
		spec.standby_w = _up(k->standby_w);
		spec.gpu_limit_enforced = k->gpu_limit_enforced;
		map[i] = pb_site_add_class(site, &spec, &err);
		if (map[i] < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, k->line, "%s",
				    err.text);
			rc = -1;
		}
	}
	return rc;
}

static int _domains(const pb_conf_t *conf, pb_site_t *site, int32_t *map,
		    pb_diag_t *d)
{
	const pb_conf_facility_t *f = &conf->facility;
	size_t n = conf->n_domains, *order;
	int32_t root;
	pb_error_t err;
	int rc = 0;

	root = pb_site_add_domain(site, f->name, -1, _down(f->cap_w), &err);
	if (root < 0) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, f->line, "%s",
			    err.text);
		return -1;
	}
	/* parents first: by depth, then in file order */
	if (!(order = _by_depth(n, _domain_depth, conf))) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		map[i] = -1;
	for (size_t o = 0; o < n; o++) {
		size_t i = order[o];
		const pb_conf_domain_t *dm = &conf->domains[i];
		int32_t parent =
		    dm->parent_idx < 0 ? root : map[dm->parent_idx];
		pb_watts_t cap;

		if (parent < 0)
			continue; /* its parent failed: reported */
		cap = dm->cap_w < 0 ? PB_BUILD_UNLIMITED_W : _down(dm->cap_w);
		map[i] = pb_site_add_domain(site, dm->name, parent, cap, &err);
		if (map[i] < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file, dm->line,
				    "%s", err.text);
			rc = -1;
		}
	}
	free(order);
	return rc;
}

int pb_build_site(const pb_conf_t *conf, const pb_class_info_t *ci,
		  pb_site_t **out, pb_diag_t *d)
{
	int32_t *cmap = NULL, *dmap = NULL;
	pb_site_t *site;
	pb_facility_t fac;
	pb_error_t err;
	int rc = -1;

	*out = NULL;
	if (!conf->has_facility) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, 0,
			    "no Facility= line");
		return -1;
	}
	if (!(site = pb_site_create()) ||
	    !(cmap = calloc(conf->n_classes + 1, sizeof(*cmap))) ||
	    !(dmap = calloc(conf->n_domains + 1, sizeof(*dmap)))) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, 0, "out of memory");
		goto out;
	}
	fac.pue_milli = (uint32_t)lround(conf->facility.pue * 1000);
	fac.cooling_w = _down(conf->facility.cooling_w);
	fac.reserve_ppm = (uint32_t)lround(conf->facility.reserve * 1e6);
	if (pb_site_set_facility(site, &fac, &err)) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, conf->facility.line,
			    "%s", err.text);
		goto out;
	}
	if (_models(conf, site, d) | _classes(conf, ci, site, cmap, d) |
	    _domains(conf, site, dmap, d))
		goto out;
	for (size_t i = 0; i < conf->n_nodes; i++) {
		const pb_conf_node_t *nd = &conf->nodes[i];

		if (nd->class_idx < 0 || nd->domain_idx < 0 ||
		    pb_site_add_node(
			site, nd->name, (uint32_t)cmap[nd->class_idx],
			(uint32_t)dmap[nd->domain_idx], &err) < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, conf->file,
				    nd->domain_line, "node %s: %s", nd->name,
				    nd->class_idx < 0 || nd->domain_idx < 0
					? "no class or domain"
					: err.text);
			goto out;
		}
	}
	if (pb_site_finalize(site, &err)) {
		pb_diag_add(d, PB_DIAG_ERROR, conf->file, conf->facility.line,
			    "%s", err.text);
		goto out;
	}
	*out = site;
	site = NULL;
	rc = 0;
out:
	pb_site_destroy(site);
	free(cmap);
	free(dmap);
	return rc;
}

int pb_build_net(const pb_topo_t *topo, const pb_site_t *site, pb_net_t **out,
		 pb_diag_t *d)
{
	size_t n = topo->n_switches, unknown = 0, *order = NULL;
	int32_t *map = NULL;
	pb_net_t *net;
	pb_error_t err;
	int rc = -1;

	*out = NULL;
	if (!(net = pb_net_create(pb_site_node_count(site))) ||
	    !(map = calloc(n + 1, sizeof(*map)))) {
		pb_diag_add(d, PB_DIAG_ERROR, topo->file, 0, "out of memory");
		goto out;
	}
	if (!(order = _by_depth(n, _switch_depth, topo))) {
		pb_diag_add(d, PB_DIAG_ERROR, topo->file, 0, "out of memory");
		goto out;
	}
	for (size_t o = 0; o < n; o++) {
		const pb_topo_switch_t *s = &topo->switches[order[o]];

		map[order[o]] = pb_net_add_switch(
		    net, s->name, s->parent < 0 ? -1 : map[s->parent], &err);
		if (map[order[o]] < 0) {
			pb_diag_add(d, PB_DIAG_ERROR, topo->file, s->line, "%s",
				    err.text);
			goto out;
		}
	}
	for (size_t i = 0; i < topo->n_nodes; i++) {
		const pb_topo_node_t *nd = &topo->nodes[i];
		int32_t node = pb_site_node_by_name(site, nd->name);

		if (node < 0) {
			unknown++;
			continue;
		}
		if (pb_net_attach_node(net, (uint32_t)map[nd->sw],
				       (uint32_t)node, &err)) {
			pb_diag_add(d, PB_DIAG_ERROR, topo->file,
				    topo->switches[nd->sw].line, "%s",
				    err.text);
			goto out;
		}
	}
	if (unknown)
		pb_diag_add(d, PB_DIAG_NOTICE, topo->file, 0,
			    "%zu node%s not in power_budget.conf, ignored for "
			    "placement",
			    unknown, unknown == 1 ? " is" : "s are");
	if (pb_net_finalize(net, &err)) {
		pb_diag_add(d, PB_DIAG_ERROR, topo->file, 0, "%s", err.text);
		goto out;
	}
	*out = net;
	net = NULL;
	rc = 0;
out:
	pb_net_destroy(net);
	free(order);
	free(map);
	return rc;
}
