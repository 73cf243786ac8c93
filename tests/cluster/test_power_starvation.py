#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest-timeout: 180
"""No starvation: a large high-priority job blocked by power starts no later
than when the power held at its blocking time is released (plus a few
seconds of scheduling), although a continuous stream of small jobs, each of
which would fit into the power freed first, is submitted after it."""

import time

from clustertest import ClusterTestCase, Cluster, PLUGIN_TYPE, main, plugin_dir
import powertest as pt
from pbcluster import TERMINAL_STATES

NODES = 4
# 4 idle nodes: 4 x 2800 = 11200 W; one-node full jobs add 5500 W each.
# Cap 25 kW: 11200 + 2 x 5500 = 22200 W fits, 3 nodes (27700 W) do not.
# Two small jobs S1 (8 s) and S2 (14 s) hold all the power when the large
# 2-node job L (needs 11000 W, i.e. both) is submitted. S1 ends first and
# frees 5500 W: enough for one small job of the stream, which (without a
# power reservation for L) would take it, and the next one S2's share, and
# so on: L would never see 11000 W free at once.
CAP_W = 25000
S1_SECS, S2_SECS = 8, 14
# Slurm's times have 1 s resolution; a job end triggers a scheduling pass
# at once, the periodic ones run every 2 s (sched_interval, bf_interval).
SLACK_S = 5
STREAM_EVERY_S = 1.0


def epoch(slurm_time):
    return time.mktime(time.strptime(slurm_time, "%Y-%m-%dT%H:%M:%S"))


class StarvationTest(ClusterTestCase):

    def test_large_job_not_starved_by_small_stream(self):
        pdir = plugin_dir(self)
        conf = pt.budget(f"n[1-{NODES}]", f"{CAP_W}W",
                         [("hall", "site", "1MW", f"n[1-{NODES}]")])
        with Cluster(nodes=NODES, select_type=PLUGIN_TYPE, plugin_dir=pdir,
                     files={"power_budget.conf": conf}) as c:
            # time limits of 1 min: the plugin plans with them, the jobs
            # end much earlier
            small = ["--time=1", *pt.FULL_NODE]
            s1 = c.sbatch(["-J", "S1", *small], f"sleep {S1_SECS}")
            s2 = c.sbatch(["-J", "S2", *small], f"sleep {S2_SECS}")
            c.wait_jobs([s1, s2], state="RUNNING", timeout=30)
            big = c.sbatch(["-J", "L", "-N2", "--time=1", *pt.FULL_NODE],
                           "sleep 2")
            submitted, reasons_l, reasons_s, stream = [], set(), set(), []
            sbatch_s = []
            last = {}

            def l_started():
                q = last["q"] = pt.queue(c)
                return q[big][0] != "PENDING"

            def while_l_waits(started):
                """Every sample while L waits: the reasons shown, then the
                next small job of the stream, one each STREAM_EVERY_S."""
                if started:
                    return
                q = last["q"]
                reasons_l.add(q[big][1])
                reasons_s.update(q[j][1] for j in stream if j in q)
                t0 = time.time()
                r = c.sbatch(["-J", "s", "--time=1", *pt.FULL_NODE],
                             "sleep 3", check=False)
                if r.returncode != 0:
                    raise AssertionError(f"sbatch: {r.stderr}")
                stream.append(int(r.stdout.strip().split(";")[0]))
                submitted.append(time.time())
                # how long each submission took, and what sbatch said:
                # a gap in the stream is then told from a slow squeue
                sbatch_s.append((round(submitted[-1] - t0, 1),
                                 r.stderr.strip()))
            pt.poll_until(l_started, 60, "L started", each=while_l_waits,
                          interval=STREAM_EVERY_S,
                          detail=lambda: f"{last['q']}\n{c.logs(30)}")
            started_l = {j: v for j, v in pt.queue(c).items()
                         if j in stream and v[0] != "PENDING"}
            c.run(["scancel", "--state=PENDING", "--name=s"])
            jl, j1, j2 = c.job(big), c.job(s1), c.job(s2)
            start_l = epoch(jl["StartTime"])
            released = max(epoch(j1["EndTime"]), epoch(j2["EndTime"]))
            prio = {int(line.split()[0]): int(line.split()[1])
                    for line in c.squeue("%i %Q", ["-t", "all"]).splitlines()}
            c.wait_jobs([big, s1, s2], timeout=30)
            pt.poll_until(lambda: all(
                st in TERMINAL_STATES for st in c.jobs_state(stream).values()),
                60, "the small jobs to end", interval=1.0, cluster=c)

            print(f"  L pending {start_l - epoch(jl['SubmitTime']):.0f} s, "
                  f"started {start_l - released:+.0f} s after S1+S2 ended; "
                  f"{len(stream)} small jobs submitted meanwhile, "
                  f"{len(started_l)} started before L; L's reasons: "
                  f"{sorted(reasons_l)}", flush=True)
            # the stream was continuous while L waited and outlasted S1
            self.assertGreaterEqual(len(stream), S2_SECS - S1_SECS)
            gaps = [b - a for a, b in zip(submitted, submitted[1:])]
            self.assertLess(max(gaps), 3 * STREAM_EVERY_S,
                            f"gaps {gaps}; sbatch seconds and stderr "
                            f"{sbatch_s}\n{c.logs(60)}")
            self.assertGreater(submitted[-1], epoch(j1["EndTime"]))
            # L outranks every small job of the stream
            self.assertTrue(all(prio[j] < prio[big] for j in stream if j in prio),
                            prio)
            # L was held back by power, and said so
            self.assertTrue(any(r.startswith(("PowerNotAvail", "PowerReserved"))
                                for r in reasons_l), reasons_l)
            # and the small jobs were told why they wait: L's reservation
            self.assertTrue(any(r.startswith("PowerReserved: site short")
                                for r in reasons_s), reasons_s)
            # the point: no later than the power held when L was blocked
            # (S1's and S2's) came free, give or take SLACK_S
            self.assertLessEqual(start_l, released + SLACK_S,
                                 f"L started {start_l - released:.0f} s after "
                                 f"S1 and S2 ended; small jobs that started "
                                 f"first: {started_l}")
            self.assertEqual(started_l, {},
                             "small jobs took power L was waiting for")
        self.assertTornDown(c)


if __name__ == "__main__":
    main()
