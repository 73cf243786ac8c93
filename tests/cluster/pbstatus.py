# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin's ledger status file (power_budget.status, see pb-status(1)),
parsed for the cluster tests and scripts/demo.py. Standard library only."""

import re


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
    ConsTresCalls, PowerOnly}}, "text": the file}; job ids are ints, kv
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
