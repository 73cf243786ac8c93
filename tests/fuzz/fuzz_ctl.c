/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for pb-ctl's command line (tools/pb_ctl/cmd.c): the
 * input is argv[1..], one argument a line (at most MAX_ARGS; a last
 * newline ends the last one).  Any input must give a command or a message,
 * never a crash, a sanitizer report or a leak, and the same twice; an
 * accepted curtailment keeps the bounds cmd.h promises, and its request,
 * as pb-ctl writes it, reads back with topology/curtailfile.c to the same
 * values (the target in whole watts, rounded down).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/pb_ctl/cmd.h"
#include "topology/lex.h"

#define MAX_ARGS 32
/* 2026-03-28 12:00 UTC: summer time starts the next night */
#define NOW 1774699200

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* a zone with summer time, without the tz database */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	return 0;
}

/* s is NULL or within one of argv[1..argc) */
static int _in_argv(const char *s, int argc, char *const argv[])
{
	if (!s)
		return 1;
	for (int i = 1; i < argc; i++)
		if (s >= argv[i] && s <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static int _same(const pb_ctl_cmd_t *a, const pb_ctl_cmd_t *b)
{
	return a->verb == b->verb && a->state_dir == b->state_dir &&
	       a->domain == b->domain && a->target_w == b->target_w &&
	       a->issued == b->issued && a->deadline == b->deadline &&
	       a->until == b->until && a->usage == b->usage;
}

/* The request of c as pb-ctl writes it, and what the plugin reads. */
static void _round_trip(const pb_ctl_cmd_t *c)
{
	const char *domain = c->domain ? c->domain : "site";
	pb_curtail_req_t r, back;
	pb_error_t err;
	char text[512];
	pb_diag_t *d = pb_diag_create();

	if (!d)
		return;
	/* a target at the cap is no curtailment; below it is one */
	if (!pb_ctl_request(c, domain, c->target_w, "root", &r, &err) ||
	    pb_ctl_request(c, domain, c->target_w * 2, "root", &r, &err) ||
	    pb_curtail_render(&r, text, sizeof(text)) ||
	    pb_curtail_parse(text, strlen(text), "back", &back, d) ||
	    strcmp(back.domain, domain) || strcmp(back.by, "root") ||
	    back.target_w != floor(c->target_w) || back.issued != c->issued ||
	    back.deadline != c->deadline || back.until != c->until)
		abort();
	pb_diag_destroy(d);
}

static void _check(int argc, char *const argv[])
{
	pb_ctl_cmd_t c, again;
	pb_error_t err, err2;
	int rc = pb_ctl_parse(argc, argv, NOW, &c, &err);

	/* no state kept from one call to the next */
	if (pb_ctl_parse(argc, argv, NOW, &again, &err2) != rc ||
	    !_same(&c, &again) || (rc && strcmp(err.text, err2.text)))
		abort();
	if (rc) {
		if (!err.text[0])
			abort();
		return;
	}
	if (c.usage || !_in_argv(c.state_dir, argc, argv) ||
	    !_in_argv(c.domain, argc, argv) || (c.state_dir && !c.state_dir[0]))
		abort();
	if (c.verb != PB_CTL_CURTAIL) {
		if (c.domain || c.target_w != 0 || c.issued || c.deadline ||
		    c.until)
			abort();
		return;
	}
	if (!(c.target_w >= PB_CURTAIL_MIN_W && c.target_w <= 1e12) ||
	    c.issued != NOW || c.deadline < c.issued ||
	    c.deadline - c.issued > PB_CTL_MAX_DURATION ||
	    c.until <= c.deadline ||
	    (c.until != PB_CURTAIL_NEVER && c.until > PB_CURTAIL_EPOCH_MAX) ||
	    (c.domain && pb_check_name(c.domain, NULL)))
		abort();
	_round_trip(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "pb-ctl";
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	size_t at = 0;

	argv[argc++] = prog;
	while (at < size && argc <= MAX_ARGS) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = nl ? (size_t)(nl - (data + at)) : size - at;
		char *a = malloc(n + 1);

		if (!a)
			break;
		memcpy(a, data + at, n);
		a[n] = '\0';
		argv[argc++] = a;
		at += n + 1;
	}
	argv[argc] = NULL;
	_check(argc, argv);
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	return 0;
}
