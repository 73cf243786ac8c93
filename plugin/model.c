/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building and binding the power model inside slurmctld (see model.h).
 * Runs at startup and reconfigure, never on the scheduling hot path: it
 * may read files and allocate freely.
 */
#include "config.h"

#include "src/common/slurm_xlator.h"
#include "src/common/bitstring.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "plugin/compat.h"
#include "plugin/switches.h"

#include "topology/diag.h"
#include "topology/load.h"

#include "policy/gpulimit.h"
#include "plugin/model.h"

static char *_diag_text(const pb_diag_t *d)
{
	char *text = NULL;

	for (size_t i = 0; i < pb_diag_count(d); i++) {
		if (pb_diag_level(d, i) != PB_DIAG_ERROR)
			continue;
		xstrfmtcat(text, "%s%s", text ? "\n" : "", pb_diag_text(d, i));
	}
	if (!text)
		text = xstrdup("unknown error");
	return text;
}

static void _log_notices(const pb_diag_t *d)
{
	for (size_t i = 0; i < pb_diag_count(d); i++) {
		if (pb_diag_level(d, i) != PB_DIAG_ERROR)
			info("select/cons_tres_power: %s", pb_diag_text(d, i));
	}
}

/*
 * A GpuLimitEnforced class only enforces a hint if slurmd runs the limit
 * prolog on every node at allocation, before anything of the job runs,
 * and a failing prolog stops the job there: slurm.conf's Prolog= with
 * PrologFlags=Alloc. Without it, trusting the hints would let a user talk
 * the model below what the GPUs may draw; model them at full draw.
 */
static bool _prolog_enforces(void)
{
	return slurm_conf.prolog && slurm_conf.prolog[0] &&
	       (slurm_conf.prolog_flags & PROLOG_FLAG_ALLOC);
}

static pb_conf_hints_t _user_hints(const char *path, pb_conf_hints_t asked)
{
	if (asked != PB_CONF_HINTS_ENFORCED || _prolog_enforces())
		return asked;
	error(
	    "select/cons_tres_power: %s: UserWattHints=enforced needs slurm.conf Prolog= (the GPU power limit prolog) with PrologFlags=Alloc; until then every job's own watt hint is ignored",
	    path);
	return PB_CONF_HINTS_NO;
}

/* The same rule for limits the scheduler chooses (GpuLimits=). */
static pb_conf_limits_t _gpu_limits(const char *path, pb_conf_limits_t asked)
{
	if (asked == PB_CONF_LIMITS_NO || _prolog_enforces())
		return asked;
	error(
	    "select/cons_tres_power: %s: GpuLimits= needs slurm.conf Prolog= (the GPU power limit prolog) with PrologFlags=Alloc; until then no GPU limit is chosen",
	    path);
	return PB_CONF_LIMITS_NO;
}

/* And for learned draw (LearnedDraw=yes), which is held as a limit too. */
static bool _learned_draw(const char *path, bool asked)
{
	if (!asked || _prolog_enforces())
		return asked;
	error(
	    "select/cons_tres_power: %s: LearnedDraw=yes needs slurm.conf Prolog= (the GPU power limit prolog) with PrologFlags=Alloc; until then no job is charged its learned draw",
	    path);
	return false;
}

/* Per class, the limit with the most work per watt (GpuLimits=efficient). */
static void _efficient_limits(model_t *m)
{
	uint32_t n = pb_site_class_count(m->site);

	m->efficient_w = xcalloc(MAX(n, 1), sizeof(*m->efficient_w));
	for (uint32_t c = 0; c < n; c++)
		m->efficient_w[c] = pb_limit_efficient_w(
		    pb_site_class(m->site, c), &m->settings->speed_curve, 0, 5);
}

extern model_t *model_load(const char *path, char **errmsg)
{
	pb_diag_t *d = pb_diag_create();
	model_t *m = xmalloc(sizeof(*m));
	pb_error_t err = {{0}};

	m->path = xstrdup(path);
	m->settings = &m->loaded.settings;
	if (!d) {
		*errmsg = xstrdup("out of memory");
		goto fail;
	}
	/* The network tree comes from slurmctld's own switch table. */
	if (pb_load(path, NULL, &m->loaded, d) != 0) {
		*errmsg = _diag_text(d);
		goto fail;
	}
	_log_notices(d);
	m->user_hints = _user_hints(path, m->settings->user_watt_hints);
	m->site = m->loaded.site;
	m->gpu_limits = _gpu_limits(path, m->settings->gpu_limits);
	m->learned_draw = _learned_draw(path, m->settings->learned_draw);
	_efficient_limits(m);
	/*
	 * Reservations: a few blocked jobs, every suspended job and the cap
	 * windows' intervals (plugin/capwin.h).
	 */
	m->ledger = pb_ledger_create(
	    m->site, &(pb_ledger_opts_t){.max_reservations = 256}, &err);
	if (m->ledger)
		m->empty = pb_ledger_create(m->site, NULL, &err);
	if (!m->ledger || !m->empty) {
		*errmsg = xstrdup_printf("%s: %s", path, err.text);
		goto fail;
	}
	pb_diag_destroy(d);
	return m;
fail:
	pb_diag_destroy(d);
	model_free(m);
	return NULL;
}

/*
 * slurmctld's network tree (topology/tree) as a pb_net_t over site nodes.
 */
static int _build_net(model_t *m, char **errmsg)
{
	uint32_t nsite = pb_site_node_count(m->site);
	int32_t *index = NULL;
	pb_error_t err = {{0}};
	pb_switch_t *sw;
	int count, levels = 0, rc = -1;
	char *swerr = NULL;

	sw = switches_get(&count, &swerr);
	if (count < 0) {
		*errmsg = xstrdup_printf("network tree from topology/tree: %s",
					 swerr);
		xfree(swerr);
		return -1;
	}
	if (!sw)
		return 0; /* no topology: placement by power only */
	m->net = pb_net_create(nsite);
	index = xcalloc(count, sizeof(*index));
	for (int s = 0; s < count; s++)
		levels = MAX(levels, sw[s].level);
	/* Add in level order from the top so parents exist first. */
	for (int level = levels; level >= 0; level--) {
		for (int s = 0; s < count; s++) {
			if (sw[s].level != level)
				continue;
			index[s] = pb_net_add_switch(
			    m->net, sw[s].name,
			    sw[s].parent < 0 ? -1 : index[sw[s].parent], &err);
			if (index[s] < 0)
				goto out;
		}
	}
	for (int s = 0; s < count; s++) {
		if (sw[s].level != 0 || !sw[s].nodes)
			continue;
		for (int n = 0; n < bit_size(sw[s].nodes); n++) {
			int32_t site = model_site_node(m, n);

			if (site < 0 || !bit_test(sw[s].nodes, n))
				continue;
			if (pb_net_attach_node(m->net, index[s], site, &err))
				goto out;
		}
	}
	if (pb_net_finalize(m->net, &err))
		goto out;
	rc = 0;
out:
	if (rc)
		*errmsg = xstrdup_printf("network tree from topology/tree: %s",
					 err.text);
	xfree(index);
	switches_free(sw, count);
	return rc;
}

static void _unbind(model_t *m)
{
	pb_place_destroy(m->placer);
	pb_net_destroy(m->net);
	pb_bitset_destroy(m->cand);
	pb_bitset_destroy(m->chosen);
	xfree(m->alloc_buf);
	xfree(m->slurm2site);
	xfree(m->site2slurm);
	m->placer = NULL;
	m->net = NULL;
	m->cand = m->chosen = NULL;
	m->slurm_nodes = 0;
	m->identity = false;
}

/* slurmctld's; weak, so that slurmd and the clients still load the plugin. */
extern List part_list __attribute__((weak));

/*
 * Is Slurm's power saving on (the same tests power_save.c makes), so that
 * idle nodes may be powered down to standby?
 */
static bool _power_saving_on(void)
{
	part_record_t *part;
	ListIterator it;
	bool on = false;

	if (!slurm_conf.suspend_program || !slurm_conf.resume_program)
		return false;
	if (slurm_conf.suspend_time != INFINITE)
		return true;
	if (!part_list)
		return false;
	it = list_iterator_create(part_list);
	while (!on && (part = list_next(it)))
		on = part->suspend_time != NO_VAL &&
		     part->suspend_time != INFINITE;
	list_iterator_destroy(it);
	return on;
}

/* Nodes power saving never powers down: SuspendExcNodes, SuspendExcParts. */
static bitstr_t *_power_saving_excluded(void)
{
	bitstr_t *exc = bit_alloc(MAX(node_record_count, 1));
	const char *nodes = slurm_conf.suspend_exc_nodes;
	char *parts, *save = NULL;

	/*
	 * "nodes:count" keeps only some of them up; which ones is Slurm's
	 * choice, so count none as always on: at worst a job that can never
	 * run is left pending instead of refused at submit.
	 */
	if (nodes && nodes[0] && !strchr(nodes, ':')) {
		bitstr_t *b = NULL;

		if (pb_node_name2bitmap((char *)nodes, false, &b) == 0)
			bit_or(exc, b);
		FREE_NULL_BITMAP(b);
	}
	parts = xstrdup(slurm_conf.suspend_exc_parts);
	for (char *name = parts ? strtok_r(parts, ",", &save) : NULL; name;
	     name = strtok_r(NULL, ",", &save)) {
		part_record_t *part = find_part_record(name);

		if (part && part->node_bitmap)
			bit_or(exc, part->node_bitmap);
	}
	xfree(parts);
	return exc;
}

/*
 * The "could it ever fit" ledger has no jobs, and every node that Slurm's
 * power saving may power down is in standby there: with power saving, a
 * job may need more nodes than the site can power while all of them idle.
 */
static void _empty_power(model_t *m)
{
	bool saving = _power_saving_on();
	bitstr_t *exc = saving ? _power_saving_excluded() : NULL;
	uint32_t off = 0;

	for (int i = 0; i < m->slurm_nodes; i++) {
		int32_t site = m->slurm2site[i];
		bool on = !saving || bit_test(exc, i);

		if (site < 0)
			continue;
		pb_ledger_set_node_power(m->empty, site, on, NULL);
		off += !on;
	}
	FREE_NULL_BITMAP(exc);
	if (saving)
		debug(
		    "select/cons_tres_power: power saving on: %u node(s) may be powered down; jobs are refused at submit only if they cannot fit with those in standby",
		    off);
}

extern int model_bind(model_t *m, char **errmsg)
{
	uint32_t nsite = pb_site_node_count(m->site);
	char *missing = NULL;
	node_record_t *node_ptr;
	pb_error_t err = {{0}};
	int nmissing = 0;

	_unbind(m);
	m->slurm_nodes = node_record_count;
	m->slurm2site = xcalloc(MAX(node_record_count, 1), sizeof(int32_t));
	m->site2slurm = xcalloc(nsite, sizeof(int32_t));
	for (int i = 0; i < node_record_count; i++)
		m->slurm2site[i] = -1;
	for (uint32_t i = 0; i < nsite; i++)
		m->site2slurm[i] = -1;

	for (int i = 0; (node_ptr = next_node(&i)); i++) {
		int32_t site = pb_site_node_by_name(m->site, node_ptr->name);

		if (site < 0) {
			if (nmissing++ < 8)
				xstrfmtcat(missing, "%s%s", missing ? "," : "",
					   node_ptr->name);
			continue;
		}
		m->slurm2site[node_ptr->index] = site;
		m->site2slurm[site] = node_ptr->index;
	}
	m->identity = (uint32_t)node_record_count == nsite;
	for (int i = 0; m->identity && i < node_record_count; i++)
		m->identity = m->slurm2site[i] == i;
	if (nmissing) {
		*errmsg = xstrdup_printf(
		    "%s: %d node(s) of slurm.conf are in no power domain (%s%s); every node must be in exactly one leaf Domain",
		    m->path, nmissing, missing, nmissing > 8 ? ",..." : "");
		xfree(missing);
		return -1;
	}
	for (uint32_t i = 0; i < nsite; i++) {
		if (m->site2slurm[i] < 0)
			error(
			    "select/cons_tres_power: %s: node %s is not in slurm.conf; counted at idle draw",
			    m->path, pb_site_node_name(m->site, i));
	}
	if (_build_net(m, errmsg))
		return -1;
	m->placer = pb_place_create(m->site, m->net, &err);
	if (!m->placer) {
		*errmsg = xstrdup_printf("%s: %s", m->path, err.text);
		return -1;
	}
	m->cand = pb_bitset_create(nsite);
	m->chosen = pb_bitset_create(nsite);
	m->alloc_buf = xcalloc(MAX(nsite, 1), sizeof(*m->alloc_buf));
	_empty_power(m);
	return 0;
}

extern void model_free(model_t *m)
{
	if (!m)
		return;
	_unbind(m);
	pb_ledger_destroy(m->ledger);
	pb_ledger_destroy(m->empty);
	xfree(m->efficient_w);
	pb_loaded_free(&m->loaded); /* the site too */
	xfree(m->path);
	xfree(m);
}

static bool verify_on;

extern void model_verify_enable(bool on)
{
	verify_on = on;
}

extern void model_verify(const model_t *m, const char *after)
{
	pb_error_t err;

	if (!verify_on || !m)
		return;
	if (pb_ledger_verify(m->ledger, &err))
		fatal(
		    "select/cons_tres_power: ledger invariant broken after %s: %s",
		    after, err.text);
}
