/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error reporting for policy/: a fixed-size text buffer the caller owns.
 * policy/ does no I/O and no logging; a failing call writes one line of
 * text here and the caller decides where it goes (slurmctld's log, a
 * tool's stderr, a test assertion).
 */
#ifndef PB_POLICY_ERROR_H
#define PB_POLICY_ERROR_H

typedef struct pb_error {
	char text[512];
} pb_error_t;

/*
 * Format a message into err->text (truncated to fit, always NUL-terminated).
 * err may be NULL: the message is then dropped.  Returns -1, the failure
 * value of most callers, so a failing path can end in
 * "return pb_error_set(err, ...);".
 */
int pb_error_set(pb_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Empty err->text; NULL-safe. */
void pb_error_clear(pb_error_t *err);

#endif /* PB_POLICY_ERROR_H */
