/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measured draw against the model: readings of what nodes and domains
 * really draw (slurmctld's node energy data, a site's PDU or breaker
 * meters) turned into the draw the model misses in each domain, which
 * the ledger then takes off that domain's limit
 * (pb_ledger_set_unmodelled), so that admission never trusts the model
 * below what is measured.  Pure arithmetic over the ledger; no clock: how
 * old a reading may be is the caller's rule.
 *
 * The rule.  Readings are IT watts; r < 0 means no reading.  Jobs that
 * started after the readings were taken were not in them: since_* holds
 * their modelled watts (pb_ledger_job_add of each), added to the reading.
 *   node n read:    over(n) = max(0, r(n) + since(n) - draw(n))
 *   domain d:       own(d)  = max(0, r(d) + since(d) - committed(d)) if
 *                             read, else 0
 *                   below(d) = sum of over(n) of its own nodes
 *                            + sum of unmodelled(c) of its children
 *                   unmodelled(d) = max(own(d), below(d))
 * A domain's reading already holds what is under it, so the larger of the
 * two is what the model misses there.  So the load admission sees is
 *   committed(d) + unmodelled(d) >= max(modelled, measured + started since)
 * Jobs that ended since the reading are still in it: an over-estimate,
 * the safe side, until the next reading.
 */
#ifndef PB_POLICY_MEASURED_H
#define PB_POLICY_MEASURED_H

#include "policy/ledger.h"

/*
 * out[pb_site_domain_count()] = unmodelled(d) by the rule above.
 * node_w [nodes], dom_w [domains], since_node [nodes], since_dom
 * [domains]; any may be NULL (no readings / nothing started since).
 * No side effects.
 */
void pb_measured_unmodelled(const pb_ledger_t *l, const pb_watts_t *node_w,
			    const pb_watts_t *dom_w,
			    const pb_watts_t *since_node,
			    const pb_watts_t *since_dom, pb_watts_t *out);

#endif /* PB_POLICY_MEASURED_H */
