/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/hostlist.h"

#include "topology/build.h"
#include "topology/lex.h"
#include "topology/conf.h"
#include "topology/slurmconf.h"
#include "topology/topoconf.h"

/* A disagreement about one node, grouped with others of the same kind,
 * line and second key into one message. */
typedef enum {
	_NOT_IN_POWER,	 /* slurm line, - */
	_NOT_IN_SLURM,	 /* domain line, domain */
	_GPUS,		 /* slurm line, class */
	_NO_GRES,	 /* slurm line, class */
	_SOCKETS,	 /* slurm line, class */
	_CORES,		 /* slurm line, class */
	_SWITCH_UNKNOWN, /* switch line, switch */
	_NO_SWITCH,	 /* slurm line, - */
} _kind_t;

typedef struct {
	_kind_t kind;
	int line;
	long key;
	size_t seq;
	const char *node;
	long snode; /* slurm.conf node index or -1 */
} _item_t;

typedef struct {
	_item_t *v;
	size_t n, cap;
	int oom;
} _items_t;

static void _add(_items_t *it, _kind_t kind, int line, long key,
		 const char *node, long snode)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 64;
		void *a = realloc(it->v, cap * sizeof(*it->v));

		if (!a) {
			it->oom = 1;
			return;
		}
		it->v = a;
		it->cap = cap;
	}
	it->v[it->n] = (_item_t){kind, line, key, it->n, node, snode};
	it->n++;
}

static int _cmp(const void *a, const void *b)
{
	const _item_t *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct {
	const pb_check_args_t *a;
	pb_conf_t *conf;
	pb_class_info_t *ci;
	pb_slurmconf_t *sc;
	pb_topo_t *topo;
	pb_diag_t *d;
} _ctx_t;

static const char *_class_src(_ctx_t *x, long cls, char *buf, size_t len)
{
	const pb_conf_class_t *k = &x->conf->classes[cls];

	snprintf(buf, len, "NodeClass '%s' (%s:%d%s%s)", k->name, x->conf->file,
		 k->line, k->topology ? ", " : "",
		 k->topology ? k->topology : "");
	return buf;
}

static void _flush(_ctx_t *x, const _item_t *first, size_t count,
		   const char *hosts)
{
	const pb_slurm_node_t *sn =
	    first->snode >= 0 ? &x->sc->nodes[first->snode] : NULL;
	const char *s = count == 1 ? "" : "s";
	char src[512];

	switch (first->kind) {
	case _NOT_IN_POWER:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "%zu node%s in no power domain of %s: %s", count, s,
			    x->conf->file, hosts);
		break;
	case _NOT_IN_SLURM:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->conf->file, first->line,
			    "%zu node%s of domain '%s' not defined in %s: %s",
			    count, s, x->conf->domains[first->key].name,
			    x->sc->file, hosts);
		break;
	case _GPUS:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "Gres=gpu:%u for %s but %s has %u GPU%s", sn->gpus,
			    hosts, _class_src(x, first->key, src, sizeof(src)),
			    x->ci[first->key].gpus,
			    x->ci[first->key].gpus == 1 ? "" : "s");
		break;
	case _NO_GRES:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "no Gres=gpu for %s but %s has %u GPUs", hosts,
			    _class_src(x, first->key, src, sizeof(src)),
			    x->ci[first->key].gpus);
		break;
	case _SOCKETS:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "Sockets=%u for %s but %s has %u packages",
			    sn->sockets, hosts,
			    _class_src(x, first->key, src, sizeof(src)),
			    x->ci[first->key].packages);
		break;
	case _CORES:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "%u cores (Sockets x CoresPerSocket) for %s but %s "
			    "has %u cores",
			    sn->cores, hosts,
			    _class_src(x, first->key, src, sizeof(src)),
			    x->ci[first->key].cores);
		break;
	case _SWITCH_UNKNOWN:
		pb_diag_add(
		    x->d, PB_DIAG_ERROR, x->topo->file, first->line,
		    "switch '%s' lists %zu node%s not defined in %s: %s",
		    x->topo->switches[first->key].name, count, s, x->sc->file,
		    hosts);
		break;
	case _NO_SWITCH:
		pb_diag_add(x->d, PB_DIAG_ERROR, x->sc->file, first->line,
			    "%zu node%s in no leaf switch of %s: %s", count, s,
			    x->topo->file, hosts);
		break;
	}
}

static void _report(_ctx_t *x, _items_t *it)
{
	if (it->oom)
		pb_diag_add(x->d, PB_DIAG_ERROR, "pb-check", 0,
			    "out of memory");
	if (it->n)
		qsort(it->v, it->n, sizeof(*it->v), _cmp);
	for (size_t i = 0; i < it->n;) {
		size_t j = i;
		pb_hostlist_t hl = slurm_hostlist_create(NULL);
		char *hosts = NULL;

		while (j < it->n && it->v[j].kind == it->v[i].kind &&
		       it->v[j].line == it->v[i].line &&
		       it->v[j].key == it->v[i].key) {
			if (hl)
				slurm_hostlist_push_host(hl, it->v[j].node);
			j++;
		}
		if (hl)
			hosts = pb_hostlist_ranged(hl);
		_flush(x, &it->v[i], j - i, hosts ? hosts : it->v[i].node);
		free(hosts);
		if (hl)
			slurm_hostlist_destroy(hl);
		i = j;
	}
}

static void _cross(_ctx_t *x)
{
	_items_t it = {0};
	pb_conf_t *conf = x->conf;
	pb_slurmconf_t *sc = x->sc;

	for (size_t i = 0; i < sc->n_nodes; i++) {
		const pb_slurm_node_t *sn = &sc->nodes[i];
		long p = conf ? pb_conf_find_node(conf, sn->name) : -1;
		long cls;

		if (conf && p < 0) {
			_add(&it, _NOT_IN_POWER, sn->line, 0, sn->name,
			     (long)i);
		} else if (conf && (cls = conf->nodes[p].class_idx) >= 0 &&
			   x->ci && x->ci[cls].ok) {
			const pb_class_info_t *c = &x->ci[cls];

			if (sn->has_gres && sn->gpus != c->gpus)
				_add(&it, _GPUS, sn->line, cls, sn->name,
				     (long)i);
			else if (!sn->has_gres && c->gpus)
				_add(&it, _NO_GRES, sn->line, cls, sn->name,
				     (long)i);
			if (sn->has_sockets && sn->sockets != c->packages)
				_add(&it, _SOCKETS, sn->line, cls, sn->name,
				     (long)i);
			if (sn->has_cores && c->cores && sn->cores != c->cores)
				_add(&it, _CORES, sn->line, cls, sn->name,
				     (long)i);
		}
		if (x->topo && pb_topo_find_node(x->topo, sn->name) < 0)
			_add(&it, _NO_SWITCH, sn->line, 0, sn->name, (long)i);
	}
	for (size_t i = 0; conf && i < conf->n_nodes; i++) {
		const pb_conf_node_t *nd = &conf->nodes[i];

		if (nd->domain_idx >= 0 &&
		    pb_slurmconf_find_node(sc, nd->name) < 0)
			_add(&it, _NOT_IN_SLURM, nd->domain_line,
			     nd->domain_idx, nd->name, -1);
	}
	for (size_t i = 0; x->topo && i < x->topo->n_nodes; i++) {
		const pb_topo_node_t *tn = &x->topo->nodes[i];

		if (pb_slurmconf_find_node(sc, tn->name) < 0)
			_add(&it, _SWITCH_UNKNOWN,
			     x->topo->switches[tn->sw].line, tn->sw, tn->name,
			     -1);
	}
	_report(x, &it);
	free(it.v);
}

static int _domain_line(_ctx_t *x, const pb_site_t *site, uint32_t dom)
{
	long i = pb_conf_find_domain(x->conf, pb_site_domain_name(site, dom));

	return i >= 0 ? x->conf->domains[i].line : x->conf->facility.line;
}

/*
 * Power sanity of the built site, as notices: a domain whose nodes' idle
 * draw alone exceeds its limit starts no job while they are all on; a node
 * whose full load exceeds a domain's limit can never run a whole-node job
 * (reported once, at the lowest such domain, with a count).
 */
static void _power_sanity(_ctx_t *x, const pb_site_t *site)
{
	uint32_t nd = pb_site_domain_count(site), nn = pb_site_node_count(site);
	pb_watts_t *idle = calloc(nd ? nd : 1, sizeof(*idle));
	pb_watts_t *full_max = calloc(nd ? nd : 1, sizeof(*full_max));
	uint32_t *full_n = calloc(nd ? nd : 1, sizeof(*full_n));
	int32_t *full_node = calloc(nd ? nd : 1, sizeof(*full_node));
	char a[32], b[32];

	if (!idle || !full_max || !full_n || !full_node) {
		pb_diag_add(x->d, PB_DIAG_ERROR, x->conf->file, 0,
			    "out of memory");
		goto out;
	}
	for (uint32_t n = 0; n < nn; n++) {
		const uint32_t *path;
		uint32_t len = pb_site_node_path(site, n, &path);
		pb_watts_t full = pb_power_max_w(
		    pb_site_class(site, pb_site_node_class(site, n)));
		bool reported = false;

		for (uint32_t i = 0; i < len; i++) {
			uint32_t dm = path[i];
			pb_watts_t lim = pb_site_it_limit(
			    site, dm, pb_site_domain_cap(site, dm));

			idle[dm] += pb_site_node_idle_w(site, n);
			if (full > lim && !reported) {
				reported = true;
				if (!full_n[dm]++ || full > full_max[dm]) {
					full_max[dm] = full;
					full_node[dm] = (int32_t)n;
				}
			}
		}
	}
	for (uint32_t i = 0; i < nd; i++) {
		pb_watts_t lim =
		    pb_site_it_limit(site, i, pb_site_domain_cap(site, i));

		pb_fmt_power((double)lim, b, sizeof(b));
		if (full_n[i]) {
			pb_fmt_power((double)full_max[i], a, sizeof(a));
			pb_diag_add(
			    x->d, PB_DIAG_NOTICE, x->conf->file,
			    _domain_line(x, site, i),
			    "%u node%s (e.g. %s, %s at full load) draw%s "
			    "more than the %s domain '%s' allows (after "
			    "reserve and PUE): a whole-node job starts "
			    "there only with lower per-GPU watt hints",
			    full_n[i], full_n[i] == 1 ? "" : "s",
			    pb_site_node_name(site, (uint32_t)full_node[i]), a,
			    full_n[i] == 1 ? "s" : "", b,
			    pb_site_domain_name(site, i));
		}
		if (idle[i] > lim) {
			pb_fmt_power((double)idle[i], a, sizeof(a));
			pb_diag_add(x->d, PB_DIAG_NOTICE, x->conf->file,
				    _domain_line(x, site, i),
				    "the nodes of domain '%s' draw %s idle, "
				    "more than its limit of %s (after reserve "
				    "and PUE): no job starts there while they "
				    "are all powered on",
				    pb_site_domain_name(site, i), a, b);
		}
	}
out:
	free(idle);
	free(full_max);
	free(full_n);
	free(full_node);
}

/*
 * UserWattHints=enforced trusts GpuLimitEnforced classes only because
 * slurmd runs the limit prolog at allocation; slurmctld ignores the hints
 * without it, which the admin should hear about before the restart.
 */
static void _check_enforcement(_ctx_t *x)
{
	const pb_slurmconf_t *sc = x->sc;

	if (x->conf->settings.user_watt_hints != PB_CONF_HINTS_ENFORCED)
		return;
	if (!sc->prolog_line)
		pb_diag_add(x->d, PB_DIAG_ERROR, x->conf->file,
			    x->conf->settings.line_user_watt_hints,
			    "UserWattHints=enforced, but %s has no Prolog= "
			    "(pb-gpu-limit sets the GPU power limits): "
			    "slurmctld would ignore every job's own hint",
			    sc->file);
	if (!sc->prolog_alloc)
		pb_diag_add(
		    x->d, PB_DIAG_ERROR, sc->file, sc->prolog_flags_line,
		    "UserWattHints=enforced (%s:%d) needs "
		    "PrologFlags=Alloc, so that the GPU power limits "
		    "are set before anything of a job runs",
		    x->conf->file, x->conf->settings.line_user_watt_hints);
	if (sc->prolog_line && !sc->epilog_line)
		pb_diag_add(x->d, PB_DIAG_NOTICE, sc->file, sc->prolog_line,
			    "no Epilog=: GPU power limits set by pb-gpu-limit "
			    "stay after a job until the next job's prolog "
			    "resets them");
}

size_t pb_check_run(const pb_check_args_t *a, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	_ctx_t x = {.a = a, .d = d};
	pb_site_t *site = NULL;
	pb_net_t *net = NULL;
	int conf_rc, topo_rc = 0;

	conf_rc = pb_conf_parse_file(a->power_conf, &x.conf, d);
	pb_slurmconf_parse_file(a->slurm_conf, &x.sc, d);
	if (a->topology_conf)
		topo_rc = pb_topo_parse_file(a->topology_conf, &x.topo, d);
	if (x.conf)
		pb_build_classes(x.conf, &x.ci, d);
	/* the site and network only from files without errors of their own */
	if (x.conf && !conf_rc && x.ci &&
	    !pb_build_site(x.conf, x.ci, &site, d)) {
		_power_sanity(&x, site);
		if (x.topo && !topo_rc)
			pb_build_net(x.topo, site, &net, d);
	}
	if (x.sc)
		_cross(&x);
	if (x.sc && x.conf)
		_check_enforcement(&x);
	pb_net_destroy(net);
	pb_site_destroy(site);
	if (x.conf)
		pb_build_classes_free(x.ci, x.conf->n_classes);
	pb_conf_destroy(x.conf);
	pb_slurmconf_destroy(x.sc);
	pb_topo_destroy(x.topo);
	return pb_diag_errors(d) - errors0;
}
