/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h - collected diagnostics of the topology readers.
 *
 * Every reader in topology/ reports problems as "file:line: message" text
 * into a pb_diag_t and keeps going, so an administrator sees all mistakes of
 * a file in one run.  Errors make a file unusable; notices are information
 * (e.g. an oversubscription ratio) that never changes the outcome.
 */
#ifndef PB_TOPOLOGY_DIAG_H
#define PB_TOPOLOGY_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
	PB_DIAG_ERROR = 0,
	PB_DIAG_NOTICE = 1,
} pb_diag_level_t;

typedef struct pb_diag pb_diag_t;

/* Returns a new empty collection, NULL when out of memory. */
extern pb_diag_t *pb_diag_create(void);
extern void pb_diag_destroy(pb_diag_t *d);

/*
 * Appends "file:line: text" (line <= 0 gives "file: text").  Notices get
 * "notice: " after the location.  Out of memory is remembered and counted
 * as an error, never a crash.  After PB_DIAG_MAX_ERRORS errors further
 * errors are counted but not stored.
 */
#define PB_DIAG_MAX_ERRORS 200
extern void pb_diag_add(pb_diag_t *d, pb_diag_level_t level, const char *file,
			int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Number of errors (including unstored ones) / notices. */
extern size_t pb_diag_errors(const pb_diag_t *d);
extern size_t pb_diag_notices(const pb_diag_t *d);

/* Stored messages in order of arrival: count, text and level of one. */
extern size_t pb_diag_count(const pb_diag_t *d);
extern const char *pb_diag_text(const pb_diag_t *d, size_t i);
extern pb_diag_level_t pb_diag_level(const pb_diag_t *d, size_t i);

/* First stored message whose text contains needle, or NULL (for tests). */
extern const char *pb_diag_find(const pb_diag_t *d, const char *needle);

/* Writes every stored message, one a line, and a summary of unstored ones. */
extern void pb_diag_print(const pb_diag_t *d, FILE *out);

#endif
