// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_conf: pb-sim's site from power_budget.conf (+ topology.conf).
 *
 * The files are read and built by topology/ (pb_conf_parse_file,
 * pb_topo_parse_file, pb_build_classes, pb_build_site, pb_build_net: the
 * steps of pb_load, which slurmctld's plugin calls), so pb-sim accepts and
 * refuses exactly what slurmctld would, with the same "file:line: message"
 * errors.  Node names, classes and GPU counts come from the file itself,
 * as the plugin gets them: NodeClass= and Domain= name every node, and a
 * class's GPUs come from Gpus= or its hwloc export.
 *
 * pb-sim's engine and its power policies describe a site by a handful of
 * sizes (struct sim_site): racks, rows and halls are runs of nodes of one
 * size per level with one cap per level, and so are leaf switches and
 * spine groups.  A built site is accepted when it is exactly that: every
 * domain holds consecutive nodes, all but the last domain of a level are
 * of the first one's size, and all of a level share its cap.  Such a site
 * is the same model whichever way it is written, which is what makes a
 * what-if on the file trustworthy; anything else is refused with the
 * domain or switch that breaks the pattern, never approximated.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/gpulimit.h"
#include "policy/net.h"
#include "policy/site.h"
#include "topology/build.h"
#include "topology/load.h"
#include "topology/conf.h"
#include "topology/topoconf.h"

#include "sim_conf.h"

#define SIM_CONF_LEVELS 3 /* rack, row, hall */

/* The files and what topology/ made of them, while a site is loaded. */
struct _load {
	const char *conf_path, *topo_path;
	pb_conf_t *conf;
	pb_topo_t *topo;
	pb_class_info_t *ci;
	pb_site_t *site;
	pb_net_t *net;
	FILE *msgs;
	uint32_t *ord[SIM_CONF_LEVELS]; /* per node: ordinal at each level */
	uint8_t *seen;			/* per domain or switch */
};

/* A record key at the start of a line: "Facility=", ... */
static int _is_record(const char *w)
{
	static const char *const keys[] = {
	    "Facility=", "NodeClass=", "Domain=", "Partition="};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strncasecmp(w, keys[i], strlen(keys[i])))
			return 1;
	return 0;
}

int sim_conf_sniff(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int hit = 0;

	if (!f)
		return 0;
	while (!hit && fgets(line, sizeof(line), f)) {
		const char *w = line;

		while (isspace((unsigned char)*w))
			w++;
		hit = _is_record(w);
	}
	fclose(f);
	return hit;
}

/*
 * The line of conf on which a setting key is first given, 0 if none: the
 * parser keeps lines for some settings only, and a report should point
 * at the line the administrator wrote.
 */
static int _key_line(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t klen = strlen(key);
	int n = 0, hit = 0;

	if (!f)
		return 0;
	while (!hit && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		n++;
		if (hash)
			*hash = '\0';
		for (char *p = line; *p && !hit; p++)
			hit = (p == line || isspace((unsigned char)p[-1])) &&
			      !strncasecmp(p, key, klen) && p[klen] == '=';
	}
	fclose(f);
	return hit ? n : 0;
}

static void _say(FILE *msgs, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void _say(FILE *msgs, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(msgs, "pb-sim: %s:%d: ", file, line);
	else
		fprintf(msgs, "pb-sim: %s: ", file);
	va_start(ap, fmt);
	vfprintf(msgs, fmt, ap);
	va_end(ap);
	fputc('\n', msgs);
}

/* The errors of topology/'s readers (its notices are pb-check's). */
static void _print_errors(const pb_diag_t *d, FILE *msgs)
{
	for (size_t i = 0; i < pb_diag_count(d); i++)
		if (pb_diag_level(d, i) == PB_DIAG_ERROR)
			fprintf(msgs, "pb-sim: %s\n", pb_diag_text(d, i));
	if (pb_diag_errors(d) > pb_diag_count(d))
		fprintf(msgs, "pb-sim: ... and more errors\n");
}

static int _domain_line(const struct _load *l, uint32_t dom)
{
	long i =
	    pb_conf_find_domain(l->conf, pb_site_domain_name(l->site, dom));

	return i < 0 ? 0 : l->conf->domains[i].line;
}

static int _switch_line(const struct _load *l, uint32_t sw)
{
	long i = pb_topo_find_switch(l->topo, pb_net_switch_name(l->net, sw));

	return i < 0 ? 0 : l->topo->switches[i].line;
}

/*
 * Turn ids[0..n) (domain or switch of each node at one level) into
 * ordinals in node order.  Returns -1 with *bad the node whose id was
 * seen before, not just before it: a domain that is not one run of nodes.
 */
static int _ordinals(const int32_t *ids, uint32_t n, uint8_t *seen,
		     uint32_t *ord, uint32_t *bad)
{
	int32_t last = -1;
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (ids[i] != last) {
			if (seen[ids[i]]) {
				*bad = i;
				return -1;
			}
			seen[ids[i]] = 1;
			if (last >= 0)
				k++;
			last = ids[i];
		}
		ord[i] = k;
	}
	return 0;
}

/*
 * The size of level ord's groups in units of unit (the node index when
 * unit is NULL, else the ordinals of the level below): the unit count of
 * the first group.  Returns -1 with *bad the first node whose group is
 * not unit / size (a group other than the last of another size).
 */
static int _size(const uint32_t *ord, const uint32_t *unit, uint32_t n,
		 uint32_t *size, uint32_t *bad)
{
	uint32_t u = 0;

	*size = 0;
	for (uint32_t i = 0; i < n && !*size; i++)
		if (ord[i])
			*size = unit ? unit[i] : i;
	if (!*size)
		*size = (unit ? unit[n - 1] : n - 1) + 1;
	for (uint32_t i = 0; i < n; i++) {
		u = unit ? unit[i] : i;
		if (ord[i] != u / *size) {
			*bad = i;
			return -1;
		}
	}
	return 0;
}

static void _free_load(struct _load *l)
{
	pb_net_destroy(l->net);
	pb_site_destroy(l->site);
	if (l->conf)
		pb_build_classes_free(l->ci, l->conf->n_classes);
	pb_conf_destroy(l->conf);
	pb_topo_destroy(l->topo);
	for (int k = 0; k < SIM_CONF_LEVELS; k++)
		free(l->ord[k]);
	free(l->seen);
}

/* topology/'s steps, as pb_load takes them; errors printed. */
static int _read(struct _load *l)
{
	pb_diag_t *d = pb_diag_create();
	int rc;

	if (!d) {
		fprintf(l->msgs, "pb-sim: out of memory\n");
		return -1;
	}
	rc = pb_conf_parse_file(l->conf_path, &l->conf, d) ||
	     (l->topo_path && pb_topo_parse_file(l->topo_path, &l->topo, d)) ||
	     pb_build_classes(l->conf, &l->ci, d) ||
	     pb_build_site(l->conf, l->ci, &l->site, d) ||
	     (l->topo && pb_build_net(l->topo, l->site, &l->net, d));
	if (rc || !l->conf || (l->topo_path && !l->topo)) {
		_print_errors(d, l->msgs);
		if (!pb_diag_errors(d))
			fprintf(l->msgs, "pb-sim: %s: out of memory\n",
				l->conf_path);
		rc = -1;
	}
	pb_diag_destroy(d);
	return rc ? -1 : 0;
}

/* The one node class: its power table. */
static int _class(struct _load *l, struct sim_site *s)
{
	const pb_conf_class_t *cc = &l->conf->classes[0];
	const pb_power_class_t *pc;

	if (pb_site_class_count(l->site) != 1) {
		_say(l->msgs, l->conf_path, l->conf->classes[1].line,
		     "not modelled: NodeClass=%s is a second node class; "
		     "pb-sim models a site of one class",
		     l->conf->classes[1].name);
		return -1;
	}
	pc = pb_site_class(l->site, 0);
	if (!pc->gpus) {
		_say(l->msgs, l->conf_path, cc->line,
		     "not modelled: NodeClass=%s has no GPUs; pb-sim models "
		     "GPU nodes",
		     cc->name);
		return -1;
	}
	if (!pc->gpu_limit_enforced)
		_say(l->msgs, l->conf_path, cc->line,
		     "not modelled: NodeClass=%s GpuLimitEnforced=no: every "
		     "pb-sim node enforces GPU power limits",
		     cc->name);
	s->gpn = pc->gpus;
	snprintf(s->gpu_model, sizeof(s->gpu_model), "%s", pc->gpu.name);
	s->gpu_idle_w = (double)pc->gpu.idle_w;
	s->gpu_max_w = (double)pc->gpu.max_w;
	s->gpu_min_w = (double)pc->gpu.min_cap_w;
	s->cpu_pkgs = pc->cpu_packages;
	s->cpu_idle_w = (double)pc->cpu_idle_w;
	s->cpu_max_w = (double)pc->cpu_max_w;
	s->base_w = (double)pc->base_w;
	s->standby_w = (double)pc->standby_w;
	return 0;
}

/* The facility: name, cap, PUE, cooling, reserve. */
static void _facility(struct _load *l, struct sim_site *s)
{
	const pb_facility_t *f = pb_site_facility(l->site);

	snprintf(s->name, sizeof(s->name), "%s", l->conf->facility.name);
	s->cap_w = (double)pb_site_domain_cap(l->site, pb_site_root(l->site));
	s->pue = f->pue_milli / 1000.0;
	s->cooling_w = (double)f->cooling_w;
	s->reserve = f->reserve_ppm / 1e6;
}

/* Each node's domain at each level; the depth of leaves, or -1. */
static int _domain_ids(struct _load *l, int32_t **ids)
{
	uint32_t n = pb_site_node_count(l->site), depth = 0;

	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *path;
		uint32_t len = pb_site_node_path(l->site, i, &path);

		if (!i)
			depth = len - 1;
		if (len - 1 != depth || depth > SIM_CONF_LEVELS) {
			uint32_t dom = pb_site_node_domain(l->site, i);

			_say(l->msgs, l->conf_path, _domain_line(l, dom),
			     "not modelled: Domain=%s is %u levels below "
			     "the facility where the first node's is %u; "
			     "pb-sim models racks, rows and halls, every "
			     "node at the same depth (at most 3)",
			     pb_site_domain_name(l->site, dom), len - 1, depth);
			return -1;
		}
		for (uint32_t k = 0; k < depth; k++)
			ids[k][i] = (int32_t)path[k];
	}
	return (int)depth;
}

/* One cap for every domain of level k; the first one's. */
static int _level_cap(struct _load *l, const int32_t *ids, int k, double *cap)
{
	static const char *const what[] = {"rack", "row", "hall"};
	uint32_t n = pb_site_node_count(l->site);
	pb_watts_t first = pb_site_domain_cap(l->site, (uint32_t)ids[0]);

	for (uint32_t i = 1; i < n; i++) {
		uint32_t d = (uint32_t)ids[i];

		if (pb_site_domain_cap(l->site, d) == first)
			continue;
		_say(l->msgs, l->conf_path, _domain_line(l, d),
		     "not modelled: Domain=%s has another cap than %s, the "
		     "first %s-level domain; pb-sim models one cap per level",
		     pb_site_domain_name(l->site, d),
		     pb_site_domain_name(l->site, (uint32_t)ids[0]), what[k]);
		return -1;
	}
	*cap = (double)first;
	return 0;
}

/*
 * Say why level k is not pb-sim's pattern at node bad: its domain holds
 * nodes apart from each other (size 0), or not as many nodes (racks,
 * rows) as the level's first domain while not the last.
 */
static void _uneven(struct _load *l, const int32_t *ids, int k, uint32_t bad,
		    uint32_t size)
{
	static const char *const unit[] = {"nodes", "racks", "rows"};
	uint32_t d = (uint32_t)ids[bad];

	if (!size)
		_say(l->msgs, l->conf_path, _domain_line(l, d),
		     "not modelled: Domain=%s: its %s are not consecutive in "
		     "node order; pb-sim models domains of consecutive nodes",
		     pb_site_domain_name(l->site, d), unit[k]);
	else
		_say(l->msgs, l->conf_path, _domain_line(l, d),
		     "not modelled: Domain=%s does not hold %u %s like "
		     "Domain=%s; pb-sim models a level's domains of one size "
		     "(the last may be smaller)",
		     pb_site_domain_name(l->site, d), size, unit[k],
		     pb_site_domain_name(l->site, (uint32_t)ids[0]));
}

/* Ordinals and sizes of the power domains' levels (0 rack, 1 row, 2 hall). */
static int _domains(struct _load *l, struct sim_site *s)
{
	uint32_t n = pb_site_node_count(l->site), size[SIM_CONF_LEVELS] = {0};
	double cap[SIM_CONF_LEVELS];
	int32_t *ids[SIM_CONF_LEVELS] = {0};
	int depth = -1, rc = -1;

	l->seen = calloc(pb_site_domain_count(l->site), 1);
	for (int k = 0; k < SIM_CONF_LEVELS; k++) {
		ids[k] = malloc(n * sizeof(*ids[k]));
		l->ord[k] = malloc(n * sizeof(*l->ord[k]));
		if (!ids[k] || !l->ord[k] || !l->seen) {
			fprintf(l->msgs, "pb-sim: out of memory\n");
			goto out;
		}
	}
	depth = _domain_ids(l, ids);
	for (int k = 0; k < depth; k++) {
		uint32_t bad = 0;

		if (_level_cap(l, ids[k], k, &cap[k]))
			goto out;
		if (_ordinals(ids[k], n, l->seen, l->ord[k], &bad) ||
		    _size(l->ord[k], k ? l->ord[k - 1] : NULL, n, &size[k],
			  &bad)) {
			_uneven(l, ids[k], k, bad, size[k]);
			goto out;
		}
	}
	if (depth < 1)
		goto out;
	/* levels the file does not have: one unlimited domain */
	for (int k = depth; k < SIM_CONF_LEVELS; k++) {
		size[k] = k == depth ? l->ord[k - 1][n - 1] + 1 : 1;
		cap[k] = (double)PB_BUILD_UNLIMITED_W;
	}
	s->nodes = n;
	s->rack_nodes = size[0];
	s->row_racks = size[1];
	s->hall_rows = size[2];
	s->rack_cap_w = cap[0];
	s->row_cap_w = cap[1];
	s->hall_cap_w = cap[2];
	rc = 0;
out:
	for (int k = 0; k < SIM_CONF_LEVELS; k++)
		free(ids[k]);
	return rc;
}

/* Leaf switch and spine group of node i, or -1 where the tree has none. */
static int _net_ids(struct _load *l, int32_t *leaf, int32_t *grp)
{
	uint32_t n = pb_site_node_count(l->site),
		 top = pb_net_max_level(l->net);

	if (l->topo->n_roots != 1 || top < 1 || top > 2) {
		_say(l->msgs, l->topo_path, 0,
		     "not modelled: %zu root switch(es), %u levels above the "
		     "leaves; pb-sim models one tree of leaf switches under "
		     "spine groups under one core (or leaves under one core)",
		     l->topo->n_roots, top);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		int32_t sw = pb_net_node_switch(l->net, i), up;

		up = sw < 0 ? -1 : pb_net_switch_parent(l->net, (uint32_t)sw);
		if (up < 0 || pb_net_switch_level(l->net, (uint32_t)up) != 1 ||
		    (top == 2 &&
		     pb_net_switch_parent(l->net, (uint32_t)up) < 0)) {
			_say(l->msgs, l->topo_path,
			     sw < 0 ? 0 : _switch_line(l, (uint32_t)sw),
			     "not modelled: node %s is %s; pb-sim models every "
			     "node on a leaf switch %u level(s) below the core",
			     pb_site_node_name(l->site, i),
			     sw < 0 ? "in no switch" : "at another depth", top);
			return -1;
		}
		leaf[i] = sw;
		grp[i] = top == 2 ? up : 0;
	}
	return 0;
}

/* The fat tree: leaf switches and spine groups, from topology.conf. */
static int _network(struct _load *l, struct sim_site *s)
{
	uint32_t n = pb_site_node_count(l->site), bad = 0, ord[2] = {0};
	int32_t *ids[2] = {malloc(n * sizeof(int32_t)),
			   malloc(n * sizeof(int32_t))};
	uint8_t *seen = calloc(pb_net_switch_count(l->net) + 1, 1);
	int rc = -1;

	if (!ids[0] || !ids[1] || !seen) {
		fprintf(l->msgs, "pb-sim: out of memory\n");
		goto out;
	}
	if (_net_ids(l, ids[0], ids[1]))
		goto out;
	for (int k = 0; k < 2; k++) {
		/* one spine group (a two-level tree) is id 0, a leaf's too */
		memset(seen, 0, pb_net_switch_count(l->net) + 1);
		if (!_ordinals(ids[k], n, seen, l->ord[k], &bad) &&
		    !_size(l->ord[k], k ? l->ord[0] : NULL, n, &ord[k], &bad))
			continue;
		_say(l->msgs, l->topo_path,
		     _switch_line(l, (uint32_t)ids[k][bad]),
		     "not modelled: SwitchName=%s %s; pb-sim models %s of "
		     "consecutive nodes, all but the last of one size",
		     pb_net_switch_name(l->net, (uint32_t)ids[k][bad]),
		     ord[k] ? "is not of the first one's size"
			    : "holds nodes apart from each other",
		     k ? "spine groups" : "leaf switches");
		goto out;
	}
	s->leaf_nodes = ord[0];
	s->group_leaves = ord[1];
	rc = 0;
out:
	free(ids[0]);
	free(ids[1]);
	free(seen);
	return rc;
}

/* The pb-sim policy the file's GpuLimits= and LearnedDraw= amount to. */
static const char *_policy(struct _load *l, const struct sim_conf *c)
{
	static const char *const plain[] = {"power", "power-limits",
					    "power-efficient"};

	if (!c->learned)
		return plain[c->gpu_limits];
	if (c->gpu_limits == 2)
		_say(l->msgs, l->conf_path,
		     _key_line(l->conf_path, "GpuLimits"),
		     "not modelled: LearnedDraw=yes with GpuLimits=efficient; "
		     "pb-sim's power-both is learned draw with "
		     "GpuLimits=highest");
	return c->gpu_limits ? "power-both" : "power-learned";
}

/* Settings pb-sim cannot replay: said once each. */
static void _report_settings(struct _load *l)
{
	const pb_conf_settings_t *st = &l->conf->settings;
	pb_speed_curve_t def;

	if (l->conf->n_partitions)
		_say(l->msgs, l->conf_path, l->conf->partitions[0].line,
		     "not modelled: Partition=%s%s: trace jobs have no "
		     "partition, so no GpuWattHint= or GpuLimitFloor= of one "
		     "applies",
		     l->conf->partitions[0].name,
		     l->conf->n_partitions > 1 ? " and the other Partition "
						 "lines"
					       : "");
	if (st->meter_file)
		_say(l->msgs, l->conf_path, st->line_meter_file,
		     "not modelled: MeterFile=: a replay has no meter "
		     "readings; admission runs on the model alone");
	pb_speed_curve_default(&def);
	if (st->has_speed_curve && memcmp(&def, &st->speed_curve, sizeof(def)))
		_say(l->msgs, l->conf_path,
		     _key_line(l->conf_path, "SpeedCurve"),
		     "not modelled: SpeedCurve=: pb-sim plans and slows "
		     "limited jobs on the fitted default curve");
	if (st->gpu_limit_time == PB_CONF_LIMIT_TIME_FIT)
		_say(l->msgs, l->conf_path,
		     _key_line(l->conf_path, "GpuLimitTime"),
		     "not modelled: GpuLimitTime=fit: trace jobs have no "
		     "--time-min; pb-sim stretches a limited run (extend)");
}

/* GpuLimitFloor= in watts of the class's GPU, as the plugin reads it. */
static double _floor_w(const pb_conf_settings_t *st, const struct sim_site *s)
{
	double w = st->gpu_limit_floor.watts, f = st->gpu_limit_floor.frac;

	if (w > 0)
		w = ceil(w);
	else
		w = s->gpu_max_w * (f > 0 ? ceil(f * 1000) : 700) / 1000;
	return w < s->gpu_min_w ? s->gpu_min_w : w;
}

static void _settings(struct _load *l, const struct sim_site *s,
		      struct sim_conf *c)
{
	const pb_conf_settings_t *st = &l->conf->settings;

	c->floor_w = _floor_w(st, s);
	c->gpu_limits = st->gpu_limits == PB_CONF_LIMITS_EFFICIENT ? 2
			: st->gpu_limits == PB_CONF_LIMITS_HIGHEST ? 1
								   : 0;
	c->learned = st->learned_draw;
	c->learned_after = st->has_learned_after ? st->learned_after_s
						 : PB_LEARN_AFTER_DEFAULT;
	c->hints = st->user_watt_hints == PB_CONF_HINTS_ENFORCED ? 2
		   : st->user_watt_hints == PB_CONF_HINTS_YES	 ? 1
								 : 0;
	c->hint_floor_w = ceil(st->user_watt_floor_w);
	c->policy = _policy(l, c);
	_report_settings(l);
}

/* Without topology.conf: the reference fat tree, said so. */
static void _default_net(struct _load *l, struct sim_site *s)
{
	struct sim_site ref;

	sim_site_reference(&ref, 100);
	s->leaf_nodes = ref.leaf_nodes;
	s->group_leaves = ref.group_leaves;
	_say(l->msgs, l->conf_path, 0,
	     "no --topology: placement assumes leaf switches of %u nodes, "
	     "%u per spine group, in node order",
	     s->leaf_nodes, s->group_leaves);
}

int sim_conf_load(struct sim_site *s, struct sim_conf *c, const char *conf,
		  const char *topo, FILE *msgs)
{
	struct _load l = {.conf_path = conf, .topo_path = topo, .msgs = msgs};
	pb_error_t err;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	memset(c, 0, sizeof(*c));
	if (_read(&l) || _class(&l, s) || _domains(&l, s))
		goto out;
	_facility(&l, s);
	if (l.net ? _network(&l, s) : (_default_net(&l, s), 0))
		goto out;
	_settings(&l, s, c);
	if (sim_site_check(s, &err)) {
		_say(msgs, conf, 0, "%s", err.text);
		goto out;
	}
	rc = 0;
out:
	_free_load(&l);
	return rc;
}

void sim_conf_report_hints(const struct sim_conf *c, const char *conf,
			   int power_milli, FILE *msgs)
{
	if (!power_milli)
		return;
	if (!c->hints)
		_say(msgs, conf, _key_line(conf, "UserWattHints"),
		     "not modelled: UserWattHints=no: the plugin would charge "
		     "full draw, pb-sim charges what --mapping power=milli "
		     "declares (power=full replays UserWattHints=no)");
	else if (c->hint_floor_w > 0)
		_say(msgs, conf, _key_line(conf, "UserWattFloor"),
		     "not modelled: UserWattFloor=: declared draws are not "
		     "raised to it");
}
