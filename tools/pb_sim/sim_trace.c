// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_trace: reading job traces and mapping them to training jobs.
 *
 * Owns the two input formats (OpenB pod list, generic CSV) and the mapping
 * rules.  The OpenB trace is a production cluster of mostly one-GPU pods; to
 * load a large training site with it the rule "openb-train-v1" is applied:
 *
 *   1. pods with num_gpu 0 are dropped (CPU-only, they use no GPU node);
 *   2. pods with no scheduled_time were still pending at collection: they
 *      never ran and have no duration, so they are dropped;
 *   3. run time = deletion_time - scheduled_time (at least 1 s), cut to
 *      max-dur (default 48 h, a typical MaxTime: longer training runs are
 *      chains of jobs, of which the first is kept);
 *   4. size = ceil(num_gpu x scale / GPUs per node) whole nodes (scale 256:
 *      a one-GPU pod becomes a 32-node, 256-GPU job, an 8-GPU pod a
 *      256-node, 2,048-GPU job: the sizes of training runs on a site of
 *      100,000 GPUs);
 *   5. arrivals keep their order and gaps but are divided by one factor so
 *      that the offered node load (node-seconds / (site nodes x arrival
 *      span)) equals the target (default 0.9);
 *   6. GPU draw is full (load 1) unless power=milli, which takes the pod's
 *      gpu_milli (share of a GPU it asked for) as its GPU activity.
 *
 * Everything is integer or double arithmetic on the file's values alone, so
 * the result is deterministic.  "generic-v1" keeps the file's jobs as they
 * are (submit relative to the first one, nodes or ceil(gpus / gpn)).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sim_trace.h"

#define SIM_MAX_COLS 32

enum sim_fmt { SIM_FMT_OPENB, SIM_FMT_GENERIC };

/* Column indexes found in the header; -1 = absent. */
struct sim_cols {
	enum sim_fmt fmt;
	char sep;
	int num_gpu, gpu_milli, creation, deletion, scheduled;
	int qos, cpu_milli, memory;
	int submit, duration, nodes, gpus, gpn, load, cls;
};

/* A row before mapping: times in s, counts as read. */
struct sim_raw {
	uint32_t row;
	double submit, dur;
	double gpus;  /* trace GPUs (OpenB) or job GPUs (generic) */
	double nodes; /* generic only; 0 = from gpus */
	double gpn;   /* generic only; 0 = site's */
	double load;
	char cls[SIM_CLS_MAX];
};

static void _defaults(struct sim_mapping *m, enum sim_fmt fmt,
		      uint32_t site_nodes, uint32_t gpn)
{
	memset(m, 0, sizeof(*m));
	m->site_nodes = site_nodes;
	m->gpn = gpn;
	if (fmt == SIM_FMT_OPENB) {
		snprintf(m->name, sizeof(m->name), "openb-train-v1");
		m->scale = 256;
		m->target_load = 0.9;
		m->max_dur = 48 * 3600;
	} else {
		snprintf(m->name, sizeof(m->name), "generic-v1");
		m->scale = 1;
	}
}

int sim_mapping_parse(struct sim_mapping *m, const char *spec, pb_error_t *err)
{
	struct sim_mapping tmp = *m;
	char *dup, *tok, *save = NULL;
	int rc = 0;

	if (!spec || !*spec)
		return 0;
	dup = strdup(spec);
	if (!dup)
		return pb_error_set(err, "--mapping: out of memory");
	for (tok = strtok_r(dup, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		double v;

		if (!eq) {
			pb_error_set(err, "--mapping: '%s' is not key=value",
				     tok);
			rc = -1;
			break;
		}
		*eq++ = '\0';
		if (!strcmp(tok, "power")) {
			if (!strcmp(eq, "full"))
				tmp.power_milli = 0;
			else if (!strcmp(eq, "milli"))
				tmp.power_milli = 1;
			else
				goto bad;
			continue;
		}
		errno = 0;
		v = strtod(eq, &end);
		if (errno || end == eq || *end || !isfinite(v) || v < 0)
			goto bad;
		if (!strcmp(tok, "scale") && v > 0)
			tmp.scale = v;
		else if (!strcmp(tok, "load"))
			tmp.target_load = v;
		else if (!strcmp(tok, "max-dur"))
			tmp.max_dur = v;
		else if (!strcmp(tok, "from"))
			tmp.from = v;
		else
			goto bad;
		continue;
	bad:
		pb_error_set(
		    err,
		    "--mapping: bad value '%s' for '%s' "
		    "(keys: scale>0, load>=0, max-dur>=0 s, from>=0 s, "
		    "power=full|milli)",
		    eq, tok);
		rc = -1;
	}
	free(dup);
	if (!rc)
		*m = tmp;
	return rc;
}

/* Split line in place at sep; returns the number of fields. */
static int _split(char *line, char sep, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *e = strchr(p, sep);

		if (n == max)
			return n + 1; /* too many: caller reports */
		f[n++] = p;
		if (!e)
			break;
		*e = '\0';
		p = e + 1;
	}
	for (int i = 0; i < n; i++) {
		char *s = f[i], *e;

		while (isspace((unsigned char)*s) || *s == '"')
			s++;
		e = s + strlen(s);
		while (e > s && (isspace((unsigned char)e[-1]) || e[-1] == '"'))
			*--e = '\0';
		f[i] = s;
	}
	return n;
}

static int _col(char **f, int n, const char *const *names)
{
	for (int i = 0; i < n; i++)
		for (const char *const *nm = names; *nm; nm++)
			if (!strcasecmp(f[i], *nm))
				return i;
	return -1;
}

static int _header(char *line, struct sim_cols *c)
{
	static const char *const k_submit[] = {"submit", "submit_time", NULL};
	static const char *const k_dur[] = {"duration", "elapsed", "elapsedraw",
					    "run_time", NULL};
	static const char *const k_nodes[] = {"nodes", "nnodes", "allocnodes",
					      NULL};
	static const char *const k_gpus[] = {"gpus", "num_gpus", NULL};
	static const char *const k_gpn[] = {"gpus_per_node", NULL};
	static const char *const k_load[] = {"load", NULL};
	static const char *const k_ng[] = {"num_gpu", NULL};
	static const char *const k_gm[] = {"gpu_milli", NULL};
	static const char *const k_cr[] = {"creation_time", NULL};
	static const char *const k_de[] = {"deletion_time", NULL};
	static const char *const k_sc[] = {"scheduled_time", NULL};
	static const char *const k_qos[] = {"qos", NULL};
	static const char *const k_cpu[] = {"cpu_milli", NULL};
	static const char *const k_mem[] = {"memory_mib", NULL};
	static const char *const k_cls[] = {"class", "jobname", "job_name",
					    NULL};
	char *f[SIM_MAX_COLS + 1];
	int n;

	c->sep = (strchr(line, '|') && !strchr(line, ',')) ? '|' : ',';
	n = _split(line, c->sep, f, SIM_MAX_COLS);
	if (n > SIM_MAX_COLS)
		return -1;
	c->num_gpu = _col(f, n, k_ng);
	c->gpu_milli = _col(f, n, k_gm);
	c->creation = _col(f, n, k_cr);
	c->deletion = _col(f, n, k_de);
	c->scheduled = _col(f, n, k_sc);
	c->submit = _col(f, n, k_submit);
	c->duration = _col(f, n, k_dur);
	c->nodes = _col(f, n, k_nodes);
	c->gpus = _col(f, n, k_gpus);
	c->gpn = _col(f, n, k_gpn);
	c->load = _col(f, n, k_load);
	c->qos = _col(f, n, k_qos);
	c->cpu_milli = _col(f, n, k_cpu);
	c->memory = _col(f, n, k_mem);
	c->cls = _col(f, n, k_cls);
	if (c->num_gpu >= 0 && c->creation >= 0 && c->deletion >= 0 &&
	    c->scheduled >= 0) {
		c->fmt = SIM_FMT_OPENB;
		return 0;
	}
	c->fmt = SIM_FMT_GENERIC;
	if (c->submit < 0 || c->duration < 0 || (c->nodes < 0 && c->gpus < 0))
		return -1;
	return 0;
}

/* A plain non-negative number; returns -1 when s is not one. */
static int _num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*v) || *v < 0)
		return -1;
	return 0;
}

/* A submit time: seconds, or sacct's YYYY-MM-DDTHH:MM:SS (taken as UTC). */
static int _time(const char *s, double *v)
{
	struct tm tm;
	const char *e;

	if (!_num(s, v))
		return 0;
	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!e || *e)
		return -1;
	*v = (double)timegm(&tm);
	return 0;
}

/* A duration: seconds, or sacct's [D-][HH:]MM:SS. */
static int _dur(const char *s, double *v)
{
	long d = 0, a = 0, b = 0, c = 0;
	char tail;

	if (!_num(s, v))
		return 0;
	if (sscanf(s, "%ld-%ld:%ld:%ld%c", &d, &a, &b, &c, &tail) == 4)
		;
	else if ((d = 0, sscanf(s, "%ld:%ld:%ld%c", &a, &b, &c, &tail)) == 3)
		;
	else if ((a = 0, sscanf(s, "%ld:%ld%c", &b, &c, &tail)) == 2)
		;
	else
		return -1;
	if (d < 0 || a < 0 || b < 0 || c < 0)
		return -1;
	*v = (double)(((d * 24 + a) * 60 + b) * 60 + c);
	return 0;
}

/* A class key is one word of printable ASCII (policy/learn.h). */
static void _key_clean(char *k)
{
	for (; *k; k++)
		if ((unsigned char)*k < 0x21 || (unsigned char)*k > 0x7e)
			*k = '_';
}

/* Parse one data row into *r; 1 = use, 0 = drop (counted), -1 = error. */
static int _row(char *line, const struct sim_cols *c, struct sim_mapping *m,
		struct sim_raw *r, pb_error_t *err)
{
	char *f[SIM_MAX_COLS + 1];
	int n = _split(line, c->sep, f, SIM_MAX_COLS);
	int need = 0;
	double v = 0;

	int cols[] = {c->num_gpu,   c->gpu_milli, c->creation, c->deletion,
		      c->scheduled, c->submit,	  c->duration, c->nodes,
		      c->gpus,	    c->gpn,	  c->load,     c->qos,
		      c->cpu_milli, c->memory,	  c->cls};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (cols[i] + 1 > need)
			need = cols[i] + 1;
	if (n < need || n > SIM_MAX_COLS)
		return pb_error_set(err, "%d fields, header has at least %d", n,
				    need);
	memset(r, 0, sizeof(*r));
	r->load = 1;
	if (c->fmt == SIM_FMT_OPENB) {
		double sched, del, milli = 1000;

		if (_num(f[c->num_gpu], &r->gpus) ||
		    _num(f[c->creation], &r->submit)) {
			return pb_error_set(err,
					    "bad num_gpu or creation_time");
		}
		if (r->gpus == 0) {
			m->dropped_cpu++;
			return 0;
		}
		if (!*f[c->scheduled] || !*f[c->deletion]) {
			m->dropped_nodur++;
			return 0;
		}
		if (_num(f[c->scheduled], &sched) ||
		    _num(f[c->deletion], &del) ||
		    (c->gpu_milli >= 0 && *f[c->gpu_milli] &&
		     _num(f[c->gpu_milli], &milli))) {
			return pb_error_set(err, "bad scheduled_time, "
						 "deletion_time or gpu_milli");
		}
		r->dur = del - sched;
		if (r->submit < m->from) {
			m->dropped_early++;
			return 0;
		}
		if (m->power_milli)
			r->load = fmin(1.0, milli / 1000.0);
		/* openb-class-v1: the pod's qos and resource requests */
		snprintf(r->cls, sizeof(r->cls), "%s/%sg/%sm/%sc/%sM",
			 c->qos >= 0 && *f[c->qos] ? f[c->qos] : "-",
			 f[c->num_gpu],
			 c->gpu_milli >= 0 && *f[c->gpu_milli] ? f[c->gpu_milli]
							       : "1000",
			 c->cpu_milli >= 0 && *f[c->cpu_milli] ? f[c->cpu_milli]
							       : "-",
			 c->memory >= 0 && *f[c->memory] ? f[c->memory] : "-");
		_key_clean(r->cls);
		return 1;
	}
	if (_time(f[c->submit], &r->submit) || _dur(f[c->duration], &r->dur))
		return pb_error_set(err, "bad submit or duration");
	if ((c->nodes >= 0 && *f[c->nodes] && _num(f[c->nodes], &r->nodes)) ||
	    (c->gpus >= 0 && *f[c->gpus] && _num(f[c->gpus], &r->gpus)) ||
	    (c->gpn >= 0 && *f[c->gpn] && _num(f[c->gpn], &v)) ||
	    (c->load >= 0 && *f[c->load] && _num(f[c->load], &r->load))) {
		return pb_error_set(err,
				    "bad nodes, gpus, gpus_per_node or load");
	}
	if (c->gpn >= 0 && *f[c->gpn])
		r->gpn = v;
	if (r->load > 1)
		return pb_error_set(err, "load must be within 0..1");
	if (r->nodes == 0 && r->gpus == 0) {
		m->dropped_cpu++;
		return 0;
	}
	if (r->submit < m->from) {
		m->dropped_early++;
		return 0;
	}
	/* generic-v1: the class column, or the job's shape */
	if (c->cls >= 0 && *f[c->cls])
		snprintf(r->cls, sizeof(r->cls), "%s", f[c->cls]);
	else
		snprintf(r->cls, sizeof(r->cls), "%gn/%gg", r->nodes, r->gpus);
	_key_clean(r->cls);
	return 1;
}

/* Turn a raw row into a job by the mapping's rule; 0 = drop. */
static int _map(const struct sim_raw *r, struct sim_mapping *m,
		struct sim_job *j, uint32_t cls)
{
	double gpus = ceil(r->gpus * m->scale);
	double nodes, gpn;

	if (r->nodes > 0) {
		nodes = ceil(r->nodes * m->scale);
		gpn = r->gpn > 0 ? fmin(r->gpn, m->gpn)
				 : (r->gpus > 0 ? ceil(gpus / nodes) : m->gpn);
	} else {
		gpn = r->gpn > 0 ? fmin(r->gpn, m->gpn) : m->gpn;
		nodes = ceil(gpus / gpn);
		gpn = ceil(gpus / nodes);
	}
	if (gpn > m->gpn)
		gpn = m->gpn;
	if (nodes > m->site_nodes) {
		m->dropped_big++;
		return 0;
	}
	memset(j, 0, sizeof(*j));
	j->row = r->row;
	j->submit = r->submit;
	j->dur = r->dur < 1 ? 1 : r->dur;
	if (m->max_dur > 0 && j->dur > m->max_dur) {
		j->dur = m->max_dur;
		m->cut++;
	}
	j->nodes = (uint32_t)nodes;
	j->gpus_per_node = gpn < 1 ? 1 : (uint32_t)gpn;
	j->load = r->load;
	j->cls = cls;
	return 1;
}

/* The class index of key, added if new; UINT32_MAX if out of memory. */
static uint32_t _cls_id(struct sim_trace *t, const char *key, size_t *cap)
{
	uint32_t h = 2166136261u, mask;
	const char *k;

	if (2 * (t->ncls + 1) > t->nhash) {
		size_t nh = t->nhash ? 2 * t->nhash : 256;
		uint32_t *hs = malloc(nh * sizeof(*hs));

		if (!hs)
			return UINT32_MAX;
		for (size_t i = 0; i < nh; i++)
			hs[i] = UINT32_MAX;
		free(t->hash);
		t->hash = hs;
		t->nhash = nh;
		for (uint32_t c = 0; c < t->ncls; c++) {
			uint32_t hc = 2166136261u;

			for (k = t->cls[c]; *k; k++)
				hc = (hc ^ (unsigned char)*k) * 16777619u;
			while (hs[hc & (nh - 1)] != UINT32_MAX)
				hc++;
			hs[hc & (nh - 1)] = c;
		}
	}
	mask = (uint32_t)t->nhash - 1;
	for (k = key; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	for (;; h++) {
		uint32_t c = t->hash[h & mask];

		if (c == UINT32_MAX)
			break;
		if (!strcmp(t->cls[c], key))
			return c;
	}
	if (t->ncls == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		char(*nk)[SIM_CLS_MAX] = realloc(t->cls, nc * sizeof(*nk));

		if (!nk)
			return UINT32_MAX;
		t->cls = nk;
		*cap = nc;
	}
	snprintf(t->cls[t->ncls], SIM_CLS_MAX, "%s", key);
	t->hash[h & mask] = t->ncls;
	return t->ncls++;
}

static int _cmp_job(const void *a, const void *b)
{
	const struct sim_job *x = a, *y = b;

	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	return x->row < y->row ? -1 : (x->row > y->row);
}

/* Shift arrivals to start at 0 and compress them to the target load. */
static void _compress(struct sim_trace *t, struct sim_mapping *m)
{
	double t0, span, work = 0;

	m->compress = 1;
	if (!t->n)
		return;
	t0 = t->jobs[0].submit;
	span = t->jobs[t->n - 1].submit - t0;
	for (size_t i = 0; i < t->n; i++)
		work += (double)t->jobs[i].nodes * t->jobs[i].dur;
	if (m->target_load > 0 && span > 0 && work > 0)
		m->compress = m->target_load * m->site_nodes * span / work;
	for (size_t i = 0; i < t->n; i++) {
		t->jobs[i].submit =
		    floor((t->jobs[i].submit - t0) / m->compress);
		t->jobs[i].id = (uint32_t)i;
	}
	span = t->jobs[t->n - 1].submit;
	m->offered_load = span > 0 ? work / ((double)m->site_nodes * span) : 0;
}

/*
 * Lines of buf in turn, empty ones included (strtok would skip them and
 * throw the line numbers in messages off).  NULL at the end.
 */
static char *_next_line(char **pos, char *buf)
{
	char *line = buf ? buf : *pos, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*pos = nl + 1;
	} else {
		*pos = line + strlen(line);
	}
	return line;
}

int sim_trace_parse(const char *text, const char *name, const char *spec,
		    uint32_t site_nodes, uint32_t gpn, struct sim_mapping *m,
		    struct sim_trace *t, pb_error_t *err)
{
	struct sim_cols c;
	char *buf = strdup(text), *line, *save = NULL;
	size_t cap = 0, ccap = 0;
	uint32_t lineno = 1;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (!buf)
		return pb_error_set(err, "%s: out of memory", name);
	line = _next_line(&save, buf);
	if (!line || _header(line, &c)) {
		pb_error_set(
		    err,
		    "%s:1: header is neither an OpenB pod list "
		    "nor submit,duration,nodes|gpus[,gpus_per_node][,load]",
		    name);
		goto out;
	}
	_defaults(m, c.fmt, site_nodes, gpn);
	if (sim_mapping_parse(m, spec, err))
		goto out;
	while ((line = _next_line(&save, NULL))) {
		struct sim_raw r;
		pb_error_t what;
		int k;

		lineno++;
		if (line[strspn(line, " \t\r")] == '\0' || line[0] == '#')
			continue;
		m->rows++;
		k = _row(line, &c, m, &r, &what);
		if (k < 0) {
			pb_error_set(err, "%s:%u: %s", name, lineno, what.text);
			goto out;
		}
		r.row = lineno;
		if (k == 0)
			continue;
		if (t->n == cap) {
			size_t nc = cap ? 2 * cap : 1024;
			struct sim_job *nj = realloc(t->jobs, nc * sizeof(*nj));

			if (!nj) {
				pb_error_set(err, "%s: out of memory", name);
				goto out;
			}
			t->jobs = nj;
			cap = nc;
		}
		{
			uint32_t cls = _cls_id(t, r.cls, &ccap);

			if (cls == UINT32_MAX) {
				pb_error_set(err, "%s: out of memory", name);
				goto out;
			}
			t->n += (size_t)_map(&r, m, &t->jobs[t->n], cls);
		}
	}
	qsort(t->jobs, t->n, sizeof(*t->jobs), _cmp_job);
	_compress(t, m);
	m->kept = (uint32_t)t->n;
	rc = 0;
out:
	free(buf);
	if (rc)
		sim_trace_free(t);
	return rc;
}

int sim_trace_load(const char *path, const char *spec, uint32_t site_nodes,
		   uint32_t gpn, struct sim_mapping *m, struct sim_trace *t,
		   pb_error_t *err)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!f)
		return pb_error_set(err, "%s: %s", path, strerror(errno));
	{
		FILE *mem = open_memstream(&text, &len);
		char chunk[65536];
		size_t got;

		if (!mem) {
			fclose(f);
			return pb_error_set(err, "%s: %s", path,
					    strerror(errno));
		}
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, got, mem);
		fclose(mem);
	}
	if (ferror(f)) {
		pb_error_set(err, "%s: read error", path);
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	rc = sim_trace_parse(text, path, spec, site_nodes, gpn, m, t, err);
	free(text);
	return rc;
}

void sim_trace_free(struct sim_trace *t)
{
	free(t->jobs);
	free(t->cls);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}
