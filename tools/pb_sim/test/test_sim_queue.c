// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Property of pb-sim's queue (sim_queue.h): under random pushes, drops
 * of random entry sets (the head among them, or not), new watts for every
 * entry and searches from random entries with random room, it holds the
 * same entries in the same order as a plain array, and every search
 * finds what a scan of that array finds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_queue.h"

#define CAP 3000

static uint64_t x;

static uint32_t _below(uint32_t n)
{
	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	return (uint32_t)((x >> 11) % n);
}

/* the plain array the queue is checked against */
static struct sim_queued ref[CAP];
static size_t nref;
static double new_w[CAP];

static double _w_of(void *arg, uint32_t id)
{
	(void)arg;
	return new_w[id];
}

static size_t _ref_fit(size_t i, uint32_t nodes, double w)
{
	while (i < nref && !(ref[i].nodes <= nodes && ref[i].w <= w))
		i++;
	return i;
}

static void _same(const struct sim_queue *q)
{
	assert_int_equal(q->n, nref);
	for (size_t i = 0; i < nref; i++) {
		assert_int_equal(q->e[i].id, ref[i].id);
		assert_int_equal(q->e[i].nodes, ref[i].nodes);
		assert_true(q->e[i].w == ref[i].w);
	}
}

/* Drop a random ascending set: often the head, a few, or many. */
static void _drop(struct sim_queue *q)
{
	static size_t started[CAP];
	size_t n = 0, keep = 0;
	uint32_t odds = 1 + _below(20);

	for (size_t i = 0; i < nref; i++)
		if ((i == 0 && _below(2)) || _below(odds) == 0)
			started[n++] = i;
	sim_queue_drop(q, started, n);
	for (size_t i = 0, k = 0; i < nref; i++) {
		if (k < n && started[k] == i) {
			k++;
			continue;
		}
		ref[keep++] = ref[i];
	}
	nref = keep;
}

static void _search(const struct sim_queue *q)
{
	uint32_t nodes = _below(40);
	double w = _below(2) ? (double)_below(5000) : _below(500000) / 100.0;
	size_t from = nref ? _below((uint32_t)nref + 1) : 0;

	assert_int_equal(sim_queue_next_fit(q, from, nodes, w),
			 _ref_fit(from, nodes, w));
}

static void test_queue_against_array(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct sim_queue q;
		uint32_t next = 0;

		x = seed * UINT64_C(0x9E3779B97F4A7C15);
		nref = 0;
		assert_int_equal(sim_queue_init(&q, CAP), 0);
		while (next < CAP) {
			uint32_t op = _below(10);

			if (op < 5) {
				uint32_t nodes = 1 + _below(32);
				double w = nodes * (100 + _below(900));

				sim_queue_push(&q, next, nodes, w);
				ref[nref++] =
				    (struct sim_queued){next, nodes, w};
				next++;
			} else if (op < 6) {
				_drop(&q);
			} else if (op < 7) {
				for (size_t i = 0; i < nref; i++) {
					new_w[ref[i].id] = _below(30000);
					ref[i].w = new_w[ref[i].id];
				}
				sim_queue_rewatt(&q, _w_of, NULL);
			} else {
				_search(&q);
			}
			_same(&q);
		}
		sim_queue_free(&q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_queue_against_array),
	};

	return cmocka_run_group_tests_name("sim_queue", tests, NULL, NULL);
}
