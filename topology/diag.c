/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "topology/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	pb_diag_level_t level;
	char *text;
} _msg_t;

struct pb_diag {
	_msg_t *msg;
	size_t n, cap;
	size_t errors, notices;
	int oom;
};

pb_diag_t *pb_diag_create(void)
{
	return calloc(1, sizeof(pb_diag_t));
}

void pb_diag_destroy(pb_diag_t *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i].text);
	free(d->msg);
	free(d);
}

void pb_diag_add(pb_diag_t *d, pb_diag_level_t level, const char *file,
		 int line, const char *fmt, ...)
{
	char body[1024], *text;
	va_list ap;
	int n;

	if (!d)
		return;
	if (level == PB_DIAG_ERROR)
		d->errors++;
	else
		d->notices++;
	if (level == PB_DIAG_ERROR && d->errors > PB_DIAG_MAX_ERRORS)
		return;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);

	if (!file)
		file = "(input)";
	n = snprintf(NULL, 0, "%s:%d: %s%s", file, line,
		     level == PB_DIAG_NOTICE ? "notice: " : "", body);
	if (n < 0 || !(text = malloc((size_t)n + 1))) {
		d->oom = 1;
		return;
	}
	if (line > 0)
		snprintf(text, (size_t)n + 1, "%s:%d: %s%s", file, line,
			 level == PB_DIAG_NOTICE ? "notice: " : "", body);
	else
		snprintf(text, (size_t)n + 1, "%s: %s%s", file,
			 level == PB_DIAG_NOTICE ? "notice: " : "", body);

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		_msg_t *m = realloc(d->msg, cap * sizeof(*m));

		if (!m) {
			free(text);
			d->oom = 1;
			return;
		}
		d->msg = m;
		d->cap = cap;
	}
	d->msg[d->n].level = level;
	d->msg[d->n].text = text;
	d->n++;
}

size_t pb_diag_errors(const pb_diag_t *d)
{
	return d ? d->errors + (d->oom ? 1 : 0) : 0;
}

size_t pb_diag_notices(const pb_diag_t *d)
{
	return d ? d->notices : 0;
}

size_t pb_diag_count(const pb_diag_t *d)
{
	return d ? d->n : 0;
}

const char *pb_diag_text(const pb_diag_t *d, size_t i)
{
	return (d && i < d->n) ? d->msg[i].text : NULL;
}

pb_diag_level_t pb_diag_level(const pb_diag_t *d, size_t i)
{
	return (d && i < d->n) ? d->msg[i].level : PB_DIAG_ERROR;
}

const char *pb_diag_find(const pb_diag_t *d, const char *needle)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (strstr(d->msg[i].text, needle))
			return d->msg[i].text;
	return NULL;
}

void pb_diag_print(const pb_diag_t *d, FILE *out)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s\n", d->msg[i].text);
	if (d->errors > PB_DIAG_MAX_ERRORS)
		fprintf(out, "... and %zu more errors\n",
			d->errors - PB_DIAG_MAX_ERRORS);
	if (d->oom)
		fprintf(out, "out of memory while collecting messages\n");
}
