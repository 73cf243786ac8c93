/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixed-size bitset for node sets (indices are site node indices).
 * The plugin converts Slurm's bitstr_t to and from it; policy/ never sees
 * a Slurm type.
 */
#ifndef PB_POLICY_BITSET_H
#define PB_POLICY_BITSET_H

#include <stdbool.h>
#include <stdint.h>

typedef struct pb_bitset pb_bitset_t;

/* An all-clear set of nbits bits; NULL if out of memory. */
pb_bitset_t *pb_bitset_create(uint32_t nbits);

/* NULL-safe. */
void pb_bitset_destroy(pb_bitset_t *b);

uint32_t pb_bitset_size(const pb_bitset_t *b);

/* Out-of-range indices are ignored by set/clear and test false. */
void pb_bitset_set(pb_bitset_t *b, uint32_t i);
void pb_bitset_clear(pb_bitset_t *b, uint32_t i);
bool pb_bitset_test(const pb_bitset_t *b, uint32_t i);

void pb_bitset_clear_all(pb_bitset_t *b);
void pb_bitset_set_all(pb_bitset_t *b);

/* Number of set bits. */
uint32_t pb_bitset_count(const pb_bitset_t *b);

/*
 * Copy src into dst.  Returns 0, or -1 if the sizes differ (dst unchanged).
 */
int pb_bitset_copy(pb_bitset_t *dst, const pb_bitset_t *src);

/*
 * Iteration: the first set bit at index >= from, or -1 if none.
 *   for (int64_t i = pb_bitset_next(b, 0); i >= 0; i = pb_bitset_next(b, i +
 * 1))
 */
int64_t pb_bitset_next(const pb_bitset_t *b, uint32_t from);

/*
 * Word access, for passes that go 64 nodes at a time: bit i is
 * (words[i / 64] >> (i % 64)) & 1, over pb_bitset_word_count() words.
 * Bits past the size are always clear; whoever writes through
 * pb_bitset_words_mut() must keep them so.
 */
uint32_t pb_bitset_word_count(const pb_bitset_t *b);
const uint64_t *pb_bitset_words(const pb_bitset_t *b);
uint64_t *pb_bitset_words_mut(pb_bitset_t *b);

#endif /* PB_POLICY_BITSET_H */
