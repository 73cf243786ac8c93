/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/lex.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology/hostlist.h"

void pb_lines_init(pb_lines_t *it, const char *buf, size_t len)
{
	it->p = buf;
	it->end = buf ? buf + len : buf;
	it->lineno = 0;
}

bool pb_lines_next(pb_lines_t *it, const char **start, size_t *len)
{
	const char *nl;

	if (!it->p || it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*start = it->p;
	if (nl) {
		*len = (size_t)(nl - it->p);
		it->p = nl + 1;
	} else {
		*len = (size_t)(it->end - it->p);
		it->p = it->end;
	}
	if (*len && (*start)[*len - 1] == '\r')
		(*len)--;
	it->lineno++;
	return true;
}

static bool _is_key_char(int c)
{
	return isalnum(c) || c == '_';
}

int pb_line_split(pb_line_t *l, const char *s, size_t len, const char *file,
		  int lineno, pb_diag_t *d)
{
	bool stop = false;
	char *p;

	memset(l, 0, sizeof(*l));
	if (len > PB_LEX_MAX_LINE) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
			    "line longer than %d bytes", PB_LEX_MAX_LINE);
		return -1;
	}
	if (memchr(s, '\0', len)) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno, "NUL byte in line");
		return -1;
	}
	if (!(l->buf = malloc(len + 1))) {
		pb_diag_add(d, PB_DIAG_ERROR, file, lineno, "out of memory");
		return -1;
	}
	memcpy(l->buf, s, len);
	l->buf[len] = '\0';

	p = l->buf;
	while (!stop) {
		char *key, *val;

		while (*p == ' ' || *p == '\t' || *p == '\v' || *p == '\f')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		key = p;
		while (_is_key_char((unsigned char)*p))
			p++;
		if (p == key) {
			pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
				    "expected Key=Value, found '%c'",
				    isprint((unsigned char)*p) ? *p : '?');
			return -1;
		}
		if (*p != '=') {
			*p = '\0';
			pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
				    "expected '=' after '%.64s'", key);
			return -1;
		}
		*p++ = '\0';
		if (*p == '"') {
			val = ++p;
			while (*p && *p != '"')
				p++;
			if (*p != '"') {
				pb_diag_add(
				    d, PB_DIAG_ERROR, file, lineno,
				    "unterminated quote in value of %.64s",
				    key);
				return -1;
			}
			*p++ = '\0';
			if (*p && *p != ' ' && *p != '\t' && *p != '#') {
				pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
					    "text after closing quote of %.64s",
					    key);
				return -1;
			}
		} else {
			val = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '#' &&
			       *p != '\v' && *p != '\f')
				p++;
			if (*p == '#')
				stop = true; /* a comment glued to the value */
			if (*p)
				*p++ = '\0';
		}
		if (*val == '\0') {
			pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
				    "empty value for %.64s", key);
			return -1;
		}
		for (int i = 0; i < l->n; i++)
			if (!strcasecmp(l->pair[i].key, key)) {
				pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
					    "key %.64s given twice", key);
				return -1;
			}
		if (l->n == PB_LEX_MAX_PAIRS) {
			pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
				    "more than %d keys on one line",
				    PB_LEX_MAX_PAIRS);
			return -1;
		}
		l->pair[l->n].key = key;
		l->pair[l->n].value = val;
		l->n++;
	}
	return l->n;
}

void pb_line_free(pb_line_t *l)
{
	free(l->buf);
	l->buf = NULL;
	l->n = 0;
}

const char *pb_line_get(pb_line_t *l, const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (!strcasecmp(l->pair[i].key, key)) {
			l->pair[i].used = true;
			return l->pair[i].value;
		}
	return NULL;
}

int pb_line_unknown(pb_line_t *l, const char *what, const char *file,
		    int lineno, pb_diag_t *d)
{
	int n = 0;

	for (int i = 0; i < l->n; i++)
		if (!l->pair[i].used) {
			pb_diag_add(d, PB_DIAG_ERROR, file, lineno,
				    "unknown key '%.64s' in %s line",
				    l->pair[i].key, what);
			n++;
		}
	return n;
}

/*
 * Strict decimal: digits [ '.' digits ], at most 15 significant integer
 * digits so the value is exact in a double and cannot overflow.  *rest
 * points after the number.
 */
static int _parse_decimal(const char *s, double *out, const char **rest,
			  pb_error_t *err)
{
	const char *p = s;
	double v = 0, scale = 1;
	int digits = 0, frac = 0;

	if (*p == '-' || *p == '+')
		return pb_error_set(err, "'%.64s': signs are not allowed", s);
	while (*p == '0' && isdigit((unsigned char)p[1]))
		p++; /* leading zeros do not count as digits */
	while (isdigit((unsigned char)*p)) {
		if (++digits > 15)
			return pb_error_set(
			    err, "'%.64s': number too large (overflow)", s);
		v = v * 10 + (*p - '0');
		p++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (++frac <= 9) {
				scale /= 10;
				v += (*p - '0') * scale;
			}
			p++;
		}
	}
	if (digits == 0 && frac == 0)
		return pb_error_set(err, "'%.64s': expected a number", s);
	*out = v;
	*rest = p;
	return 0;
}

int pb_parse_power(const char *s, double *watts, pb_error_t *err)
{
	const char *u;
	double v, mult;

	if (_parse_decimal(s, &v, &u, err))
		return -1;
	while (*u == ' ')
		u++;
	if (*u == '\0' || !strcmp(u, "W") || !strcmp(u, "w"))
		mult = 1;
	else if (!strcasecmp(u, "kW"))
		mult = 1e3;
	else if (!strcmp(u, "MW") || !strcmp(u, "Mw"))
		mult = 1e6;
	else if (!strcmp(u, "mW") || !strcmp(u, "mw")) {
		return pb_error_set(
		    err,
		    "'%.64s': unit '%s' is ambiguous (milliwatts are not "
		    "supported; write MW for megawatts)",
		    s, u);
	} else if (!strcasecmp(u, "GW"))
		mult = 1e9;
	else {
		return pb_error_set(
		    err, "'%.64s': bad power unit '%.16s' (use W, kW or MW)", s,
		    u);
	}
	v *= mult;
	if (v > 1e12)
		return pb_error_set(
		    err, "'%.64s': power out of range (overflow, max 1000 GW)",
		    s);
	*watts = v;
	return 0;
}

int pb_parse_fraction(const char *s, double max, double *out, pb_error_t *err)
{
	const char *u;
	double v;

	if (_parse_decimal(s, &v, &u, err))
		return -1;
	if (*u == '%' && u[1] == '\0')
		v /= 100;
	else if (*u != '\0') {
		return pb_error_set(
		    err,
		    "'%.64s': bad unit '%.16s' (use %% or a fraction "
		    "like 0.05)",
		    s, u);
	}
	if (v > max)
		return pb_error_set(err, "'%.64s': must be at most %g%%", s,
				    max * 100);
	*out = v;
	return 0;
}

int pb_parse_real(const char *s, double min, double max, double *out,
		  pb_error_t *err)
{
	const char *u;
	double v;

	if (_parse_decimal(s, &v, &u, err))
		return -1;
	if (*u)
		return pb_error_set(err, "'%.64s': expected a plain number", s);
	if (v < min || v > max)
		return pb_error_set(err, "'%.64s': must be between %g and %g",
				    s, min, max);
	*out = v;
	return 0;
}

int pb_parse_uint(const char *s, uint64_t max, uint64_t *out, pb_error_t *err)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return pb_error_set(err, "'%.64s': expected a whole number", s);
	for (; isdigit((unsigned char)*p); p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - digit) / 10 || v * 10 + digit > max)
			return pb_error_set(
			    err,
			    "'%.64s': number out of range (overflow, "
			    "max %llu)",
			    s, (unsigned long long)max);
		v = v * 10 + digit;
	}
	if (*p)
		return pb_error_set(err, "'%.64s': expected a whole number", s);
	*out = v;
	return 0;
}

int pb_parse_bool(const char *s, bool *out, pb_error_t *err)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return pb_error_set(err, "'%.64s': expected yes or no", s);
}

int pb_check_name(const char *s, pb_error_t *err)
{
	size_t n = strlen(s);

	if (n == 0 || n >= PB_NAME_MAX)
		return pb_error_set(err,
				    "name '%.64s' must have 1 to %d "
				    "characters",
				    s, PB_NAME_MAX - 1);
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.') {
			return pb_error_set(
			    err,
			    "name '%.64s' may only hold letters, digits, "
			    "'_', '-' and '.'",
			    s);
		}
	return 0;
}

void pb_fmt_power(double w, char *buf, size_t len)
{
	if (w >= 1e6)
		snprintf(buf, len, "%.4g MW", w / 1e6);
	else if (w >= 1e3)
		snprintf(buf, len, "%.4g kW", w / 1e3);
	else
		snprintf(buf, len, "%.4g W", w);
}

/*
 * What libslurm would silently misread: unbalanced or nested brackets,
 * characters outside hostnames, over-long range numbers (which it wraps).
 * This is a lint, not a parser: expansion is left to slurm_hostlist_*.
 */
static int _hostlist_lint(const char *s, pb_error_t *err)
{
	int depth = 0, digits = 0;

	if (!*s)
		return pb_error_set(err, "empty hostlist");
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '[') {
			if (depth++)
				return pb_error_set(
				    err, "bad hostlist '%.128s': nested '['",
				    s);
			digits = 0;
		} else if (c == ']') {
			if (--depth < 0)
				return pb_error_set(
				    err,
				    "bad hostlist '%.128s': ']' without "
				    "'['",
				    s);
		} else if (depth && isdigit(c)) {
			if (++digits > 9)
				return pb_error_set(
				    err,
				    "bad hostlist '%.128s': range number "
				    "too long (overflow)",
				    s);
			continue;
		} else if (depth && (c == '-' || c == ',')) {
			/* range separators */
		} else if (depth) {
			return pb_error_set(
			    err, "bad hostlist '%.128s': '%c' inside brackets",
			    s, isprint(c) ? c : '?');
		} else if (!isalnum(c) && c != '-' && c != '_' && c != '.' &&
			   c != ',') {
			return pb_error_set(
			    err,
			    "bad hostlist '%.128s': character '%c' is not "
			    "allowed in host names",
			    s, isprint(c) ? c : '?');
		}
		digits = 0;
	}
	if (depth)
		return pb_error_set(err, "bad hostlist '%.128s': missing ']'",
				    s);
	return 0;
}

char *pb_hostlist_ranged(pb_hostlist_t hl)
{
	size_t n = 256;

	for (;;) {
		char *buf = malloc(n);

		if (!buf)
			return NULL;
		/* Returns -1 when the text does not fit. */
		if (slurm_hostlist_ranged_string(hl, n, buf) >= 0)
			return buf;
		free(buf);
		if (n > ((size_t)1 << 30))
			return NULL;
		n *= 2;
	}
}

static uint64_t _min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* a * b, or @cap + 1 once it passes @cap (a, b <= @cap + 1). */
static uint64_t _mul_sat(uint64_t a, uint64_t b, uint64_t cap)
{
	return a && b > (cap + 1) / a ? cap + 1 : _min_u64(a * b, cap + 1);
}

/* Names in one bracket of a linted hostlist, *p just after its '['. */
static uint64_t _bracket_size(const char **p, uint64_t cap)
{
	uint64_t n = 0, lo = 0, hi = 0;
	bool range = false;

	for (;; (*p)++) {
		char c = **p;

		if (isdigit((unsigned char)c)) {
			hi = hi * 10 + (uint64_t)(c - '0'); /* <= 9 digits */
			continue;
		}
		if (c == '-' && !range) {
			lo = hi;
			hi = 0;
			range = true;
			continue;
		}
		if (!range)
			lo = hi;
		n += (lo > hi ? lo - hi : hi - lo) + 1;
		n = _min_u64(n, cap + 1);
		lo = hi = 0;
		range = false;
		if (c != ',')
			return n; /* ']': lint saw to it */
	}
}

/*
 * The most names a linted hostlist can expand to, or @cap + 1 if more.
 * libslurm builds every name of a product of ranges (a[0-9999]b[0-9999])
 * before it can be counted, so the bound comes first, from the text.
 */
static uint64_t _hostlist_size(const char *s, uint64_t cap)
{
	uint64_t total = 0, name = 1;

	for (const char *p = s;; p++) {
		if (*p == '[') {
			p++;
			name = _mul_sat(name, _bracket_size(&p, cap), cap);
		} else if (*p == ',' || !*p) {
			total = _min_u64(total + name, cap + 1);
			name = 1;
			if (!*p)
				return total;
		}
	}
}

long pb_hostlist_each(const char *expr, int (*fn)(const char *, void *),
		      void *arg, pb_error_t *err)
{
	pb_hostlist_t hl;
	long n = 0;
	int count;
	char *h;

	if (_hostlist_lint(expr, err))
		return -1;
	if (_hostlist_size(expr, PB_MAX_HOSTS) > PB_MAX_HOSTS)
		return pb_error_set(
		    err, "bad hostlist '%.128s': too many hosts", expr);
	if (!(hl = slurm_hostlist_create(expr)))
		return pb_error_set(err, "bad hostlist '%.128s'", expr);
	count = slurm_hostlist_count(hl);
	if (count <= 0 || count > PB_MAX_HOSTS) {
		pb_error_set(err,
			     count <= 0
				 ? "bad hostlist '%.128s': no hosts"
				 : "bad hostlist '%.128s': too many hosts",
			     expr);
		slurm_hostlist_destroy(hl);
		return -1;
	}
	while ((h = slurm_hostlist_shift(hl))) {
		int rc = fn ? fn(h, arg) : 0;

		free(h);
		n++;
		if (rc) {
			pb_error_clear(err); /* the callback reported it */
			n = -1;
			break;
		}
	}
	slurm_hostlist_destroy(hl);
	return n;
}

/* ---- string map ---- */

typedef struct {
	char *key;
	long value;
} _slot_t;

struct pb_namemap {
	_slot_t *slot;
	size_t cap, n;
};

static uint64_t _hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

pb_namemap_t *pb_namemap_create(void)
{
	pb_namemap_t *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 64;
	if (!(m->slot = calloc(m->cap, sizeof(_slot_t)))) {
		free(m);
		return NULL;
	}
	return m;
}

void pb_namemap_destroy(pb_namemap_t *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slot[i].key);
	free(m->slot);
	free(m);
}

static _slot_t *_find(const pb_namemap_t *m, const char *key)
{
	size_t i = _hash(key) & (m->cap - 1);

	while (m->slot[i].key && strcmp(m->slot[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int _grow(pb_namemap_t *m)
{
	pb_namemap_t n = {.cap = m->cap * 2};

	if (!(n.slot = calloc(n.cap, sizeof(_slot_t))))
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			*_find(&n, m->slot[i].key) = m->slot[i];
	free(m->slot);
	m->slot = n.slot;
	m->cap = n.cap;
	return 0;
}

int pb_namemap_put(pb_namemap_t *m, const char *key, long value, long *old)
{
	_slot_t *s;

	if ((m->n + 1) * 2 > m->cap && _grow(m))
		return -1;
	s = _find(m, key);
	if (s->key) {
		if (old)
			*old = s->value;
		return 1;
	}
	if (!(s->key = strdup(key)))
		return -1;
	s->value = value;
	m->n++;
	return 0;
}

long pb_namemap_get(const pb_namemap_t *m, const char *key)
{
	const _slot_t *s = _find(m, key);

	return s->key ? s->value : -1;
}

size_t pb_namemap_size(const pb_namemap_t *m)
{
	return m ? m->n : 0;
}

char *pb_path_join_dir(const char *path, const char *rel)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;
	char *out;

	if (rel[0] == '/' || !slash)
		return strdup(rel);
	dlen = (size_t)(slash - path);
	if (!(out = malloc(dlen + 1 + strlen(rel) + 1)))
		return NULL;
	memcpy(out, path, dlen);
	out[dlen] = '/';
	strcpy(out + dlen + 1, rel);
	return out;
}

char *pb_read_file(const char *path, size_t *len, pb_error_t *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		pb_error_set(err, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			if (cap >= (64u << 20)) {
				pb_error_set(err, "file larger than 64 MiB");
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			if (!(nb = realloc(buf, cap + 1))) {
				pb_error_set(err, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		pb_error_set(err, "read error: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

int pb_read_and_parse(const char *path, pb_buffer_parser_t *parse, void *out,
		      pb_diag_t *d)
{
	pb_error_t err;
	size_t len;
	char *buf = pb_read_file(path, &len, &err);
	int rc;

	if (!buf) {
		pb_diag_add(d, PB_DIAG_ERROR, path, 0, "%s", err.text);
		return -1;
	}
	rc = parse(path, buf, len, out, d);
	free(buf);
	return rc;
}
