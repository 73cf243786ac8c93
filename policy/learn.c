/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The learned-draw table (see learn.h).
 *
 * Classes live in an array (grown by doubling up to max_classes), found
 * through an open-addressing hash of their keys (linear probing, at most
 * half full, backward-shift deletion when a class is evicted).  Each class
 * holds a ring of its last max_runs observations.  Recency is the pair
 * (last observation time, call sequence); eviction scans for the least
 * recent class, O(classes), and only happens when the table is full.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policy/learn.h"

struct cls {
	char key[PB_LEARN_KEY_MAX];
	int64_t last;
	uint64_t seq;
	uint32_t n, head; /* head: where the next run goes */
	int32_t *runs;	  /* max_runs, a ring in the order observed */
	int32_t *sorted;  /* the same n runs ascending: runs + max_runs */
};

struct pb_learn {
	pb_learn_params_t p;
	struct cls *cls;
	uint32_t ncls, capcls;
	int32_t *slots;	 /* -1 empty, else index into cls */
	uint32_t nslots; /* power of two, >= 2 * capcls */
	uint64_t seq;
};

void pb_learn_params_default(pb_learn_params_t *p)
{
	*p = (pb_learn_params_t){.max_classes = 4096,
				 .max_runs = 32,
				 .percentile = 95,
				 .margin_pct = 10,
				 .min_runs = 1};
}

static uint32_t _hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

/* Key length if key is valid (learn.h), else 0. */
static size_t _key_len(const char *key, size_t max)
{
	size_t n = 0;

	if (!key)
		return 0;
	for (; n < max && key[n]; n++)
		if ((unsigned char)key[n] < 0x21 ||
		    (unsigned char)key[n] > 0x7e)
			return 0;
	return n < max ? n : 0;
}

/* Slot holding key, or the empty slot where it would go. */
static uint32_t _find(const pb_learn_t *t, const char *key)
{
	uint32_t mask = t->nslots - 1, i = _hash(key) & mask;

	while (t->slots[i] >= 0 && strcmp(t->cls[t->slots[i]].key, key))
		i = (i + 1) & mask;
	return i;
}

static struct cls *_get(const pb_learn_t *t, const char *key)
{
	uint32_t i;

	if (!t->nslots || !_key_len(key, PB_LEARN_KEY_MAX))
		return NULL;
	i = _find(t, key);
	return t->slots[i] >= 0 ? &t->cls[t->slots[i]] : NULL;
}

/* Remove the class at slot i from the hash (backward-shift deletion). */
static void _unslot(pb_learn_t *t, uint32_t i)
{
	uint32_t mask = t->nslots - 1, j = i;

	t->slots[i] = -1;
	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (t->slots[j] < 0)
			return;
		home = _hash(t->cls[t->slots[j]].key) & mask;
		/* move j back to i unless its home lies in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			t->slots[i] = t->slots[j];
			t->slots[j] = -1;
			i = j;
		}
	}
}

/* Make room for one more class than ncls (no eviction here). */
static int _grow(pb_learn_t *t)
{
	uint32_t nc, ns = 16;
	struct cls *c;
	int32_t *s;

	if (t->ncls < t->capcls)
		return 0;
	nc = t->capcls ? t->capcls * 2 : 8;
	if (nc > t->p.max_classes)
		nc = t->p.max_classes;
	while (ns < 2 * nc)
		ns *= 2;
	c = realloc(t->cls, (size_t)nc * sizeof(*c));
	if (!c)
		return -1;
	t->cls = c;
	s = malloc((size_t)ns * sizeof(*s));
	if (!s)
		return -1;
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
	t->capcls = nc;
	for (uint32_t i = 0; i < ns; i++)
		s[i] = -1;
	for (uint32_t k = 0; k < t->ncls; k++)
		s[_find(t, t->cls[k].key)] = (int32_t)k;
	return 0;
}

static bool _older(const struct cls *a, const struct cls *b)
{
	return a->last != b->last ? a->last < b->last : a->seq < b->seq;
}

/*
 * A class for key (not in the table): a fresh one, or the least recent
 * one's slot reused when the table is full.  NULL when out of memory (the
 * table unchanged).
 */
static struct cls *_add(pb_learn_t *t, const char *key)
{
	int32_t *runs = malloc(2 * (size_t)t->p.max_runs * sizeof(*runs));
	struct cls *c;
	uint32_t k;

	if (!runs)
		return NULL;
	if (t->ncls == t->p.max_classes) {
		uint32_t old = 0;

		for (k = 1; k < t->ncls; k++)
			if (_older(&t->cls[k], &t->cls[old]))
				old = k;
		_unslot(t, _find(t, t->cls[old].key));
		free(t->cls[old].runs);
		k = old;
	} else {
		if (_grow(t)) {
			free(runs);
			return NULL;
		}
		k = t->ncls++;
	}
	c = &t->cls[k];
	memset(c, 0, sizeof(*c));
	strcpy(c->key, key);
	c->runs = runs;
	c->sorted = runs + t->p.max_runs;
	t->slots[_find(t, key)] = (int32_t)k;
	return c;
}

/*
 * Keep c->sorted in step: the run the ring overwrites leaves it, the new
 * one is inserted in order, so an estimate needs no sort.
 */
static void _push(pb_learn_t *t, struct cls *c, int32_t w, int64_t now)
{
	int32_t *v = c->sorted;
	uint32_t n = c->n, i;

	if (n == t->p.max_runs) {
		int32_t old = c->runs[c->head];

		for (i = 0; v[i] != old; i++)
			;
		memmove(v + i, v + i + 1, (n - 1 - i) * sizeof(*v));
		n--;
	}
	for (i = n; i > 0 && v[i - 1] > w; i--)
		v[i] = v[i - 1];
	v[i] = w;
	c->runs[c->head] = w;
	c->head = (c->head + 1) % t->p.max_runs;
	if (c->n < t->p.max_runs)
		c->n++;
	c->last = now;
	c->seq = t->seq++;
}

static int _params_ok(const pb_learn_params_t *p, pb_error_t *err)
{
	if (p->max_classes < 1 || p->max_classes > PB_LEARN_CLASSES_MAX ||
	    p->max_runs < 1 || p->max_runs > PB_LEARN_RUNS_MAX ||
	    p->percentile < 1 || p->percentile > 100 || p->margin_pct > 1000 ||
	    p->min_runs < 1 || p->min_runs > p->max_runs) {
		return pb_error_set(
		    err,
		    "learned draw: classes 1..%d, runs 1..%d, "
		    "percentile 1..100, margin 0..1000%%, minimum "
		    "runs 1..runs",
		    PB_LEARN_CLASSES_MAX, PB_LEARN_RUNS_MAX);
	}
	return 0;
}

pb_learn_t *pb_learn_create(const pb_learn_params_t *p, pb_error_t *err)
{
	pb_learn_params_t d;
	pb_learn_t *t;

	if (!p) {
		pb_learn_params_default(&d);
		p = &d;
	}
	if (_params_ok(p, err)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		pb_error_set(err, "learned draw: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	t->p = *p;
	return t;
}

void pb_learn_destroy(pb_learn_t *t)
{
	if (!t)
		return;
	for (uint32_t k = 0; k < t->ncls; k++)
		free(t->cls[k].runs);
	free(t->cls);
	free(t->slots);
	free(t);
}

const pb_learn_params_t *pb_learn_params(const pb_learn_t *t)
{
	return &t->p;
}

int pb_learn_observe(pb_learn_t *t, const char *key, pb_watts_t draw_w,
		     int64_t now)
{
	struct cls *c;

	if (!_key_len(key, PB_LEARN_KEY_MAX) || draw_w < 1 ||
	    draw_w > PB_LEARN_W_MAX) {
		errno = EINVAL;
		return -1;
	}
	c = _get(t, key);
	if (!c)
		c = _add(t, key);
	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	_push(t, c, (int32_t)draw_w, now);
	return 0;
}

int pb_learn_estimate(const pb_learn_t *t, const char *key, pb_watts_t lo_w,
		      pb_watts_t hi_w, pb_watts_t *watts)
{
	const struct cls *c = _get(t, key);
	const int32_t *v;
	uint32_t k;
	pb_watts_t w;

	if (!c || c->n < t->p.min_runs)
		return 1;
	v = c->sorted;
	/* nearest rank: the ceil(p/100 * n)-th smallest */
	k = (t->p.percentile * c->n + 99) / 100;
	w = ((pb_watts_t)v[k - 1] * (100 + t->p.margin_pct) + 99) / 100;
	if (hi_w > 0 && w > hi_w)
		w = hi_w;
	if (w < lo_w)
		w = lo_w;
	*watts = w;
	return 0;
}

uint32_t pb_learn_runs(const pb_learn_t *t, const char *key)
{
	const struct cls *c = _get(t, key);

	return c ? c->n : 0;
}

uint32_t pb_learn_count(const pb_learn_t *t)
{
	return t->ncls;
}

/* ---- state file ---- */

/* A class's place in recency order, to sort by. */
struct rec {
	int64_t last;
	uint64_t seq;
	uint32_t idx;
};

static int _cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Decimal of v into the end of buf; returns the start. */
static char *_fmt_i64(char *end, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*--end = '\0';
	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--end = '-';
	return end;
}

/* A writer that remembers the first failure and then writes nothing. */
struct out {
	pb_learn_write_fn wr;
	void *arg;
	int rc;
};

static void _put(struct out *o, const char *s)
{
	if (!o->rc)
		o->rc = o->wr(o->arg, s, strlen(s));
}

static void _put_num(struct out *o, int64_t v)
{
	char b[24];

	_put(o, _fmt_i64(b + sizeof(b), v));
}

int pb_learn_format(const pb_learn_t *t, pb_learn_write_fn wr, void *arg)
{
	struct out o = {wr, arg, 0};
	struct rec *idx = NULL;

	if (t->ncls) {
		idx = malloc((size_t)t->ncls * sizeof(*idx));
		if (!idx)
			return -1;
		for (uint32_t k = 0; k < t->ncls; k++)
			idx[k] = (struct rec){t->cls[k].last, t->cls[k].seq, k};
		qsort(idx, t->ncls, sizeof(*idx), _cmp_rec);
	}
	_put(&o, "# powerbudget learned GPU draw per job class\npb-learn 1\n");
	for (uint32_t k = 0; !o.rc && k < t->ncls; k++) {
		const struct cls *c = &t->cls[idx[k].idx];
		uint32_t m = t->p.max_runs, first = (c->head + m - c->n) % m;

		_put(&o, "class ");
		_put(&o, c->key);
		_put(&o, " ");
		_put_num(&o, c->last);
		_put(&o, " ");
		_put_num(&o, c->n);
		for (uint32_t r = 0; r < c->n; r++) {
			_put(&o, " ");
			_put_num(&o, c->runs[(first + r) % m]);
		}
		_put(&o, "\n");
	}
	_put(&o, "end ");
	_put_num(&o, t->ncls);
	_put(&o, "\n");
	free(idx);
	return o.rc;
}

struct buf {
	char *p;
	size_t size, len;
};

static int _buf_write(void *arg, const char *text, size_t len)
{
	struct buf *b = arg;

	if (b->len < b->size) {
		size_t room = b->size - b->len;

		memcpy(b->p + b->len, text, len < room ? len : room);
	}
	b->len += len;
	return 0;
}

size_t pb_learn_format_buf(const pb_learn_t *t, char *buf, size_t size)
{
	struct buf b = {buf, size, 0};

	if (pb_learn_format(t, _buf_write, &b))
		b.len = 0; /* out of memory: nothing written */
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return b.len;
}

/* The line being parsed: [p, end) of the current line. */
struct lex {
	const char *p, *end;
	uint32_t line;
};

static void _skip_blank(struct lex *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t'))
		x->p++;
}

/* The next word: [*w, *w + returned length), 0 at the end of the line. */
static size_t _word(struct lex *x, const char **w)
{
	_skip_blank(x);
	*w = x->p;
	while (x->p < x->end && *x->p != ' ' && *x->p != '\t')
		x->p++;
	return (size_t)(x->p - *w);
}

static bool _is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(w, lit, n);
}

/* A decimal integer word in [lo, hi]; 0, or -1 (not one or out of range). */
static int _num(struct lex *x, int64_t lo, int64_t hi, int64_t *v)
{
	const char *w;
	size_t n = _word(x, &w), i = 0;
	bool neg = false;
	uint64_t u = 0;

	if (n && w[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 19)
		return -1;
	for (; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		u = u * 10 + (uint64_t)(w[i] - '0');
	}
	if (u > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return *v < lo || *v > hi ? -1 : 0;
}

/* One class line after its "class" word, into t: 0, -1 (malformed) or
 * -2 (out of memory), err set. */
static int _class_line(pb_learn_t *t, struct lex *x, int32_t *runs,
		       pb_error_t *err)
{
	char key[PB_LEARN_KEY_MAX];
	const char *w;
	size_t n = _word(x, &w);
	int64_t last, cnt, v;
	struct cls *c;

	if (!n || n >= PB_LEARN_KEY_MAX)
		return pb_error_set(err,
				    "line %u: a class needs a key of 1 to %d "
				    "characters",
				    x->line, PB_LEARN_KEY_MAX - 1);
	memcpy(key, w, n);
	key[n] = '\0';
	if (!_key_len(key, PB_LEARN_KEY_MAX))
		return pb_error_set(err,
				    "line %u: class key with a character "
				    "outside printable ASCII",
				    x->line);
	if (_num(x, INT64_MIN + 1, INT64_MAX, &last) ||
	    _num(x, 1, PB_LEARN_RUNS_MAX, &cnt)) {
		return pb_error_set(
		    err,
		    "line %u: class %s: expected its last time and "
		    "a run count of 1 to %d",
		    x->line, key, PB_LEARN_RUNS_MAX);
	}
	for (int64_t r = 0; r < cnt; r++) {
		if (_num(x, 1, PB_LEARN_W_MAX, &v))
			return pb_error_set(
			    err,
			    "line %u: class %s: run %lld: expected "
			    "watts of 1 to %d",
			    x->line, key, (long long)r + 1, PB_LEARN_W_MAX);
		runs[r] = (int32_t)v;
	}
	if (_word(x, &w))
		return pb_error_set(err,
				    "line %u: class %s: more than %lld runs",
				    x->line, key, (long long)cnt);
	if (_get(t, key))
		return pb_error_set(err, "line %u: class %s again", x->line,
				    key);
	c = _add(t, key);
	if (!c) {
		pb_error_set(err, "line %u: out of memory", x->line);
		return -2;
	}
	/* the newest max_runs, oldest first; then its time */
	for (int64_t r = cnt > t->p.max_runs ? cnt - t->p.max_runs : 0; r < cnt;
	     r++)
		_push(t, c, runs[r], last);
	return 0;
}

pb_learn_t *pb_learn_parse(const pb_learn_params_t *p, const char *buf,
			   size_t len, pb_error_t *err)
{
	pb_learn_t *t = pb_learn_create(p, err);
	int32_t *runs = malloc(PB_LEARN_RUNS_MAX * sizeof(*runs));
	struct lex x = {buf, buf, 0};
	const char *stop = buf + len, *w;
	bool head = false, ended = false;
	int64_t classes = 0, cnt;
	int e = EINVAL;

	if (!t || !runs) {
		if (t)
			pb_error_set(err, "learned draw: out of memory");
		e = t ? ENOMEM : errno;
		goto fail;
	}
	if (len && memchr(buf, '\0', len)) {
		const char *z = memchr(buf, '\0', len);
		uint32_t line = 1;

		for (const char *q = buf; q < z; q++)
			line += *q == '\n';
		pb_error_set(err, "line %u: NUL byte", line);
		goto fail;
	}
	for (const char *at = buf; at < stop;) {
		const char *nl = memchr(at, '\n', (size_t)(stop - at));
		size_t n;

		x.line++;
		x.p = at;
		x.end = nl ? nl : stop;
		if (x.end > x.p && x.end[-1] == '\r')
			x.end--;
		at = nl ? nl + 1 : stop;
		n = _word(&x, &w);
		if (!n || w[0] == '#')
			continue;
		if (ended) {
			pb_error_set(err, "line %u: text after the end line",
				     x.line);
			goto fail;
		}
		if (!head) {
			if (!_is(w, n, "pb-learn") || _num(&x, 1, 1, &cnt) ||
			    _word(&x, &w)) {
				pb_error_set(err,
					     "line %u: not a learned-draw file "
					     "(expected 'pb-learn 1')",
					     x.line);
				goto fail;
			}
			head = true;
		} else if (_is(w, n, "class")) {
			int rc = _class_line(t, &x, runs, err);

			if (rc) {
				e = rc == -2 ? ENOMEM : EINVAL;
				goto fail;
			}
			classes++;
		} else if (_is(w, n, "end")) {
			if (_num(&x, 0, INT64_MAX, &cnt) || _word(&x, &w) ||
			    cnt != classes) {
				pb_error_set(err,
					     "line %u: the end line must give "
					     "the %lld classes above",
					     x.line, (long long)classes);
				goto fail;
			}
			ended = true;
		} else {
			pb_error_set(err, "line %u: unknown line '%.*s'",
				     x.line, (int)(n > 40 ? 40 : n), w);
			goto fail;
		}
	}
	if (!ended) {
		pb_error_set(err, "line %u: no end line: the file is cut short",
			     x.line);
		goto fail;
	}
	free(runs);
	return t;
fail:
	free(runs);
	pb_learn_destroy(t);
	errno = e;
	return NULL;
}
