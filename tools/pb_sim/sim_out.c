// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sim_out: table, JSON, plot and progress for pb-sim.
 *
 * The table is transposed (one column per policy) so four policies fit an
 * 80-column terminal.  JSON numbers use fixed formats so that the file is
 * byte-identical between runs on the same inputs; wall-clock cost is kept
 * out of it unless asked for.  The plot is a gnuplot script fed on a pipe,
 * with the curves as inline data blocks: no temporary files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "sim_out.h"

#define MW(w) ((w) / 1e6)

static void _row_d(FILE *f, const char *label, const struct sim_report *rep,
		   double (*get)(const struct sim_result *,
				 const struct sim_report *),
		   const char *fmt)
{
	fprintf(f, "%-26s", label);
	for (size_t i = 0; i < rep->nres; i++) {
		char cell[32];

		snprintf(cell, sizeof(cell), fmt, get(&rep->res[i], rep));
		fprintf(f, " %13s", cell);
	}
	fputc('\n', f);
}

#define GETTER(name, expr)                                                     \
	static double name(const struct sim_result *r,                         \
			   const struct sim_report *rep)                       \
	{                                                                      \
		(void)rep;                                                     \
		return (expr);                                                 \
	}

GETTER(_g_powered, r->powered)
GETTER(_g_started, r->started)
GETTER(_g_rejected, r->rejected)
GETTER(_g_viol, r->fac_viol)
GETTER(_g_worst, MW(r->fac_worst_w))
GETTER(_g_over, r->fac_over_s / 3600)
GETTER(_g_dviol, r->dom_viol)
GETTER(_g_dworst, r->dom_worst_w / 1e3)
GETTER(_g_mean, r->fac_mean / rep->site->cap_w)
GETTER(_g_p95, r->fac_p95 / rep->site->cap_w)
GETTER(_g_max, r->fac_max / rep->site->cap_w)
GETTER(_g_gpuh, r->gpu_hours / 1e6)
GETTER(_g_gpuhw, r->gpu_hours_window / 1e6)
GETTER(_g_mk, r->makespan / 3600)
GETTER(_g_wm, r->wait_mean / 3600)
GETTER(_g_wp, r->wait_p95 / 3600)
GETTER(_g_bm, r->bsld_mean)
GETTER(_g_bp, r->bsld_p95)
GETTER(_g_leaf, r->leaf_mean)
GETTER(_g_tviol, r->true_fac_viol)
GETTER(_g_tworst, MW(r->true_fac_worst_w))
GETTER(_g_tdviol, r->true_dom_viol)
GETTER(_g_tdworst, r->true_dom_worst_w / 1e3)
GETTER(_g_work, r->work_gpu_h / 1e6)
GETTER(_g_wmwh,
       r->energy_mwh_window > 0 ? r->work_gpu_h / r->energy_mwh_window : 0)
GETTER(_g_lim, r->limited)
GETTER(_g_speed, r->limited ? r->speed_mean : 1)
GETTER(_g_rise, MW(r->rise_max_w))
GETTER(_g_crise, MW(r->rise_committed_max_w))
GETTER(_g_lost, r->work_nogrid_gpu_h > 0
		    ? 1 - r->work_gpu_h / r->work_nogrid_gpu_h
		    : NAN)
GETTER(_g_shed, r->shed_jobs)
GETTER(_g_shedh, r->shed_gpu_h / 1e3)
GETTER(_g_reach, r->curtail_reach_s >= 0 ? r->curtail_reach_s / 60 : NAN)
GETTER(_g_creach, r->curtail_reach_committed_s >= 0
		      ? r->curtail_reach_committed_s / 60
		      : NAN)
GETTER(_g_ns, r->ns_per_decision)
GETTER(_g_evs, r->wall_s > 0 ? r->events / r->wall_s : 0)

static const struct sim_result *_static(const struct sim_report *rep)
{
	for (size_t i = 0; i < rep->nres; i++)
		if (!strcmp(rep->res[i].policy, "static"))
			return &rep->res[i];
	return NULL;
}

static double _g_ratio(const struct sim_result *r, const struct sim_report *rep)
{
	const struct sim_result *st = _static(rep);

	return st && st->work_gpu_h > 0 ? r->work_gpu_h / st->work_gpu_h : NAN;
}

double sim_out_bound_nodes(const struct sim_report *rep)
{
	return (double)rep->site->nodes * rep->site->gpn * rep->span_s / 3600;
}

double sim_out_bound_power(const struct sim_report *rep)
{
	const struct sim_site *s = rep->site;
	double node_w = rep->draw && rep->draw->mean_node_w > 0
			    ? rep->draw->mean_node_w
			    : sim_site_busy_w(s, s->gpn, 1);
	double n = sim_site_it_cap_w(s) / node_w;

	if (n > s->nodes)
		n = s->nodes;
	return n * s->gpn * rep->span_s / 3600;
}

static void _draw_line(FILE *f, const struct sim_report *rep)
{
	const struct sim_draw_rule *d = rep->draw;

	if (!d) {
		fprintf(f, "true draw: each job's load (no --draw-cdf)\n");
	} else {
		fprintf(f, "true draw: %s, rule %s",
			rep->draw_cdf ? rep->draw_cdf : "CDF",
			d->kind == SIM_DRAW_BUSY ? "busy" : "all");
		if (d->kind == SIM_DRAW_BUSY)
			fprintf(f, " (above %.0f W = p%.1f)", d->busy_w,
				d->busy_pct);
		fprintf(f,
			", %.0f..%.0f W mapped onto the board, jitter "
			"%.2f; mean %.0f W per GPU, %.2f kW per node\n",
			d->src_idle_w, d->src_max_w, d->jitter, d->mean_gpu_w,
			d->mean_node_w / 1e3);
	}
	fprintf(f,
		"limits: floor %.0f W, efficient %.0f W per GPU; learned "
		"after %.0f s; bound in "
		"the arrival span (%.2f h): %.3f M GPU-h all nodes busy, "
		"%.3f M at the IT cap\n\n",
		rep->floor_w, rep->eff_w, rep->learned_after,
		rep->span_s / 3600, sim_out_bound_nodes(rep) / 1e6,
		sim_out_bound_power(rep) / 1e6);
}

void sim_out_table(FILE *f, const struct sim_report *rep)
{
	const struct sim_site *s = rep->site;
	const struct sim_mapping *m = rep->map;

	fprintf(f,
		"site %s: %u nodes x %u %s, cap %.1f MW, PUE %.2f, "
		"cooling %.0f MW, reserve %.1f%%, power saving %s\n",
		s->name, s->nodes, s->gpn, s->gpu_model, MW(s->cap_w), s->pue,
		MW(s->cooling_w), s->reserve * 100,
		rep->power_save ? "on" : "off");
	fprintf(f,
		"trace %s, mapping %s: scale %g, load %g, max-dur %gs, "
		"from %gs, power %s; %u rows -> %u jobs in %u classes "
		"(dropped %u cpu-only, %u never ran, %u too wide, %u "
		"early; %u cut), arrivals / %.3f, offered load %.3f\n",
		rep->trace, m->name, m->scale, m->target_load, m->max_dur,
		m->from, m->power_milli ? "milli" : "full", m->rows, m->kept,
		rep->ncls, m->dropped_cpu, m->dropped_nodur, m->dropped_big,
		m->dropped_early, m->cut, m->compress, m->offered_load);
	_draw_line(f, rep);
	fprintf(f, "%-26s", "policy");
	for (size_t i = 0; i < rep->nres; i++)
		fprintf(f, " %13s", rep->res[i].policy);
	fputc('\n', f);
	_row_d(f, "nodes powered when free", rep, _g_powered, "%.0f");
	_row_d(f, "jobs started", rep, _g_started, "%.0f");
	_row_d(f, "jobs rejected", rep, _g_rejected, "%.0f");
	_row_d(f, "facility cap violations", rep, _g_viol, "%.0f");
	_row_d(f, "  worst overshoot (MW)", rep, _g_worst, "%.2f");
	_row_d(f, "  time over cap (h)", rep, _g_over, "%.2f");
	_row_d(f, "domain cap violations", rep, _g_dviol, "%.0f");
	_row_d(f, "  worst overshoot (kW)", rep, _g_dworst, "%.1f");
	_row_d(f, "true facility violations", rep, _g_tviol, "%.0f");
	_row_d(f, "  worst overshoot (MW)", rep, _g_tworst, "%.2f");
	_row_d(f, "true domain violations", rep, _g_tdviol, "%.0f");
	_row_d(f, "  worst overshoot (kW)", rep, _g_tdworst, "%.1f");
	_row_d(f, "facility power/cap mean", rep, _g_mean, "%.3f");
	_row_d(f, "facility power/cap p95", rep, _g_p95, "%.3f");
	_row_d(f, "facility power/cap max", rep, _g_max, "%.3f");
	_row_d(f, "GPU-hours (M)", rep, _g_gpuh, "%.3f");
	_row_d(f, "  within arrival span (M)", rep, _g_gpuhw, "%.3f");
	_row_d(f, "work in arrival span (M)", rep, _g_work, "%.3f");
	_row_d(f, "  work / static", rep, _g_ratio, "%.3f");
	_row_d(f, "  work per MWh (GPU-h)", rep, _g_wmwh, "%.1f");
	_row_d(f, "jobs slowed by a limit", rep, _g_lim, "%.0f");
	_row_d(f, "  their mean speed", rep, _g_speed, "%.3f");
	_row_d(f, "makespan (h)", rep, _g_mk, "%.2f");
	_row_d(f, "wait mean (h)", rep, _g_wm, "%.2f");
	_row_d(f, "wait p95 (h)", rep, _g_wp, "%.2f");
	_row_d(f, "bounded slowdown mean", rep, _g_bm, "%.1f");
	_row_d(f, "bounded slowdown p95", rep, _g_bp, "%.1f");
	_row_d(f, "leaf switches per job", rep, _g_leaf, "%.2f");
	_row_d(f, "largest rise in 1 min (MW)", rep, _g_rise, "%.2f");
	_row_d(f, "  of committed power (MW)", rep, _g_crise, "%.2f");
	if (s->curtailed) {
		_row_d(f, "jobs shed by the curtailment", rep, _g_shed, "%.0f");
		_row_d(f, "  their GPU-h suspended (k)", rep, _g_shedh, "%.1f");
		_row_d(f, "  target reached after (min)", rep, _g_reach,
		       "%.1f");
		_row_d(f, "    by committed power (min)", rep, _g_creach,
		       "%.1f");
	}
	if (s->nwindows || s->ramp_w > 0 || s->curtailed)
		_row_d(f, "work lost to grid limits", rep, _g_lost, "%.4f");
	_row_d(f, "cost per decision (ns)", rep, _g_ns, "%.0f");
	_row_d(f, "simulated events/s", rep, _g_evs, "%.0f");
}

/* A JSON string of plain text (names, file names): escape the minimum. */
static void _jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void _json_head(FILE *f, const struct sim_report *rep)
{
	const struct sim_site *s = rep->site;
	const struct sim_mapping *m = rep->map;

	fprintf(f,
		"{\n  \"tool\": \"pb-sim\",\n  \"format\": 1,\n"
		"  \"seed\": %llu,\n  \"trace\": ",
		(unsigned long long)rep->seed);
	_jstr(f, rep->trace);
	fprintf(f, ",\n  \"mapping\": {\"name\": ");
	_jstr(f, m->name);
	fprintf(f,
		", \"scale\": %.6g, \"target_load\": %.6g, "
		"\"max_dur_s\": %.0f, \"power\": \"%s\", \"rows\": %u, "
		"\"jobs\": %u, \"dropped_cpu_only\": %u, \"dropped_never_ran\""
		": %u, \"dropped_too_wide\": %u, \"cut\": %u, \"compress\": "
		"%.6f, \"offered_load\": %.6f, \"from_s\": %.0f, "
		"\"dropped_early\": %u, \"classes\": %u},\n",
		m->scale, m->target_load, m->max_dur,
		m->power_milli ? "milli" : "full", m->rows, m->kept,
		m->dropped_cpu, m->dropped_nodur, m->dropped_big, m->cut,
		m->compress, m->offered_load, m->from, m->dropped_early,
		rep->ncls);
	fprintf(f, "  \"site\": {\"name\": ");
	_jstr(f, s->name);
	fprintf(f,
		", \"nodes\": %u, \"gpus_per_node\": %u, \"gpu\": ", s->nodes,
		s->gpn);
	_jstr(f, s->gpu_model);
	fprintf(f,
		", \"node_idle_w\": %.0f, \"node_max_w\": %.0f, "
		"\"node_standby_w\": %.0f, \"cap_w\": %.0f, \"pue\": %.4f, "
		"\"cooling_w\": %.0f, \"reserve\": %.4f, \"rack_nodes\": %u, "
		"\"rack_cap_w\": %.0f, \"row_racks\": %u, \"row_cap_w\": %.0f, "
		"\"hall_rows\": %u, \"hall_cap_w\": %.0f, \"leaf_nodes\": %u, "
		"\"group_leaves\": %u, \"power_saving\": %s, "
		"\"gpu_limit_enforced\": true, \"limit_floor_w\": %.0f, "
		"\"limit_efficient_w\": %.0f, \"learned_after_s\": %.0f},\n",
		sim_site_idle_w(s), sim_site_busy_w(s, s->gpn, 1), s->standby_w,
		s->cap_w, s->pue, s->cooling_w, s->reserve, s->rack_nodes,
		s->rack_cap_w, s->row_racks, s->row_cap_w, s->hall_rows,
		s->hall_cap_w, s->leaf_nodes, s->group_leaves,
		rep->power_save ? "true" : "false", rep->floor_w, rep->eff_w,
		rep->learned_after);
	fprintf(f, "  \"grid\": {\"ramp_w_per_min\": %.0f, \"cap_windows\": [",
		s->ramp_w);
	for (uint32_t i = 0; i < s->nwindows; i++)
		fprintf(
		    f,
		    "%s{\"start_s\": %.0f, \"end_s\": %.0f, \"cap_w\": %.0f}",
		    i ? ", " : "", s->windows[i].start, s->windows[i].end,
		    s->windows[i].cap_w);
	fprintf(f, "], \"curtail\": ");
	if (s->curtailed)
		fprintf(f,
			"{\"issue_s\": %.0f, \"deadline_s\": %.0f, "
			"\"until_s\": %.0f, \"cap_w\": %.0f, \"lead_s\": %.0f, "
			"\"shed\": \"suspend\"}",
			s->curtail.issue, s->curtail.deadline, s->curtail.until,
			s->curtail.cap_w, s->curtail.lead);
	else
		fprintf(f, "null");
	fprintf(f, "},\n");
	fprintf(f, "  \"draw\": ");
	if (!rep->draw) {
		fprintf(f, "{\"rule\": \"load\"},\n");
	} else {
		const struct sim_draw_rule *d = rep->draw;

		fprintf(f, "{\"rule\": \"%s\", \"cdf\": ",
			d->kind == SIM_DRAW_BUSY ? "busy" : "all");
		_jstr(f, rep->draw_cdf ? rep->draw_cdf : "");
		fprintf(f,
			", \"busy_w\": %.1f, \"busy_percentile\": %.4f, "
			"\"src_idle_w\": %.1f, \"src_max_w\": %.1f, "
			"\"jitter\": %.4f, \"mean_gpu_w\": %.3f, "
			"\"mean_node_w\": %.3f},\n",
			d->kind == SIM_DRAW_BUSY ? d->busy_w : 0, d->busy_pct,
			d->src_idle_w, d->src_max_w, d->jitter, d->mean_gpu_w,
			d->mean_node_w);
	}
	fprintf(f,
		"  \"bound\": {\"arrival_span_s\": %.0f, "
		"\"all_nodes_gpu_h\": %.3f, \"it_cap_gpu_h\": %.3f},\n",
		rep->span_s, sim_out_bound_nodes(rep),
		sim_out_bound_power(rep));
}

/* Seconds, or null for a negative (never) figure. */
static void _json_secs(FILE *f, double s)
{
	if (s >= 0)
		fprintf(f, "%.0f", s);
	else
		fprintf(f, "null");
}

/*
 * Grid-facing figures: the fastest rise, what a curtailment shed, and work
 * the grid settings cost.
 */
static void _json_grid(FILE *f, const struct sim_result *r)
{
	fprintf(f,
		",\n     \"grid\": {\"rise_max_w_per_min\": %.0f, "
		"\"rise_committed_max_w_per_min\": %.0f, "
		"\"curtail_shed_jobs\": %u, \"curtail_shed_gpu_h\": %.3f, "
		"\"curtail_reach_s\": ",
		r->rise_max_w, r->rise_committed_max_w, r->shed_jobs,
		r->shed_gpu_h);
	_json_secs(f, r->curtail_reach_s);
	fprintf(f, ", \"curtail_reach_committed_s\": ");
	_json_secs(f, r->curtail_reach_committed_s);
	fprintf(f, ", \"work_without_grid_gpu_h\": ");
	if (r->work_nogrid_gpu_h >= 0)
		fprintf(f, "%.3f, \"work_lost_vs_no_grid\": %.6f}}",
			r->work_nogrid_gpu_h,
			r->work_nogrid_gpu_h > 0
			    ? 1 - r->work_gpu_h / r->work_nogrid_gpu_h
			    : 0);
	else
		fprintf(f, "null, \"work_lost_vs_no_grid\": null}}");
}

static void _json_result(FILE *f, const struct sim_result *r, double cap,
			 const struct sim_result *st)
{
	fprintf(f, "    {\"policy\": ");
	_jstr(f, r->policy);
	fprintf(f,
		", \"nodes_powered_when_free\": %u, \"jobs\": %u, "
		"\"started\": %u, \"rejected\": %u, \"events\": %llu, "
		"\"decisions\": %llu,\n",
		r->powered, r->jobs, r->started, r->rejected,
		(unsigned long long)r->events,
		(unsigned long long)r->decisions);
	fprintf(f,
		"     \"facility\": {\"violations\": %u, \"worst_over_w\": "
		"%.0f, \"seconds_over\": %.0f, \"mean_w\": %.0f, \"p95_w\": "
		"%.0f, \"max_w\": %.0f, \"mean_of_cap\": %.6f, \"p95_of_cap\": "
		"%.6f},\n",
		r->fac_viol, r->fac_worst_w, r->fac_over_s, r->fac_mean,
		r->fac_p95, r->fac_max, r->fac_mean / cap, r->fac_p95 / cap);
	fprintf(f,
		"     \"domains\": {\"violations\": %u, \"worst_over_w\": "
		"%.0f, \"domain_seconds_over\": %.0f},\n",
		r->dom_viol, r->dom_worst_w, r->dom_over_s);
	fprintf(f,
		"     \"gpu_hours\": %.3f, \"gpu_hours_in_arrival_span\": "
		"%.3f, \"makespan_s\": %.0f, \"wait_mean_s\": %.3f, "
		"\"wait_p95_s\": %.0f, \"bounded_slowdown_mean\": %.6f, "
		"\"bounded_slowdown_p95\": %.6f, \"bsld_tau_s\": 10, "
		"\"leaf_switches_per_job\": %.6f",
		r->gpu_hours, r->gpu_hours_window, r->makespan, r->wait_mean,
		r->wait_p95, r->bsld_mean, r->bsld_p95, r->leaf_mean);
	fprintf(f,
		",\n     \"true_violations\": {\"facility\": %u, "
		"\"facility_worst_over_w\": %.0f, \"domains\": %u, "
		"\"domains_worst_over_w\": %.0f},\n",
		r->true_fac_viol, r->true_fac_worst_w, r->true_dom_viol,
		r->true_dom_worst_w);
	fprintf(f, "     \"work_gpu_h\": %.3f, \"work_vs_static\": ",
		r->work_gpu_h);
	if (st && st->work_gpu_h > 0)
		fprintf(f, "%.6f", r->work_gpu_h / st->work_gpu_h);
	else
		fprintf(f, "null");
	fprintf(f,
		", \"energy_mwh_in_arrival_span\": %.3f, "
		"\"work_per_mw_h\": %.3f, \"jobs_limited\": %u, "
		"\"limited_speed_mean\": %.6f",
		r->energy_mwh_window,
		r->energy_mwh_window > 0 ? r->work_gpu_h / r->energy_mwh_window
					 : 0,
		r->limited, r->limited ? r->speed_mean : 1.0);
	_json_grid(f, r);
}

int sim_out_json(FILE *f, const struct sim_report *rep, int timing)
{
	_json_head(f, rep);
	fprintf(f, "  \"policies\": [\n");
	for (size_t i = 0; i < rep->nres; i++) {
		_json_result(f, &rep->res[i], rep->site->cap_w, _static(rep));
		fprintf(f, "%s\n", i + 1 < rep->nres ? "," : "");
	}
	fprintf(f, "  ]");
	if (timing) {
		fprintf(f, ",\n  \"timing\": [");
		for (size_t i = 0; i < rep->nres; i++) {
			const struct sim_result *r = &rep->res[i];

			fprintf(f, "%s\n    {\"policy\": ", i ? "," : "");
			_jstr(f, r->policy);
			fprintf(f,
				", \"wall_s\": %.6f, \"ns_per_decision\": "
				"%.1f, \"events_per_s\": %.1f}",
				r->wall_s, r->ns_per_decision,
				r->wall_s > 0 ? r->events / r->wall_s : 0);
		}
		fprintf(f, "\n  ]");
	}
	fprintf(f, "\n}\n");
	return ferror(f) ? -1 : 0;
}

/* gnuplot's single-quoted strings: no escapes but '' for a quote. */
static void _gq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void _plot_script(FILE *g, const char *png, const struct sim_report *rep)
{
	static const char *const colours[] = {"#d62728", "#1f77b4", "#2ca02c",
					      "#9467bd", "#ff7f0e", "#8c564b",
					      "#e377c2", "#17becf"};
	const struct sim_site *s = rep->site;
	char title[256];

	/* noenhanced: file names' underscores are not subscripts */
	fprintf(g, "set terminal pngcairo noenhanced size 1400,800 "
		   "font 'DejaVu Sans,12'\nset output ");
	_gq(g, png);
	snprintf(title, sizeof(title),
		 "Facility power vs cap: %s (%u nodes), "
		 "trace %s, mapping %s (scale %g, load %g)",
		 s->name, s->nodes, rep->trace, rep->map->name, rep->map->scale,
		 rep->map->target_load);
	fprintf(g, "\nset title ");
	_gq(g, title);
	fprintf(g, "\nset xlabel 'time since first submit (h)'\n"
		   "set ylabel 'facility power (MW)'\nset grid\n"
		   "set key top right box opaque\nset yrange [0:*]\n");
	for (size_t i = 0; i < rep->nres; i++) {
		const struct sim_result *r = &rep->res[i];

		fprintf(g, "$d%zu << EOD\n", i);
		for (size_t k = 0; k < r->ncurve; k++)
			fprintf(g, "%.4f %.4f\n", r->curve[k].t / 3600,
				MW(r->curve[k].w));
		if (r->ncurve)
			fprintf(g, "%.4f %.4f\n", r->makespan / 3600,
				MW(r->curve[r->ncurve - 1].w));
		fprintf(g, "EOD\n");
	}
	fprintf(g, "plot ");
	/*
	 * the two power policies often draw the same curve: the later ones
	 * are dashed so the earlier ones still show beneath
	 */
	for (size_t i = 0; i < rep->nres; i++)
		fprintf(g,
			"$d%zu using 1:2 with steps lw %d dt %d lc rgb '%s' "
			"title '%s', ",
			i, i < 3 ? 2 : 3, i < 3 ? 1 : 2, colours[i % 8],
			rep->res[i].policy);
	fprintf(g,
		"%.6f with lines dt 2 lw 2 lc rgb 'black' title "
		"'facility cap %.0f MW'\n",
		MW(s->cap_w), MW(s->cap_w));
}

int sim_out_plot(const char *png, const struct sim_report *rep, pb_error_t *err)
{
	FILE *g = popen("gnuplot", "w");
	int st;

	if (!g)
		return pb_error_set(err, "gnuplot: %s", strerror(errno));
	_plot_script(g, png, rep);
	st = pclose(g);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		return pb_error_set(err,
				    "gnuplot failed writing %s (is "
				    "gnuplot-nox installed?)",
				    png);
	return 0;
}

static double _wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void sim_progress_cb(void *arg, const char *policy, uint32_t done,
		     uint32_t total, double t)
{
	struct sim_progress *p = arg;
	double now = _wall();

	if (!p->on || (now - p->last < 0.2 && done < total))
		return;
	p->last = now;
	fprintf(stderr,
		"\rpb-sim: %-13s %3.0f%%  %u/%u jobs ended, "
		"simulated %.1f h ",
		policy, total ? 100.0 * done / total : 100.0, done, total,
		t / 3600);
	fflush(stderr);
}

void sim_progress_end(struct sim_progress *p)
{
	if (p->on && p->last > 0)
		fputc('\n', stderr);
	p->last = 0;
}
