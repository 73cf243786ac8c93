/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixed-size bitset over 64-bit words (see bitset.h).  Bits past nbits
 * in the last word are kept clear so count and next need no masking.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/bitset.h"

struct pb_bitset {
	uint32_t nbits;
	uint32_t nwords;
	uint64_t words[];
};

pb_bitset_t *pb_bitset_create(uint32_t nbits)
{
	uint32_t nwords = (nbits + 63) / 64;
	pb_bitset_t *b = calloc(1, sizeof(*b) + (size_t)nwords * 8);

	if (!b)
		return NULL;
	b->nbits = nbits;
	b->nwords = nwords;
	return b;
}

void pb_bitset_destroy(pb_bitset_t *b)
{
	free(b);
}

uint32_t pb_bitset_size(const pb_bitset_t *b)
{
	return b->nbits;
}

void pb_bitset_set(pb_bitset_t *b, uint32_t i)
{
	if (i < b->nbits)
		b->words[i / 64] |= UINT64_C(1) << (i % 64);
}

void pb_bitset_clear(pb_bitset_t *b, uint32_t i)
{
	if (i < b->nbits)
		b->words[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

bool pb_bitset_test(const pb_bitset_t *b, uint32_t i)
{
	if (i >= b->nbits)
		return false;
	return (b->words[i / 64] >> (i % 64)) & 1;
}

void pb_bitset_clear_all(pb_bitset_t *b)
{
	memset(b->words, 0, (size_t)b->nwords * 8);
}

void pb_bitset_set_all(pb_bitset_t *b)
{
	memset(b->words, 0xff, (size_t)b->nwords * 8);
	if (b->nbits % 64)
		b->words[b->nwords - 1] = (UINT64_C(1) << (b->nbits % 64)) - 1;
}

uint32_t pb_bitset_count(const pb_bitset_t *b)
{
	uint32_t n = 0;

	for (uint32_t w = 0; w < b->nwords; w++)
		n += (uint32_t)__builtin_popcountll(b->words[w]);
	return n;
}

int pb_bitset_copy(pb_bitset_t *dst, const pb_bitset_t *src)
{
	if (dst->nbits != src->nbits)
		return -1;
	memcpy(dst->words, src->words, (size_t)src->nwords * 8);
	return 0;
}

int64_t pb_bitset_next(const pb_bitset_t *b, uint32_t from)
{
	uint32_t w;
	uint64_t bits;

	if (from >= b->nbits)
		return -1;
	w = from / 64;
	bits = b->words[w] & (~UINT64_C(0) << (from % 64));
	for (;;) {
		if (bits)
			return (int64_t)w * 64 + __builtin_ctzll(bits);
		if (++w >= b->nwords)
			return -1;
		bits = b->words[w];
	}
}

uint32_t pb_bitset_word_count(const pb_bitset_t *b)
{
	return b->nwords;
}

const uint64_t *pb_bitset_words(const pb_bitset_t *b)
{
	return b->words;
}

uint64_t *pb_bitset_words_mut(pb_bitset_t *b)
{
	return b->words;
}
