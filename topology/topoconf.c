/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/topoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/lex.h"

typedef struct {
	pb_namemap_t *switches, *nodes;
	char **kids, **hosts; /* Switches= / Nodes= as written, per switch */
	size_t cap, node_cap;
} _priv_t;

typedef struct {
	pb_topo_t *t;
	pb_diag_t *d;
	long sw;  /* switch being expanded */
	bool kid; /* expanding Switches= (else Nodes=) */
} _ctx_t;

static int _grow(pb_topo_t *t, _priv_t *p)
{
	size_t cap = p->cap ? p->cap * 2 : 8;
	void *a, *b, *c;

	if (!(a = realloc(t->switches, cap * sizeof(*t->switches))))
		return -1;
	t->switches = a;
	if (!(b = realloc(p->kids, cap * sizeof(char *))))
		return -1;
	p->kids = b;
	if (!(c = realloc(p->hosts, cap * sizeof(char *))))
		return -1;
	p->hosts = c;
	p->cap = cap;
	return 0;
}

static void _line(pb_topo_t *t, pb_line_t *l, int lineno, pb_diag_t *d)
{
	_priv_t *p = t->priv;
	pb_topo_switch_t *s;
	const char *v, *kids, *hosts;
	pb_error_t err;
	long old;
	size_t i;

	if (strcasecmp(l->pair[0].key, "SwitchName")) {
		pb_diag_add(
		    d, PB_DIAG_ERROR, t->file, lineno,
		    "unknown key '%.64s' (lines start with SwitchName=)",
		    l->pair[0].key);
		return;
	}
	v = pb_line_get(l, "SwitchName");
	if (pb_check_name(v, &err)) {
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno, "SwitchName: %s",
			    err.text);
		return;
	}
	kids = pb_line_get(l, "Switches");
	hosts = pb_line_get(l, "Nodes");
	pb_line_get(l, "LinkSpeed"); /* accepted by Slurm, unused */
	pb_line_unknown(l, "SwitchName", t->file, lineno, d);
	if (kids && hosts) {
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno,
			    "switch '%s' has both Switches= and Nodes= (nodes "
			    "attach to leaf switches only)",
			    v);
		return;
	}
	if (t->n_switches == p->cap && _grow(t, p)) {
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno, "out of memory");
		return;
	}
	i = t->n_switches;
	switch (pb_namemap_put(p->switches, v, (long)i, &old)) {
	case 1:
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno,
			    "duplicate switch '%s' (first at line %d)", v,
			    t->switches[old].line);
		return;
	case -1:
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno, "out of memory");
		return;
	}
	s = &t->switches[i];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", v);
	s->line = lineno;
	s->parent = -1;
	p->kids[i] = kids ? strdup(kids) : NULL;
	p->hosts[i] = hosts ? strdup(hosts) : NULL;
	t->n_switches++;
	if ((kids && !p->kids[i]) || (hosts && !p->hosts[i]))
		pb_diag_add(d, PB_DIAG_ERROR, t->file, lineno, "out of memory");
}

static int _kid_cb(const char *name, void *arg)
{
	_ctx_t *x = arg;
	pb_topo_t *t = x->t;
	_priv_t *p = t->priv;
	pb_topo_switch_t *s = &t->switches[x->sw];
	long k = pb_namemap_get(p->switches, name);

	if (k < 0) {
		pb_diag_add(x->d, PB_DIAG_ERROR, t->file, s->line,
			    "switch '%s': unknown switch '%s' in Switches=",
			    s->name, name);
		return 0;
	}
	if (t->switches[k].parent >= 0) {
		pb_topo_switch_t *o = &t->switches[t->switches[k].parent];

		pb_diag_add(x->d, PB_DIAG_ERROR, t->file, s->line,
			    "switch '%s' has two parents: '%s' (line %d) and "
			    "'%s'",
			    name, o->name, o->line, s->name);
		return 0;
	}
	t->switches[k].parent = x->sw;
	s->has_children = true;
	return 0;
}

static int _node_cb(const char *name, void *arg)
{
	_ctx_t *x = arg;
	pb_topo_t *t = x->t;
	_priv_t *p = t->priv;
	pb_topo_switch_t *s = &t->switches[x->sw];
	long old;
	int rc;

	if (t->n_nodes >= PB_MAX_HOSTS)
		return -1;
	if (t->n_nodes == p->node_cap) {
		size_t cap = p->node_cap ? p->node_cap * 2 : 16;
		void *a = realloc(t->nodes, cap * sizeof(*t->nodes));

		if (!a)
			return -1;
		t->nodes = a;
		p->node_cap = cap;
	}
	rc = pb_namemap_put(p->nodes, name, (long)t->n_nodes, &old);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		pb_topo_switch_t *o = &t->switches[t->nodes[old].sw];

		pb_diag_add(x->d, PB_DIAG_ERROR, t->file, s->line,
			    "node '%s' is in two leaf switches: '%s' (line %d) "
			    "and '%s'",
			    name, o->name, o->line, s->name);
		return 0;
	}
	if (!(t->nodes[t->n_nodes].name = strdup(name)))
		return -1;
	t->nodes[t->n_nodes].sw = x->sw;
	t->n_nodes++;
	s->n_nodes++;
	return 0;
}

static void _validate(pb_topo_t *t, pb_diag_t *d, int last_line)
{
	_priv_t *p = t->priv;
	size_t n = t->n_switches;
	unsigned char *state;
	bool loop = false;

	for (size_t i = 0; i < n; i++) {
		_ctx_t x = {.t = t, .d = d, .sw = (long)i, .kid = true};
		pb_error_t err;

		if (p->kids[i] &&
		    pb_hostlist_each(p->kids[i], _kid_cb, &x, &err) < 0)
			pb_diag_add(d, PB_DIAG_ERROR, t->file,
				    t->switches[i].line, "Switches: %s",
				    err.text);
	}
	for (size_t i = 0; i < n; i++) {
		_ctx_t x = {.t = t, .d = d, .sw = (long)i};
		pb_error_t err;

		if (p->hosts[i] &&
		    pb_hostlist_each(p->hosts[i], _node_cb, &x, &err) < 0) {
			if (!err.text[0])
				pb_error_set(&err,
					     "out of memory, or "
					     "more than %d nodes",
					     PB_MAX_HOSTS);
			pb_diag_add(d, PB_DIAG_ERROR, t->file,
				    t->switches[i].line, "Nodes: %s", err.text);
		}
	}
	if (!(state = calloc(n ? n : 1, 1))) {
		pb_diag_add(d, PB_DIAG_ERROR, t->file, 0, "out of memory");
		return;
	}
	/* loops: 0 new, 1 on the current path, 2 done */
	for (size_t i = 0; i < n; i++) {
		long j = (long)i;

		while (j >= 0 && state[j] == 0) {
			state[j] = 1;
			j = t->switches[j].parent;
		}
		if (j >= 0 && state[j] == 1) {
			char path[400] = "";
			size_t len = 0;
			long k = j;

			do {
				int w = snprintf(path + len, sizeof(path) - len,
						 "%s -> ", t->switches[k].name);

				len += w > 0 ? (size_t)w : 0;
				if (len >= sizeof(path))
					len = sizeof(path) - 1;
				k = t->switches[k].parent;
			} while (k != j);
			pb_diag_add(d, PB_DIAG_ERROR, t->file,
				    t->switches[j].line,
				    "switch loop: %s%s (each switch is in the "
				    "Switches= of the next)",
				    path, t->switches[j].name);
			loop = true;
		}
		for (j = (long)i; j >= 0 && state[j] == 1;
		     j = t->switches[j].parent)
			state[j] = 2;
	}
	free(state);
	for (size_t i = 0; i < n; i++)
		if (t->switches[i].parent < 0)
			t->n_roots++;
	if (n && !t->n_roots)
		pb_diag_add(d, PB_DIAG_ERROR, t->file, last_line,
			    "no root switch: every switch has a parent");
	else if (t->n_roots > 1) {
		char names[200] = "";

		for (size_t i = 0, o = 0; i < n && o < sizeof(names) - 1; i++)
			if (t->switches[i].parent < 0) {
				int w = snprintf(names + o, sizeof(names) - o,
						 "%s%s", o ? ", " : "",
						 t->switches[i].name);
				o += w > 0 ? (size_t)w : 0;
			}
		pb_diag_add(d, PB_DIAG_NOTICE, t->file, last_line,
			    "%zu root switches (%s): jobs cannot span them; "
			    "add a switch above them if they are connected",
			    t->n_roots, names);
	}
	if (!loop) {
		/* depths in O(n): walk up to a known one, assign downwards */
		for (size_t i = 0; i < n; i++)
			t->switches[i].depth = SIZE_MAX;
		for (size_t i = 0; i < n; i++) {
			size_t steps = 0, depth;
			long j = (long)i;

			while (j >= 0 && t->switches[j].depth == SIZE_MAX) {
				steps++;
				j = t->switches[j].parent;
			}
			depth =
			    (j >= 0 ? t->switches[j].depth + 1 : 0) + steps - 1;
			for (j = (long)i;
			     j >= 0 && t->switches[j].depth == SIZE_MAX;
			     j = t->switches[j].parent)
				t->switches[j].depth = depth--;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!t->switches[i].has_children && !p->hosts[i])
			pb_diag_add(d, PB_DIAG_NOTICE, t->file,
				    t->switches[i].line,
				    "switch '%s' has neither Nodes= nor "
				    "Switches=",
				    t->switches[i].name);
}

int pb_topo_parse_buffer(const char *file, const char *buf, size_t len,
			 pb_topo_t **out, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	pb_topo_t *t;
	_priv_t *p;
	pb_lines_t it;
	const char *s;
	size_t n;

	*out = NULL;
	if (!file)
		file = "(buffer)";
	if (!(t = calloc(1, sizeof(*t))) || !(p = calloc(1, sizeof(*p)))) {
		free(t);
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		return -1;
	}
	t->priv = p;
	if (!(t->file = strdup(file)) || !(p->switches = pb_namemap_create()) ||
	    !(p->nodes = pb_namemap_create())) {
		pb_topo_destroy(t);
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		return -1;
	}
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;

		if (pb_line_split(&l, s, n, t->file, it.lineno, d) > 0)
			_line(t, &l, it.lineno, d);
		pb_line_free(&l);
	}
	_validate(t, d, it.lineno > 0 ? it.lineno : 1);
	*out = t;
	return pb_diag_errors(d) > errors0 ? -1 : 0;
}

/* pb_read_and_parse() passes the result pointer untyped. */
static int _parse_buffer(const char *file, const char *buf, size_t len,
			 void *out, pb_diag_t *d)
{
	return pb_topo_parse_buffer(file, buf, len, out, d);
}

int pb_topo_parse_file(const char *path, pb_topo_t **out, pb_diag_t *d)
{
	*out = NULL;
	return pb_read_and_parse(path, _parse_buffer, out, d);
}

void pb_topo_destroy(pb_topo_t *t)
{
	_priv_t *p;

	if (!t)
		return;
	p = t->priv;
	if (p) {
		for (size_t i = 0; i < t->n_switches; i++) {
			free(p->kids[i]);
			free(p->hosts[i]);
		}
		free(p->kids);
		free(p->hosts);
		pb_namemap_destroy(p->switches);
		pb_namemap_destroy(p->nodes);
		free(p);
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		free(t->nodes[i].name);
	free(t->nodes);
	free(t->switches);
	free(t->file);
	free(t);
}

long pb_topo_find_node(const pb_topo_t *t, const char *name)
{
	return t ? pb_namemap_get(((_priv_t *)t->priv)->nodes, name) : -1;
}

long pb_topo_find_switch(const pb_topo_t *t, const char *name)
{
	return t ? pb_namemap_get(((_priv_t *)t->priv)->switches, name) : -1;
}
