/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * locate.h - where the plugin writes its status file, found the way the
 * plugin decides it (plugin/status.c): StatusFile= of the power_budget.conf
 * beside slurm.conf, else power_budget.status in slurm.conf's
 * StateSaveLocation (Slurm's default /var/spool when it sets none).
 */
#ifndef PB_TOOLS_LOCATE_H
#define PB_TOOLS_LOCATE_H

#include <stddef.h>

#include "policy/error.h"

#define PB_LOCATE_DEFAULT_NAME "power_budget.status"
#define PB_LOCATE_SLURM_DEFAULT_STATE "/var/spool"

/*
 * Returns the status file's path (malloc'd) for slurm.conf at @slurm_conf,
 * and in @how which setting chose it; NULL with the reason in @err when
 * neither file can be read.  The files are only scanned for the two keys:
 * a line the scan cannot split (an Include, a typo) is skipped, since
 * pb-check, not pb-status, is the place to report it.
 */
extern char *pb_locate_status(const char *slurm_conf, char *how, size_t how_len,
			      pb_error_t *err);

/*
 * The last value of @key in the Key=Value file @path (Slurm: the last
 * setting wins), malloc'd; NULL with @err->text empty when the file has no
 * such key, NULL with the reason in @err when it cannot be read.  @err may
 * be NULL when the reason does not matter.
 */
extern char *pb_locate_scan(const char *path, const char *key, pb_error_t *err);

#endif
