/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slurm node bitmaps to the policy's site bitsets and back (see
 * sitebits.h).
 */
#include "config.h"

#include <stdint.h>

#include "src/common/slurm_xlator.h"
#include "src/common/bitstring.h"

#include "plugin/compat.h"
#include "plugin/sitebits.h"

/*
 * The words of a Slurm bitmap, so that a pass over a node bitmap costs a
 * word, not a call, per 64 nodes: bitstring.c keeps a magic word and the
 * bit count first (PB_BITSTR_OVERHEAD words, compat.h), then bit i in
 * word i / 64 at 1 << (i % 64). NULL when the bitmap is not laid out so
 * (big-endian, or a release that changed it): the callers then go bit by
 * bit.
 */
static uint64_t *_bitmap_words(bitstr_t *b, int64_t *nbits)
{
#ifdef SLURM_BIGENDIAN
	return NULL;
#else
	if (b[0] != PB_BITSTR_MAGIC || b[1] != bit_size(b))
		return NULL;
	*nbits = b[1];
	return (uint64_t *)(b + PB_BITSTR_OVERHEAD);
#endif
}

/* Word k of @w, without the bits at or past @nbits (Slurm leaves those be). */
static uint64_t _word(const uint64_t *w, int64_t k, int64_t nbits)
{
	int64_t left = nbits - k * 64;

	return left >= 64 ? w[k] : w[k] & ((UINT64_C(1) << left) - 1);
}

extern uint32_t sitebits_to_site(const model_t *model, bitstr_t *bitmap,
				 pb_bitset_t *out)
{
	int64_t nbits = 0;
	uint64_t *w = _bitmap_words(bitmap, &nbits);
	uint64_t *o = pb_bitset_words_mut(out);

	pb_bitset_clear_all(out);
	if (w && model->identity && nbits == pb_bitset_size(out)) {
		uint32_t n = 0;

		for (int64_t k = 0; k * 64 < nbits; k++) {
			o[k] = _word(w, k, nbits);
			n += __builtin_popcountll(o[k]);
		}
		return n;
	}
	if (!w) {
		for (int64_t i = 0, n = bit_size(bitmap); i < n; i++) {
			int32_t site;

			if (bit_test(bitmap, i) &&
			    (site = model_site_node(model, i)) >= 0)
				pb_bitset_set(out, site);
		}
		return pb_bitset_count(out);
	}
	for (int64_t k = 0; k * 64 < nbits; k++) {
		for (uint64_t bits = _word(w, k, nbits); bits;
		     bits &= bits - 1) {
			int32_t site = model_site_node(
			    model, k * 64 + __builtin_ctzll(bits));

			if (site >= 0)
				o[site / 64] |= UINT64_C(1) << (site % 64);
		}
	}
	return pb_bitset_count(out);
}

extern void sitebits_narrow(const model_t *model, bitstr_t *bitmap,
			    const pb_bitset_t *keep)
{
	int64_t nbits = 0;
	uint64_t *w = _bitmap_words(bitmap, &nbits);
	const uint64_t *k = pb_bitset_words(keep);

	if (w && model->identity && nbits == pb_bitset_size(keep)) {
		for (uint32_t i = 0; i < pb_bitset_word_count(keep); i++)
			w[i] &= k[i];
		return;
	}
	if (!w) {
		for (int64_t i = 0, n = bit_size(bitmap); i < n; i++) {
			int32_t site;

			if (!bit_test(bitmap, i))
				continue;
			site = model_site_node(model, i);
			if (site < 0 || !pb_bitset_test(keep, site))
				bit_clear(bitmap, i);
		}
		return;
	}
	for (int64_t j = 0; j * 64 < nbits; j++) {
		uint64_t word = _word(w, j, nbits);

		for (uint64_t bits = word; bits; bits &= bits - 1) {
			int b = __builtin_ctzll(bits);
			int32_t site = model_site_node(model, j * 64 + b);

			if (site < 0 || !((k[site / 64] >> (site % 64)) & 1))
				word &= ~(UINT64_C(1) << b);
		}
		w[j] = word;
	}
}

extern int64_t sitebits_next(bitstr_t *bitmap, int64_t from)
{
	int64_t nbits = 0;
	uint64_t *w = _bitmap_words(bitmap, &nbits);

	if (from < 0)
		from = 0;
	if (!w) {
		for (int64_t n = bit_size(bitmap); from < n; from++) {
			if (bit_test(bitmap, from))
				return from;
		}
		return -1;
	}
	for (int64_t k = from / 64; k * 64 < nbits; k++) {
		uint64_t bits = _word(w, k, nbits);

		if (k == from / 64)
			bits &= ~UINT64_C(0) << (from % 64);
		if (bits)
			return k * 64 + __builtin_ctzll(bits);
	}
	return -1;
}
