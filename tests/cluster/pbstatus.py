# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin's ledger status file (power_budget.status, see pb-status(1)),
parsed for the cluster tests and scripts/demo.py. Standard library only."""

import re
import time


def status_path(c):
    """Where a test cluster's plugin writes its status file (the default:
    StateSaveLocation/power_budget.status)."""
    return c.path("state", "power_budget.status")


def _kv(line):
    """Key=Value tokens of one status line; "quoted values" may hold blanks."""
    return dict(re.findall(r'(\w+)=("[^"]*"|\S*)', line))


def read_status(path):
    """The status file at `path` as {"generated": int, "domains": {name: kv},
    "nodes": {name: kv}, "jobs": {id: kv}, "held": {id: reason},
    "jobtest": {mode: {Calls, TotalUs, ConsTresUs, TotalCpuUs, ConsTresCpuUs,
    ConsTresCalls, PowerOnly, TotalVcsw, TotalIvcsw, ConsTresVcsw,
    ConsTresIvcsw}}, "text": the file}; job ids are ints, kv
    values strings as written. None while the file does not exist."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    out = {"generated": 0, "domains": {}, "nodes": {}, "jobs": {}, "held": {},
           "jobtest": {}, "text": text}
    for line in text.splitlines():
        kv = _kv(line)
        if line.startswith("Status="):
            out["generated"] = int(kv.get("Generated", 0))
        elif line.startswith("Domain="):
            out["domains"][kv["Domain"]] = kv
        elif line.startswith("Node="):
            out["nodes"][kv["Node"]] = kv
        elif line.startswith("Job="):
            out["jobs"][int(kv["Job"])] = kv
        elif line.startswith("Held="):
            out["held"][int(kv["Held"])] = kv.get("Reason", "").strip('"')
        elif line.startswith("JobTest="):
            out["jobtest"][kv["JobTest"]] = {k: int(v) for k, v in kv.items()
                                             if k != "JobTest"}
    return out


def over_caps(status, caps=None):
    """What is over its cap in a read_status() result, as "domain:
    CommittedW X > ..." strings (none for a missing status): each domain
    of `caps` ({domain: watts}) against those watts, or without caps
    every domain against its own LimitW. The one cap check of the tests;
    they compute the watts they expect themselves."""
    if not status:
        return []
    doms = status["domains"]
    if caps is None:
        return [f"{n}: CommittedW {d['CommittedW']} > LimitW {d['LimitW']}"
                for n, d in doms.items()
                if int(d["CommittedW"]) > int(d["LimitW"])]
    return [f"{n}: CommittedW {doms[n]['CommittedW']} > cap {w} W"
            for n, w in caps.items() if int(doms[n]["CommittedW"]) > w]


class CapWatch:
    """The one cap watcher of the tests. Each call reads cluster c's
    status file and checks it: each domain of `caps` ({domain: watts})
    against those watts, and with limits=True every domain against its own
    LimitW (over_caps). A status generated before `since` (epoch s), or
    none at all, is not checked. A status over a cap fails at once
    (AssertionError, with the file), or with record=True is kept in
    violations as (time, [what is over]) for the caller's thread to
    report. Counts the statuses checked (samples) and keeps each domain of
    caps' peak CommittedW (every domain's, without caps) in peak; returns
    the status checked, else None. It takes and ignores an argument, so
    it is both poll_until's each= and a hold_for check."""

    def __init__(self, c, caps=None, limits=False, since=0, record=False):
        self.c, self.caps, self.limits = c, dict(caps or {}), limits
        self.since, self.record = since, record
        self.samples, self.peak, self.violations = 0, {}, []

    def __call__(self, _sample=None):
        s = read_status(status_path(self.c))
        if not s or s["generated"] < self.since:
            return None
        self.samples += 1
        for d in self.caps or s["domains"]:
            w = int(s["domains"][d]["CommittedW"])
            self.peak[d] = max(self.peak.get(d, 0), w)
        bad = over_caps(s, self.caps) if self.caps else []
        if self.limits:
            bad += over_caps(s)
        if bad and self.record:
            self.violations.append((time.time(), bad))
        elif bad:
            raise AssertionError("over a cap: " + "; ".join(bad) + "\n" +
                                 s["text"])
        return s
