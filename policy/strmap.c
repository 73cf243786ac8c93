/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * String -> index hash map (see strmap.h): linear probing, load factor at
 * most one half.  Names are never removed from a site or a net, so there
 * is no deletion.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/strmap.h"

struct slot {
	const char *key;
	uint32_t hash;
	int32_t val;
};

struct pb_strmap {
	struct slot *slots;
	uint32_t cap; /* power of two */
	uint32_t used;
};

static uint32_t _hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

pb_strmap_t *pb_strmap_create(void)
{
	pb_strmap_t *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 16;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void pb_strmap_destroy(pb_strmap_t *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static void _place(struct slot *slots, uint32_t cap, struct slot s)
{
	uint32_t i = s.hash & (cap - 1);

	while (slots[i].key)
		i = (i + 1) & (cap - 1);
	slots[i] = s;
}

static int _grow(pb_strmap_t *m, uint32_t newcap)
{
	struct slot *ns = calloc(newcap, sizeof(*ns));

	if (!ns)
		return -1;
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			_place(ns, newcap, m->slots[i]);
	free(m->slots);
	m->slots = ns;
	m->cap = newcap;
	return 0;
}

int pb_strmap_reserve(pb_strmap_t *m, uint32_t n)
{
	uint32_t cap = m->cap;

	/* keep the load factor at or under one half */
	while ((uint64_t)n * 2 > cap)
		cap *= 2;
	if (cap == m->cap)
		return 0;
	return _grow(m, cap);
}

static int64_t _find(const pb_strmap_t *m, const char *key, uint32_t h)
{
	uint32_t i = h & (m->cap - 1);

	while (m->slots[i].key) {
		if (m->slots[i].hash == h && !strcmp(m->slots[i].key, key))
			return i;
		i = (i + 1) & (m->cap - 1);
	}
	return -1;
}

int pb_strmap_insert(pb_strmap_t *m, const char *key, int32_t val)
{
	uint32_t h = _hash(key);
	struct slot s = {key, h, val};

	if (_find(m, key, h) >= 0)
		return 1;
	if (pb_strmap_reserve(m, m->used + 1))
		return -1;
	_place(m->slots, m->cap, s);
	m->used++;
	return 0;
}

int32_t pb_strmap_get(const pb_strmap_t *m, const char *key)
{
	int64_t i = _find(m, key, _hash(key));

	return i < 0 ? -1 : m->slots[i].val;
}
