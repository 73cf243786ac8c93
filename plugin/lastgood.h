/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The last good power_budget.conf, kept in StateSaveLocation for the
 * releases where `scontrol reconfigure` starts slurmctld anew (23.11 and
 * later, PB_RECONFIG_REEXECS in compat.h): the new process has no
 * previous model in memory, so a bad file at reconfigure falls back to
 * this copy instead of stopping slurmctld. At a real startup a bad file
 * still stops it; the copy is only for a process started by a
 * reconfigure.
 *
 * The copy is a directory, <StateSaveLocation>/power_budget.saved: the
 * file as it was loaded, with each NodeClass's Topology= pointing at a
 * copy of that hwloc export beside it (so an export changed or removed
 * since cannot change the copy), and the file's original path. Called in
 * node_init only, with slurmctld's write locks held.
 */
#ifndef PB_PLUGIN_LASTGOOD_H
#define PB_PLUGIN_LASTGOOD_H

#include <stdbool.h>

/* Was this slurmctld started by a reconfigure (not by a real start)? */
extern bool lastgood_reconfigure_start(void);

/*
 * @path was loaded and bound without error: save it (and its exports) as
 * the last good copy. Errors are logged; the copy in place stays then.
 */
extern void lastgood_save(const char *path);

/*
 * The last good copy's power_budget.conf path (xmalloc'd) and, in
 * *source, the path it was copied from (xmalloc'd); NULL with *errmsg
 * (xmalloc'd) if there is none.
 */
extern char *lastgood_path(char **source, char **errmsg);

#endif
