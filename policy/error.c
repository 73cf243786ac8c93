/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error text for policy/ (see error.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy/error.h"

int pb_error_set(pb_error_t *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

void pb_error_clear(pb_error_t *err)
{
	if (err)
		err->text[0] = '\0';
}
