/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/slurmconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/lex.h"

typedef struct {
	pb_namemap_t *nodes;
	size_t cap;
} _priv_t;

/* What one NodeName line (or NodeName=DEFAULT) says */
typedef struct {
	bool has_gres, has_sockets, has_cores, has_cpus, has_boards;
	unsigned gpus, sockets, cores_per_socket, cpus, boards;
} _attrs_t;

typedef struct {
	pb_slurmconf_t *s;
	pb_diag_t *d;
	int line;
	_attrs_t a;
} _ctx_t;

/* Gres=gpu:8 / gpu:h100:8,nic:1 / gpu:a100:4(S:0-1) -> GPUs */
static int _gres_gpus(const char *v, unsigned *gpus, pb_error_t *err)
{
	const char *p = v;

	*gpus = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[256], *paren, *last;
		uint64_t n = 1;

		if (len >= sizeof(item))
			return pb_error_set(err, "Gres entry too long");
		memcpy(item, p, len);
		item[len] = '\0';
		p += len + (p[len] == ',');
		if ((paren = strchr(item, '(')))
			*paren = '\0';
		if (strncasecmp(item, "gpu", 3) || (item[3] && item[3] != ':'))
			continue;
		last = strrchr(item, ':');
		if (last && isdigit((unsigned char)last[1])) {
			char *end;

			n = strtoull(last + 1, &end, 10);
			if (*end || n > 1024)
				return pb_error_set(err,
						    "Gres: bad GPU count "
						    "in '%.64s'",
						    item);
		}
		*gpus += (unsigned)n;
	}
	return 0;
}

static bool _uint(_ctx_t *x, pb_line_t *l, const char *key, unsigned *out)
{
	const char *v = pb_line_get(l, key);
	pb_error_t err;
	uint64_t u;

	if (!v)
		return false;
	if (pb_parse_uint(v, 1u << 20, &u, &err)) {
		pb_diag_add(x->d, PB_DIAG_ERROR, x->s->file, x->line, "%s: %s",
			    key, err.text);
		return false;
	}
	*out = (unsigned)u;
	return true;
}

static void _attrs(_ctx_t *x, pb_line_t *l, _attrs_t *a)
{
	const char *v;
	pb_error_t err;

	if ((v = pb_line_get(l, "Gres"))) {
		a->has_gres = true;
		if (_gres_gpus(v, &a->gpus, &err))
			pb_diag_add(x->d, PB_DIAG_ERROR, x->s->file, x->line,
				    "%s", err.text);
	}
	if (_uint(x, l, "Sockets", &a->sockets) ||
	    _uint(x, l, "SocketsPerBoard", &a->sockets))
		a->has_sockets = true;
	if (_uint(x, l, "Boards", &a->boards))
		a->has_boards = true;
	if (_uint(x, l, "CoresPerSocket", &a->cores_per_socket))
		a->has_cores = true;
	if (_uint(x, l, "CPUs", &a->cpus) || _uint(x, l, "Procs", &a->cpus))
		a->has_cpus = true;
}

static int _node_cb(const char *host, void *arg)
{
	_ctx_t *x = arg;
	pb_slurmconf_t *s = x->s;
	_priv_t *p = s->priv;
	pb_slurm_node_t *n;
	long old;
	int rc;

	if (s->n_nodes == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		void *a = realloc(s->nodes, cap * sizeof(*s->nodes));

		if (!a)
			return -1;
		s->nodes = a;
		p->cap = cap;
	}
	rc = pb_namemap_put(p->nodes, host, (long)s->n_nodes, &old);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		pb_diag_add(x->d, PB_DIAG_ERROR, s->file, x->line,
			    "node '%s' defined twice (first at line %d)", host,
			    s->nodes[old].line);
		return 0;
	}
	n = &s->nodes[s->n_nodes];
	memset(n, 0, sizeof(*n));
	if (!(n->name = strdup(host)))
		return -1;
	s->n_nodes++;
	n->line = x->line;
	n->has_gres = x->a.has_gres;
	n->gpus = x->a.gpus;
	n->has_sockets = x->a.has_sockets;
	n->sockets = x->a.sockets * (x->a.has_boards ? x->a.boards : 1);
	n->has_cores = x->a.has_sockets && x->a.has_cores;
	n->cores = n->sockets * x->a.cores_per_socket;
	n->cpus = x->a.has_cpus ? x->a.cpus : 0;
	return 0;
}

/* Is @key= (any case) at the start of line[0..n)?  Returns its value. */
static const char *_key(const char *line, size_t n, const char *key)
{
	size_t k = strlen(key);

	if (n <= k || strncasecmp(line, key, k) || line[k] != '=')
		return NULL;
	return line + k + 1;
}

/*
 * Prolog=, Epilog=, PrologFlags=: whether they are there and whether the
 * flags hold Alloc.  Returns true if the line was one of them.
 */
static bool _script_line(pb_slurmconf_t *s, const char *line, size_t n,
			 int lineno)
{
	const char *v;

	if (_key(line, n, "Prolog")) {
		s->prolog_line = lineno;
		return true;
	}
	if (_key(line, n, "Epilog")) {
		s->epilog_line = lineno;
		return true;
	}
	if (!(v = _key(line, n, "PrologFlags")))
		return false;
	s->prolog_flags_line = lineno;
	s->prolog_alloc = false;
	for (const char *end = line + n; v < end;) {
		size_t len = 0;

		while (v + len < end && v[len] != ',' &&
		       !isspace((unsigned char)v[len]) && v[len] != '#')
			len++;
		if (len == 5 && !strncasecmp(v, "Alloc", 5))
			s->prolog_alloc = true;
		if (v + len >= end || v[len] != ',')
			break;
		v += len + 1;
	}
	return true;
}

int pb_slurmconf_parse_buffer(const char *file, const char *buf, size_t len,
			      pb_slurmconf_t **out, pb_diag_t *d)
{
	size_t errors0 = pb_diag_errors(d);
	_attrs_t defaults = {0};
	pb_slurmconf_t *s;
	_priv_t *p;
	pb_lines_t it;
	const char *line;
	size_t n;

	*out = NULL;
	if (!file)
		file = "(buffer)";
	if (!(s = calloc(1, sizeof(*s))) || !(p = calloc(1, sizeof(*p)))) {
		free(s);
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		return -1;
	}
	s->priv = p;
	if (!(s->file = strdup(file)) || !(p->nodes = pb_namemap_create())) {
		pb_slurmconf_destroy(s);
		pb_diag_add(d, PB_DIAG_ERROR, file, 0, "out of memory");
		return -1;
	}
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &line, &n)) {
		size_t i = 0;
		pb_line_t l;
		const char *v;
		pb_error_t err;

		while (i < n && isspace((unsigned char)line[i]))
			i++;
		if (n - i >= 8 && !strncasecmp(line + i, "include", 7) &&
		    isspace((unsigned char)line[i + 7])) {
			pb_diag_add(d, PB_DIAG_NOTICE, s->file, it.lineno,
				    "Include is not followed: node lines of "
				    "included files are not checked");
			continue;
		}
		if (_script_line(s, line + i, n - i, it.lineno))
			continue;
		if (n - i < 9 || strncasecmp(line + i, "NodeName=", 9))
			continue;
		if (pb_line_split(&l, line, n, s->file, it.lineno, d) > 0) {
			_ctx_t x = {.s = s, .d = d, .line = it.lineno};

			v = pb_line_get(&l, "NodeName");
			if (!strcasecmp(v, "DEFAULT")) {
				_attrs(&x, &l, &defaults);
			} else {
				x.a = defaults;
				_attrs(&x, &l, &x.a);
				if (pb_hostlist_each(v, _node_cb, &x, &err) < 0)
					pb_diag_add(d, PB_DIAG_ERROR, s->file,
						    it.lineno, "NodeName: %s",
						    err.text[0]
							? err.text
							: "out of memory");
			}
		}
		pb_line_free(&l);
	}
	*out = s;
	return pb_diag_errors(d) > errors0 ? -1 : 0;
}

/* pb_read_and_parse() passes the result pointer untyped. */
static int _parse_buffer(const char *file, const char *buf, size_t len,
			 void *out, pb_diag_t *d)
{
	return pb_slurmconf_parse_buffer(file, buf, len, out, d);
}

int pb_slurmconf_parse_file(const char *path, pb_slurmconf_t **out,
			    pb_diag_t *d)
{
	*out = NULL;
	return pb_read_and_parse(path, _parse_buffer, out, d);
}

void pb_slurmconf_destroy(pb_slurmconf_t *s)
{
	if (!s)
		return;
	if (s->priv) {
		pb_namemap_destroy(((_priv_t *)s->priv)->nodes);
		free(s->priv);
	}
	for (size_t i = 0; i < s->n_nodes; i++)
		free(s->nodes[i].name);
	free(s->nodes);
	free(s->file);
	free(s);
}

long pb_slurmconf_find_node(const pb_slurmconf_t *s, const char *name)
{
	return s ? pb_namemap_get(((_priv_t *)s->priv)->nodes, name) : -1;
}
