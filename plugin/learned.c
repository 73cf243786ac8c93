/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learned draw inside slurmctld (see learned.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "policy/learn.h"
#include "plugin/learned.h"

#define PLUGIN "select/cons_tres_power"
#define STATE_NAME "power_budget.learned"
#define STATE_MAX_BYTES (256 << 20)

typedef struct {
	uint32_t job_id;
	double sum_w; /* per-GPU watts summed over samples */
	uint32_t n;
	bool observed; /* learned already, after LearnedDrawAfter= */
} acc_t;

static pb_learn_t *table;
static char *state_path;
static bool changed;
static acc_t *acc;
static uint32_t nacc, acc_cap;

static void _empty(void)
{
	pb_error_t err;

	pb_learn_destroy(table);
	table = pb_learn_create(NULL, &err);
	if (!table)
		error(PLUGIN ": learned draw: %s", err.text);
}

extern void learned_init(const char *dir)
{
	char *buf = NULL;
	struct stat st;
	pb_error_t err;
	int fd;

	xfree(state_path);
	state_path = xstrdup_printf("%s/%s", dir, STATE_NAME);
	fd = open(state_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			error(PLUGIN ": %s: %m; learned draw starts empty",
			      state_path);
		_empty();
		return;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_size <= STATE_MAX_BYTES) {
		buf = xmalloc(st.st_size + 1);
		if (read(fd, buf, st.st_size) != st.st_size)
			xfree(buf);
	}
	close(fd);
	pb_learn_destroy(table);
	table = buf ? pb_learn_parse(NULL, buf, st.st_size, &err) : NULL;
	if (!table) {
		error(PLUGIN ": %s: %s; ignored, learned draw starts empty",
		      state_path, buf ? err.text : "unreadable or too large");
		_empty();
	} else {
		info(PLUGIN ": learned draw of %u job class(es) from %s",
		     pb_learn_count(table), state_path);
	}
	xfree(buf);
}

extern void learned_fini(void)
{
	pb_learn_destroy(table);
	table = NULL;
	xfree(state_path);
	xfree(acc);
	nacc = acc_cap = 0;
}

/* "u<uid>/<job name>" or "t/<tag>": one word of printable ASCII. */
static void _key(job_record_t *job, char *key, size_t size)
{
	const char *tag =
	    job->comment ? strstr(job->comment, LEARNED_CLASS_TAG) : NULL;

	if (tag) {
		tag += strlen(LEARNED_CLASS_TAG);
		snprintf(key, size, "t/%.*s", (int)strcspn(tag, " ,"), tag);
	} else {
		snprintf(key, size, "u%u/%s", job->user_id,
			 job->name ? job->name : "");
	}
	for (char *p = key; *p; p++) {
		if (*p <= ' ' || *p > '~')
			*p = '_';
	}
}

extern pb_watts_t learned_hint(const model_t *m, job_record_t *job)
{
	char key[PB_LEARN_KEY_MAX];
	pb_watts_t w;

	if (!table || !m->learned_draw)
		return 0;
	_key(job, key, sizeof(key));
	if (pb_learn_estimate(table, key, 1, 0, &w))
		return 0;
	return w;
}

static acc_t *_acc(uint32_t job_id, bool add)
{
	for (uint32_t i = 0; i < nacc; i++) {
		if (acc[i].job_id == job_id)
			return &acc[i];
	}
	if (!add)
		return NULL;
	if (nacc == acc_cap) {
		acc_cap = acc_cap ? 2 * acc_cap : 64;
		xrecalloc(acc, acc_cap, sizeof(*acc));
	}
	acc[nacc] = (acc_t){.job_id = job_id};
	return &acc[nacc++];
}

typedef struct {
	const model_t *m;
	const pb_watts_t *node_w;
	time_t now, read_at;
} sample_arg_t;

/* One observation of @job's class: @w per GPU. */
static void _observe(job_record_t *job, pb_watts_t w, time_t now,
		     const char *when)
{
	char key[PB_LEARN_KEY_MAX];

	_key(job, key, sizeof(key));
	if (pb_learn_observe(table, key, MIN(w, PB_LEARN_W_MAX), now) == 0) {
		changed = true;
		info(PLUGIN ": %pJ drew %" PRId64
			    " W per GPU%s: learned for class %s",
		     job, w, when, key);
	}
}

/*
 * Once a run has been sampled LearnedDrawAfter= times (a second each),
 * its mean so far is its observation, so that runs of its class that
 * start before it ends are charged what it draws.
 */
static void _early(const model_t *m, acc_t *x, time_t now)
{
	unsigned after = m->settings->learned_after_s;
	job_record_t *job;
	pb_watts_t w;

	if (x->observed || !after || x->n < after)
		return;
	x->observed = true;
	w = (pb_watts_t)(x->sum_w / x->n + 0.5);
	if (w >= 1 && (job = find_job_record(x->job_id)))
		_observe(job, w, now, " so far");
}

/*
 * On a node whose GPUs the job holds all of, everything but the job's
 * GPUs is as modelled: its GPUs draw the reading less the rest of the
 * node's modelled draw. The job's increment per node is its increment
 * over its nodes (exact for the whole-GPU allocations sampled).
 */
static int _sample_job(const pb_job_info_t *info, void *arg)
{
	sample_arg_t *a = arg;
	const pb_site_t *site = a->m->site;
	pb_alloc_node_t *nodes = a->m->alloc_buf;
	int64_t n = pb_ledger_job_nodes(a->m->ledger, info->job_id, nodes,
					pb_site_node_count(site));
	job_record_t *job = find_job_record(info->job_id);
	double sum = 0;
	uint32_t used = 0;

	/* a reading from before the job started says nothing of it */
	if (n <= 0 || info->suspended || !job || job->start_time >= a->read_at)
		return 0;
	for (int64_t i = 0; i < n; i++) {
		uint32_t node = nodes[i].node;
		const pb_power_class_t *cls =
		    pb_site_class(site, pb_site_node_class(site, node));
		pb_watts_t rest, cpu;

		/* the ledger keeps "all of them" as asked (clamped there) */
		if (a->node_w[node] < 0 || !cls->gpus ||
		    nodes[i].gpus < cls->gpus)
			continue;
		rest =
		    pb_ledger_node_draw(a->m->ledger, node) - info->watts / n;
		cpu = pb_power_increment_w(cls, 0, nodes[i].cores, 0);
		sum += cls->gpu.idle_w +
		       (double)(a->node_w[node] - rest - cpu) / cls->gpus;
		used++;
	}
	if (used) {
		acc_t *x = _acc(info->job_id, true);

		x->sum_w += sum / used;
		x->n++;
		_early(a->m, x, a->now);
	}
	return 0;
}

extern void learned_sample(const model_t *m, const pb_watts_t *node_w,
			   time_t read_at)
{
	sample_arg_t a = {m, node_w, time(NULL), read_at};

	if (!table || !m->learned_draw || !read_at)
		return;
	pb_ledger_foreach_job(m->ledger, _sample_job, &a);
}

extern void learned_job_ended(const model_t *m, job_record_t *job, time_t now)
{
	acc_t *x = _acc(job->job_id, false);
	pb_watts_t w;
	bool observed;

	if (!x)
		return;
	w = (pb_watts_t)(x->sum_w / x->n + 0.5);
	observed = x->observed;
	*x = acc[--nacc];
	if (!table || !m->settings->learned_draw || w < 1 || observed)
		return;
	_observe(job, w, now, "");
}

static int _cat(void *arg, const char *text, size_t len)
{
	xstrncat(*(char **)arg, text, len);
	return 0;
}

extern char *learned_snapshot(void)
{
	char *text = NULL;

	if (!table || !changed || !state_path)
		return NULL;
	changed = false;
	xstrfmtcat(text, "# %s\n", state_path);
	pb_learn_format(table, _cat, &text);
	return text;
}

extern void learned_save(char *text)
{
	char *path, *tmp;
	int fd;

	if (!text)
		return;
	path = xstrdup(state_path); /* set once at start */
	tmp = xstrdup_printf("%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd) || rename(tmp, path))
		error(PLUGIN ": cannot save learned draw to %s: %m", path);
	if (fd >= 0)
		close(fd);
	xfree(tmp);
	xfree(path);
	xfree(text);
}
