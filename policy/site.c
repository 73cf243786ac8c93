/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The site model (see site.h): growable arrays for GPU models, classes,
 * domains and nodes, hashed name lookups, and the derived data finalize
 * computes (depths, root paths, per-node idle and standby watts).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/site.h"
#include "policy/strmap.h"

struct domain {
	char *name;
	int32_t parent;
	pb_watts_t cap_w;
	uint32_t depth;
	uint32_t nchildren;
	uint32_t nnodes;
	uint32_t path_off; /* into site->paths */
	pb_watts_t child_caps_w;
};

struct node {
	char *name;
	uint32_t cls;
	uint32_t domain;
	pb_watts_t idle_w;
	pb_watts_t off_w;
};

struct cls {
	char *name;
	pb_power_class_t power;
};

struct pb_site {
	pb_gpu_model_t *gpus;
	uint32_t ngpus, gpus_cap;
	struct cls *classes;
	uint32_t nclasses, classes_cap;
	struct domain *domains;
	uint32_t ndomains, domains_cap;
	struct node *nodes;
	uint32_t nnodes, nodes_cap;
	pb_strmap_t *class_map, *domain_map, *node_map;
	pb_facility_t fac;
	int32_t root;
	uint32_t max_depth;
	uint32_t *paths;
	bool final;
};

/* Make room for one more element of size sz in *arr (capacity *cap). */
static int _room(void *arr, uint32_t n, uint32_t *cap, size_t sz)
{
	void **p = arr;
	uint32_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(*p, (size_t)ncap * sz);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

pb_site_t *pb_site_create(void)
{
	pb_site_t *s = calloc(1, sizeof(*s));
	const pb_gpu_model_t *b;
	size_t nb;

	if (!s)
		return NULL;
	s->class_map = pb_strmap_create();
	s->domain_map = pb_strmap_create();
	s->node_map = pb_strmap_create();
	s->fac.pue_milli = PB_PUE_ONE;
	s->root = -1;
	b = pb_power_builtin_models(&nb);
	s->gpus = malloc(nb * sizeof(*s->gpus));
	if (!s->class_map || !s->domain_map || !s->node_map || !s->gpus) {
		pb_site_destroy(s);
		return NULL;
	}
	memcpy(s->gpus, b, nb * sizeof(*b));
	s->ngpus = s->gpus_cap = (uint32_t)nb;
	return s;
}

void pb_site_destroy(pb_site_t *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nclasses; i++)
		free(s->classes[i].name);
	for (uint32_t i = 0; i < s->ndomains; i++)
		free(s->domains[i].name);
	for (uint32_t i = 0; i < s->nnodes; i++)
		free(s->nodes[i].name);
	pb_strmap_destroy(s->class_map);
	pb_strmap_destroy(s->domain_map);
	pb_strmap_destroy(s->node_map);
	free(s->gpus);
	free(s->classes);
	free(s->domains);
	free(s->nodes);
	free(s->paths);
	free(s);
}

static int _check_open(const pb_site_t *s, pb_error_t *err)
{
	if (s->final)
		return pb_error_set(err, "site is finalized");
	return 0;
}

int pb_site_set_gpu_model(pb_site_t *s, const pb_gpu_model_t *m,
			  pb_error_t *err)
{
	uint32_t i;

	if (_check_open(s, err) || pb_power_check_model(m, err))
		return -1;
	for (i = 0; i < s->ngpus; i++)
		if (!strcasecmp(s->gpus[i].name, m->name))
			break;
	if (i == s->ngpus &&
	    _room(&s->gpus, s->ngpus, &s->gpus_cap, sizeof(*s->gpus))) {
		return pb_error_set(err, "GPU model %s: out of memory",
				    m->name);
	}
	s->gpus[i] = *m;
	if (i == s->ngpus)
		s->ngpus++;
	return 0;
}

const pb_gpu_model_t *pb_site_find_gpu_model(const pb_site_t *s,
					     const char *device)
{
	int i = pb_power_match(s->gpus, s->ngpus, device);

	return i < 0 ? NULL : &s->gpus[i];
}

const pb_gpu_model_t *pb_site_gpu_model_by_name(const pb_site_t *s,
						const char *name)
{
	if (!name)
		return NULL;
	for (uint32_t i = 0; i < s->ngpus; i++)
		if (!strcasecmp(s->gpus[i].name, name))
			return &s->gpus[i];
	return NULL;
}

static int _check_spec(const pb_class_spec_t *c, pb_error_t *err)
{
	if (!c->name || !*c->name)
		return pb_error_set(err, "node class: empty name");
	if (c->cores == 0)
		return pb_error_set(err, "node class %s: cores must be > 0",
				    c->name);
	if (c->cpu_idle_w < 0 || c->cpu_max_w < c->cpu_idle_w ||
	    c->base_w < 0 || c->standby_w < 0) {
		return pb_error_set(
		    err,
		    "node class %s: watts must be >= 0 and CPU max >= CPU idle",
		    c->name);
	}
	return 0;
}

int32_t pb_site_add_class(pb_site_t *s, const pb_class_spec_t *spec,
			  pb_error_t *err)
{
	pb_power_class_t pc = {0};
	struct cls *c;
	char *name;

	if (_check_open(s, err) || _check_spec(spec, err))
		return -1;
	if (pb_strmap_get(s->class_map, spec->name) >= 0)
		return pb_error_set(err, "node class %s: duplicate name",
				    spec->name);
	if (spec->gpus) {
		const pb_gpu_model_t *m =
		    pb_site_gpu_model_by_name(s, spec->gpu_model);

		if (!m)
			m = pb_site_find_gpu_model(s, spec->gpu_model);
		if (!m)
			return pb_error_set(
			    err, "node class %s: unknown GPU model '%s'",
			    spec->name, spec->gpu_model ? spec->gpu_model : "");
		pc.gpu = *m;
	}
	pc.gpus = spec->gpus;
	pc.cpu_packages = spec->cpu_packages;
	pc.cores = spec->cores;
	pc.cpu_idle_w = spec->cpu_idle_w;
	pc.cpu_max_w = spec->cpu_max_w;
	pc.base_w = spec->base_w;
	pc.standby_w = spec->standby_w;
	pc.gpu_limit_enforced = spec->gpu_limit_enforced;

	name = strdup(spec->name);
	if (!name ||
	    _room(&s->classes, s->nclasses, &s->classes_cap,
		  sizeof(*s->classes)) ||
	    pb_strmap_insert(s->class_map, name, (int32_t)s->nclasses)) {
		free(name);
		return pb_error_set(err, "node class %s: out of memory",
				    spec->name);
	}
	c = &s->classes[s->nclasses];
	c->name = name;
	c->power = pc;
	return (int32_t)s->nclasses++;
}

int32_t pb_site_add_domain(pb_site_t *s, const char *name, int32_t parent,
			   pb_watts_t cap_w, pb_error_t *err)
{
	struct domain *d;
	char *copy;

	if (_check_open(s, err))
		return -1;
	if (!name || !*name)
		return pb_error_set(err, "power domain: empty name");
	if (pb_strmap_get(s->domain_map, name) >= 0)
		return pb_error_set(err, "power domain %s: duplicate name",
				    name);
	if (parent < -1 || parent >= (int32_t)s->ndomains)
		return pb_error_set(
		    err, "power domain %s: no parent domain #%d", name, parent);
	if (parent == -1 && s->root >= 0)
		return pb_error_set(
		    err, "power domain %s: a second root (facility is %s)",
		    name, s->domains[s->root].name);
	if (cap_w <= 0)
		return pb_error_set(err, "power domain %s: cap must be > 0 W",
				    name);
	copy = strdup(name);
	if (!copy ||
	    _room(&s->domains, s->ndomains, &s->domains_cap,
		  sizeof(*s->domains)) ||
	    pb_strmap_insert(s->domain_map, copy, (int32_t)s->ndomains)) {
		free(copy);
		return pb_error_set(err, "power domain %s: out of memory",
				    name);
	}
	d = &s->domains[s->ndomains];
	memset(d, 0, sizeof(*d));
	d->name = copy;
	d->parent = parent;
	d->cap_w = cap_w;
	if (parent >= 0) {
		s->domains[parent].nchildren++;
		s->domains[parent].child_caps_w += cap_w;
	} else {
		s->root = (int32_t)s->ndomains;
	}
	return (int32_t)s->ndomains++;
}

int32_t pb_site_add_node(pb_site_t *s, const char *name, uint32_t cls,
			 uint32_t domain, pb_error_t *err)
{
	struct node *n;
	char *copy;

	if (_check_open(s, err))
		return -1;
	if (!name || !*name)
		return pb_error_set(err, "node: empty name");
	if (pb_strmap_get(s->node_map, name) >= 0)
		return pb_error_set(err, "node %s: duplicate name", name);
	if (cls >= s->nclasses || domain >= s->ndomains)
		return pb_error_set(err, "node %s: no class #%u or domain #%u",
				    name, cls, domain);
	copy = strdup(name);
	if (!copy ||
	    _room(&s->nodes, s->nnodes, &s->nodes_cap, sizeof(*s->nodes)) ||
	    pb_strmap_insert(s->node_map, copy, (int32_t)s->nnodes)) {
		free(copy);
		return pb_error_set(err, "node %s: out of memory", name);
	}
	n = &s->nodes[s->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = copy;
	n->cls = cls;
	n->domain = domain;
	s->domains[domain].nnodes++;
	return (int32_t)s->nnodes++;
}

int pb_site_set_facility(pb_site_t *s, const pb_facility_t *fac,
			 pb_error_t *err)
{
	if (_check_open(s, err))
		return -1;
	if (fac->pue_milli < PB_PUE_ONE || fac->pue_milli > 10 * PB_PUE_ONE)
		return pb_error_set(err,
				    "facility: PUE %u/1000 outside [1.0, 10.0]",
				    fac->pue_milli);
	if (fac->reserve_ppm >= PB_PPM)
		return pb_error_set(err,
				    "facility: reserve %u ppm must be < 100%%",
				    fac->reserve_ppm);
	if (fac->cooling_w < 0)
		return pb_error_set(
		    err, "facility: cooling capacity must be >= 0 W");
	s->fac = *fac;
	return 0;
}

/* C - ceil(C * reserve / 1e6): the reserve rounds up, the cap down. */
static pb_watts_t _after_reserve(const pb_site_t *s, pb_watts_t cap)
{
	pb_watts_t r = s->fac.reserve_ppm;

	/* split to keep cap * reserve clear of overflow for huge caps */
	pb_watts_t q = cap / PB_PPM, rem = cap % PB_PPM;
	pb_watts_t held = q * r + (rem * r + PB_PPM - 1) / PB_PPM;

	return cap - held;
}

pb_watts_t pb_site_it_limit(const pb_site_t *s, uint32_t domain,
			    pb_watts_t cap_w)
{
	pb_watts_t lim = _after_reserve(s, cap_w);

	if ((int32_t)domain != s->root)
		return lim;
	/* ceil(IT * pue / 1000) <= lim  <=>  IT <= floor(lim * 1000 / pue) */
	if (lim > 0)
		lim = lim / s->fac.pue_milli * 1000 +
		      lim % s->fac.pue_milli * 1000 / s->fac.pue_milli;
	if (s->fac.cooling_w > 0) {
		pb_watts_t cool = _after_reserve(s, s->fac.cooling_w);

		if (cool < lim)
			lim = cool;
	}
	return lim;
}

static int _validate(const pb_site_t *s, pb_error_t *err)
{
	if (s->root < 0)
		return pb_error_set(err, "no root (facility) power domain");
	if (s->nnodes == 0)
		return pb_error_set(err, "no nodes");
	for (uint32_t i = 0; i < s->nnodes; i++) {
		const struct domain *d = &s->domains[s->nodes[i].domain];

		if (d->nchildren)
			return pb_error_set(
			    err,
			    "node %s: domain %s is not a leaf (it has "
			    "%u child domains)",
			    s->nodes[i].name, d->name, d->nchildren);
	}
	for (uint32_t i = 0; i < s->ndomains; i++) {
		if (pb_site_it_limit(s, i, s->domains[i].cap_w) <= 0)
			return pb_error_set(
			    err,
			    "power domain %s: cap %lld W leaves "
			    "nothing after reserve/PUE/cooling",
			    s->domains[i].name, (long long)s->domains[i].cap_w);
	}
	return 0;
}

int pb_site_finalize(pb_site_t *s, pb_error_t *err)
{
	uint64_t total = 0;
	uint32_t off = 0;

	if (_check_open(s, err) || _validate(s, err))
		return -1;
	/* parents precede children, so one forward pass sets depths */
	for (uint32_t i = 0; i < s->ndomains; i++) {
		struct domain *d = &s->domains[i];

		d->depth = d->parent < 0 ? 0 : s->domains[d->parent].depth + 1;
		if (d->depth > s->max_depth)
			s->max_depth = d->depth;
		total += d->depth + 1;
	}
	s->paths = malloc(total * sizeof(*s->paths));
	if (!s->paths)
		return pb_error_set(err, "finalize: out of memory");
	for (uint32_t i = 0; i < s->ndomains; i++) {
		int32_t d = (int32_t)i;

		s->domains[i].path_off = off;
		for (; d >= 0; d = s->domains[d].parent)
			s->paths[off++] = (uint32_t)d;
	}
	for (uint32_t i = 0; i < s->nnodes; i++) {
		const pb_power_class_t *c = &s->classes[s->nodes[i].cls].power;

		s->nodes[i].idle_w = pb_power_idle_w(c);
		s->nodes[i].off_w = pb_power_off_w(c);
	}
	s->final = true;
	return 0;
}

bool pb_site_is_final(const pb_site_t *s)
{
	return s->final;
}

uint32_t pb_site_node_count(const pb_site_t *s)
{
	return s->nnodes;
}

uint32_t pb_site_domain_count(const pb_site_t *s)
{
	return s->ndomains;
}

uint32_t pb_site_class_count(const pb_site_t *s)
{
	return s->nclasses;
}

int32_t pb_site_node_by_name(const pb_site_t *s, const char *name)
{
	return name ? pb_strmap_get(s->node_map, name) : -1;
}

int32_t pb_site_domain_by_name(const pb_site_t *s, const char *name)
{
	return name ? pb_strmap_get(s->domain_map, name) : -1;
}

int32_t pb_site_class_by_name(const pb_site_t *s, const char *name)
{
	return name ? pb_strmap_get(s->class_map, name) : -1;
}

const char *pb_site_node_name(const pb_site_t *s, uint32_t node)
{
	assert(node < s->nnodes);
	return s->nodes[node].name;
}

uint32_t pb_site_node_class(const pb_site_t *s, uint32_t node)
{
	assert(node < s->nnodes);
	return s->nodes[node].cls;
}

uint32_t pb_site_node_domain(const pb_site_t *s, uint32_t node)
{
	assert(node < s->nnodes);
	return s->nodes[node].domain;
}

const char *pb_site_class_name(const pb_site_t *s, uint32_t cls)
{
	assert(cls < s->nclasses);
	return s->classes[cls].name;
}

const pb_power_class_t *pb_site_class(const pb_site_t *s, uint32_t cls)
{
	assert(cls < s->nclasses);
	return &s->classes[cls].power;
}

const char *pb_site_domain_name(const pb_site_t *s, uint32_t domain)
{
	assert(domain < s->ndomains);
	return s->domains[domain].name;
}

int32_t pb_site_domain_parent(const pb_site_t *s, uint32_t domain)
{
	assert(domain < s->ndomains);
	return s->domains[domain].parent;
}

pb_watts_t pb_site_domain_cap(const pb_site_t *s, uint32_t domain)
{
	assert(domain < s->ndomains);
	return s->domains[domain].cap_w;
}

const pb_facility_t *pb_site_facility(const pb_site_t *s)
{
	return &s->fac;
}

uint32_t pb_site_root(const pb_site_t *s)
{
	assert(s->root >= 0);
	return (uint32_t)s->root;
}

uint32_t pb_site_domain_depth(const pb_site_t *s, uint32_t domain)
{
	assert(s->final && domain < s->ndomains);
	return s->domains[domain].depth;
}

bool pb_site_domain_is_leaf(const pb_site_t *s, uint32_t domain)
{
	assert(domain < s->ndomains);
	return s->domains[domain].nchildren == 0;
}

uint32_t pb_site_max_depth(const pb_site_t *s)
{
	return s->max_depth;
}

pb_watts_t pb_site_node_idle_w(const pb_site_t *s, uint32_t node)
{
	assert(s->final && node < s->nnodes);
	return s->nodes[node].idle_w;
}

pb_watts_t pb_site_node_off_w(const pb_site_t *s, uint32_t node)
{
	assert(s->final && node < s->nnodes);
	return s->nodes[node].off_w;
}

uint32_t pb_site_domain_path(const pb_site_t *s, uint32_t domain,
			     const uint32_t **path)
{
	assert(s->final && domain < s->ndomains);
	*path = &s->paths[s->domains[domain].path_off];
	return s->domains[domain].depth + 1;
}

uint32_t pb_site_node_path(const pb_site_t *s, uint32_t node,
			   const uint32_t **path)
{
	assert(s->final && node < s->nnodes);
	return pb_site_domain_path(s, s->nodes[node].domain, path);
}

uint64_t pb_site_domain_oversub_milli(const pb_site_t *s, uint32_t domain)
{
	const struct domain *d;

	assert(domain < s->ndomains);
	d = &s->domains[domain];
	if (!d->nchildren)
		return 0;
	return (uint64_t)d->child_caps_w * 1000 / (uint64_t)d->cap_w;
}
