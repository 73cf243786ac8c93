/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The last good power_budget.conf in StateSaveLocation (see lastgood.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"
#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "plugin/compat.h"
#include "plugin/lastgood.h"

#include "topology/diag.h"
#include "topology/lex.h"
#include "topology/load.h"

#define PLUGIN "select/cons_tres_power"
#define SAVED_DIR "power_budget.saved"
#define SAVED_CONF "power_budget.conf"
#define SAVED_SOURCE "source"

extern bool lastgood_reconfigure_start(void)
{
#if PB_RECONFIG_REEXECS
	/*
	 * _try_to_reconfig() in controller.c puts SLURMCTLD_RECONF=1 into
	 * the environment of the slurmctld it execs; main() tells a
	 * reconfigure from a real start by it the same way.
	 */
	return getenv("SLURMCTLD_RECONF") != NULL;
#else
	return false;
#endif
}

static char *_dir(const char *suffix)
{
	return xstrdup_printf("%s/%s%s", slurm_conf.state_save_location,
			      SAVED_DIR, suffix);
}

/* Removes @dir and the files in it (it holds no directories). */
static void _remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xstrdup_printf("%s/%s", dir, e->d_name);
		(void)unlink(p);
		xfree(p);
	}
	closedir(d);
	(void)rmdir(dir);
}

static int _write(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		buf += n;
		len -= n;
	}
	if (fsync(fd))
		rc = -1;
	if (close(fd))
		rc = -1;
	return rc;
}

/* Appends @v to @out as a value the lexer reads back as @v. */
static void _value(char **out, const char *v)
{
	/* A quoted value cannot hold a quote; an unquoted one no blank. */
	if (strchr(v, '"'))
		xstrcat(*out, v);
	else
		xstrfmtcat(*out, "\"%s\"", v);
}

/*
 * The copy of @text (the file @path) into @dir: every line as it is,
 * except that a line with Topology= gets it pointed at class-<line>.xml,
 * a copy of the export it names, and is written out pair by pair (its
 * comment dropped). One line for one, so file:line messages agree.
 */
static int _copy(const char *path, const char *text, size_t len,
		 const char *dir, char **errmsg)
{
	pb_diag_t *d = pb_diag_create();
	pb_lines_t it;
	const char *s;
	size_t n;
	char *out = NULL, *p;
	int rc = -1;

	if (!d) {
		*errmsg = xstrdup("out of memory");
		return -1;
	}
	pb_lines_init(&it, text, len);
	while (pb_lines_next(&it, &s, &n)) {
		pb_line_t l;
		int topo = -1,
		    pairs = pb_line_split(&l, s, n, path, it.lineno, d);

		for (int i = 0; i < pairs; i++) {
			if (!strcasecmp(l.pair[i].key, "Topology"))
				topo = i;
		}
		if (pairs < 0) {
			*errmsg = xstrdup_printf("%s:%d: cannot be read again",
						 path, it.lineno);
			pb_line_free(&l);
			goto out;
		}
		if (topo < 0) {
			xstrncat(out, s, n);
			xstrcat(out, "\n");
			pb_line_free(&l);
			continue;
		}
		{
			pb_error_t err = {""};
			char *export =
			    pb_path_join_dir(path, l.pair[topo].value);
			size_t xml_len = 0;
			char *xml = export
					? pb_read_file(export, &xml_len, &err)
					: NULL;
			char *name = xstrdup_printf("class-%d.xml", it.lineno);

			p = xstrdup_printf("%s/%s", dir, name);
			if (!xml || _write(p, xml, xml_len)) {
				*errmsg = xstrdup_printf(
				    "%s:%d: Topology=%s: %s", path, it.lineno,
				    l.pair[topo].value,
				    xml ? strerror(errno) : err.text);
				free(export);
				free(xml);
				xfree(name);
				xfree(p);
				pb_line_free(&l);
				goto out;
			}
			free(export);
			free(xml);
			xfree(p);
			for (int i = 0; i < pairs; i++) {
				xstrfmtcat(out, "%s%s=", i ? " " : "",
					   l.pair[i].key);
				_value(&out,
				       i == topo ? name : l.pair[i].value);
			}
			xstrcat(out, "\n");
			xfree(name);
		}
		pb_line_free(&l);
	}
	p = xstrdup_printf("%s/%s", dir, SAVED_CONF);
	rc = _write(p, out ? out : "", out ? strlen(out) : 0);
	if (rc)
		*errmsg = xstrdup_printf("%s: %s", p, strerror(errno));
	xfree(p);
out:
	xfree(out);
	pb_diag_destroy(d);
	return rc;
}

/* The copy in @dir must load on its own, as the file it came from did. */
static int _check(const char *dir, char **errmsg)
{
	char *p = xstrdup_printf("%s/%s", dir, SAVED_CONF);
	pb_diag_t *d = pb_diag_create();
	pb_loaded_t loaded;
	int rc = -1;

	if (d && pb_load(p, NULL, &loaded, d) == 0) {
		pb_loaded_free(&loaded);
		rc = 0;
	} else {
		for (size_t i = 0; d && i < pb_diag_count(d); i++) {
			if (pb_diag_level(d, i) == PB_DIAG_ERROR) {
				*errmsg = xstrdup(pb_diag_text(d, i));
				break;
			}
		}
		if (!*errmsg)
			*errmsg = xstrdup_printf("%s does not load", p);
	}
	if (d)
		pb_diag_destroy(d);
	xfree(p);
	return rc;
}

extern void lastgood_save(const char *path)
{
	char *dir = _dir(""), *tmp = _dir(".new"), *old = _dir(".old");
	char *errmsg = NULL, *text = NULL, *p;
	pb_error_t err;
	size_t len = 0;

	_remove(tmp);
	if (mkdir(tmp, 0700)) {
		errmsg = xstrdup_printf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (!(text = pb_read_file(path, &len, &err))) {
		errmsg = xstrdup_printf("%s: %s", path, err.text);
		goto fail;
	}
	if (_copy(path, text, len, tmp, &errmsg))
		goto fail;
	p = xstrdup_printf("%s/%s", tmp, SAVED_SOURCE);
	if (_write(p, path, strlen(path))) {
		errmsg = xstrdup_printf("%s: %s", p, strerror(errno));
		xfree(p);
		goto fail;
	}
	xfree(p);
	if (_check(tmp, &errmsg))
		goto fail;
	/*
	 * Swap the copies; after a crash in between, the previous one is
	 * still there as .old (lastgood_path looks there too).
	 */
	_remove(old);
	if ((rename(dir, old) && errno != ENOENT) || rename(tmp, dir)) {
		errmsg = xstrdup_printf("renaming %s to %s: %s", tmp, dir,
					strerror(errno));
		goto fail;
	}
	_remove(old);
	debug(PLUGIN ": %s saved as the last good copy in %s", path, dir);
	goto out;
fail:
	error(
	    PLUGIN
	    ": cannot save %s as the last good copy (for a reconfigure with a bad file): %s",
	    path, errmsg);
	_remove(tmp);
out:
	free(text);
	xfree(errmsg);
	xfree(dir);
	xfree(tmp);
	xfree(old);
}

extern char *lastgood_path(char **source, char **errmsg)
{
	char *dirs[2] = {_dir(""), _dir(".old")}, *found = NULL;

	*source = NULL;
	for (int i = 0; i < 2 && !found; i++) {
		char *c = xstrdup_printf("%s/%s", dirs[i], SAVED_CONF);
		char *s = xstrdup_printf("%s/%s", dirs[i], SAVED_SOURCE);
		size_t len;
		char *text = pb_read_file(s, &len, NULL);

		if (text && !access(c, R_OK)) {
			found = c;
			*source = xstrndup(text, len);
			c = NULL;
		}
		free(text);
		xfree(c);
		xfree(s);
	}
	if (!found)
		*errmsg = xstrdup_printf(
		    "no saved copy of the last good file in %s", dirs[0]);
	xfree(dirs[0]);
	xfree(dirs[1]);
	return found;
}
