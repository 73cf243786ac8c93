// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pb-sim: replay a job trace on a site model under the power-budget policy
 * and the baselines, and report caps, power, throughput and waits.
 *
 * This file owns the command line only: it builds the site, loads and maps
 * the trace, runs each requested policy on the same jobs one after the
 * other, and hands the results to sim_out.  See pb-sim(1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_conf.h"
#include "sim_draw.h"
#include "sim_engine.h"
#include "sim_out.h"
#include "sim_pols.h"
#include "sim_site.h"
#include "sim_trace.h"
#include "topology/load.h"

#define SIM_NPOL 8

static const char *const sim_pol_names[SIM_NPOL] = {
    "oblivious",    "static",	       "power",		"power-notopo",
    "power-limits", "power-efficient", "power-learned", "power-both"};

struct sim_opts {
	const char *trace, *site, *json, *plot, *mapping, *policies, *gpu;
	const char *draw_cdf, *draw_rule, *topology;
	double nodes, cap_mw, pue, cooling_mw, reserve;
	double busy_w, jitter, floor_w, learned_after;
	struct sim_window windows[SIM_WINDOWS_MAX];
	uint32_t nwindows;
	double ramp_mw;
	struct sim_curtail curtail;
	int curtailed;
	unsigned long long seed;
	int power_save, timing, progress, quiet;
};

static void _usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: pb-sim --trace FILE [options]\n"
	    "  --trace FILE        OpenB pod list or "
	    "submit,duration,nodes|gpus[,gpus_per_node][,load] CSV\n"
	    "  --site S            reference (default), reference-500, a "
	    "power_budget.conf,\n"
	    "                      or a Key=Value site file\n"
	    "  --topology FILE     the site's topology.conf (with a "
	    "power_budget.conf)\n"
	    "  --nodes N --cap-mw X --pue P --cooling-mw C --reserve R   "
	    "override the site\n"
	    "  --gpu MODEL         GPU model from policy's power table "
	    "(default H100 SXM)\n"
	    "  --policy LIST       all (default) or a comma list of "
	    "site (the file's own),\n"
	    "                      oblivious,static,power,power-notopo,\n"
	    "                      power-limits,power-efficient,"
	    "power-learned,power-both\n"
	    "  --draw-cdf FILE     per-GPU power CDF (percentile,watts) "
	    "jobs' true draw comes from\n"
	    "  --draw-rule R       busy (default: above --draw-busy-w) or "
	    "all (whole CDF)\n"
	    "  --draw-busy-w W     busy threshold on the CDF's GPU "
	    "(default 150)\n"
	    "  --draw-jitter J     per-run spread around a class's level "
	    "(default 0.1)\n"
	    "  --limit-floor W     lowest GPU limit the scheduler sets "
	    "(default 70%% of board)\n"
	    "  --learned-after S   a run's draw is learned once it has "
	    "run S s (default 600;\n"
	    "                      0: at its end), as LearnedDrawAfter=\n"
	    "  --mapping K=V,...   "
	    "scale=256,load=0.9,max-dur=172800,from=0,power=full|milli\n"
	    "  --no-power-save     power policies keep free nodes idle "
	    "instead of off\n"
	    "  --cap-window H,D,MW the facility cap is MW for D hours from "
	    "H hours into the\n"
	    "                      trace (repeatable; a CapWindow=)\n"
	    "  --ramp-mw X         committed facility power rises at most "
	    "X MW a minute\n"
	    "                      (RampLimit=)\n"
	    "  --curtail H,D,MW[,M] at H hours into the trace the grid asks "
	    "for MW within M\n"
	    "                      minutes (default 10) for D hours (pb-ctl "
	    "curtail): power\n"
	    "                      policies shed by suspend; with any of the "
	    "three, each\n"
	    "                      policy also runs without them\n"
	    "  --seed N            seed of the true-draw rule (recorded "
	    "in the results)\n"
	    "  --json FILE         write results as JSON (deterministic)\n"
	    "  --timing            add wall-clock cost to the JSON (not "
	    "deterministic)\n"
	    "  --plot FILE.png     plot facility power against the cap "
	    "(gnuplot)\n"
	    "  --progress          progress on stderr even when it is not "
	    "a terminal\n"
	    "  --quiet             no table on stdout\n");
}

static int _num_arg(const char *name, const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(*out) || *out < 0) {
		fprintf(stderr, "pb-sim: %s: '%s' is not a number >= 0\n", name,
			v);
		return -1;
	}
	return 0;
}

/* --cap-window H,D,MW: from H hours for D hours at MW. */
static int _window_arg(const char *v, struct sim_opts *o)
{
	double h, d, mw;
	char tail;

	if (o->nwindows == SIM_WINDOWS_MAX) {
		fprintf(stderr, "pb-sim: --cap-window: at most %d\n",
			SIM_WINDOWS_MAX);
		return -1;
	}
	if (sscanf(v, "%lf,%lf,%lf%c", &h, &d, &mw, &tail) != 3 || !(h >= 0) ||
	    !(d > 0) || !(mw > 0) || !isfinite(h + d + mw)) {
		fprintf(stderr,
			"pb-sim: --cap-window: '%s': expected START_H,HOURS,"
			"MW with HOURS and MW > 0\n",
			v);
		return -1;
	}
	o->windows[o->nwindows++] =
	    (struct sim_window){h * 3600, (h + d) * 3600, mw * 1e6};
	return 0;
}

/*
 * --curtail H,D,MW[,M]: issued at H hours, MW from M minutes later for D
 * hours; shedding starts CurtailLead='s default before the deadline.
 */
static int _curtail_arg(const char *v, struct sim_opts *o)
{
	double h, d, mw, m = 10;
	char tail;
	int n = sscanf(v, "%lf,%lf,%lf,%lf%c", &h, &d, &mw, &m, &tail);

	if ((n != 3 && n != 4) || !(h >= 0) || !(d > 0) || !(mw > 0) ||
	    !(m >= 0) || !isfinite(h + d + mw + m)) {
		fprintf(stderr,
			"pb-sim: --curtail: '%s': expected ISSUE_H,HOURS,MW"
			"[,WITHIN_MIN] with HOURS and MW > 0\n",
			v);
		return -1;
	}
	o->curtail = (struct sim_curtail){.issue = h * 3600,
					  .deadline = h * 3600 + m * 60,
					  .until = h * 3600 + m * 60 + d * 3600,
					  .cap_w = mw * 1e6,
					  .lead = SIM_CURTAIL_LEAD_S};
	o->curtailed = 1;
	return 0;
}

/* long-only options, numbered past any char so no short option clashes */
enum {
	O_NODES = 256,
	O_CAP,
	O_PUE,
	O_COOL,
	O_RES,
	O_NOPS,
	O_TIMING,
	O_PROG,
	O_GPU,
	O_CDF,
	O_RULE,
	O_BUSY,
	O_JIT,
	O_FLOOR,
	O_LEARN_AFTER,
	O_TOPO,
	O_WINDOW,
	O_RAMP,
	O_CURTAIL
};

/*
 * Each option group's handler returns 0 when it took the option, -1 when
 * the option's value is bad (already reported) and SIM_OPT_OTHER when the
 * option belongs to another group, so _opt can try the groups in turn.
 */
#define SIM_OPT_OTHER 1

static void _defaults(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->site = "reference";
	o->policies = "all";
	o->nodes = o->cap_mw = o->pue = o->cooling_mw = o->reserve = -1;
	o->draw_rule = "busy";
	o->busy_w = 150;
	o->jitter = 0.1;
	o->learned_after = -1; /* the site file's, else the plugin's default */
	o->power_save = 1;
	o->progress = isatty(STDERR_FILENO);
}

/* Files, names and switches: taken as given, checked where they are used. */
static int _plain_opt(int c, char *arg, struct sim_opts *o)
{
	switch (c) {
	case 't':
		o->trace = arg;
		break;
	case 's':
		o->site = arg;
		break;
	case 'p':
		o->policies = arg;
		break;
	case 'm':
		o->mapping = arg;
		break;
	case 'j':
		o->json = arg;
		break;
	case 'P':
		o->plot = arg;
		break;
	case 'q':
		o->quiet = 1;
		break;
	case 'h':
		_usage(stdout);
		exit(0);
	case O_GPU:
		o->gpu = arg;
		break;
	case O_TOPO:
		o->topology = arg;
		break;
	case O_CDF:
		o->draw_cdf = arg;
		break;
	case O_NOPS:
		o->power_save = 0;
		break;
	case O_TIMING:
		o->timing = 1;
		break;
	case O_PROG:
		o->progress = 1;
		break;
	default:
		return SIM_OPT_OTHER;
	}
	return 0;
}

/* How jobs' true draw is made and learned. */
static int _draw_opt(int c, char *arg, struct sim_opts *o)
{
	double v;

	switch (c) {
	case O_RULE:
		if (strcmp(arg, "busy") && strcmp(arg, "all")) {
			fprintf(stderr,
				"pb-sim: --draw-rule: busy or "
				"all, not '%s'\n",
				arg);
			return -1;
		}
		o->draw_rule = arg;
		return 0;
	case O_BUSY:
		return _num_arg("--draw-busy-w", arg, &o->busy_w);
	case O_JIT:
		if (_num_arg("--draw-jitter", arg, &o->jitter))
			return -1;
		if (o->jitter >= 1) {
			fprintf(stderr, "pb-sim: --draw-jitter: below "
					"1\n");
			return -1;
		}
		return 0;
	case O_FLOOR:
		return _num_arg("--limit-floor", arg, &o->floor_w);
	case O_LEARN_AFTER:
		return _num_arg("--learned-after", arg, &o->learned_after);
	case 'S':
		if (_num_arg("--seed", arg, &v) || v != floor(v))
			return -1;
		o->seed = (unsigned long long)v;
		return 0;
	}
	return SIM_OPT_OTHER;
}

/* Overrides of the site's size and facility; -1 keeps the site's own. */
static int _site_opt(int c, char *arg, struct sim_opts *o)
{
	switch (c) {
	case O_NODES:
		return _num_arg("--nodes", arg, &o->nodes);
	case O_CAP:
		return _num_arg("--cap-mw", arg, &o->cap_mw);
	case O_PUE:
		return _num_arg("--pue", arg, &o->pue);
	case O_COOL:
		return _num_arg("--cooling-mw", arg, &o->cooling_mw);
	case O_RES:
		return _num_arg("--reserve", arg, &o->reserve);
	}
	return SIM_OPT_OTHER;
}

/* What the grid asks of the facility over the trace. */
static int _grid_opt(int c, char *arg, struct sim_opts *o)
{
	switch (c) {
	case O_WINDOW:
		return _window_arg(arg, o);
	case O_RAMP:
		return _num_arg("--ramp-mw", arg, &o->ramp_mw);
	case O_CURTAIL:
		return _curtail_arg(arg, o);
	}
	return SIM_OPT_OTHER;
}

static int _opt(int c, char *arg, struct sim_opts *o)
{
	static int (*const group[])(int, char *, struct sim_opts *) = {
	    _plain_opt, _draw_opt, _site_opt, _grid_opt};

	for (size_t i = 0; i < sizeof(group) / sizeof(group[0]); i++) {
		int rc = group[i](c, arg, o);

		if (rc != SIM_OPT_OTHER)
			return rc;
	}
	/* '?' from getopt_long, which has already said what is wrong */
	_usage(stderr);
	return -1;
}

static int _parse(int argc, char **argv, struct sim_opts *o)
{
	static const struct option lo[] = {
	    {"trace", 1, 0, 't'},
	    {"site", 1, 0, 's'},
	    {"policy", 1, 0, 'p'},
	    {"mapping", 1, 0, 'm'},
	    {"seed", 1, 0, 'S'},
	    {"json", 1, 0, 'j'},
	    {"plot", 1, 0, 'P'},
	    {"quiet", 0, 0, 'q'},
	    {"help", 0, 0, 'h'},
	    {"nodes", 1, 0, O_NODES},
	    {"cap-mw", 1, 0, O_CAP},
	    {"pue", 1, 0, O_PUE},
	    {"cooling-mw", 1, 0, O_COOL},
	    {"reserve", 1, 0, O_RES},
	    {"no-power-save", 0, 0, O_NOPS},
	    {"timing", 0, 0, O_TIMING},
	    {"progress", 0, 0, O_PROG},
	    {"gpu", 1, 0, O_GPU},
	    {"draw-cdf", 1, 0, O_CDF},
	    {"draw-rule", 1, 0, O_RULE},
	    {"draw-busy-w", 1, 0, O_BUSY},
	    {"draw-jitter", 1, 0, O_JIT},
	    {"limit-floor", 1, 0, O_FLOOR},
	    {"learned-after", 1, 0, O_LEARN_AFTER},
	    {"topology", 1, 0, O_TOPO},
	    {"cap-window", 1, 0, O_WINDOW},
	    {"ramp-mw", 1, 0, O_RAMP},
	    {"curtail", 1, 0, O_CURTAIL},
	    {0, 0, 0, 0}};
	int c;

	_defaults(o);
	while ((c = getopt_long(argc, argv, "t:s:p:m:S:j:P:qh", lo, NULL)) !=
	       -1)
		if (_opt(c, optarg, o))
			return -1;
	if (!o->trace || optind != argc) {
		_usage(stderr);
		return -1;
	}
	return 0;
}

/* A power_budget.conf (with its topology.conf), read through topology/. */
static int _conf_site(struct sim_opts *o, struct sim_site *s,
		      struct sim_conf *c)
{
	if (sim_conf_load(s, c, o->site, o->topology, stderr))
		return -1;
	/* --limit-floor overrides GpuLimitFloor=, as it does the default */
	if (!(o->floor_w > 0))
		o->floor_w = c->floor_w;
	if (o->learned_after < 0)
		o->learned_after = c->learned_after;
	return 0;
}

static int _site(struct sim_opts *o, struct sim_site *s, struct sim_conf *c)
{
	pb_error_t err;
	int conf = strncmp(o->site, "reference", 9) && sim_conf_sniff(o->site);

	memset(c, 0, sizeof(*c));
	if (o->topology && !conf) {
		pb_error_set(
		    &err, "--topology: only with a power_budget.conf --site");
		goto bad;
	}
	if (conf ? _conf_site(o, s, c) : sim_site_load(s, o->site, &err))
		goto bad_file;
	/* a power_budget.conf names its GPU model; --gpu replaces it */
	if ((!conf || o->gpu) &&
	    sim_policy_gpu_table(s, o->gpu ? o->gpu : "H100 SXM", &err))
		goto bad;
	if (o->nodes >= 0) {
		if (o->nodes < 1 || o->nodes != floor(o->nodes) ||
		    o->nodes > 1e7) {
			pb_error_set(&err, "--nodes: need a count");
			goto bad;
		}
		s->nodes = (uint32_t)o->nodes;
	}
	if (o->cap_mw >= 0)
		s->cap_w = o->cap_mw * 1e6;
	if (o->pue >= 0)
		s->pue = o->pue;
	if (o->cooling_mw >= 0)
		s->cooling_w = o->cooling_mw * 1e6;
	if (o->reserve >= 0)
		s->reserve = o->reserve;
	memcpy(s->windows, o->windows, sizeof(s->windows));
	s->nwindows = o->nwindows;
	s->ramp_w = o->ramp_mw * 1e6;
	s->curtail = o->curtail;
	s->curtailed = o->curtailed;
	if (!sim_site_check(s, &err))
		return 0;
bad:
	fprintf(stderr, "pb-sim: %s\n", err.text);
	return -1;
bad_file:
	if (!conf)
		fprintf(stderr, "pb-sim: %s\n", err.text);
	return -1;
}

/*
 * Which policies, in the fixed order of sim_pol_names; "site" is the one
 * the site's power_budget.conf configures (site_pol, NULL if none).
 */
static int _which(const char *list, const char *site_pol, int *want)
{
	char *dup = strdup(list), *tok, *save = NULL;
	int rc = 0;

	memset(want, 0, SIM_NPOL * sizeof(*want));
	if (!dup)
		return -1;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int k, hit = 0;

		if (!strcmp(tok, "site") && site_pol)
			tok = (char *)site_pol;
		for (k = 0; k < SIM_NPOL; k++)
			if (!strcmp(tok, "all") ||
			    !strcmp(tok, sim_pol_names[k]))
				want[k] = hit = 1;
		if (!hit && !strcmp(tok, "site"))
			fprintf(stderr, "pb-sim: --policy site: needs a "
					"power_budget.conf --site\n");
		else if (!hit)
			fprintf(stderr, "pb-sim: --policy: unknown '%s'\n",
				tok);
		rc = hit ? rc : -1;
	}
	free(dup);
	return rc;
}

static int _make(int k, const struct sim_site *s, const struct sim_opts *so,
		 const struct sim_trace *t, struct sim_pol *p)
{
	struct sim_power_opts o = {.name = sim_pol_names[k],
				   .topo = k != 3,
				   .power_save = so->power_save,
				   .enforced = 1,
				   .limits = k == 4 || k == 7 ? SIM_LIMITS_FIT
					     : k == 5 ? SIM_LIMITS_EFFICIENT
						      : SIM_LIMITS_NONE,
				   .learned = k >= 6,
				   .floor_w = so->floor_w,
				   .learned_after = so->learned_after};
	pb_error_t err;
	int rc;

	if (k == 0)
		rc = sim_base_oblivious(s, p, &err);
	else if (k == 1)
		rc = sim_base_static(s, p, &err);
	else
		rc = sim_policy_power_ex(s, &o, t, p, &err);
	if (rc)
		fprintf(stderr, "pb-sim: %s\n", err.text);
	return rc;
}

/*
 * The same policy without the cap windows, ramp and curtailment: the work
 * they cost.
 */
static int _without_grid(int k, const struct sim_site *site,
			 const struct sim_opts *o, const struct sim_trace *tr,
			 const struct sim_physics *phys,
			 struct sim_result *with)
{
	struct sim_site plain = *site;
	struct sim_result r;
	struct sim_pol p;

	plain.nwindows = 0;
	plain.ramp_w = 0;
	plain.curtailed = 0;
	if (_make(k, &plain, o, tr, &p))
		return -1;
	if (sim_run_ex(&plain, tr, &p, phys, &r, NULL, NULL)) {
		fprintf(stderr, "pb-sim: %s: out of memory\n", p.name);
		sim_pol_destroy(&p);
		return -1;
	}
	sim_pol_destroy(&p);
	with->work_nogrid_gpu_h = r.work_gpu_h;
	sim_result_free(&r);
	return 0;
}

static int _outputs(const struct sim_opts *o, const struct sim_report *rep)
{
	pb_error_t err;
	int rc = 0;

	if (!o->quiet)
		sim_out_table(stdout, rep);
	if (o->json) {
		FILE *f = fopen(o->json, "w");

		if (!f || sim_out_json(f, rep, o->timing) | fclose(f)) {
			fprintf(stderr, "pb-sim: %s: %s\n", o->json,
				strerror(errno));
			rc = -1;
		}
	}
	if (o->plot && sim_out_plot(o->plot, rep, &err)) {
		fprintf(stderr, "pb-sim: %s\n", err.text);
		rc = -1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct sim_opts o;
	struct sim_site site;
	struct sim_conf conf;
	struct sim_mapping map;
	struct sim_trace tr;
	struct sim_result res[SIM_NPOL];
	struct sim_progress prog = {0, 0};
	struct sim_report rep;
	struct sim_physics phys;
	struct sim_cdf cdf = {0};
	struct sim_draw_rule draw = {0};
	char *tdup, *cdup = NULL;
	pb_error_t err;
	int want[SIM_NPOL], rc = 1;
	size_t nres = 0;

	if (_parse(argc, argv, &o) || _site(&o, &site, &conf) ||
	    _which(o.policies, conf.policy, want))
		return 2;
	if (o.learned_after < 0)
		o.learned_after = PB_LEARN_AFTER_DEFAULT;
	if (sim_trace_load(o.trace, o.mapping, site.nodes, site.gpn, &map, &tr,
			   &err)) {
		fprintf(stderr, "pb-sim: %s\n", err.text);
		return 2;
	}
	if (conf.policy)
		sim_conf_report_hints(&conf, o.site, map.power_milli, stderr);
	if (o.draw_cdf) {
		struct sim_site a100;

		/* the CDF's GPU: AcmeTrace's A100s, watts from policy's table
		 */
		if (sim_cdf_load(o.draw_cdf, &cdf, &err) ||
		    sim_policy_gpu_table(&a100, "A100 SXM 80GB", &err)) {
			fprintf(stderr, "pb-sim: %s\n", err.text);
			sim_trace_free(&tr);
			sim_cdf_free(&cdf);
			return 2;
		}
		draw = (struct sim_draw_rule){.kind = strcmp(o.draw_rule, "all")
							  ? SIM_DRAW_BUSY
							  : SIM_DRAW_ALL,
					      .busy_w = o.busy_w,
					      .src_idle_w = a100.gpu_idle_w,
					      .src_max_w = a100.gpu_max_w,
					      .jitter = o.jitter,
					      .seed = o.seed};
		if (sim_draw_apply(&cdf, &draw, &site, &tr)) {
			fprintf(stderr,
				"pb-sim: %s: rule %s leaves no part of the "
				"CDF\n",
				o.draw_cdf, o.draw_rule);
			sim_trace_free(&tr);
			sim_cdf_free(&cdf);
			return 2;
		}
		sim_cdf_free(&cdf);
	}
	sim_policy_physics(&phys);
	prog.on = o.progress;
	for (int k = 0; k < SIM_NPOL; k++) {
		struct sim_pol p;

		if (!want[k])
			continue;
		if (_make(k, &site, &o, &tr, &p))
			goto out;
		if (sim_run_ex(&site, &tr, &p, &phys, &res[nres],
			       sim_progress_cb, &prog)) {
			fprintf(stderr, "pb-sim: %s: out of memory\n", p.name);
			sim_pol_destroy(&p);
			goto out;
		}
		sim_progress_end(&prog);
		sim_pol_destroy(&p);
		res[nres].work_nogrid_gpu_h = -1;
		if ((site.nwindows || site.ramp_w > 0 || site.curtailed) &&
		    _without_grid(k, &site, &o, &tr, &phys, &res[nres]))
			goto out_one;
		nres++;
	}
	tdup = strdup(o.trace);
	cdup = o.draw_cdf ? strdup(o.draw_cdf) : NULL;
	{
		double floor_w =
		    o.floor_w > 0 ? o.floor_w : round(site.gpu_max_w * 0.7);

		if (floor_w < site.gpu_min_w)
			floor_w = site.gpu_min_w;
		rep = (struct sim_report){
		    .trace = tdup ? basename(tdup) : o.trace,
		    .site = &site,
		    .map = &map,
		    .seed = o.seed,
		    .power_save = o.power_save,
		    .res = res,
		    .nres = nres,
		    .draw = o.draw_cdf ? &draw : NULL,
		    .draw_cdf = cdup ? basename(cdup) : o.draw_cdf,
		    .span_s = tr.n ? tr.jobs[tr.n - 1].submit : 0,
		    .ncls = tr.ncls,
		    .floor_w = floor_w,
		    .eff_w = sim_policy_efficient_w(&site, floor_w),
		    .learned_after = o.learned_after};
	}
	rc = _outputs(&o, &rep) ? 1 : 0;
	free(tdup);
	free(cdup);
	goto out;
out_one:
	sim_result_free(&res[nres]);
out:
	for (size_t i = 0; i < nres; i++)
		sim_result_free(&res[i]);
	sim_trace_free(&tr);
	return rc;
}
