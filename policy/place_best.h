/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tournament over n entries, each with or without a key: the entry of
 * least key among those with one, ties to the lowest index, kept as each
 * entry changes (O(log n) a change, O(1) to ask).  The placer keeps one
 * per level and request (place.c): the switch of least leftover among
 * those that can take the job, as the walk over every switch finds it.
 * All memory is sized at create.
 */
#ifndef PB_POLICY_PLACE_BEST_H
#define PB_POLICY_PLACE_BEST_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/power.h"

typedef struct pb_best pb_best_t;

/* n entries, none with a key; NULL when out of memory. */
pb_best_t *pb_best_create(uint32_t n);

/* NULL-safe. */
void pb_best_destroy(pb_best_t *b);

/* Entry i has key (ok) or none (!ok): the tournament follows at once. */
void pb_best_set(pb_best_t *b, uint32_t i, bool ok, pb_watts_t key);

/*
 * The same without following: after a run of loads, pb_best_build
 * before the next pb_best_get (for changing most entries at once).
 */
void pb_best_load(pb_best_t *b, uint32_t i, bool ok, pb_watts_t key);
void pb_best_build(pb_best_t *b);

/* The winning entry, or -1 when no entry has a key. */
int64_t pb_best_get(const pb_best_t *b);

#endif /* PB_POLICY_PLACE_BEST_H */
