/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-ctl: curtails a power domain (or the facility) to a lower cap by a
 * deadline, and restores it, by writing or removing the request file the
 * plugin's status thread watches in slurmctld's StateSaveLocation
 * (topology/curtailfile.h). Only root and SlurmUser may. Exit status: 0
 * done, 1 refused or failed, 2 usage.  The command line is checked by
 * cmd.c; this file has the authorization, the files and the output.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/pb_ctl/cmd.h"
#include "tools/pb_status/locate.h"
#include "topology/conf.h"
#include "topology/curtailfile.h"
#include "topology/lex.h"

static void _usage(FILE *out)
{
	fprintf(out,
		"usage: pb-ctl curtail --to POWER [--within DURATION] "
		"[--until TIME | --for DURATION] [--domain NAME]\n"
		"       pb-ctl restore\n"
		"       pb-ctl show\n"
		"  --to POWER        the cap to come down to (60MW, 450kW)\n"
		"  --within DURATION running jobs shed by then (default 0: "
		"now; 90s, 10min, 2h)\n"
		"  --until TIME      cap back at HH:MM (the next one), or "
		"YYYY-MM-DDTHH:MM[:SS]\n"
		"  --for DURATION    cap back this long after the deadline\n"
		"                    (neither: until pb-ctl restore)\n"
		"  --domain NAME     a Domain= of power_budget.conf (default: "
		"the facility)\n"
		"  --state-dir DIR   slurmctld's StateSaveLocation (default: "
		"from slurm.conf)\n"
		"slurm.conf is $SLURM_CONF or /etc/slurm/slurm.conf; "
		"power_budget.conf beside it.\n");
}

static const char *_slurm_conf(void)
{
	const char *c = getenv("SLURM_CONF");

	return c && c[0] ? c : "/etc/slurm/slurm.conf";
}

/* root, or the SlurmUser of slurm.conf (default root, as Slurm's). */
static int _authorized(const char *slurm_conf, char *who, size_t who_len)
{
	char *su = pb_locate_scan(slurm_conf, "SlurmUser", NULL);
	struct passwd *me = getpwuid(getuid()), *slurm_pw;
	int ok;

	snprintf(who, who_len, "%s", me ? me->pw_name : "?");
	if (getuid() == 0) {
		free(su);
		return 1;
	}
	slurm_pw = getpwnam(su ? su : "root");
	ok = slurm_pw && slurm_pw->pw_uid == getuid();
	if (!ok)
		fprintf(stderr,
			"pb-ctl: refused: only root or SlurmUser (%s) may "
			"curtail or restore, and you are %s\n",
			su ? su : "root", who);
	free(su);
	return ok;
}

static char *_state_file(const char *state_dir, const char *slurm_conf)
{
	pb_error_t err = {""};
	char *dir = state_dir
			? strdup(state_dir)
			: pb_locate_scan(slurm_conf, "StateSaveLocation", &err);
	char *path;

	if (!dir && err.text[0]) {
		fprintf(stderr, "pb-ctl: %s\n", err.text);
		return NULL;
	}
	if (!dir)
		dir = strdup(PB_LOCATE_SLURM_DEFAULT_STATE);
	if (!dir ||
	    !(path = malloc(strlen(dir) + sizeof(PB_CURTAIL_FILE_NAME) + 2))) {
		free(dir);
		return NULL;
	}
	sprintf(path, "%s/%s", dir, PB_CURTAIL_FILE_NAME);
	free(dir);
	return path;
}

/* The domain and its cap from power_budget.conf; 0 if it is one. */
static int _domain_cap(const char *slurm_conf, const char *name, char *domain,
		       size_t dlen, double *cap_w)
{
	char *power = pb_path_join_dir(slurm_conf, "power_budget.conf");
	pb_diag_t *d = pb_diag_create();
	pb_conf_t *c = NULL;
	int rc = -1;

	if (!power || !d)
		goto out;
	if (pb_conf_parse_file(power, &c, d) || !c || !c->has_facility) {
		pb_diag_print(d, stderr);
		fprintf(stderr,
			"pb-ctl: %s is not valid (pb-check tells "
			"more)\n",
			power);
		goto out;
	}
	if (!name || !strcmp(name, c->facility.name)) {
		snprintf(domain, dlen, "%s", c->facility.name);
		*cap_w = c->facility.cap_w;
		rc = 0;
	}
	for (size_t i = 0; rc && i < c->n_domains; i++)
		if (!strcmp(c->domains[i].name, name)) {
			snprintf(domain, dlen, "%s", name);
			*cap_w = c->domains[i].cap_w;
			rc = 0;
		}
	if (rc)
		fprintf(stderr,
			"pb-ctl: --domain %s: no such Domain= or "
			"Facility= in %s\n",
			name, power);
out:
	pb_conf_destroy(c);
	pb_diag_destroy(d);
	free(power);
	return rc;
}

static int _write(const char *path, const char *text)
{
	size_t len = strlen(path) + 8;
	char *tmp = malloc(len);
	int fd = -1, rc = -1;

	if (!tmp)
		return -1;
	snprintf(tmp, len, "%s.new", path);
	(void)umask(022);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644)) <
		0 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd) || close(fd) || (fd = -1, rename(tmp, path)))
		fprintf(stderr, "pb-ctl: cannot write %s: %s\n", path,
			strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		(void)close(fd);
	if (rc)
		(void)unlink(tmp);
	free(tmp);
	return rc;
}

static void _print_time(const char *label, int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == PB_CURTAIL_NEVER)
		snprintf(buf, sizeof(buf), "at pb-ctl restore");
	else if (!localtime_r(&tt, &tm) ||
		 !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, sizeof(buf), "%" PRId64, t);
	printf("  %-9s %s\n", label, buf);
}

static int _curtail(const pb_ctl_cmd_t *c, const char *conf, const char *path,
		    const char *who)
{
	pb_curtail_req_t r;
	char text[512], domain[64], w[32];
	pb_error_t err;
	double cap_w;

	if (_domain_cap(conf, c->domain, domain, sizeof(domain), &cap_w))
		return 1;
	if (pb_ctl_request(c, domain, cap_w, who, &r, &err)) {
		fprintf(stderr, "pb-ctl: %s\n", err.text);
		return 1;
	}
	if (pb_curtail_render(&r, text, sizeof(text)) || _write(path, text))
		return 1;
	pb_fmt_power(r.target_w, w, sizeof(w));
	printf("pb-ctl: %s curtailed to %s (written to %s)\n", r.domain, w,
	       path);
	_print_time("deadline", r.deadline);
	_print_time("until", r.until);
	return 0;
}

static int _show(const char *path)
{
	char w[32];
	pb_error_t err;
	size_t len;
	char *buf = pb_read_file(path, &len, &err);
	pb_diag_t *d = pb_diag_create();
	pb_curtail_req_t r;
	int rc = 1;

	if (!buf) {
		bool none = access(path, F_OK) && errno == ENOENT;

		if (none)
			printf("pb-ctl: no curtailment in force\n");
		else
			fprintf(stderr, "pb-ctl: %s\n", err.text);
		pb_diag_destroy(d);
		return none ? 0 : 1;
	}
	if (d && !pb_curtail_parse(buf, len, path, &r, d)) {
		pb_fmt_power(r.target_w, w, sizeof(w));
		printf("curtailment of %s to %s, asked by %s\n", r.domain, w,
		       r.by);
		_print_time("issued", r.issued);
		_print_time("deadline", r.deadline);
		_print_time("until", r.until);
		rc = 0;
	} else if (d) {
		pb_diag_print(d, stderr);
	}
	free(buf);
	pb_diag_destroy(d);
	return rc;
}

static int _restore(const char *path)
{
	if (unlink(path) == 0) {
		printf("pb-ctl: curtailment lifted; shed jobs resume as they "
		       "fit the caps (%s removed)\n",
		       path);
		return 0;
	}
	if (errno == ENOENT) {
		printf("pb-ctl: no curtailment in force\n");
		return 0;
	}
	fprintf(stderr, "pb-ctl: cannot remove %s: %s\n", path,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	pb_ctl_cmd_t c;
	pb_error_t err;
	const char *conf = _slurm_conf();
	char who[64], *path;
	int rc;

	if (pb_ctl_parse(argc, argv, (int64_t)time(NULL), &c, &err)) {
		fprintf(stderr, "pb-ctl: %s\n", err.text);
		if (c.usage)
			_usage(stderr);
		return 2;
	}
	if (c.verb == PB_CTL_HELP) {
		_usage(stdout);
		return 0;
	}
	if (!(path = _state_file(c.state_dir, conf)))
		return 1;
	if (c.verb == PB_CTL_SHOW) {
		rc = _show(path);
	} else if (!_authorized(conf, who, sizeof(who))) {
		rc = 1;
	} else if (c.verb == PB_CTL_RESTORE) {
		rc = _restore(path);
	} else {
		rc = _curtail(&c, conf, path, who);
	}
	free(path);
	return rc;
}
