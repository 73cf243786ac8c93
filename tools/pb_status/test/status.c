/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of pb-status's reader, holder computation, watts formatting
 * and file location, on hand-written status files: the lab fixture, quoted
 * values, and one malformed file per error the reader reports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/pb_status/locate.h"
#include "tools/pb_status/render.h"
#include "tools/pb_status/status.h"

#define HDR                                                                    \
	"Status=1 Generated=100 Config=/etc/slurm/power_budget.conf\n"         \
	"Facility=f PUEMilli=1250 CoolingW=0 ReservePPM=0\n"
#define ROOT                                                                   \
	"Domain=f Parent=- CapW=100 LimitW=80 CommittedW=0 "                   \
	"HeadroomW=80 ReservedW=0\n"

static pb_status_t *_parse(const char *text, pb_diag_t **d)
{
	pb_status_t *s = NULL;

	*d = pb_diag_create();
	assert_non_null(*d);
	pb_status_parse_buffer("t.status", text, strlen(text), &s, *d);
	return s;
}

/* The text must fail with exactly `want` among the messages. */
static void _bad(const char *text, const char *want)
{
	pb_diag_t *d;
	pb_status_t *s = _parse(text, &d);

	assert_null(s);
	if (!pb_diag_find(d, want)) {
		pb_diag_print(d, stderr);
		fail_msg("missing message: %s", want);
	}
	pb_diag_destroy(d);
}

static void test_lab(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_status_t *s = NULL;
	long rack2;

	(void)state;
	assert_int_equal(
	    pb_status_parse_file(PB_STATUS_TEST_DATA "/lab.status", &s, d), 0);
	assert_int_equal(pb_diag_count(d), 0);
	assert_int_equal(s->generated, 1764080000);
	assert_string_equal(s->config, "/etc/slurm/power_budget.conf");
	assert_string_equal(s->facility, "lab");
	assert_int_equal(s->pue_milli, 1400);
	assert_int_equal(s->cooling_w, 45000);
	assert_int_equal(s->reserve_ppm, 50000);
	assert_int_equal(s->n_domains, 4);
	assert_int_equal(s->n_nodes, 7);
	assert_int_equal(s->n_jobs, 4);
	assert_int_equal(s->n_held, 2);
	assert_int_equal(s->root, 0);
	assert_int_equal(s->domains[1].n_children, 2);
	rack2 = pb_status_find_domain(s, "rack2");
	assert_int_equal(rack2, 3);
	assert_int_equal(s->domains[rack2].parent, 1);
	assert_int_equal(s->domains[rack2].reserved_w, 4000);
	assert_true(pb_status_under(s, rack2, 0));
	assert_false(pb_status_under(s, 0, rack2));
	assert_false(s->nodes[6].on);
	assert_int_equal(s->jobs[0].n_nodes, 2);
	assert_int_equal(s->jobs[1].expected_end, -1);
	assert_true(s->jobs[3].suspended);
	assert_int_equal(s->held[0].short_w, 7500);
	assert_int_equal(s->held[0].domain, 2);
	assert_int_equal(s->held[1].short_w, 900);
	assert_int_equal(s->held[1].domain, rack2);
	pb_status_destroy(s);
	pb_diag_destroy(d);
}

static void test_holders(void **state)
{
	/* job 7 spans both racks: 3 of its 4 nodes in r1 */
	const char *text = HDR ROOT
	    "Domain=r1 Parent=f CapW=50 LimitW=40 CommittedW=0 HeadroomW=40 "
	    "ReservedW=0\n"
	    "Domain=r2 Parent=f CapW=50 LimitW=40 CommittedW=0 HeadroomW=40 "
	    "ReservedW=0\n"
	    "Node=a1 Domain=r1 Power=on DrawW=1\n"
	    "Node=a2 Domain=r1 Power=on DrawW=1\n"
	    "Node=a3 Domain=r1 Power=on DrawW=1\n"
	    "Node=b1 Domain=r2 Power=on DrawW=1\n"
	    "Job=7 Watts=4000 Suspended=no ExpectedEnd=-1 Nodes=a1,a2,a3,b1\n"
	    "Job=8 Watts=2000 Suspended=no ExpectedEnd=-1 Nodes=b1\n"
	    "Job=9 Watts=2000 Suspended=no ExpectedEnd=-1 Nodes=a1\n"
	    "Job=5 Watts=9000 Suspended=yes ExpectedEnd=-1 Nodes=a2\n";
	pb_status_holder_t h[3 * 2];
	unsigned n[3];
	pb_diag_t *d;
	pb_status_t *s = _parse(text, &d);

	(void)state;
	assert_non_null(s);
	assert_int_equal(pb_status_top_holders(s, 2, h, n), 0);
	/* facility: 7 (4000), then 8 and 9 tie at 2000: lower id first */
	assert_int_equal(n[0], 2);
	assert_int_equal(h[0].job, 7);
	assert_int_equal(h[0].watts, 4000);
	assert_int_equal(h[0].nodes, 4);
	assert_int_equal(h[1].job, 8);
	/* r1: 7 has 3/4 of 4000 W, then 9; suspended 5 holds nothing */
	assert_int_equal(n[1], 2);
	assert_int_equal(h[2].job, 7);
	assert_int_equal(h[2].watts, 3000);
	assert_int_equal(h[3].job, 9);
	/* r2: 8 (2000) beats 7's quarter (1000) */
	assert_int_equal(h[4].job, 8);
	assert_int_equal(h[5].job, 7);
	assert_int_equal(h[5].watts, 1000);
	pb_status_destroy(s);
	pb_diag_destroy(d);
}

static void test_quoted_and_order(void **state)
{
	/* children before parents, quoted values with blanks and '#' */
	const char *text =
	    "Status=1 Generated=100 Config=\"/etc/slurm lab/pb.conf\"\n"
	    "Facility=f PUEMilli=1250 CoolingW=0 ReservePPM=0\n"
	    "Node=n1 Domain=\"rack one\" Power=on DrawW=5 # comment\n"
	    "Domain=\"rack one\" Parent=f CapW=50 LimitW=40 CommittedW=5 "
	    "HeadroomW=35 ReservedW=0\n" ROOT
	    "Held=3 Reason=\"PowerNotAvail: not enough powered nodes with "
	    "headroom #1\"\n"
	    "Future=1 Key=ignored\n";
	pb_diag_t *d;
	pb_status_t *s = _parse(text, &d);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s->config, "/etc/slurm lab/pb.conf");
	assert_int_equal(s->root, 1);
	assert_int_equal(s->nodes[0].domain, 0);
	assert_string_equal(s->held[0].reason,
			    "PowerNotAvail: not enough powered nodes with "
			    "headroom #1");
	assert_int_equal(s->held[0].short_w, -1);
	assert_int_equal(s->held[0].domain, -1);
	pb_status_destroy(s);
	pb_diag_destroy(d);
}

static void test_malformed_file(void **state)
{
	pb_diag_t *d = pb_diag_create();
	pb_status_t *s = NULL;

	(void)state;
	assert_int_equal(pb_status_parse_file(
			     PB_STATUS_TEST_DATA "/malformed.status", &s, d),
			 -1);
	assert_null(s);
	assert_non_null(pb_diag_find(d, "/malformed.status:5: CapW=24kW: "
					"not a whole number"));
	assert_non_null(pb_diag_find(d, "/malformed.status:7: unterminated "
					"quote in value of Reason"));
	assert_int_equal(pb_diag_errors(d), 2);
	pb_status_destroy(s);
	pb_diag_destroy(d);
}

static void test_malformed_records(void **state)
{
	(void)state;
	_bad("", "t.status: empty: no Status= line");
	_bad("# only a comment\n", "t.status: empty: no Status= line");
	_bad("Facility=f PUEMilli=1000 CoolingW=0 ReservePPM=0\n",
	     "t.status:1: first record is Facility=, not Status=");
	_bad("Status=2 Generated=1\n", "t.status:1: status format 2; this "
				       "pb-status reads format 1");
	_bad("Status=one Generated=1\n", "t.status:1: Status=one: not a "
					 "format number");
	_bad("Status=1\n", "t.status:1: Status record without Generated=");
	_bad("Status=1 Generated=1\n", "t.status: no Facility= line");
	_bad(HDR "Domain=f Parent=- CapW=1 LimitW=1 CommittedW=1 HeadroomW=0\n",
	     "t.status:3: Domain record without ReservedW=");
	_bad(HDR
	     "Domain=f CapW=1 LimitW=1 CommittedW=1 HeadroomW=0 ReservedW=0\n",
	     "t.status:3: Domain record without Parent=");
	_bad(HDR ROOT ROOT, "t.status:4: domain 'f' listed twice");
	_bad(HDR ROOT "Domain=r Parent=x CapW=1 LimitW=1 CommittedW=0 "
		      "HeadroomW=1 ReservedW=0\n",
	     "t.status:4: Parent=x: no such domain");
	_bad(HDR ROOT "Domain=g Parent=- CapW=1 LimitW=1 CommittedW=0 "
		      "HeadroomW=1 ReservedW=0\n",
	     "t.status:4: second root domain 'g'");
	_bad(HDR "Domain=a Parent=b CapW=1 LimitW=1 CommittedW=0 HeadroomW=1 "
		 "ReservedW=0\n"
		 "Domain=b Parent=a CapW=1 LimitW=1 CommittedW=0 HeadroomW=1 "
		 "ReservedW=0\n",
	     "no root domain (Parent=-)");
	_bad(HDR ROOT "Node=n Domain=f Power=maybe DrawW=1\n",
	     "t.status:4: Power=maybe: want on or off");
	_bad(HDR ROOT "Node=n Domain=g Power=on DrawW=1\n",
	     "t.status:4: Domain=g: no such domain");
	_bad(HDR ROOT "Node=n Domain=f Power=on DrawW=-1\n",
	     "t.status:4: DrawW=-1: not a whole number in range");
	_bad(HDR ROOT "Node=n Domain=f Power=on DrawW=1\n"
		      "Job=5 Watts=1 Suspended=no ExpectedEnd=-1 Nodes=n,m\n",
	     "t.status:5: Nodes: no Node record for 'm'");
	_bad(HDR ROOT "Job=x Watts=1 Suspended=no ExpectedEnd=-1 Nodes=n\n",
	     "t.status:4: Job=x: not a job id");
	_bad(HDR ROOT "Job=5 Watts=1 Suspended=no ExpectedEnd=-2 Nodes=n\n",
	     "t.status:4: ExpectedEnd=-2: not a whole number in range");
	_bad(HDR ROOT "Held=5\n", "t.status:4: Held record without Reason=");
	_bad(HDR ROOT "Held=5 Reason=\"x\"y\n",
	     "t.status:4: text after closing quote of Reason");
	_bad(HDR ROOT "Domain\n", "t.status:4: expected '=' after 'Domain'");
}

static void test_watts(void **state)
{
	static const struct {
		int64_t w;
		const char *s;
	} cases[] = {
	    {0, "0 W"},
	    {350, "350 W"},
	    {999, "999 W"},
	    {1000, "1 kW"},
	    {1500, "1.5 kW"},
	    {12400, "12.4 kW"},
	    {99960, "100 kW"},
	    {999600, "1 MW"},
	    {10200, "10.2 kW"},
	    {100000000, "100 MW"},
	    {127500000, "128 MW"},
	    {-3210, "-3.21 kW"},
	    {1000000000000000LL, "unlimited"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pb_render_watts(cases[i].w, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
	pb_render_age(42, buf, sizeof(buf));
	assert_string_equal(buf, "42 s");
	pb_render_age(420, buf, sizeof(buf));
	assert_string_equal(buf, "7 min");
}

static char *_write(const char *dir, const char *name, const char *text)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	FILE *f;

	assert_non_null(path);
	sprintf(path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_locate(void **state)
{
	char dir[] = "/tmp/pb-status-test.XXXXXX";
	char how[512];
	pb_error_t err;
	char *slurm, *power, *p;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* no slurm.conf at all: an error naming it */
	slurm = _write(dir, "slurm.conf", "");
	unlink(slurm);
	assert_null(pb_locate_status(slurm, how, sizeof(how), &err));
	assert_non_null(strstr(err.text, "slurm.conf: cannot open"));
	/* StateSaveLocation (last one wins; Include lines are skipped) */
	free(_write(dir, "slurm.conf",
		    "include /etc/slurm/other.conf\n"
		    "StateSaveLocation=/nowhere\n"
		    "ClusterName=c StateSaveLocation=/var/lib/slurm/ctld/\n"));
	p = pb_locate_status(slurm, how, sizeof(how), &err);
	assert_string_equal(p, "/var/lib/slurm/ctld/power_budget.status");
	assert_non_null(strstr(how, "StateSaveLocation= in"));
	free(p);
	/* StatusFile= of power_budget.conf wins */
	power = _write(dir, "power_budget.conf",
		       "Facility=f Cap=1MW\nStatusFile=/run/pb.status\n");
	p = pb_locate_status(slurm, how, sizeof(how), &err);
	assert_string_equal(p, "/run/pb.status");
	free(p);
	unlink(power);
	/* neither key: Slurm's default StateSaveLocation */
	free(_write(dir, "slurm.conf", "ClusterName=c\n"));
	p = pb_locate_status(slurm, how, sizeof(how), &err);
	assert_string_equal(p, "/var/spool/power_budget.status");
	free(p);
	unlink(slurm);
	rmdir(dir);
	free(slurm);
	free(power);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lab),
	    cmocka_unit_test(test_holders),
	    cmocka_unit_test(test_quoted_and_order),
	    cmocka_unit_test(test_malformed_file),
	    cmocka_unit_test(test_malformed_records),
	    cmocka_unit_test(test_watts),
	    cmocka_unit_test(test_locate),
	};

	return cmocka_run_group_tests_name("pb_status", tests, NULL, NULL);
}
