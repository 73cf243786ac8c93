/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locate.c - finding the status file from slurm.conf (see locate.h).
 */
#include "tools/pb_status/locate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology/lex.h"

char *pb_locate_scan(const char *path, const char *key, pb_error_t *err)
{
	size_t len, n;
	pb_error_t read_err;
	char *buf = pb_read_file(path, &len, &read_err), *found = NULL;
	pb_diag_t *d = pb_diag_create();
	const char *s;
	pb_lines_t it;

	if (!buf || !d) {
		pb_error_set(err, "%.128s: %.100s", path,
			     buf ? "out of memory" : read_err.text);
		free(buf);
		pb_diag_destroy(d);
		return NULL;
	}
	pb_lines_init(&it, buf, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;
		const char *v;

		if (pb_line_split(&l, s, n, path, it.lineno, d) > 0 &&
		    (v = pb_line_get(&l, key))) {
			free(found);
			found = strdup(v);
		}
		pb_line_free(&l);
	}
	if (!found)
		pb_error_clear(err);
	free(buf);
	pb_diag_destroy(d);
	return found;
}

char *pb_locate_status(const char *slurm_conf, char *how, size_t how_len,
		       pb_error_t *err)
{
	char *power = pb_path_join_dir(slurm_conf, "power_budget.conf");
	pb_error_t e1 = {""}, e2 = {""};
	char *v = power ? pb_locate_scan(power, "StatusFile", &e1) : NULL;
	char *out = NULL;

	if (v) {
		snprintf(how, how_len, "StatusFile= in %s", power);
		free(power);
		return v;
	}
	v = pb_locate_scan(slurm_conf, "StateSaveLocation", &e2);
	if (v || !e2.text[0]) {
		const char *dir = v ? v : PB_LOCATE_SLURM_DEFAULT_STATE;
		size_t dl = strlen(dir);

		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		if (!(out = malloc(dl + sizeof(PB_LOCATE_DEFAULT_NAME) + 1))) {
			pb_error_set(err, "out of memory");
		} else {
			sprintf(out, "%.*s/%s", (int)dl, dir,
				PB_LOCATE_DEFAULT_NAME);
			if (v)
				snprintf(how, how_len,
					 "StateSaveLocation= in %s",
					 slurm_conf);
			else
				snprintf(how, how_len,
					 "Slurm's default StateSaveLocation "
					 "(none in %s)",
					 slurm_conf);
		}
	} else {
		pb_error_set(err,
			     "cannot tell where the status file is: %s; %s "
			     "(give --file, or set SLURM_CONF)",
			     e1.text[0] ? e1.text
					: "no StatusFile= in power_budget.conf",
			     e2.text);
	}
	free(v);
	free(power);
	return out;
}
