/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measured draw inside slurmctld (see measured.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "policy/measured.h"
#include "topology/meter.h"
#include "plugin/learned.h"
#include "plugin/measured.h"

#define PLUGIN "select/cons_tres_power"

/* A meter file larger than this is refused, not read (62,500 nodes fit). */
#define METER_MAX_BYTES (64 << 20)

static pthread_mutex_t meter_lock = PTHREAD_MUTEX_INITIALIZER;
static char *meter_path; /* MeterFile=, or NULL */
static unsigned max_age_s;
static pb_meter_t meter;   /* last good file; meter.n == 0 and time 0: none */
static char *last_problem; /* logged once until it changes */

/* Scratch for measured_apply, sized for one model. */
static const model_t *scratch_for;
static pb_watts_t *node_w, *dom_w, *since_node, *since_dom, *unmodelled;
static bool in_force; /* unmodelled[] is what the ledger holds */

/*
 * slurmctld starts a node energy poll only once the last one is done,
 * and a poll that reaches a dead slurmd retries the refused connection
 * once a second for min(MessageTimeout, 10) s before it gives up (Slurm's
 * slurm_send_addr_recv_msgs). So while one slurmd is down every node's
 * reading ages by about that much plus AcctGatherNodeFreq twice: a
 * MeterMaxAge below that turns one dead slurmd into every node at the
 * model alone. Said at configure time, since it is only a setting.
 */
static void _check_energy_age(unsigned max_age)
{
	unsigned freq = slurm_conf.acct_gather_node_freq;
	unsigned wait = MIN(slurm_conf.msg_timeout, 10);
	unsigned need = 2 * freq + wait + 2;

	if (!freq || !slurm_conf.acct_gather_energy_type ||
	    !xstrcasecmp(slurm_conf.acct_gather_energy_type,
			 "acct_gather_energy/none") ||
	    max_age >= need)
		return;
	error(
	    PLUGIN
	    ": MeterMaxAge=%u s is below %u s (2 x AcctGatherNodeFreq=%u + min(MessageTimeout, 10)=%u + 2): while one slurmd does not answer, slurmctld refreshes no node's energy reading, and every node may count at the power model alone",
	    max_age, need, freq, wait);
}

extern void measured_configure(const model_t *m)
{
	if (m)
		_check_energy_age(m->settings->meter_max_age_s);
	slurm_mutex_lock(&meter_lock);
	xfree(meter_path);
	if (m && m->settings->meter_file)
		meter_path = xstrdup(m->settings->meter_file);
	max_age_s = m ? m->settings->meter_max_age_s : 0;
	pb_meter_free(&meter);
	slurm_mutex_unlock(&meter_lock);
	scratch_for = NULL; /* a new model may sit at the old address */
	in_force = false;
}

/* Log @text (xmalloc'd, taken) unless it is what was logged last. */
static void _problem(char *text)
{
	if (text && (!last_problem || xstrcmp(text, last_problem)))
		error(PLUGIN ": %s; using the power model alone", text);
	if (!text && last_problem)
		info(PLUGIN ": meter readings in use again");
	xfree(last_problem);
	last_problem = text;
}

/* The file's bytes (xmalloc'd) or NULL with *why set. */
static char *_slurp(const char *path, size_t *len, char **why)
{
	struct stat st;
	char *buf = NULL;
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		*why =
		    xstrdup_printf("meter file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > METER_MAX_BYTES) {
		*why = xstrdup_printf(
		    "meter file %s: not a regular file of at most %d bytes",
		    path, METER_MAX_BYTES);
		close(fd);
		return NULL;
	}
	/*
	 * Readings can only add load, never take the model's away, but a
	 * file anyone may write could still hold every start: only root's
	 * or SlurmUser's word counts.
	 */
	if ((st.st_uid != 0 && st.st_uid != slurm_conf.slurm_user_id) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		*why = xstrdup_printf(
		    "meter file %s: must be owned by root or SlurmUser and writable by its owner only",
		    path);
		close(fd);
		return NULL;
	}
	buf = xmalloc(st.st_size + 1);
	while ((size_t)got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, st.st_size - got);

		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	*len = got;
	return buf;
}

extern void measured_read(void)
{
	char *path, *buf, *why = NULL;
	size_t len = 0;
	pb_diag_t *d;
	pb_meter_t fresh;

	slurm_mutex_lock(&meter_lock);
	path = xstrdup(meter_path);
	slurm_mutex_unlock(&meter_lock);
	if (!path)
		return;
	buf = _slurp(path, &len, &why);
	d = pb_diag_create();
	if (buf && d && pb_meter_parse(path, buf, len, &fresh, d) == 0) {
		slurm_mutex_lock(&meter_lock);
		pb_meter_free(&meter);
		meter = fresh;
		slurm_mutex_unlock(&meter_lock);
	} else {
		if (!why)
			why = xstrdup(d && pb_diag_count(d)
					  ? pb_diag_text(d, 0)
					  : "meter file: out of memory");
		slurm_mutex_lock(&meter_lock);
		pb_meter_free(&meter);
		slurm_mutex_unlock(&meter_lock);
		_problem(why);
		why = NULL;
	}
	pb_diag_destroy(d);
	xfree(buf);
	xfree(path);
}

static void _scratch(const model_t *m)
{
	uint32_t nn = pb_site_node_count(m->site);
	uint32_t nd = pb_site_domain_count(m->site);

	if (scratch_for == m)
		return;
	in_force = false;
	xfree(node_w);
	node_w = xcalloc(2 * (nn + nd) + nd, sizeof(*node_w));
	dom_w = node_w + nn;
	since_node = dom_w + nd;
	since_dom = since_node + nn;
	unmodelled = since_dom + nd;
	scratch_for = m;
}

/* The meter file's readings into node_w/dom_w; its time, or 0 if none. */
static time_t _meter_readings(model_t *m, time_t now)
{
	time_t t = 0;
	pb_diag_t *d = pb_diag_create();

	slurm_mutex_lock(&meter_lock);
	if (meter_path && meter.time) {
		if (now - meter.time > (time_t)max_age_s) {
			_problem(
			    xstrdup_printf("meter file %s: readings of %" PRId64
					   " are older than MeterMaxAge=%u s",
					   meter_path, meter.time, max_age_s));
		} else if (d) {
			pb_meter_resolve(&meter, meter_path, m->site, node_w,
					 dom_w, d);
			t = meter.time;
			_problem(pb_diag_count(d) ? xstrdup(pb_diag_text(d, 0))
						  : NULL);
		}
	}
	slurm_mutex_unlock(&meter_lock);
	pb_diag_destroy(d);
	return t;
}

/*
 * A node whose energy readings stopped (its slurmd hung, its sensor
 * failed) counts at the model alone: logged when the number of such
 * nodes changes, not at every tick.
 */
static void _energy_stale(uint32_t stale, const node_record_t *first)
{
	static uint32_t last_stale;

	if (stale && stale != last_stale)
		error(
		    PLUGIN
		    ": %u node energy reading(s) older than MeterMaxAge=%u s (%s last read at %" PRId64
		    "); using the power model alone for them",
		    stale, max_age_s, first->name,
		    (int64_t)first->energy->poll_time);
	else if (!stale && last_stale)
		info(PLUGIN ": node energy readings in use again");
	last_stale = stale;
}

/*
 * slurmctld's node energy readings (AcctGatherEnergyType) as fresh node
 * readings where the meter file has none; returns the oldest one used.
 */
static time_t _energy_readings(model_t *m, time_t now, time_t oldest)
{
	node_record_t *node, *first_stale = NULL;
	uint32_t stale = 0;

	for (int i = 0; (node = next_node(&i)); i++) {
		int32_t site = model_site_node(m, node->index);
		acct_gather_energy_t *e = node->energy;

		/* NO_VAL: the energy plugin found no sensor on that node */
		if (site < 0 || !e || !e->current_watts ||
		    e->current_watts == NO_VAL || !e->poll_time ||
		    node_w[site] >= 0)
			continue;
		if (now - e->poll_time > (time_t)max_age_s) {
			if (!stale++)
				first_stale = node;
			continue;
		}
		node_w[site] = e->current_watts;
		if (!oldest || e->poll_time < oldest)
			oldest = e->poll_time;
	}
	_energy_stale(stale, first_stale);
	return oldest;
}

typedef struct {
	model_t *m;
	time_t since;
} since_arg_t;

/* Jobs that started after the readings were not in them. */
static int _add_since(const pb_job_info_t *info, void *arg)
{
	since_arg_t *a = arg;
	job_record_t *job = find_job_record(info->job_id);

	if (job && job->start_time >= a->since)
		pb_ledger_job_add(a->m->ledger, info->job_id, since_node,
				  since_dom);
	return 0;
}

extern bool measured_apply(model_t *m, time_t now)
{
	uint32_t nn = pb_site_node_count(m->site);
	uint32_t nd = pb_site_domain_count(m->site);
	since_arg_t a = {m, 0};

	_scratch(m);
	for (uint32_t i = 0; i < nn; i++)
		node_w[i] = -1;
	for (uint32_t i = 0; i < nd; i++)
		dom_w[i] = -1;
	a.since = _meter_readings(m, now);
	a.since = _energy_readings(m, now, a.since);
	memset(since_node, 0, (nn + nd) * sizeof(*since_node));
	if (a.since)
		pb_ledger_foreach_job(m->ledger, _add_since, &a);
	learned_sample(m, node_w, a.since);
	pb_measured_unmodelled(m->ledger, node_w, dom_w, since_node, since_dom,
			       unmodelled);
	in_force = a.since != 0;
	/* an unchanged reading leaves the placer's cached attempts be */
	if (pb_ledger_unmodelled_is(m->ledger, in_force ? unmodelled : NULL))
		return false;
	pb_ledger_set_unmodelled(m->ledger, in_force ? unmodelled : NULL);
	return true;
}

extern void measured_job_ended(model_t *m, uint32_t job_id)
{
	if (!in_force || scratch_for != m)
		return;
	if (pb_ledger_job_add(m->ledger, job_id, NULL, unmodelled) == 0)
		pb_ledger_set_unmodelled(m->ledger, unmodelled);
}

extern void measured_fini(void)
{
	measured_configure(NULL);
	xfree(node_w);
	scratch_for = NULL;
	in_force = false;
	xfree(last_problem);
}
