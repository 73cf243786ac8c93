/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lex.h - shared pieces of the Slurm-style "Key=Value" readers (internal).
 *
 * Lines of power_budget.conf, topology.conf and slurm.conf are split into
 * key/value pairs the way Slurm reads them: pairs separated by blanks, '#'
 * starts a comment, a value may be double-quoted to hold blanks, keys are
 * case-insensitive.  Hostlists are expanded by libslurm's public hostlist
 * API; this file only rejects what that API would silently misread.
 * Whole files are read here too, by the one reader every *_parse_file()
 * function calls.
 */
#ifndef PB_TOPOLOGY_LEX_H
#define PB_TOPOLOGY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/error.h"
#include "topology/diag.h"

#define PB_LEX_MAX_PAIRS 64
#define PB_LEX_MAX_LINE 65536

typedef struct {
	const char *key;   /* NUL-terminated, inside the line copy */
	const char *value; /* NUL-terminated, quotes removed */
	bool used;	   /* set by the reader; leftovers are unknown keys */
} pb_pair_t;

typedef struct {
	char *buf; /* private copy of the line */
	pb_pair_t pair[PB_LEX_MAX_PAIRS];
	int n;
} pb_line_t;

/* Iterates over the lines of a buffer (which need not be NUL-terminated). */
typedef struct {
	const char *p, *end;
	int lineno;
} pb_lines_t;

extern void pb_lines_init(pb_lines_t *it, const char *buf, size_t len);
/* Next line in *start and *len (no newline); false at the end. */
extern bool pb_lines_next(pb_lines_t *it, const char **start, size_t *len);

/*
 * Splits one line into pairs.  Returns the number of pairs (0 for a blank or
 * comment line) or -1 after reporting the problem at file:lineno.
 * pb_line_free() must be called in every case.
 */
extern int pb_line_split(pb_line_t *l, const char *s, size_t len,
			 const char *file, int lineno, pb_diag_t *d);
extern void pb_line_free(pb_line_t *l);

/* Finds a key (case-insensitive), marks it used; NULL if absent. */
extern const char *pb_line_get(pb_line_t *l, const char *key);

/* Reports every pair not marked used as an unknown key; returns how many. */
extern int pb_line_unknown(pb_line_t *l, const char *what, const char *file,
			   int lineno, pb_diag_t *d);

/*
 * Value parsers: 0 on success, -1 with a message (no location) in err
 * (which may be NULL when the caller has its own message).
 *  - power: "350", "350W", "40kW", "1.5MW" -> watts; "mW" is refused as
 *    ambiguous.  Range 0 .. 1e12 W.
 *  - fraction: "5%", "0.05" -> 0.05; range [0, max].
 *  - real: plain decimal number in [min, max].
 *  - uint: decimal integer in [0, max].
 *  - bool: yes/no/true/false/on/off/1/0.
 *  - name: [A-Za-z0-9_.-]{1,63}.
 */
extern int pb_parse_power(const char *s, double *watts, pb_error_t *err);
extern int pb_parse_fraction(const char *s, double max, double *out,
			     pb_error_t *err);
extern int pb_parse_real(const char *s, double min, double max, double *out,
			 pb_error_t *err);
extern int pb_parse_uint(const char *s, uint64_t max, uint64_t *out,
			 pb_error_t *err);
extern int pb_parse_bool(const char *s, bool *out, pb_error_t *err);
#define PB_NAME_MAX 64
extern int pb_check_name(const char *s, pb_error_t *err);

/* Formats watts for humans: "40 kW", "1.5 MW", "350 W". */
extern void pb_fmt_power(double watts, char *buf, size_t len);

/*
 * Expands a Slurm hostlist expression with libslurm and calls fn for each
 * host in order (fn returns 0 to go on, -1 to stop).  Returns the number of
 * hosts, or -1 with a message in err (bad syntax, too many hosts), or -1
 * with err->text empty when fn stopped the walk (fn reports its own
 * reason).  PB_MAX_HOSTS is lower only in the fuzzers' build (conf.h).
 */
#ifndef PB_MAX_HOSTS
#define PB_MAX_HOSTS 1000000
#endif
extern long pb_hostlist_each(const char *expr,
			     int (*fn)(const char *host, void *arg), void *arg,
			     pb_error_t *err);

/* A set of strings mapping to an index (open addressing). */
typedef struct pb_namemap pb_namemap_t;
extern pb_namemap_t *pb_namemap_create(void);
extern void pb_namemap_destroy(pb_namemap_t *m);
/* Returns 0 if inserted, 1 if present (*old set), -1 out of memory. */
extern int pb_namemap_put(pb_namemap_t *m, const char *key, long value,
			  long *old);
/* Returns the value, or -1 if absent. */
extern long pb_namemap_get(const pb_namemap_t *m, const char *key);
extern size_t pb_namemap_size(const pb_namemap_t *m);

/* The directory part of path ("." if none) joined with rel unless rel is
 * absolute.  Returns malloc'd string or NULL. */
extern char *pb_path_join_dir(const char *path, const char *rel);

/* Reads a whole file; NULL with strerror text in err on failure. */
extern char *pb_read_file(const char *path, size_t *len, pb_error_t *err);

/*
 * The buffer parsers' shape (pb_conf_parse_buffer() and its kin), with the
 * result pointer passed through untyped.
 */
typedef int pb_buffer_parser_t(const char *file, const char *buf, size_t len,
			       void *out, pb_diag_t *d);

/*
 * The one file reader of the *_parse_file() functions: reads path and
 * returns parse(path, text, length, out, d).  A file that cannot be read
 * is reported as "path: reason" in d and returns -1; parse is then not
 * called, so the caller clears *out itself.
 */
extern int pb_read_and_parse(const char *path, pb_buffer_parser_t *parse,
			     void *out, pb_diag_t *d);

#endif
