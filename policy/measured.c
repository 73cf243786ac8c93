/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measured draw against the model (see measured.h).
 */
#include "policy/measured.h"

static pb_watts_t _pos(pb_watts_t w)
{
	return w > 0 ? w : 0;
}

static pb_watts_t _at(const pb_watts_t *a, uint32_t i)
{
	return a ? a[i] : 0;
}

void pb_measured_unmodelled(const pb_ledger_t *l, const pb_watts_t *node_w,
			    const pb_watts_t *dom_w,
			    const pb_watts_t *since_node,
			    const pb_watts_t *since_dom, pb_watts_t *out)
{
	const pb_site_t *site = pb_ledger_site(l);
	uint32_t nn = pb_site_node_count(site), nd = pb_site_domain_count(site);

	for (uint32_t d = 0; d < nd; d++)
		out[d] = 0;
	for (uint32_t n = 0; node_w && n < nn; n++) {
		if (node_w[n] < 0)
			continue;
		out[pb_site_node_domain(site, n)] += _pos(
		    node_w[n] + _at(since_node, n) - pb_ledger_node_draw(l, n));
	}
	/* children are numbered after their parent: leaves first */
	for (uint32_t d = nd; d-- > 0;) {
		int32_t parent = pb_site_domain_parent(site, d);

		if (dom_w && dom_w[d] >= 0) {
			pb_watts_t own = _pos(dom_w[d] + _at(since_dom, d) -
					      pb_ledger_committed(l, d));

			if (own > out[d])
				out[d] = own;
		}
		if (parent >= 0)
			out[parent] += out[d];
	}
}
