/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pb-ctl's command line: argv into a checked command (which one, the
 * target watts, the deadline and end of a curtailment from a given now,
 * the domain and state directory named), and a curtailment command into
 * the request record topology/curtailfile.h writes.  No I/O, no
 * environment, no global state: main.c keeps authorization, the files
 * and the output, and the fuzzer calls this as often as it likes.
 *
 * The options are getopt_long's as pb-ctl always took them: --name VALUE,
 * --name=VALUE, any unambiguous prefix of a name (--dom), the short
 * forms -t -w -u -f -d -s -h (-tVALUE too), options before or after the
 * command, and "--" ending them; a repeated option keeps its last value.
 */
#ifndef PB_TOOLS_CTL_CMD_H
#define PB_TOOLS_CTL_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/error.h"
#include "topology/curtailfile.h"

typedef enum {
	PB_CTL_HELP,	/* --help: print the usage, nothing else */
	PB_CTL_CURTAIL, /* curtail --to POWER ... */
	PB_CTL_RESTORE, /* restore */
	PB_CTL_SHOW,	/* show */
} pb_ctl_verb_t;

/* The longest --within or --for: a year, leap day included. */
#define PB_CTL_MAX_DURATION (366 * 86400)

typedef struct {
	pb_ctl_verb_t verb;
	const char *state_dir; /* --state-dir (in argv), NULL: slurm.conf's */
	/* curtail only; the rest are zero for the other commands */
	const char *domain; /* --domain (in argv), NULL: the facility */
	double target_w;    /* --to, >= PB_CURTAIL_MIN_W */
	int64_t issued;	    /* now */
	int64_t deadline;   /* issued + --within */
	int64_t until;	    /* > deadline, or PB_CURTAIL_NEVER */
	/* on failure: the command's shape is wrong, not one value */
	bool usage;
} pb_ctl_cmd_t;

/*
 * Parses argv[1..argc) (argv[0] is the program) at the epoch second now
 * (--until HH:MM and ISO times are local time).  Returns 0 with *out
 * filled, or -1 with a message naming the option and its bad value in
 * err and out->usage set when the usage should follow it (nothing else
 * in *out is meant then).  argv is not changed; out's strings point into
 * it.
 */
int pb_ctl_parse(int argc, char *const argv[], int64_t now, pb_ctl_cmd_t *out,
		 pb_error_t *err);

/*
 * The request record of c (a PB_CTL_CURTAIL) for domain, whose cap is
 * cap_w, asked by by.  Returns 0 with *r filled, or -1 with a message in
 * err (the target is not below the cap, a name does not fit).
 */
int pb_ctl_request(const pb_ctl_cmd_t *c, const char *domain, double cap_w,
		   const char *by, pb_curtail_req_t *r, pb_error_t *err);

#endif /* PB_TOOLS_CTL_CMD_H */
