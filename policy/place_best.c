/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tournament of place_best.h: the entries' keys, and the winner of
 * every subtree of a complete binary tree over them (win, heap order:
 * the root at 1, the leaves from size on).
 */
#include <stdlib.h>

#include "policy/place_best.h"

#define NONE UINT32_MAX

struct pb_best {
	uint32_t n, size; /* size: the leaves, a power of two >= n */
	pb_watts_t *key;  /* [n] */
	uint32_t *win;	  /* [2 * size] */
};

pb_best_t *pb_best_create(uint32_t n)
{
	pb_best_t *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->n = n;
	b->size = 1;
	while (b->size < n)
		b->size *= 2;
	b->key = calloc(n + 1, sizeof(*b->key));
	b->win = malloc(2 * (size_t)b->size * sizeof(*b->win));
	if (!b->key || !b->win) {
		pb_best_destroy(b);
		return NULL;
	}
	for (uint32_t j = 0; j < 2 * b->size; j++)
		b->win[j] = NONE;
	return b;
}

void pb_best_destroy(pb_best_t *b)
{
	if (!b)
		return;
	free(b->key);
	free(b->win);
	free(b);
}

/* The winner of two subtrees' winners, x's lying left of y's. */
static inline uint32_t _winner(const pb_best_t *b, uint32_t x, uint32_t y)
{
	if (x == NONE)
		return y;
	if (y == NONE)
		return x;
	/* the left one has the lower index: it keeps a tie */
	return b->key[y] < b->key[x] ? y : x;
}

void pb_best_load(pb_best_t *b, uint32_t i, bool ok, pb_watts_t key)
{
	b->key[i] = key;
	b->win[b->size + i] = ok ? i : NONE;
}

void pb_best_set(pb_best_t *b, uint32_t i, bool ok, pb_watts_t key)
{
	pb_best_load(b, i, ok, key);
	for (uint32_t j = (b->size + i) / 2; j; j /= 2)
		b->win[j] = _winner(b, b->win[2 * j], b->win[2 * j + 1]);
}

void pb_best_build(pb_best_t *b)
{
	for (uint32_t j = b->size - 1; j; j--)
		b->win[j] = _winner(b, b->win[2 * j], b->win[2 * j + 1]);
}

int64_t pb_best_get(const pb_best_t *b)
{
	uint32_t w = b->win[1];

	return w == NONE ? -1 : (int64_t)w;
}
