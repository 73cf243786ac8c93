/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * power_budget.conf reader.  Two passes: lines are parsed into records
 * (syntax, units and ranges per value), then the whole file is validated
 * (names, the domain tree, node membership) so every error is reported.
 */
#include "topology/conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/hostlist.h"

#include "topology/lex.h"
#include "topology/window.h"

typedef struct {
	pb_namemap_t *nodes, *classes, *domains, *partitions;
	char **class_hosts, **domain_hosts; /* Nodes= as written */
	int last_line;
} _priv_t;

typedef struct {
	pb_conf_t *c;
	pb_diag_t *d;
	const char *file;
	int lineno;
	pb_line_t *l;
	size_t expanded; /* host names every Nodes= so far expanded to */
} _ctx_t;

static _priv_t *_priv(const pb_conf_t *c)
{
	return c->priv;
}

#define ERR(x, ...)                                                            \
	pb_diag_add((x)->d, PB_DIAG_ERROR, (x)->file, (x)->lineno, __VA_ARGS__)

/* Typed getters: false if absent; on a bad value report and return false */
static bool _get_power(_ctx_t *x, const char *key, double *out, bool *has)
{
	const char *v = pb_line_get(x->l, key);
	pb_error_t err;

	if (!v)
		return false;
	if (pb_parse_power(v, out, &err)) {
		ERR(x, "%s: %s", key, err.text);
		return false;
	}
	if (has)
		*has = true;
	return true;
}

static bool _get_uint(_ctx_t *x, const char *key, uint64_t max, unsigned *out,
		      bool *has)
{
	const char *v = pb_line_get(x->l, key);
	pb_error_t err;
	uint64_t u;

	if (!v)
		return false;
	if (pb_parse_uint(v, max, &u, &err)) {
		ERR(x, "%s: %s", key, err.text);
		return false;
	}
	*out = (unsigned)u;
	if (has)
		*has = true;
	return true;
}

static bool _get_bool(_ctx_t *x, const char *key, bool *out)
{
	const char *v = pb_line_get(x->l, key);
	pb_error_t err;

	if (!v)
		return false;
	if (pb_parse_bool(v, out, &err)) {
		ERR(x, "%s: %s", key, err.text);
		return false;
	}
	return true;
}

/* Cap=<power>|unlimited; required */
static void _get_cap(_ctx_t *x, const char *what, const char *name,
		     bool allow_unlimited, double *out)
{
	const char *v = pb_line_get(x->l, "Cap");

	*out = 0;
	if (!v) {
		ERR(x, "%s '%s' needs Cap=", what, name);
		return;
	}
	if (allow_unlimited && !strcasecmp(v, "unlimited")) {
		*out = PB_CONF_UNLIMITED;
		return;
	}
	if (!_get_power(x, "Cap", out, NULL))
		return;
	if (*out <= 0)
		ERR(x, "%s '%s': Cap must be positive", what, name);
}

static bool _name(_ctx_t *x, const char *what, const char *v, char *dst)
{
	pb_error_t err;

	if (pb_check_name(v, &err)) {
		ERR(x, "%s: %s", what, err.text);
		return false;
	}
	snprintf(dst, PB_CONF_NAME_MAX, "%s", v);
	return true;
}

/* GPU model names may hold blanks ("H100 SXM", quoted in the file) */
static bool _model_name(_ctx_t *x, const char *what, const char *v, char *dst)
{
	size_t n = strlen(v);

	if (n == 0 || n >= PB_CONF_NAME_MAX) {
		ERR(x, "%s: name '%.64s' must have 1 to %d characters", what, v,
		    PB_CONF_NAME_MAX - 1);
		return false;
	}
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(" _.-/+", *p))) {
			ERR(x,
			    "%s: name '%.64s' may only hold letters, "
			    "digits, blanks and '_.-/+'",
			    what, v);
			return false;
		}
	snprintf(dst, PB_CONF_NAME_MAX, "%s", v);
	return true;
}

static void *_grow(void *arr, size_t n, size_t size)
{
	/* capacity 4, 8, 16, ...: grow when n reaches a power of two >= 4 */
	if (n == 0)
		return realloc(arr, 4 * size);
	if (n < 4 || (n & (n - 1)))
		return arr;
	return realloc(arr, n * 2 * size);
}

/* RampLimit=<power>: how much committed power may rise in a minute. */
static void _get_ramp(_ctx_t *x, double *out)
{
	bool has = false;

	if (_get_power(x, "RampLimit", out, &has) && has && *out <= 0)
		ERR(x, "RampLimit: must be positive (watts a minute)");
}

static void _facility(_ctx_t *x, const char *name)
{
	pb_conf_facility_t *f = &x->c->facility;
	const char *v;
	pb_error_t err;

	if (x->c->has_facility) {
		ERR(x, "second Facility line (the first is at line %d)",
		    f->line);
		return;
	}
	x->c->has_facility = true;
	f->line = x->lineno;
	f->pue = 1.0;
	_name(x, "Facility", name, f->name);
	_get_cap(x, "facility", f->name, false, &f->cap_w);
	if ((v = pb_line_get(x->l, "PUE")) &&
	    pb_parse_real(v, 1.0, 5.0, &f->pue, &err))
		ERR(x, "PUE: %s", err.text);
	_get_power(x, "CoolingCap", &f->cooling_w, NULL);
	if ((v = pb_line_get(x->l, "Reserve")) &&
	    pb_parse_fraction(v, 0.5, &f->reserve, &err))
		ERR(x, "Reserve: %s", err.text);
	_get_ramp(x, &f->ramp_w);
	pb_line_unknown(x->l, "Facility", x->file, x->lineno, x->d);
}

static void _gpu_model(_ctx_t *x, const char *name)
{
	pb_conf_t *c = x->c;
	pb_conf_gpu_model_t *m, *arr;
	const char *v;

	if (!(arr = _grow(c->models, c->n_models, sizeof(*m)))) {
		ERR(x, "out of memory");
		return;
	}
	c->models = arr;
	m = &c->models[c->n_models++];
	memset(m, 0, sizeof(*m));
	m->line = x->lineno;
	_model_name(x, "GpuModel", name, m->name);
	if ((v = pb_line_get(x->l, "Match"))) {
		if (strlen(v) >= sizeof(m->match))
			ERR(x, "Match: longer than %zu characters",
			    sizeof(m->match) - 1);
		else {
			snprintf(m->match, sizeof(m->match), "%s", v);
			m->has_match = true;
		}
	}
	_get_power(x, "IdleW", &m->idle_w, &m->has_idle);
	_get_power(x, "MaxW", &m->max_w, &m->has_max);
	_get_power(x, "MinCapW", &m->min_cap_w, &m->has_min_cap);
	if (m->has_max && m->max_w <= 0)
		ERR(x, "GpuModel '%s': MaxW must be positive", m->name);
	if (m->has_idle && m->has_max && m->idle_w > m->max_w)
		ERR(x, "GpuModel '%s': IdleW is above MaxW", m->name);
	if (m->has_min_cap && m->has_max && m->min_cap_w > m->max_w)
		ERR(x, "GpuModel '%s': MinCapW is above MaxW", m->name);
	if (m->has_min_cap && m->has_idle && m->min_cap_w < m->idle_w)
		ERR(x, "GpuModel '%s': MinCapW is below IdleW", m->name);
	pb_line_unknown(x->l, "GpuModel", x->file, x->lineno, x->d);
}

static char *_dup_hosts(_ctx_t *x, const char *key)
{
	const char *v = pb_line_get(x->l, key);
	char *s;

	if (!v)
		return NULL;
	if (!(s = strdup(v)))
		ERR(x, "out of memory");
	return s;
}

static void _node_class(_ctx_t *x, const char *name)
{
	pb_conf_t *c = x->c;
	_priv_t *p = _priv(c);
	pb_conf_class_t *k, *arr;
	char **harr;
	const char *v;

	if (!(arr = _grow(c->classes, c->n_classes, sizeof(*k))) ||
	    !(c->classes = arr,
	      harr = _grow(p->class_hosts, c->n_classes, sizeof(char *)))) {
		ERR(x, "out of memory");
		return;
	}
	p->class_hosts = harr;
	k = &c->classes[c->n_classes];
	memset(k, 0, sizeof(*k));
	p->class_hosts[c->n_classes] = NULL;
	c->n_classes++;
	k->line = x->lineno;
	_name(x, "NodeClass", name, k->name);

	if ((v = pb_line_get(x->l, "Topology"))) {
		if (!(k->topology = strdup(v)) ||
		    !(k->topology_path = pb_path_join_dir(x->file, v)))
			ERR(x, "out of memory");
	}
	_get_uint(x, "Gpus", 64, &k->gpus, &k->has_gpus);
	_get_uint(x, "Packages", 64, &k->packages, &k->has_packages);
	_get_uint(x, "Cores", 16384, &k->cores, &k->has_cores);
	if ((v = pb_line_get(x->l, "GpuModel")))
		_model_name(x, "GpuModel", v, k->gpu_model);
	_get_power(x, "BaseW", &k->base_w, &k->has_base);
	_get_power(x, "StandbyW", &k->standby_w, &k->has_standby);
	_get_power(x, "CpuIdleW", &k->cpu_idle_w, &k->has_cpu_idle);
	_get_power(x, "CpuMaxW", &k->cpu_max_w, &k->has_cpu_max);
	_get_power(x, "GpuIdleW", &k->gpu_idle_w, &k->has_gpu_idle);
	_get_power(x, "GpuMaxW", &k->gpu_max_w, &k->has_gpu_max);
	_get_power(x, "GpuMinCapW", &k->gpu_min_cap_w, &k->has_gpu_min_cap);
	_get_bool(x, "GpuLimitEnforced", &k->gpu_limit_enforced);
	p->class_hosts[c->n_classes - 1] = _dup_hosts(x, "Nodes");

	if (k->topology && (k->has_gpus || k->has_packages || k->has_cores))
		ERR(x,
		    "NodeClass '%s': Gpus=, Packages= and Cores= come from "
		    "Topology=; give one or the other",
		    k->name);
	if (!k->topology && !k->has_gpus)
		ERR(x, "NodeClass '%s' needs Topology=<hwloc XML> or Gpus=",
		    k->name);
	if (!k->topology && k->gpus > 0 && !k->gpu_model[0])
		ERR(x, "NodeClass '%s': Gpus=%u needs GpuModel=", k->name,
		    k->gpus);
	if (!k->topology && !k->has_packages)
		k->packages = 1;
	if (!k->topology && k->has_gpus && (!k->has_cores || !k->cores))
		ERR(x,
		    "NodeClass '%s' needs Cores= (all packages) when it has "
		    "no Topology=",
		    k->name);
	if (!k->has_base)
		ERR(x,
		    "NodeClass '%s' needs BaseW= (fans, memory, NICs, "
		    "storage)",
		    k->name);
	if (k->has_base && k->has_standby && k->standby_w > k->base_w)
		ERR(x, "NodeClass '%s': StandbyW is above BaseW", k->name);
	if (k->has_cpu_idle != k->has_cpu_max)
		ERR(x, "NodeClass '%s': give both CpuIdleW= and CpuMaxW=",
		    k->name);
	else if (k->has_cpu_idle && k->cpu_idle_w > k->cpu_max_w)
		ERR(x, "NodeClass '%s': CpuIdleW is above CpuMaxW", k->name);
	if (k->has_gpu_idle && k->has_gpu_max && k->gpu_idle_w > k->gpu_max_w)
		ERR(x, "NodeClass '%s': GpuIdleW is above GpuMaxW", k->name);
	if (k->has_gpu_min_cap && k->has_gpu_max &&
	    k->gpu_min_cap_w > k->gpu_max_w)
		ERR(x, "NodeClass '%s': GpuMinCapW is above GpuMaxW", k->name);
	if (!p->class_hosts[c->n_classes - 1])
		ERR(x, "NodeClass '%s' needs Nodes=<hostlist>", k->name);
	pb_line_unknown(x->l, "NodeClass", x->file, x->lineno, x->d);
}

static void _domain(_ctx_t *x, const char *name)
{
	pb_conf_t *c = x->c;
	_priv_t *p = _priv(c);
	pb_conf_domain_t *dm, *arr;
	char **harr;
	const char *v;

	if (!(arr = _grow(c->domains, c->n_domains, sizeof(*dm))) ||
	    !(c->domains = arr,
	      harr = _grow(p->domain_hosts, c->n_domains, sizeof(char *)))) {
		ERR(x, "out of memory");
		return;
	}
	p->domain_hosts = harr;
	dm = &c->domains[c->n_domains];
	memset(dm, 0, sizeof(*dm));
	p->domain_hosts[c->n_domains] = NULL;
	c->n_domains++;
	dm->line = x->lineno;
	dm->parent_idx = -1;
	_name(x, "Domain", name, dm->name);
	if ((v = pb_line_get(x->l, "Parent")))
		_name(x, "Parent", v, dm->parent);
	_get_cap(x, "domain", dm->name, true, &dm->cap_w);
	_get_ramp(x, &dm->ramp_w);
	p->domain_hosts[c->n_domains - 1] = _dup_hosts(x, "Nodes");
	pb_line_unknown(x->l, "Domain", x->file, x->lineno, x->d);
}

/* GpuLimitFloor=: watts, or a percentage of the GPU model's MaxW. */
static void _get_floor(_ctx_t *x, const char *key, pb_conf_floor_t *out)
{
	const char *v = pb_line_get(x->l, key);
	pb_error_t err;
	size_t n;

	if (!v)
		return;
	n = strlen(v);
	*out = (pb_conf_floor_t){0};
	if (n && v[n - 1] == '%') {
		if (pb_parse_fraction(v, 1.0, &out->frac, &err))
			ERR(x, "%s: %s", key, err.text);
		else if (out->frac <= 0)
			ERR(x, "%s: must be above 0%%", key);
	} else if (pb_parse_power(v, &out->watts, &err))
		ERR(x, "%s: %s (watts, or a percentage of MaxW)", key,
		    err.text);
	else if (out->watts <= 0)
		ERR(x, "%s: must be positive", key);
}

static void _partition(_ctx_t *x, const char *name)
{
	pb_conf_t *c = x->c;
	pb_conf_partition_t *pt, *arr;
	bool has = false;
	long old;

	if (!(arr = _grow(c->partitions, c->n_partitions, sizeof(*pt)))) {
		ERR(x, "out of memory");
		return;
	}
	c->partitions = arr;
	switch (pb_namemap_put(_priv(c)->partitions, name,
			       (long)c->n_partitions, &old)) {
	case 1:
		ERR(x, "duplicate Partition '%.64s' (first at line %d)", name,
		    c->partitions[old].line);
		return;
	case -1:
		ERR(x, "out of memory");
		return;
	}
	pt = &c->partitions[c->n_partitions++];
	memset(pt, 0, sizeof(*pt));
	pt->line = x->lineno;
	_name(x, "Partition", name, pt->name);
	_get_power(x, "GpuWattHint", &pt->gpu_watt_hint_w, &has);
	_get_floor(x, "GpuLimitFloor", &pt->gpu_limit_floor);
	if (!has && !pb_line_get(x->l, "GpuWattHint") &&
	    !pb_line_get(x->l, "GpuLimitFloor"))
		ERR(x, "Partition '%s' needs GpuWattHint= or GpuLimitFloor=",
		    pt->name);
	else if (has && pt->gpu_watt_hint_w <= 0)
		ERR(x, "Partition '%s': GpuWattHint must be positive",
		    pt->name);
	pb_line_unknown(x->l, "Partition", x->file, x->lineno, x->d);
}

/* Days=, Start=, End=: a weekly window. */
static void _weekly(_ctx_t *x, pb_conf_cap_window_t *w)
{
	const char *days = pb_line_get(x->l, "Days");
	const char *start = pb_line_get(x->l, "Start");
	const char *end = pb_line_get(x->l, "End");
	pb_error_t err;

	w->weekly = true;
	if (!start || !end) {
		ERR(x,
		    "CapWindow '%s': a weekly window needs Start= and End= "
		    "(HH:MM)",
		    w->name);
		return;
	}
	if (!days)
		w->days = 0x7f;
	else if (pb_window_parse_days(days, &w->days, &err))
		ERR(x, "Days: %s", err.text);
	if (pb_window_parse_hhmm(start, &w->start_min, &err))
		ERR(x, "Start: %s", err.text);
	else if (pb_window_parse_hhmm(end, &w->end_min, &err))
		ERR(x, "End: %s", err.text);
	else if (w->start_min == w->end_min)
		ERR(x, "CapWindow '%s': End= equals Start=", w->name);
}

/* From=, Until=: a one-off window. */
static void _one_off(_ctx_t *x, pb_conf_cap_window_t *w)
{
	const char *from = pb_line_get(x->l, "From");
	const char *until = pb_line_get(x->l, "Until");
	pb_error_t err;

	if (!from || !until) {
		ERR(x,
		    "CapWindow '%s': a one-off window needs From= and "
		    "Until= (YYYY-MM-DDTHH:MM, local time)",
		    w->name);
		return;
	}
	if (pb_window_parse_datetime(from, &w->from, &err))
		ERR(x, "From: %s", err.text);
	else if (pb_window_parse_datetime(until, &w->until, &err))
		ERR(x, "Until: %s", err.text);
	else if (w->until <= w->from)
		ERR(x, "CapWindow '%s': Until= is not after From=", w->name);
}

static void _cap_window(_ctx_t *x, const char *name)
{
	pb_conf_t *c = x->c;
	pb_conf_cap_window_t *w, *arr;
	const char *v;
	bool weekly;

	if (c->n_windows == PB_CONF_WINDOWS_MAX) {
		ERR(x, "more than %d CapWindow lines", PB_CONF_WINDOWS_MAX);
		return;
	}
	if (!(arr = _grow(c->windows, c->n_windows, sizeof(*w)))) {
		ERR(x, "out of memory");
		return;
	}
	c->windows = arr;
	w = &c->windows[c->n_windows++];
	memset(w, 0, sizeof(*w));
	w->line = x->lineno;
	_name(x, "CapWindow", name, w->name);
	if ((v = pb_line_get(x->l, "Domain")))
		_name(x, "Domain", v, w->domain);
	_get_cap(x, "CapWindow", w->name, false, &w->cap_w);
	weekly = pb_line_get(x->l, "Days") || pb_line_get(x->l, "Start") ||
		 pb_line_get(x->l, "End");
	if (weekly && (pb_line_get(x->l, "From") || pb_line_get(x->l, "Until")))
		ERR(x,
		    "CapWindow '%s': give Days=/Start=/End= (weekly) or "
		    "From=/Until= (once), not both",
		    w->name);
	else if (weekly)
		_weekly(x, w);
	else
		_one_off(x, w);
	pb_line_unknown(x->l, "CapWindow", x->file, x->lineno, x->d);
}

/* One "limit:speed" point of SpeedCurve=, in thousandths. */
static int _curve_point(const char *s, size_t n, uint16_t *r, uint16_t *sp,
			pb_error_t *err)
{
	char buf[64];
	char *colon;
	double a, b;

	if (n == 0 || n >= sizeof(buf))
		return pb_error_set(err,
				    "a point is limit:speed, e.g. 0.8:0.94");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!(colon = strchr(buf, ':')))
		return pb_error_set(err, "'%s': a point is limit:speed", buf);
	*colon = '\0';
	if (pb_parse_fraction(buf, 1.0, &a, err) ||
	    pb_parse_fraction(colon + 1, 1.0, &b, err))
		return -1;
	*r = (uint16_t)(a * 1000 + 0.5);
	*sp = (uint16_t)(b * 1000 + 0.5);
	return 0;
}

/* SpeedCurve=0.5:0.62,0.7:0.86,1:1 (limit over draw : speed). */
static void _speed_curve(_ctx_t *x, pb_conf_settings_t *s, const char *v)
{
	pb_speed_curve_t *c = &s->speed_curve;
	pb_error_t err;

	memset(c, 0, sizeof(*c));
	for (const char *p = v;; p++) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (c->n == PB_CURVE_MAX) {
			ERR(x, "SpeedCurve: more than %d points", PB_CURVE_MAX);
			return;
		}
		if (_curve_point(p, n, &c->r_milli[c->n], &c->s_milli[c->n],
				 &err)) {
			ERR(x, "SpeedCurve: %s", err.text);
			return;
		}
		c->n++;
		if (!end)
			break;
		p = end;
	}
	if (pb_speed_curve_check(c, &err))
		ERR(x, "SpeedCurve: %s", err.text);
	else
		s->has_speed_curve = true;
}

/* GpuLimits=, GpuLimitFloor=, GpuLimitTime=, SpeedCurve=. */
static void _limit_settings(_ctx_t *x, pb_conf_settings_t *s)
{
	const char *v;

	if ((v = pb_line_get(x->l, "GpuLimits"))) {
		s->line_gpu_limits = x->lineno;
		if (!strcasecmp(v, "no"))
			s->gpu_limits = PB_CONF_LIMITS_NO;
		else if (!strcasecmp(v, "highest"))
			s->gpu_limits = PB_CONF_LIMITS_HIGHEST;
		else if (!strcasecmp(v, "efficient"))
			s->gpu_limits = PB_CONF_LIMITS_EFFICIENT;
		else
			ERR(x,
			    "GpuLimits: '%.64s': expected no, highest or "
			    "efficient",
			    v);
	}
	_get_floor(x, "GpuLimitFloor", &s->gpu_limit_floor);
	if ((v = pb_line_get(x->l, "GpuLimitTime"))) {
		if (!strcasecmp(v, "extend"))
			s->gpu_limit_time = PB_CONF_LIMIT_TIME_EXTEND;
		else if (!strcasecmp(v, "fit"))
			s->gpu_limit_time = PB_CONF_LIMIT_TIME_FIT;
		else
			ERR(x, "GpuLimitTime: '%.64s': expected extend or fit",
			    v);
	}
	if ((v = pb_line_get(x->l, "SpeedCurve")))
		_speed_curve(x, s, v);
	_get_bool(x, "LearnedDraw", &s->learned_draw);
	_get_uint(x, "LearnedDrawAfter", PB_LEARN_AFTER_MAX,
		  &s->learned_after_s, &s->has_learned_after);
}

/* CurtailOrder=qos:NAME,partition:NAME,...: earlier entries shed first. */
static void _curtail_order(_ctx_t *x, pb_conf_curtail_t *c, const char *v)
{
	const char *p = v;

	c->n_order = 0;
	while (*p) {
		const char *end = strchr(p, ','), *colon;
		size_t len = end ? (size_t)(end - p) : strlen(p), klen;
		pb_conf_order_t *o = &c->order[c->n_order];

		colon = memchr(p, ':', len);
		klen = colon ? (size_t)(colon - p) : 0;
		if (c->n_order == PB_CONF_ORDER_MAX) {
			ERR(x, "CurtailOrder: more than %d entries",
			    PB_CONF_ORDER_MAX);
			return;
		}
		if (!colon || len - klen - 1 == 0 ||
		    len - klen - 1 >= PB_CONF_NAME_MAX ||
		    !((klen == 3 && !strncasecmp(p, "qos", 3)) ||
		      (klen == 9 && !strncasecmp(p, "partition", 9)))) {
			ERR(x,
			    "CurtailOrder: '%.*s': expected qos:NAME or "
			    "partition:NAME",
			    (int)(len > 64 ? 64 : len), p);
			return;
		}
		o->qos = klen == 3;
		memcpy(o->name, colon + 1, len - klen - 1);
		o->name[len - klen - 1] = '\0';
		c->n_order++;
		p = end ? end + 1 : p + len;
	}
}

/* CurtailShed=, CurtailOrder=, CurtailLead=. */
static void _curtail_settings(_ctx_t *x, pb_conf_curtail_t *c)
{
	const char *v;

	if ((v = pb_line_get(x->l, "CurtailShed"))) {
		if (!strcasecmp(v, "suspend"))
			c->shed = PB_CONF_SHED_SUSPEND;
		else if (!strcasecmp(v, "requeue"))
			c->shed = PB_CONF_SHED_REQUEUE;
		else
			ERR(x,
			    "CurtailShed: '%.64s': expected suspend or "
			    "requeue",
			    v);
	}
	if ((v = pb_line_get(x->l, "CurtailOrder")))
		_curtail_order(x, c, v);
	if (_get_uint(x, "CurtailLead", PB_CURTAIL_LEAD_MAX, &c->lead_s,
		      NULL) &&
	    !c->lead_s)
		ERR(x, "CurtailLead: must be at least 1 second");
}

static void _settings(_ctx_t *x)
{
	pb_conf_settings_t *s = &x->c->settings;
	const char *v;

	if ((v = pb_line_get(x->l, "UserWattHints"))) {
		bool yes;

		s->line_user_watt_hints = x->lineno;
		if (!strcasecmp(v, "enforced"))
			s->user_watt_hints = PB_CONF_HINTS_ENFORCED;
		else if (pb_parse_bool(v, &yes, NULL))
			ERR(x,
			    "UserWattHints: '%.64s': expected no, yes or "
			    "enforced",
			    v);
		else
			s->user_watt_hints =
			    yes ? PB_CONF_HINTS_YES : PB_CONF_HINTS_NO;
	}
	_get_power(x, "UserWattFloor", &s->user_watt_floor_w, NULL);
	_limit_settings(x, s);
	_get_bool(x, "DebugTrace", &s->debug_trace);
	_curtail_settings(x, &s->curtail);
	if ((v = pb_line_get(x->l, "MeterFile"))) {
		if (v[0] != '/')
			ERR(x, "MeterFile: '%.128s' is not an absolute path",
			    v);
		else {
			free(s->meter_file);
			if (!(s->meter_file = strdup(v)))
				ERR(x, "out of memory");
			s->line_meter_file = x->lineno;
		}
	}
	if (_get_uint(x, "MeterMaxAge", 86400, &s->meter_max_age_s, NULL) &&
	    !s->meter_max_age_s)
		ERR(x, "MeterMaxAge: must be at least 1 second");
	if ((v = pb_line_get(x->l, "StatusFile"))) {
		if (v[0] != '/')
			ERR(x, "StatusFile: '%.128s' is not an absolute path",
			    v);
		else {
			free(s->status_file);
			if (!(s->status_file = strdup(v)))
				ERR(x, "out of memory");
			s->line_status_file = x->lineno;
		}
	}
	for (int i = 0; i < x->l->n; i++)
		if (!x->l->pair[i].used) {
			ERR(x,
			    "unknown key '%.64s' (records start with "
			    "Facility=, GpuModel=, NodeClass=, Domain=, "
			    "Partition= or CapWindow=; "
			    "settings are UserWattHints, UserWattFloor, "
			    "GpuLimits, GpuLimitFloor, GpuLimitTime, "
			    "SpeedCurve, LearnedDraw, LearnedDrawAfter, "
			    "MeterFile, MeterMaxAge, CurtailShed, "
			    "CurtailOrder, CurtailLead, "
			    "DebugTrace, "
			    "StatusFile)",
			    x->l->pair[i].key);
			x->l->pair[i].used = true;
		}
}

/* A NodeClass= or Domain= record past its bound: logged, left out. */
static bool _over_bound(_ctx_t *x, const char *key)
{
	if (!strcasecmp(key, "NodeClass") &&
	    x->c->n_classes >= PB_CONF_MAX_CLASSES) {
		ERR(x, "more than %d NodeClass records", PB_CONF_MAX_CLASSES);
		return true;
	}
	if (!strcasecmp(key, "Domain") &&
	    x->c->n_domains >= PB_CONF_MAX_DOMAINS) {
		ERR(x, "more than %d Domain records", PB_CONF_MAX_DOMAINS);
		return true;
	}
	return false;
}

/* One line's record, by its first key; a settings line otherwise. */
static void _record(_ctx_t *x)
{
	const char *k = x->l->pair[0].key, *v = x->l->pair[0].value;

	x->l->pair[0].used = true;
	if (_over_bound(x, k))
		return;
	if (!strcasecmp(k, "Facility"))
		_facility(x, v);
	else if (!strcasecmp(k, "GpuModel"))
		_gpu_model(x, v);
	else if (!strcasecmp(k, "NodeClass"))
		_node_class(x, v);
	else if (!strcasecmp(k, "Domain"))
		_domain(x, v);
	else if (!strcasecmp(k, "Partition"))
		_partition(x, v);
	else if (!strcasecmp(k, "CapWindow"))
		_cap_window(x, v);
	else {
		x->l->pair[0].used = false;
		_settings(x);
	}
}

static void _parse_lines(_ctx_t *x, const char *buf, size_t len)
{
	pb_lines_t it;
	const char *s;
	size_t n;

	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;

		x->lineno = it.lineno;
		x->l = &l;
		if (it.lineno > PB_CONF_MAX_LINES) {
			ERR(x, "more than %d lines; the rest is not read",
			    PB_CONF_MAX_LINES);
			break;
		}
		if (pb_line_split(&l, s, n, x->file, it.lineno, x->d) > 0)
			_record(x);
		pb_line_free(&l);
	}
	_priv(x->c)->last_line = it.lineno > 0 ? it.lineno : 1;
}

/* ---- whole-file validation ---- */

static void _check_names(_ctx_t *x)
{
	pb_conf_t *c = x->c;
	_priv_t *p = _priv(c);
	pb_namemap_t *models = pb_namemap_create();
	long old;

	if (!models)
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, 0, "out of memory");
	for (size_t i = 0; models && i < c->n_models; i++) {
		char key[PB_CONF_NAME_MAX];
		size_t k;

		for (k = 0; c->models[i].name[k]; k++)
			key[k] =
			    (char)tolower((unsigned char)c->models[i].name[k]);
		key[k] = '\0';
		if (k && pb_namemap_put(models, key, (long)i, &old) == 1)
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
				    c->models[i].line,
				    "duplicate GpuModel '%s' (first at line "
				    "%d)",
				    c->models[i].name, c->models[old].line);
	}
	pb_namemap_destroy(models);
	for (size_t i = 0; i < c->n_classes; i++) {
		if (!c->classes[i].name[0])
			continue;
		int rc = pb_namemap_put(p->classes, c->classes[i].name, (long)i,
					&old);
		if (rc == 1)
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
				    c->classes[i].line,
				    "duplicate NodeClass '%s' (first at line "
				    "%d)",
				    c->classes[i].name, c->classes[old].line);
	}
	for (size_t i = 0; i < c->n_domains; i++) {
		pb_conf_domain_t *dm = &c->domains[i];

		if (!dm->name[0])
			continue;
		if (c->has_facility && !strcmp(dm->name, c->facility.name)) {
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, dm->line,
				    "duplicate domain '%s': it is the "
				    "Facility's name (line %d)",
				    dm->name, c->facility.line);
			continue;
		}
		if (pb_namemap_put(p->domains, dm->name, (long)i, &old) == 1)
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, dm->line,
				    "duplicate domain '%s' (first at line %d)",
				    dm->name, c->domains[old].line);
	}
}

/* Parents, cycles, leaves, depth.  Returns false if the tree is broken. */
static bool _check_tree(_ctx_t *x)
{
	pb_conf_t *c = x->c;
	_priv_t *p = _priv(c);
	bool ok = true;
	size_t n = c->n_domains;
	unsigned char *state;

	for (size_t i = 0; i < n; i++) {
		pb_conf_domain_t *dm = &c->domains[i];

		dm->is_leaf = true;
		dm->parent_idx = -1;
		if (!dm->parent[0] ||
		    (c->has_facility && !strcmp(dm->parent, c->facility.name)))
			continue;
		dm->parent_idx = pb_namemap_get(p->domains, dm->parent);
		if (dm->parent_idx < 0) {
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, dm->line,
				    "domain '%s': unknown parent '%s' (no "
				    "Domain=%s line and not the facility)",
				    dm->name, dm->parent, dm->parent);
			ok = false;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (c->domains[i].parent_idx >= 0)
			c->domains[c->domains[i].parent_idx].is_leaf = false;

	/* cycles: walk up from every domain; 0 new, 1 on path, 2 done */
	if (!(state = calloc(n ? n : 1, 1))) {
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, 0, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		long j = (long)i;

		while (j >= 0 && state[j] == 0) {
			state[j] = 1;
			j = c->domains[j].parent_idx;
		}
		if (j >= 0 && state[j] == 1) {
			/* j is on a cycle: report it once, from j */
			char path[400] = "";
			size_t len = 0;
			long k = j;

			do {
				len += (size_t)snprintf(
				    path + len,
				    len < sizeof(path) ? sizeof(path) - len : 0,
				    "%s -> ", c->domains[k].name);
				if (len >= sizeof(path))
					len = sizeof(path) - 1;
				state[k] = 3;
				k = c->domains[k].parent_idx;
			} while (k != j);
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
				    c->domains[j].line,
				    "domain cycle: %s%s (every domain must "
				    "lead up to the facility)",
				    path, c->domains[j].name);
			ok = false;
		}
		for (j = (long)i; j >= 0 && state[j] == 1;
		     j = c->domains[j].parent_idx)
			state[j] = 2;
	}
	for (size_t i = 0; i < n; i++)
		if (state[i] == 3)
			ok = false;
	free(state);
	if (!ok)
		return false;
	/* depths in O(n): walk up to a known depth, then assign downwards */
	for (size_t i = 0; i < n; i++)
		c->domains[i].depth = 0;
	for (size_t i = 0; i < n; i++) {
		size_t steps = 0, depth;
		long j = (long)i;

		while (j >= 0 && c->domains[j].depth == 0) {
			steps++;
			j = c->domains[j].parent_idx;
		}
		depth = (j >= 0 ? c->domains[j].depth : 0) + steps;
		for (j = (long)i; j >= 0 && c->domains[j].depth == 0;
		     j = c->domains[j].parent_idx)
			c->domains[j].depth = depth--;
	}
	return true;
}

typedef struct {
	_ctx_t *x;
	long idx; /* class or domain index */
	int line;
	bool domain;
	size_t added;
	size_t dups; /* duplicate nodes in this list */
} _hostctx_t;

/*
 * Duplicates of one list shown one by one; the rest are counted, so that
 * a list repeating thousands of nodes leaves room for other errors.
 */
#define DUPS_SHOWN 10

static int _add_node(_hostctx_t *h, const char *host)
{
	pb_conf_t *c = h->x->c;
	_priv_t *p = _priv(c);
	pb_conf_node_t *arr, *nd;
	long old;
	int rc;

	rc = pb_namemap_put(p->nodes, host, (long)c->n_nodes, &old);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		nd = &c->nodes[old];
	} else {
		if (!(arr = _grow(c->nodes, c->n_nodes, sizeof(*nd))))
			return -1;
		c->nodes = arr;
		nd = &c->nodes[c->n_nodes++];
		memset(nd, 0, sizeof(*nd));
		nd->class_idx = nd->domain_idx = -1;
		if (!(nd->name = strdup(host)))
			return -1;
	}
	if (h->domain) {
		pb_conf_domain_t *dm = &c->domains[h->idx];

		if (nd->domain_idx >= 0) {
			if (++h->dups > DUPS_SHOWN)
				return 0;
			pb_diag_add(h->x->d, PB_DIAG_ERROR, h->x->file,
				    dm->line,
				    "duplicate node '%s': already in leaf "
				    "domain '%s' (line %d)",
				    host, c->domains[nd->domain_idx].name,
				    nd->domain_line);
			return 0;
		}
		nd->domain_idx = h->idx;
		nd->domain_line = dm->line;
		dm->n_nodes++;
	} else {
		pb_conf_class_t *k = &c->classes[h->idx];

		if (nd->class_idx >= 0) {
			if (++h->dups > DUPS_SHOWN)
				return 0;
			pb_diag_add(h->x->d, PB_DIAG_ERROR, h->x->file, k->line,
				    "duplicate node '%s': already in NodeClass "
				    "'%s' (line %d)",
				    host, c->classes[nd->class_idx].name,
				    nd->class_line);
			return 0;
		}
		nd->class_idx = h->idx;
		nd->class_line = k->line;
		k->n_nodes++;
	}
	h->added++;
	return 0;
}

static int _host_cb(const char *host, void *arg)
{
	_hostctx_t *h = arg;

	if (++h->x->expanded > PB_CONF_MAX_EXPANDED) {
		pb_diag_add(h->x->d, PB_DIAG_ERROR, h->x->file, h->line,
			    "Nodes: the file's hostlists name more than %d "
			    "nodes in all (duplicates included)",
			    PB_CONF_MAX_EXPANDED);
		return -1;
	}

	if (_priv(h->x->c)->nodes &&
	    pb_namemap_size(_priv(h->x->c)->nodes) >= PB_MAX_HOSTS) {
		pb_diag_add(h->x->d, PB_DIAG_ERROR, h->x->file, h->line,
			    "more than %d nodes", PB_MAX_HOSTS);
		return -1;
	}
	if (_add_node(h, host)) {
		pb_diag_add(h->x->d, PB_DIAG_ERROR, h->x->file, h->line,
			    "out of memory");
		return -1;
	}
	return 0;
}

static void _expand(_ctx_t *x, const char *hosts, int line, bool domain,
		    long idx)
{
	_hostctx_t h = {.x = x, .idx = idx, .line = line, .domain = domain};
	pb_error_t err;

	if (pb_hostlist_each(hosts, _host_cb, &h, &err) < 0 && err.text[0])
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, line, "Nodes: %s",
			    err.text);
	if (h.dups > DUPS_SHOWN)
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, line,
			    "Nodes: %zu more duplicate nodes not listed",
			    h.dups - DUPS_SHOWN);
}

/*
 * Reports the nodes of a class that are in no leaf domain (domain_side
 * false), or of a domain that are in no class, as one hostlist per line.
 * One pass over the nodes.
 */
static void _report_missing(_ctx_t *x, bool domain_side)
{
	pb_conf_t *c = x->c;
	size_t nrec = domain_side ? c->n_domains : c->n_classes;
	pb_hostlist_t *hl;
	size_t *count;

	if (!nrec)
		return;
	hl = calloc(nrec, sizeof(*hl));
	count = calloc(nrec, sizeof(*count));
	if (!hl || !count) {
		free(hl);
		free(count);
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		pb_conf_node_t *nd = &c->nodes[i];
		long r = domain_side ? nd->domain_idx : nd->class_idx;
		long other = domain_side ? nd->class_idx : nd->domain_idx;

		if (r < 0 || other >= 0)
			continue;
		if (!hl[r] && !(hl[r] = slurm_hostlist_create(NULL)))
			continue;
		slurm_hostlist_push_host(hl[r], nd->name);
		count[r]++;
	}
	for (size_t r = 0; r < nrec; r++) {
		char *s;

		if (!hl[r])
			continue;
		s = pb_hostlist_ranged(hl[r]);
		if (domain_side)
			pb_diag_add(
			    x->d, PB_DIAG_ERROR, x->file, c->domains[r].line,
			    "%zu node%s of domain '%s' in no NodeClass: "
			    "%.200s",
			    count[r], count[r] == 1 ? "" : "s",
			    c->domains[r].name, s ? s : "?");
		else
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
				    c->classes[r].line,
				    "%zu node%s of NodeClass '%s' in no leaf "
				    "domain: %.200s",
				    count[r], count[r] == 1 ? "" : "s",
				    c->classes[r].name, s ? s : "?");
		free(s);
		slurm_hostlist_destroy(hl[r]);
	}
	free(hl);
	free(count);
}

static void _check_nodes(_ctx_t *x, bool tree_ok)
{
	pb_conf_t *c = x->c;
	_priv_t *p = _priv(c);

	for (size_t i = 0; i < c->n_domains; i++) {
		const char *hosts = p->domain_hosts[i];
		pb_conf_domain_t *dm = &c->domains[i];

		if (!hosts) {
			if (tree_ok && dm->is_leaf)
				pb_diag_add(
				    x->d, PB_DIAG_NOTICE, x->file, dm->line,
				    "leaf domain '%s' has no Nodes=", dm->name);
			continue;
		}
		if (tree_ok && !dm->is_leaf) {
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, dm->line,
				    "domain '%s' has child domains, so it may "
				    "not list Nodes= (nodes go in leaf "
				    "domains only)",
				    dm->name);
			continue;
		}
		_expand(x, hosts, dm->line, true, (long)i);
	}
	for (size_t i = 0; i < c->n_classes; i++)
		if (p->class_hosts[i])
			_expand(x, p->class_hosts[i], c->classes[i].line, false,
				(long)i);
	_report_missing(x, false);
	_report_missing(x, true);
	/*
	 * Nodes are already ordered by leaf domain: leaf domains were expanded
	 * in file order before the classes, whose extra nodes come last.
	 */
}

static void _check_caps(_ctx_t *x)
{
	pb_conf_t *c = x->c;
	size_t n = c->n_domains;
	double *sum;
	unsigned char *state; /* bit 0: has children, bit 1: one unlimited */

	/* children's cap sums in one pass; slot n stands for the facility */
	sum = calloc(n + 1, sizeof(*sum));
	state = calloc(n + 1, 1);
	if (!sum || !state) {
		free(sum);
		free(state);
		pb_diag_add(x->d, PB_DIAG_ERROR, x->file, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		long pi = c->domains[i].parent_idx;
		size_t slot = pi < 0 ? n : (size_t)pi;

		state[slot] |= 1;
		if (c->domains[i].cap_w < 0)
			state[slot] |= 2;
		else
			sum[slot] += c->domains[i].cap_w;
	}
	for (size_t par = 0; par <= n; par++) {
		double cap, total = sum[par];
		char a[32], b[32];
		const char *pname;
		int line;

		if (state[par] != 1)
			continue; /* no children, or an unlimited one */
		if (par == n) {
			if (!c->has_facility || c->facility.cap_w <= 0)
				continue;
			cap = c->facility.cap_w;
			pname = c->facility.name;
			line = c->facility.line;
			/* facility cap is facility power: scale IT by PUE */
			total *= c->facility.pue;
		} else {
			cap = c->domains[par].cap_w;
			pname = c->domains[par].name;
			line = c->domains[par].line;
			if (cap <= 0)
				continue;
		}
		if (total > cap) {
			pb_fmt_power(total, a, sizeof(a));
			pb_fmt_power(cap, b, sizeof(b));
			pb_diag_add(x->d, PB_DIAG_NOTICE, x->file, line,
				    "children of '%s' may draw %s%s, %.2fx its "
				    "cap of %s (oversubscribed; the cap is "
				    "enforced)",
				    pname, a, par == n ? " with PUE" : "",
				    total / cap, b);
		}
	}
	free(sum);
	free(state);
}

/*
 * Each window names the facility or a capped domain (the facility when
 * Domain= is absent) and lowers its cap; names are unique.
 */
static void _check_windows(_ctx_t *x)
{
	pb_conf_t *c = x->c;

	for (size_t i = 0; i < c->n_windows; i++) {
		pb_conf_cap_window_t *w = &c->windows[i];
		double cap = c->facility.cap_w;
		char a[32], b[32];
		long di;

		for (size_t j = 0; j < i; j++)
			if (w->name[0] && !strcmp(w->name, c->windows[j].name))
				pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
					    w->line,
					    "duplicate CapWindow '%s' (first "
					    "at line %d)",
					    w->name, c->windows[j].line);
		if (!w->domain[0])
			snprintf(w->domain, sizeof(w->domain), "%s",
				 c->facility.name);
		else if (strcmp(w->domain, c->facility.name)) {
			di = pb_namemap_get(_priv(c)->domains, w->domain);
			if (di < 0) {
				pb_diag_add(x->d, PB_DIAG_ERROR, x->file,
					    w->line,
					    "CapWindow '%s': no Domain or "
					    "Facility named '%s'",
					    w->name, w->domain);
				continue;
			}
			cap = c->domains[di].cap_w;
		}
		if (cap < 0)
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, w->line,
				    "CapWindow '%s': domain '%s' has "
				    "Cap=unlimited; give it a cap to lower",
				    w->name, w->domain);
		else if (w->cap_w > 0 && cap > 0 && w->cap_w >= cap) {
			pb_fmt_power(w->cap_w, a, sizeof(a));
			pb_fmt_power(cap, b, sizeof(b));
			pb_diag_add(x->d, PB_DIAG_ERROR, x->file, w->line,
				    "CapWindow '%s': Cap=%s does not lower "
				    "the cap of '%s' (%s)",
				    w->name, a, w->domain, b);
		}
	}
}

/*
 * GpuLimitEnforced= goes with UserWattHints=enforced or GpuLimits=: a
 * limit counts only where nodes enforce it.
 */
static void _check_enforcement(_ctx_t *x)
{
	pb_conf_t *c = x->c;
	bool any = false,
	     wanted = c->settings.gpu_limits || c->settings.learned_draw ||
		      c->settings.user_watt_hints == PB_CONF_HINTS_ENFORCED;

	for (size_t i = 0; i < c->n_classes; i++) {
		any |= c->classes[i].gpu_limit_enforced;
		if (c->classes[i].gpu_limit_enforced && !wanted)
			pb_diag_add(x->d, PB_DIAG_NOTICE, x->file,
				    c->classes[i].line,
				    "NodeClass '%s': GpuLimitEnforced=yes has "
				    "no effect without UserWattHints=enforced "
				    "or GpuLimits=",
				    c->classes[i].name);
	}
	if (!any && c->settings.gpu_limits)
		pb_diag_add(x->d, PB_DIAG_NOTICE, x->file,
			    c->settings.line_gpu_limits,
			    "GpuLimits= is set, but no NodeClass has "
			    "GpuLimitEnforced=yes: no limit can be chosen");
	if (!any && c->settings.user_watt_hints == PB_CONF_HINTS_ENFORCED)
		pb_diag_add(x->d, PB_DIAG_NOTICE, x->file,
			    c->settings.line_user_watt_hints,
			    "UserWattHints=enforced, but no NodeClass has "
			    "GpuLimitEnforced=yes: every job's own hint is "
			    "ignored (modelled at full draw)");
}

static void _validate(_ctx_t *x)
{
	pb_conf_t *c = x->c;
	bool tree_ok;

	x->lineno = _priv(c)->last_line;
	if (!c->has_facility)
		ERR(x, "no Facility= line (the root power domain with the "
		       "site's cap)");
	_check_names(x);
	tree_ok = _check_tree(x);
	_check_nodes(x, tree_ok);
	if (tree_ok)
		_check_caps(x);
	_check_windows(x);
	if (c->settings.user_watt_floor_w > 0 && !c->settings.user_watt_hints)
		pb_diag_add(x->d, PB_DIAG_NOTICE, x->file,
			    c->settings.line_user_watt_hints,
			    "UserWattFloor has no effect with "
			    "UserWattHints=no");
	_check_enforcement(x);
}

int pb_conf_parse_buffer(const char *file, const char *buf, size_t len,
			 pb_conf_t **out, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	_ctx_t x = {.d = d, .file = file ? file : "(buffer)"};
	pb_conf_t *c;
	_priv_t *p;

	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))) || !(p = calloc(1, sizeof(*p)))) {
		free(c);
		pb_diag_add(d, PB_DIAG_ERROR, x.file, 0, "out of memory");
		return -1;
	}
	c->priv = p;
	if (!(c->file = strdup(x.file)) || !(p->nodes = pb_namemap_create()) ||
	    !(p->classes = pb_namemap_create()) ||
	    !(p->domains = pb_namemap_create()) ||
	    !(p->partitions = pb_namemap_create())) {
		pb_conf_destroy(c);
		pb_diag_add(d, PB_DIAG_ERROR, x.file, 0, "out of memory");
		return -1;
	}
	x.c = c;
	x.file = c->file;
	_parse_lines(&x, buf, len);
	_validate(&x);
	*out = c;
	return pb_diag_errors(d) > errors0 ? -1 : 0;
}

/* pb_read_and_parse() passes the result pointer untyped. */
static int _parse_buffer(const char *file, const char *buf, size_t len,
			 void *out, pb_diag_t *d)
{
	return pb_conf_parse_buffer(file, buf, len, out, d);
}

int pb_conf_parse_file(const char *path, pb_conf_t **out, pb_diag_t *d)
{
	*out = NULL;
	return pb_read_and_parse(path, _parse_buffer, out, d);
}

void pb_conf_destroy(pb_conf_t *c)
{
	_priv_t *p;

	if (!c)
		return;
	p = c->priv;
	if (p) {
		for (size_t i = 0; i < c->n_classes; i++)
			free(p->class_hosts[i]);
		for (size_t i = 0; i < c->n_domains; i++)
			free(p->domain_hosts[i]);
		free(p->class_hosts);
		free(p->domain_hosts);
		pb_namemap_destroy(p->nodes);
		pb_namemap_destroy(p->classes);
		pb_namemap_destroy(p->domains);
		pb_namemap_destroy(p->partitions);
		free(p);
	}
	for (size_t i = 0; i < c->n_classes; i++) {
		free(c->classes[i].topology);
		free(c->classes[i].topology_path);
	}
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].name);
	free(c->models);
	free(c->partitions);
	free(c->windows);
	free(c->classes);
	free(c->domains);
	free(c->nodes);
	free(c->settings.status_file);
	free(c->settings.meter_file);
	free(c->file);
	free(c);
}

long pb_conf_find_node(const pb_conf_t *c, const char *name)
{
	return (c && _priv(c)->nodes) ? pb_namemap_get(_priv(c)->nodes, name)
				      : -1;
}

long pb_conf_find_class(const pb_conf_t *c, const char *name)
{
	return c ? pb_namemap_get(_priv(c)->classes, name) : -1;
}

long pb_conf_find_domain(const pb_conf_t *c, const char *name)
{
	return c ? pb_namemap_get(_priv(c)->domains, name) : -1;
}

const pb_conf_gpu_model_t *pb_conf_find_model(const pb_conf_t *c,
					      const char *name)
{
	for (size_t i = 0; c && i < c->n_models; i++)
		if (!strcasecmp(c->models[i].name, name))
			return &c->models[i];
	return NULL;
}
