/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between the Slurm releases the plugin is built for: Debian
 * 12's 22.05, Debian 13's 24.11 and Debian unstable's 26.05. Everything
 * release-specific in plugin/ is decided here or in the files that include
 * this one with an #if on SLURM_VERSION_NUMBER (select_cons_tres_power.c,
 * forward.c, api_symbols.c, switches.c, reasons.c, lastgood.c, hooks.c);
 * the rest of plugin/ is written once, in 22.05's names.
 *
 * Other releases are refused at compile time: each one changes the select
 * interface or the structures the plugin reads, and only these three are
 * built and tested (docs/slurm-behaviour.md).
 */
#ifndef PB_PLUGIN_COMPAT_H
#define PB_PLUGIN_COMPAT_H

#include "slurm/slurm.h"
#include "slurm/slurm_version.h"

#define PB_SLURM_AT_LEAST(major, minor)                                        \
	(SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(major, minor, 0))
#define PB_SLURM_IS(major, minor)                                              \
	(SLURM_VERSION_MAJOR(SLURM_VERSION_NUMBER) == (major) &&               \
	 SLURM_VERSION_MINOR(SLURM_VERSION_NUMBER) == (minor))

#if !PB_SLURM_IS(22, 5) && !PB_SLURM_IS(24, 11) && !PB_SLURM_IS(26, 5)
#error "select/cons_tres_power is built for Slurm 22.05, 24.11 and 26.05 only"
#endif

#include "src/common/bitstring.h"
#include "src/common/list.h"

/* 23.02 moved the plugin interfaces from src/common to src/interfaces. */
#if PB_SLURM_AT_LEAST(23, 2)
#include "src/interfaces/gres.h"
#include "src/interfaces/preempt.h"
#include "src/interfaces/select.h"
#include "src/interfaces/topology.h"
#else
#include "src/common/gres.h"
#include "src/common/select.h"
#include "src/common/slurm_topology.h"
#include "src/slurmctld/preempt.h"
#endif

#include "src/slurmctld/slurmctld.h"

/*
 * A bitstr_t is a magic word, the bit count, then the bits, 64 to a word
 * (bitstring.c). 22.05's bitstring.h names the first two; from 23.02 they
 * are private to bitstring.c, with the same values in 24.11.5 and 26.05.
 * hooks.c checks the magic and the count of each bitmap before it reads
 * words, and goes bit by bit when they do not match.
 */
#ifdef BITSTR_MAGIC
#define PB_BITSTR_MAGIC BITSTR_MAGIC
#define PB_BITSTR_OVERHEAD BITSTR_OVERHEAD
#else
#define PB_BITSTR_MAGIC 0x42434445
#define PB_BITSTR_OVERHEAD 2
#endif

/*
 * 26.05 runs threads through a pool (src/common/threadpool.h): each is
 * named, and one is joined through the pool, not with pthread_join().
 */
#if PB_SLURM_AT_LEAST(26, 5)
#include "src/common/threadpool.h"
#define pb_thread_create(name, id, func, arg)                                  \
	slurm_thread_create(name, id, func, arg)
#define pb_thread_join(id) slurm_thread_join(id)
#else
#define pb_thread_create(name, id, func, arg) slurm_thread_create(id, func, arg)
#define pb_thread_join(id) pthread_join(id, NULL)
#endif

/*
 * 24.05 dropped the List and ListIterator typedefs for list_t * and
 * list_itr_t *; the plugin keeps the old names.
 */
#if PB_SLURM_AT_LEAST(24, 5)
typedef list_t *List;
typedef list_itr_t *ListIterator;
#endif

/* struct job_details is job_details_t after 22.05, and only that then. */
#if PB_SLURM_IS(22, 5)
typedef struct job_details job_details_t;
#endif

/*
 * node_name2bitmap() has a fourth argument after 22.05 (the names it did
 * not find; NULL: not wanted).
 */
#if PB_SLURM_AT_LEAST(23, 2)
#define pb_node_name2bitmap(names, best_effort, bitmap)                        \
	node_name2bitmap(names, best_effort, bitmap, NULL)
#else
#define pb_node_name2bitmap(names, best_effort, bitmap)                        \
	node_name2bitmap(names, best_effort, bitmap)
#endif

/*
 * The arguments of select_p_job_test after preemptee_job_list, which the
 * plugin only passes on to cons_tres: 22.05 has the cores reservations
 * exclude; 23.02 made that a resv_exc_t and 23.11 added will_run_data_t.
 */
typedef struct {
#if PB_SLURM_AT_LEAST(23, 11)
	resv_exc_t *resv_exc_ptr;
	will_run_data_t *will_run_ptr;
#else
	bitstr_t *exc_core_bitmap;
#endif
} pb_job_test_tail_t;

/*
 * select_p_job_init(job_list) ran after the recovered jobs were read, at
 * every start and reconfigure, until 25.05 removed it together with
 * select_p_state_save/state_restore.
 */
#define PB_HAVE_JOB_INIT (!PB_SLURM_AT_LEAST(25, 5))

/*
 * The step calls and the select_jobinfo_t / select_nodeinfo_t calls
 * (pack, unpack, alloc, free, get, ...), also gone in 25.05.
 */
#define PB_HAVE_SELECT_INFO (!PB_SLURM_AT_LEAST(25, 5))

/*
 * WAIT_POWER_NOT_AVAIL and WAIT_POWER_RESERVED (PowerNotAvail,
 * PowerReserved) are gone since 24.05 (DEFUNCT_WAIT_76/77). Without them
 * a power-held job keeps WAIT_RESOURCES and the plugin's state_desc, which
 * squeue %R and scontrol's Reason= print in its place on every release.
 */
#define PB_HAVE_WAIT_POWER (!PB_SLURM_AT_LEAST(24, 5))

/*
 * Since 23.11 `scontrol reconfigure` starts slurmctld anew
 * (_try_to_reconfig() in controller.c execs it with SLURMCTLD_RECONF=1),
 * so no previous model survives in memory: the plugin keeps a copy of the
 * last good power_budget.conf in StateSaveLocation for a reconfigure
 * with a bad file (lastgood.h). Before, read_slurm_conf() ran again in
 * the same process, which still held the previous model.
 */
#define PB_RECONFIG_REEXECS PB_SLURM_AT_LEAST(23, 11)

/*
 * Suspending, resuming and requeueing a job from inside slurmctld, as its
 * gang scheduler does (uid 0: the plugin acts as SlurmUser). job_suspend()
 * lost its conn_fd for a leading slurm_msg_t in 24.11; 25.11 replaced
 * job_requeue(job_id) by job_requeue_internal(job_ptr). Callers hold the
 * job and node write locks (and the federation read lock for requeue).
 */
static inline int pb_job_suspend_op(job_record_t *job, uint16_t op)
{
	suspend_msg_t msg = {.job_id = job->job_id, .op = op};

#if PB_SLURM_AT_LEAST(24, 11)
	return job_suspend(NULL, &msg, 0, false, NO_VAL16);
#else
	return job_suspend(&msg, 0, -1, false, NO_VAL16);
#endif
}

static inline int pb_job_requeue(job_record_t *job)
{
#if PB_SLURM_AT_LEAST(25, 11)
	return job_requeue_internal(0, job, false, 0);
#else
	return job_requeue(0, job->job_id, NULL, false, 0);
#endif
}

#endif
