/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prom.h - a parsed status file as Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector: per domain the
 * cap, limit, committed, headroom, reserved and measured-above-model
 * watts, per running job its watts and GPU limit, the number of jobs held
 * by power, and when slurmctld wrote the file.
 */
#ifndef PB_TOOLS_PROM_H
#define PB_TOOLS_PROM_H

#include <stdio.h>

#include "tools/pb_status/status.h"

/* Writes the metrics to out; 0, or -1 on a write error. */
extern int pb_render_prometheus(const pb_status_t *s, FILE *out);

#endif
