/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A string -> index hash map (open addressing) for name lookups in the
 * site and the network tree (12,500+ nodes).  Keys are borrowed: the
 * owner keeps each key string alive and unchanged while it is mapped.
 * Internal to policy/.
 */
#ifndef PB_POLICY_STRMAP_H
#define PB_POLICY_STRMAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct pb_strmap pb_strmap_t;

/* An empty map; NULL if out of memory. */
pb_strmap_t *pb_strmap_create(void);

/* NULL-safe; the keys are not freed. */
void pb_strmap_destroy(pb_strmap_t *m);

/*
 * Map key to val (>= 0).  Returns 0, 1 if key is already present (map
 * unchanged), or -1 if out of memory (map unchanged).
 */
int pb_strmap_insert(pb_strmap_t *m, const char *key, int32_t val);

/* Whether insert would need memory it cannot get: grow ahead of time. */
int pb_strmap_reserve(pb_strmap_t *m, uint32_t n);

/* The value mapped to key, or -1. */
int32_t pb_strmap_get(const pb_strmap_t *m, const char *key);

#endif /* PB_POLICY_STRMAP_H */
