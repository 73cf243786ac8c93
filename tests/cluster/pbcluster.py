#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A real, throw-away Slurm cluster on 127.0.0.1 for powerbudget's tests.

Starts munged (own key and socket), slurmctld and one slurmd per node (Debian's
Slurm is built with multiple-slurmd) from the installed Debian packages, all in
a temporary directory with free ports and fake GPU device files, and always
tears everything down again.

    from pbcluster import Cluster
    with Cluster(nodes=4, select_type="select/cons_tres_power",
                 plugin_dir="/path/to/build/plugin") as c:
        jid = c.sbatch(["-N2", "--gpus-per-node=8"], "sleep 1")
        c.wait_jobs([jid])
        print(c.nodes_of(jid))

Command line (for demos and debugging by hand):

    pbcluster.py up  [--nodes N] [--select-type T] [--plugin-dir D] [--keep]
    pbcluster.py run [options] -- CMD ARGS...

Only Python's standard library is used. The harness kills nothing but what it
started: the process groups of its daemons, and leftover processes (slurmstepd,
job scripts) that carry its own temporary directory in their environment or
working directory. A detached reaper cleans up even if the harness itself is
killed with SIGKILL (e.g. by a ctest timeout).
"""

import argparse
import atexit
import os
import pwd
import random
import select
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time



def _slurm_libdir():
    """Slurm's own plugin directory: PB_SLURM_PLUGIN_DIR, else where the
    distribution put select_cons_tres.so."""
    env = os.environ.get("PB_SLURM_PLUGIN_DIR")
    if env:
        return env
    arch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    cands = [f"/usr/lib/{arch}/slurm-wlm", "/usr/lib64/slurm", "/usr/lib/slurm",
             "/usr/local/lib/slurm"]
    for d in cands:
        if os.path.isfile(os.path.join(d, "select_cons_tres.so")):
            return d
    return cands[0]


SLURM_LIBDIR = _slurm_libdir()
MARK = "PB_CLUSTER_DIR"  # environment mark on every process we start
TERMINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                   "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"}


class ClusterError(RuntimeError):
    """The cluster did not do what was asked; the message carries the logs."""


class PortTaken(ClusterError):
    """A daemon exited because its port was bound by someone else between
    the harness's probe and the daemon's own bind (another cluster started
    by a parallel test, or any program on the host); Slurm does not retry."""


def _which(name):
    path = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not path:
        raise ClusterError(f"{name} not found (Debian packages: munge slurmctld "
                           f"slurmd slurm-client)")
    return path


# Runs "$@" with /sys/cray/pm_counters bound to directory $1. sysfs takes
# no new directories, so /sys becomes a tmpfs holding binds of the real
# entries and that directory. The tmpfs is built on /sys/firmware (then
# empty in this view) and bound over /sys: mounts under the private /sys
# never reach the parent namespace, and "/" itself need not be a mount
# point (it is not in a chroot, where --propagation private fails).
_PM_COUNTERS_SH = r"""
pm=$1
shift
mount --make-rprivate /sys
mount -t tmpfs -o mode=755 pbsys /sys/firmware
for e in /sys/*; do
	[ "$e" = /sys/firmware ] && continue
	mkdir "/sys/firmware/${e##*/}"
	mount --rbind "$e" "/sys/firmware/${e##*/}"
done
mkdir -p /sys/firmware/cray/pm_counters /sys/firmware/firmware
mount --bind "$pm" /sys/firmware/cray/pm_counters
mount --rbind /sys/firmware /sys
exec "$@"
"""


def _ephemeral_ports():
    """The kernel's range for outgoing connections' local ports: a listening
    port picked inside it can be taken by any client socket (slurmctld's
    and slurmd's own RPCs among them) between the probe and the bind."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_ports(count, lo=10000, hi=None, tries=200):
    """Returns the first of `count` consecutive TCP ports free on all addresses,
    in [lo, hi): by default from 10000 up to the ephemeral range (or above it,
    if it starts too low to leave room).

    The ports are probed by binding; they are released again before return, so
    there is a short window in which someone else could take them."""
    if hi is None:
        eph_lo, eph_hi = _ephemeral_ports()
        if eph_lo - lo > count + 1000:
            hi = eph_lo
        else:
            lo, hi = max(lo, eph_hi + 1), 65536
    if hi - count <= lo:
        raise ClusterError(f"no room for {count} ports in [{lo}, {hi})")
    for _ in range(tries):
        base = random.randrange(lo, hi - count)
        socks = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise ClusterError(f"no {count} consecutive free ports found")


def _proc_marked(pid, tmpdir, comm=None):
    """True if process `pid` was started by the cluster in `tmpdir`: its
    environment carries our mark (daemons, slurmstepd, jobs submitted through
    the harness), or it is a slurmstepd working in tmpdir. Deliberately not
    SLURM_CONF or a cwd in tmpdir alone: an 'up' user's shell has both."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read().split(b"\0")
        if (MARK + "=" + tmpdir).encode() in env:
            return True
    except OSError:
        pass
    if comm == "slurmstepd":
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            return cwd == tmpdir or cwd.startswith(tmpdir + "/")
        except OSError:
            pass
    return False


def cluster_pids(tmpdir, spare_pgids=()):
    """Live processes of the cluster in `tmpdir`: the marked ones and all
    their descendants (jobs submitted by hand carry no mark but run under a
    marked slurmstepd); never this process or its ancestors, nor members of
    `spare_pgids`."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None:
                table[int(name)] = st
    children = {}
    for pid, st in table.items():
        children.setdefault(st[2], []).append(pid)
    found = {pid for pid, st in table.items() if _proc_marked(pid, tmpdir, st[0])}
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    spare = _ancestors()
    return sorted(pid for pid in found if pid not in spare and
                  table[pid][1] != "Z" and table[pid][3] not in spare_pgids)


def _ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        st = _stat(pid)
        if st is None:
            break
        pid = st[2]
    return pids


def _set_subreaper(on):
    """Makes this process the reaper of orphaned descendants (slurmd
    double-forks slurmstepd; slurmctld's slurmscriptd is orphaned on kill -9),
    so that they do not stay zombies where PID 1 does not reap."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1 if on else 0, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _stat(pid):
    """(comm, state, ppid, pgid) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            head, rest = f.read().rsplit(")", 1)
        fields = rest.split()
        return head.split("(", 1)[1], fields[0], int(fields[1]), int(fields[2])
    except (OSError, ValueError, IndexError):
        return None


def kill_leftovers(tmpdir, sig=signal.SIGKILL, spare_pgids=()):
    """Sends `sig` to every process that belongs to the cluster in `tmpdir`
    (never to this process, its ancestors, or members of `spare_pgids`).
    Returns the pids signalled."""
    hit = []
    for pid in cluster_pids(tmpdir, spare_pgids):
        try:
            os.kill(pid, sig)
            hit.append(pid)
        except OSError:
            pass
    return hit


def reap_stale(root=None):
    """Kills processes of earlier harness runs whose owner is gone (e.g. killed
    with SIGKILL before its reaper could act) and removes their directories.
    Only directories made by this harness (pbcluster.* with an owner file)
    are considered."""
    root = root or tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        d = os.path.join(root, name)
        owner_file = os.path.join(d, "owner.pid")
        if not name.startswith("pbcluster.") or not os.path.isfile(owner_file):
            continue
        try:
            with open(owner_file) as f:
                owner, keep = f.read().split()[:2]
            owner = int(owner)
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        kill_leftovers(d)
        if keep != "keep":
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _reaper_main(owner, tmpdir, keep):
    """Detached watchdog: waits for `owner` to exit, then cleans up tmpdir."""
    try:
        fd = os.pidfd_open(owner)
        select.select([fd], [], [])
    except (AttributeError, OSError):
        while _alive(owner):
            time.sleep(0.5)
    for _ in range(3):
        if not kill_leftovers(tmpdir):
            break
        time.sleep(0.3)
    if not keep:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"({e})\n"


class PollTimeout(AssertionError):
    """poll_until's timeout: an AssertionError, so a test fails (not errors)
    on it; its own class, so the harness can tell it from a failed check."""


def poll_until(pred, timeout, what="condition", each=None, interval=0.3,
               cluster=None, detail=None):
    """Calls pred() every `interval` s until it returns something true, and
    returns that. each(value), when given, is called with every sample's
    value first (an assertion there fails at once). After `timeout` s
    raises PollTimeout (an AssertionError) naming `what` and the timeout,
    followed by the text detail() returns then, when given (e.g. the last
    state sampled), and by the tail of slurmctld's log when `cluster` is
    given."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if each is not None:
            each(v)
        if v:
            return v
        if time.monotonic() >= end:
            msg = f"{what}: not reached within {timeout}s"
            if detail is not None:
                msg += "\n" + str(detail())
            if cluster is not None:
                log = cluster.path("log", "slurmctld.log")
                msg += ("\n---- slurmctld.log (last 20 lines) ----\n" +
                        _tail(log, 20))
            raise PollTimeout(msg)
        time.sleep(interval)


def hold_for(seconds, check, interval=0.3):
    """Calls check() every `interval` s for `seconds` s, at least once: for
    what must stay true the whole time (check asserts on every sample).
    Returns the last sample's value."""
    end = time.monotonic() + seconds
    while True:
        v = check()
        if time.monotonic() >= end:
            return v
        time.sleep(interval)


def gate(cluster, name):
    """(script, release) for a job that runs until the test says so: the
    job `script` waits for the file jobs/go-<name>, release() creates it
    (again: harmless). One name may gate many jobs."""
    path = cluster.path("jobs", f"go-{name}")
    return (f"while [ ! -e {shlex.quote(path)} ]; do sleep 0.2; done",
            lambda: open(path, "w").close())


class Cluster:
    """A munge + slurmctld + N slurmd cluster on 127.0.0.1 in a temp dir.

    nodes, gpus_per_node, cpus_per_node, memory_mb: the node shape (slurmd is
        told to trust the config, so it may claim more than the host has).
    select_type / select_params: SelectType / SelectTypeParameters.
    plugin_dir: a directory searched before Slurm's own plugin directory (our
        freshly built select_cons_tres_power.so).
    extra_conf: slurm.conf keys to add or override (value None deletes a key).
    extra_lines: further slurm.conf lines (e.g. more partitions).
    files: {name: text} written beside slurm.conf (power_budget.conf, ...).
    topology: topology.conf text (str) or {switch: "Nodes=..."/"Switches=..."}
        dict; sets TopologyPlugin=topology/tree.
    node_power: {node: watts}, the power each node's slurmd reads through
        acct_gather_energy/pm_counters (set AcctGatherEnergyType to it);
        set_node_power changes a reading. Each such slurmd runs in a mount
        namespace of its own (root only) whose /sys/cray/pm_counters is a
        directory of the cluster's: Slurm's own energy plugin and
        slurmctld's node energy path, with no meter hardware.
    keep: leave the temp dir behind (also PB_KEEP_CLUSTER=1).
    """

    def __init__(self, nodes=4, gpus_per_node=8, select_type="select/cons_tres",
                 select_params="CR_Core_Memory", plugin_dir=None, extra_conf=None,
                 extra_lines=(), files=None, topology=None, cpus_per_node=32,
                 memory_mb=256000, node_prefix="n", keep=None, start_timeout=60,
                 tmp_root=None, quiet=True, node_power=None):
        self.n = int(nodes)
        self.gpus = int(gpus_per_node)
        self.cpus = int(cpus_per_node)
        self.memory_mb = int(memory_mb)
        self.select_type = select_type
        self.select_params = select_params
        self.plugin_dir = os.path.abspath(plugin_dir) if plugin_dir else None
        self.extra_conf = dict(extra_conf or {})
        self.extra_lines = list(extra_lines)
        self.files = dict(files or {})
        self.topology = topology
        self.prefix = node_prefix
        self.keep = keep if keep is not None else \
            os.environ.get("PB_KEEP_CLUSTER", "") not in ("", "0")
        self.start_timeout = start_timeout
        self.tmp_root = tmp_root
        self.quiet = quiet
        self.node_power = dict(node_power or {})
        self.dir = None
        self.procs = {}  # name -> Popen (each leader of its own process group)
        self._save_seq = 0
        self.reaper = None
        self._old_handlers = {}
        self._killed = set()
        self._closed = True

    # ---- names and paths -------------------------------------------------
    @property
    def node_names(self):
        return [f"{self.prefix}{i}" for i in range(1, self.n + 1)]

    @property
    def nodelist(self):
        return f"{self.prefix}[1-{self.n}]" if self.n > 1 else f"{self.prefix}1"

    @property
    def conf(self):
        return os.path.join(self.dir, "slurm.conf")

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    @property
    def env(self):
        """Environment for child commands: ours plus SLURM_CONF and the mark."""
        env = dict(os.environ)
        for k in list(env):
            if k.startswith(("SLURM_", "SBATCH_", "SQUEUE_", "SINFO_", "SALLOC_",
                             "SRUN_", "SCONTROL_")):
                del env[k]
        env["SLURM_CONF"] = self.conf
        env[MARK] = self.dir
        return env

    def export_line(self):
        return f"export SLURM_CONF={shlex.quote(self.conf)}"

    # ---- life cycle ------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    PORT_TRIES = 3

    def start(self):
        """Starts munged, slurmctld and the slurmds and waits for the nodes
        to be idle; again on new ports, in a new directory, when a daemon
        found its port taken (at most PORT_TRIES times in all)."""
        for attempt in range(self.PORT_TRIES):
            try:
                return self._start_once()
            except PortTaken as e:
                if attempt == self.PORT_TRIES - 1:
                    raise
                sys.stderr.write(f"pbcluster: {e.args[0].splitlines()[0]}; "
                                 "starting again on other ports\n")
                time.sleep(1)
        return self

    def _start_once(self):
        if not self._closed:
            return self
        reap_stale(self.tmp_root)
        self.dir = tempfile.mkdtemp(prefix="pbcluster.", dir=self.tmp_root)
        self.dir = os.path.realpath(self.dir)
        self._closed = False
        _LIVE.add(self)
        _set_subreaper(True)
        self._install_signal_handlers()
        try:
            # munged refuses a socket whose directory is not executable by all.
            os.chmod(self.dir, 0o755)
            with open(self.path("owner.pid"), "w") as f:
                f.write(f"{os.getpid()} {'keep' if self.keep else 'clean'}\n")
            self._start_reaper()
            for d in ("log", "state", "spool", "run", "dev", "jobs", "munge"):
                os.makedirs(self.path(d))
            os.chmod(self.path("munge"), 0o755)
            os.chmod(self.path("jobs"), 0o1777)
            self._make_gpu_files()
            self._start_munge()
            self._write_conf()
            self._start_slurmctld(first=True)
            self._wait_ctld()
            for node in self.node_names:
                self._start_slurmd(node)
            self.wait_nodes_idle(self.start_timeout)
        except BaseException:
            self.close()
            raise
        return self

    def _make_gpu_files(self):
        # slurmd wants character devices ("... is not a valid character or
        # block device, fix your gres.conf") and only then sets
        # CUDA_VISIBLE_DEVICES; as root we make harmless copies of /dev/null
        # (1,3), elsewhere plain empty files still give a working GRES.
        for i in range(self.gpus):
            p = self.path("dev", f"gpu{i}")
            try:
                os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
            except OSError:
                open(p, "w").close()

    def _start_reaper(self):
        # A separate session, no mark in its environment: survives us, is not
        # killed by our own leftover scan, and cleans up when we vanish.
        env = {k: v for k, v in os.environ.items()
               if k != MARK and not k.startswith("SLURM_")}
        self.reaper = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "_reap", str(os.getpid()),
             self.dir, "1" if self.keep else "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, env=env,
            cwd="/")

    def _spawn(self, name, argv, log):
        logf = open(log, "ab")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                 stderr=subprocess.STDOUT, env=self.env,
                                 start_new_session=True, cwd=self.dir)
        finally:
            logf.close()
        self.procs[name] = p
        return p

    def _start_munge(self):
        key = self.path("munge", "munge.key")
        with open("/dev/urandom", "rb") as r, open(key, "wb") as w:
            w.write(r.read(1024))
        os.chmod(key, 0o400)
        argv = [_which("munged"), "--foreground", f"--key-file={key}",
                f"--socket={self.munge_socket}",
                f"--pid-file={self.path('munge', 'munged.pid')}",
                f"--seed-file={self.path('munge', 'munged.seed')}",
                f"--log-file={self.path('log', 'munged.log')}"]
        log = self.path("log", "munged.log")
        p = self._spawn("munged", argv, log)
        if not self._wait_for(lambda: os.path.exists(self.munge_socket) or
                              p.poll() is not None, 10) or p.poll() is not None:
            # e.g. a temp root without the sticky bit: munged's permission
            # checks fail; --force turns them into warnings.
            first = _tail(log)
            self.procs.pop("munged", None)
            self._stop(p)
            p = self._spawn("munged", argv + ["--force"], log)
            if not self._wait_for(lambda: os.path.exists(self.munge_socket) or
                                  p.poll() is not None, 10) or p.poll() is not None:
                raise ClusterError("munged did not start:\n" + first + _tail(log))
        r = subprocess.run(f"{_which('munge')} -n -S {shlex.quote(self.munge_socket)}"
                           f" | {_which('unmunge')} -S {shlex.quote(self.munge_socket)}",
                           shell=True, capture_output=True, text=True)
        if r.returncode != 0:
            raise ClusterError("munge round trip failed: " + r.stderr + _tail(log))

    @property
    def munge_socket(self):
        return self.path("munge", "munge.socket")

    def _conf_dict(self):
        plugin_dir = SLURM_LIBDIR
        if self.plugin_dir:
            plugin_dir = f"{self.plugin_dir}:{SLURM_LIBDIR}"
        c = {
            "ClusterName": "pbtest",
            "SlurmctldHost": "localhost(127.0.0.1)",
            "SlurmctldPort": str(self.ctld_port),
            "SlurmdPort": str(self.node_port),
            "AuthType": "auth/munge",
            "AuthInfo": f"socket={self.munge_socket}",
            "CredType": "cred/munge",
            "PluginDir": plugin_dir,
            # root in CI; another user's cluster runs that user's jobs only
            "SlurmUser": pwd.getpwuid(os.getuid()).pw_name,
            "SlurmdUser": pwd.getpwuid(os.getuid()).pw_name,
            "StateSaveLocation": self.path("state"),
            "SlurmdSpoolDir": self.path("spool", "%n"),
            "SlurmctldPidFile": self.path("run", "slurmctld.pid"),
            "SlurmdPidFile": self.path("run", "slurmd-%n.pid"),
            "SlurmctldLogFile": self.path("log", "slurmctld.log"),
            "SlurmdLogFile": self.path("log", "slurmd-%n.log"),
            "SlurmctldDebug": "info",
            "SlurmdDebug": "info",
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "JobCompType": "jobcomp/none",
            "MpiDefault": "none",
            "SwitchType": "switch/none",
            "SlurmdParameters": "config_overrides",
            "GresTypes": "gpu",
            "SelectType": self.select_type,
            "SelectTypeParameters": self.select_params,
            "SchedulerType": "sched/backfill",
            # the same job priorities on every release: 23.11 changed the
            # default from priority/basic (earlier submission, higher
            # priority) to priority/multifactor, whose weights all default
            # to 0 (every job priority 1) without a site's own settings
            "PriorityType": "priority/basic",
            # jobs are tried at submit and at every job end; the periodic
            # passes just run often enough not to stall a test
            "SchedulerParameters": "sched_interval=2,bf_interval=2,"
                                   "sched_min_interval=100000",
            "DefMemPerCPU": "1000",
            "ReturnToService": "2",
            "MessageTimeout": "5",
            "SlurmctldTimeout": "10",
            "SlurmdTimeout": "30",
            "InactiveLimit": "0",
            "MinJobAge": "300",
            "KillWait": "2",
            "Waittime": "0",
            "TCPTimeout": "2",
            "RebootProgram": "/bin/true",
        }
        if self.topology is not None or "topology.conf" in self.files:
            c["TopologyPlugin"] = "topology/tree"
        for k, v in self.extra_conf.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = str(v)
        return c

    def _write_conf(self):
        # one block for all daemons: two probes made apart could overlap
        self.ctld_port = free_ports(self.n + 1)
        self.node_port = self.ctld_port + 1
        c = self._conf_dict()
        lines = ["# generated by pbcluster.py"] + [f"{k}={v}" for k, v in c.items()]
        ports = (f"{self.node_port}" if self.n == 1 else
                 f"[{self.node_port}-{self.node_port + self.n - 1}]")
        gres = f" Gres=gpu:{self.gpus}" if self.gpus else ""
        lines.append(f"NodeName={self.nodelist} NodeHostname=localhost "
                     f"NodeAddr=127.0.0.1 Port={ports} CPUs={self.cpus} "
                     f"Boards=1 SocketsPerBoard=2 CoresPerSocket={self.cpus // 2} "
                     f"ThreadsPerCore=1 RealMemory={self.memory_mb}{gres} State=UNKNOWN")
        lines.append(f"PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE "
                     f"State=UP")
        lines += self.extra_lines
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        gres_lines = ["AutoDetect=off"]
        if self.gpus:
            last = self.gpus - 1
            devs = self.path("dev", f"gpu[0-{last}]" if last else "gpu0")
            gres_lines.append(f"NodeName={self.nodelist} Name=gpu File={devs}")
        with open(self.path("gres.conf"), "w") as f:
            f.write("\n".join(gres_lines) + "\n")
        files = dict(self.files)
        if self.topology is not None and "topology.conf" not in files:
            t = self.topology
            if isinstance(t, dict):
                t = "".join(f"SwitchName={k} {v}\n" for k, v in t.items())
            files["topology.conf"] = t
        for name, text in files.items():
            with open(self.path(name), "w") as f:
                f.write(text)

    def _start_slurmctld(self, first=False):
        argv = [_which("slurmctld"), "-D", "-f", self.conf]
        # e.g. "valgrind --tool=callgrind --toggle-collect=select_p_job_test"
        # to profile the plugin inside a real slurmctld (slow: a benchmark
        # tool, never set by a test)
        argv = shlex.split(os.environ.get("PB_SLURMCTLD_PREFIX", "")) + argv
        if first:
            argv.append("-c")  # fresh cluster: no job state to recover
        self._spawn("slurmctld", argv, self.path("log", "slurmctld.stdout"))

    def kill_slurmd(self, node):
        """SIGKILL to node's slurmd (its process group; the job steps,
        sessions of their own, live on)."""
        p = self.procs.pop(f"slurmd:{node}")
        self._killpg(p, signal.SIGKILL)
        p.wait()

    def start_slurmd(self, node):
        """Starts node's slurmd again, as a site's service manager would."""
        self._start_slurmd(node)

    def set_node_power(self, node, watts, joules=1000):
        """What node's pm_counters read from now on (whole watts, and the
        energy counter in joules: a slurmd that reads 0 J when it starts
        takes the node for one without a sensor, NO_VAL watts)."""
        d = self.path("pm", node)
        for name, text in (("power", f"{int(watts)} W\n"),
                           ("energy", f"{int(joules)} J\n")):
            with open(os.path.join(d, name + ".tmp"), "w") as f:
                f.write(text)
            os.rename(os.path.join(d, name + ".tmp"), os.path.join(d, name))

    def _pm_counters(self, node):
        """The argv prefix that runs a slurmd with node's fake pm_counters."""
        if not os.path.isdir(self.path("pm", node)):  # not on a restart
            os.makedirs(self.path("pm", node))
            self.set_node_power(node, self.node_power[node])
        return [_which("unshare"), "--mount", "--propagation", "unchanged",
                "sh", "-ec", _PM_COUNTERS_SH, "pm-counters",
                self.path("pm", node)]

    def _start_slurmd(self, node):
        argv = [_which("slurmd"), "-D", "-N", node, "-f", self.conf]
        if node in self.node_power:
            argv = self._pm_counters(node) + argv
        self._spawn(f"slurmd:{node}", argv, self.path("log", f"slurmd-{node}.stdout"))

    def _kill_leftovers(self, spare_daemons=False):
        pgids = {p.pid for p in self.procs.values()} if spare_daemons else ()
        hit = kill_leftovers(self.dir, spare_pgids=pgids)
        self._killed.update(hit)
        return hit

    def reap(self):
        """Collects zombies of ours that were reparented to this process: the
        slurmstepd and slurmscriptd, and what our teardown killed."""
        me, own = os.getpid(), {p.pid for p in self.procs.values()}
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in own:
                continue
            pid = int(name)
            st = _stat(pid)
            if st and st[2] == me and st[1] == "Z" and (
                    pid in self._killed or st[0] in ("slurmstepd", "slurmscriptd")):
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                self._killed.discard(pid)
        # forget what is gone or is someone else's to reap
        self._killed = {p for p in self._killed
                        if (_stat(p) or (0, 0, 0))[2] == me}

    def _wait_for(self, pred, timeout, interval=0.2):
        """poll_until, reaping first at every sample; True when pred held
        in time, False when not."""
        def sample():
            self.reap()
            return pred()
        try:
            poll_until(sample, timeout, "harness wait", interval=interval)
        except PollTimeout:
            return False
        return True

    def _daemon_log(self, name):
        """The log file a daemon of procs writes to."""
        kind, _, node = name.partition(":")
        return self.path("log", f"{kind}-{node}.log" if node else f"{kind}.log")

    def _check_alive(self):
        dead = [n for n, p in self.procs.items() if p.poll() is not None]
        if not dead:
            return
        # the dead daemons' own words first: a long failure message is cut
        # at its end by whoever shows it
        own = "".join(f"---- {n}: {self._daemon_log(n)} ----\n" +
                      _tail(self._daemon_log(n), 15) for n in dead
                      if os.path.exists(self._daemon_log(n)))
        what = ("daemon(s) exited: " +
                ", ".join(f"{n} (exit {self.procs[n].returncode})" for n in dead))
        err = PortTaken if "Address already in use" in own else ClusterError
        raise err(what + "\n" + own + self.logs())

    def _wait_ctld(self, timeout=30):
        def up():
            self._check_alive()
            r = self._run(["scontrol", "ping"], check=False, timeout=10)
            return r.returncode == 0 and "UP" in r.stdout
        if not self._wait_for(up, timeout, 0.3):
            raise ClusterError(f"slurmctld did not answer within {timeout}s\n" +
                               self.logs())

    def node_states(self):
        """{node: state} from sinfo (long state names, lower case)."""
        out = self._run(["sinfo", "-h", "-N", "-o", "%N %T"]).stdout
        states = {}
        for line in out.splitlines():
            if line.strip():
                name, state = line.split()
                states[name] = state
        return states

    def wait_nodes_idle(self, timeout=60):
        last = {}

        def idle():
            nonlocal last
            self._check_alive()
            last = self.node_states()
            return len(last) == self.n and all(s == "idle" for s in last.values())
        if not self._wait_for(idle, timeout, 0.5):
            raise ClusterError(f"nodes not idle within {timeout}s: {last}\n" +
                               self.logs())

    def wait_state_saved(self, since, timeout=15):
        """Waits until slurmctld wrote its job state at or after `since`
        (epoch seconds). It saves at most every 5 s, so a kill -9 right after
        a job started would otherwise lose that start. Where file times are
        coarser than the clock, a save in the second of `since` reads as
        older: save_state() does not depend on file times."""
        f = self.path("state", "job_state")

        def saved():
            try:
                return os.stat(f).st_mtime >= since
            except OSError:
                return False
        if not self._wait_for(saved, timeout):
            raise ClusterError(f"job state not saved since {since} in "
                               f"{timeout}s: {self._state_file_note(f)}\n" +
                               self.logs())

    def _state_file_note(self, f):
        dead = [f"{n} exited ({p.returncode})" for n, p in self.procs.items()
                if p.poll() is not None]
        try:
            st = os.stat(f)
            seen = f"{f}: mtime {st.st_mtime:.3f}, {st.st_size} bytes"
        except OSError as e:
            seen = f"{f}: {e.strerror}"
        return "; ".join([seen, *dead])

    def save_state(self, jobid, timeout=15):
        """Makes slurmctld write its job state now and waits for it. Needed
        before a kill -9 test: jobs started by the backfill scheduler are
        only written at the next job event or the 300 s periodic checkpoint
        (sched/backfill never calls schedule_job_save), so a crash before
        that recovers them as PENDING. A job update (here: its Comment, a
        mark new to this call) schedules a save; slurmctld writes at most
        every 5 s. The save is seen when the file holds the mark: the job
        state packs strings as they are, and a file time can be too coarse
        to tell a save from one a moment before the update."""
        self._save_seq += 1
        mark = f"pbcluster-checkpoint-{os.getpid()}-{self._save_seq}"
        f = self.path("state", "job_state")

        def saved():
            try:
                with open(f, "rb") as fh:
                    return mark.encode() in fh.read()
            except OSError:
                return False
        self.scontrol("update", f"jobid={jobid}", f"Comment={mark}")
        if not self._wait_for(saved, timeout):
            raise ClusterError(f"job state with {mark} not saved in "
                               f"{timeout}s: {self._state_file_note(f)}\n" +
                               self.logs())

    def restart_slurmctld(self, kill9=True, timeout=30):
        """Kills slurmctld (SIGKILL by default, i.e. a crash) and starts it again
        without -c/-i, so it recovers its saved state; waits until it answers."""
        p = self.procs.pop("slurmctld")
        if kill9:
            self._killpg(p, signal.SIGKILL)
            p.wait()
        else:
            self._stop(p)
        self._start_slurmctld(first=False)
        self._wait_ctld(timeout)

    def close(self):
        """Tears everything down; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._ignore_signals()  # a second Ctrl-C must not cut teardown short
        try:
            # 1. job processes and slurmstepd (they ignore SIGTERM once their
            #    slurmd is gone, so they get SIGKILL while it still lives).
            self._kill_leftovers(spare_daemons=True)
            # 2. the Slurm daemons, then munged (they talk to it while exiting).
            # SIGTERM to the leaders only, so that slurmctld stops and reaps
            # its slurmscriptd itself (no init here may reap orphans); the
            # rest of each process group gets SIGKILL afterwards.
            names = [n for n in self.procs if n != "munged"]
            for n in names:
                self._signal(self.procs[n], signal.SIGTERM)
            deadline = time.monotonic() + 5
            for n in names:
                self._stop(self.procs[n], term=False,
                           grace=max(0.0, deadline - time.monotonic()))
            self._kill_leftovers()
            if "munged" in self.procs:
                self._stop(self.procs["munged"])
            self.procs.clear()
            for _ in range(10):
                self.reap()
                if not self._kill_leftovers() and not self._killed:
                    break
                time.sleep(0.1)
            self.reap()
        finally:
            self._restore_signal_handlers()
            _LIVE.discard(self)
            if not _LIVE:
                _set_subreaper(False)
            if self.reaper and self.reaper.poll() is None:
                self.reaper.kill()
                self.reaper.wait()
            if self.keep:
                sys.stderr.write(f"pbcluster: kept {self.dir}\n")
                try:
                    os.unlink(self.path("owner.pid"))
                except OSError:
                    pass
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def _killpg(p, sig):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    @staticmethod
    def _signal(p, sig):
        if p.poll() is None:
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass

    @staticmethod
    def _exited(p):
        """Whether p has exited, without reaping it: until it is reaped its
        pid, so its process group's id, cannot be given to a new process."""
        if p.returncode is not None:
            return True
        try:
            return os.waitid(os.P_PID, p.pid,
                             os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    def _stop(self, p, term=True, grace=5):
        """Stops p and the rest of its process group. The group is killed
        before p is reaped, so the signal cannot reach a later process that
        was given p's pid (p.poll() or Popen.send_signal would reap it)."""
        if p.returncode is None:
            if term and not self._exited(p):
                os.kill(p.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while not self._exited(p) and time.monotonic() < deadline:
                time.sleep(0.05)
            if p.returncode is None:
                self._killpg(p, signal.SIGKILL)
        p.wait()

    def _install_signal_handlers(self, handler=None):
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            try:
                old = signal.signal(sig, handler or _on_signal)
                self._old_handlers.setdefault(sig, old)
            except (ValueError, OSError):
                pass

    def _ignore_signals(self):
        self._install_signal_handlers(signal.SIG_IGN)

    def _restore_signal_handlers(self):
        for sig, h in self._old_handlers.items():
            try:
                signal.signal(sig, h if h is not None else signal.SIG_DFL)
            except (ValueError, OSError):
                pass
        self._old_handlers.clear()

    # ---- commands --------------------------------------------------------
    def _run(self, argv, check=True, timeout=60, input=None, cwd=None):
        self.reap()
        try:
            r = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                               timeout=timeout, input=input,
                               cwd=cwd or self.path("jobs"))
        except subprocess.TimeoutExpired as e:
            raise ClusterError(f"{' '.join(argv)}: timed out after {timeout}s")
        if check and r.returncode != 0:
            raise ClusterError(f"{' '.join(argv)}: exit {r.returncode}\n"
                               f"{r.stdout}{r.stderr}")
        return r

    def run(self, argv, **kw):
        """Runs any command with SLURM_CONF set; returns CompletedProcess."""
        return self._run(list(argv), **kw)

    def scontrol(self, *args, check=True):
        return self._run(["scontrol", *args], check=check).stdout

    def sbatch(self, args=(), script="sleep 1", check=True):
        """Submits a batch script (a '#!/bin/sh' line is added if missing);
        returns the job id as int, or with check=False the CompletedProcess."""
        if not script.startswith("#!"):
            script = "#!/bin/sh\n" + script + "\n"
        argv = ["sbatch", "--parsable", f"--output={self.path('jobs', 'slurm-%j.out')}",
                *args]
        r = self._run(argv, check=check, input=script)
        if not check:
            return r
        return int(r.stdout.strip().split(";")[0])

    def squeue(self, fmt="%i %T %N", args=()):
        return self._run(["squeue", "-h", "-o", fmt, *args]).stdout

    def sinfo(self, *args):
        return self._run(["sinfo", *args]).stdout

    def job(self, jobid):
        """scontrol show job -o as a dict (None if slurmctld forgot the job)."""
        r = self._run(["scontrol", "show", "job", "-o", str(jobid)], check=False)
        if r.returncode != 0 or not r.stdout.strip():
            return None
        return parse_kv(r.stdout)

    def jobs_state(self, ids):
        return {j: (self.job(j) or {}).get("JobState") for j in ids}

    def wait_jobs(self, ids, state="COMPLETED", timeout=60):
        """Waits until every job reached a terminal state (or `state`, when it
        is not terminal, e.g. RUNNING); raises unless all are in `state`."""
        ids = [int(i) for i in ids]
        states = {}

        def done():
            nonlocal states
            states = self.jobs_state(ids)
            if state in TERMINAL_STATES:
                return all(s in TERMINAL_STATES for s in states.values())
            return all(s == state or s in TERMINAL_STATES for s in states.values())
        ok = self._wait_for(done, timeout, 0.5)
        bad = {j: s for j, s in states.items() if s != state}
        if not ok or bad:
            raise ClusterError(f"jobs not {state} within {timeout}s: {bad or states}\n"
                               + self.squeue("%i %T %r %N") + self.logs(20))
        return states

    def hostnames(self, hostlist):
        if not hostlist or hostlist in ("(null)", "None"):
            return []
        return self._run(["scontrol", "show", "hostnames", hostlist]).stdout.split()

    def nodes_of(self, jobid):
        """The expanded node list of a job (empty while pending)."""
        j = self.job(jobid) or {}
        return self.hostnames(j.get("NodeList", ""))

    def logs(self, lines=40):
        """The tails of all log files, for failure messages."""
        out = []
        logdir = self.path("log")
        for name in sorted(os.listdir(logdir)) if os.path.isdir(logdir) else []:
            p = os.path.join(logdir, name)
            if os.path.getsize(p):
                out.append(f"---- {name} (last {lines} lines) ----\n{_tail(p, lines)}")
        return "".join(out)


def parse_kv(text):
    """Parses Slurm's one-line Key=Value output. Values may contain spaces
    (e.g. Command=, Reason=); a token without '=' continues the previous one."""
    d, key = {}, None
    for tok in text.strip().split(" "):
        if "=" in tok and not tok.startswith("="):
            key, val = tok.split("=", 1)
            d[key] = val
        elif key is not None and tok:
            d[key] += " " + tok
    return d


_LIVE = set()


def _on_signal(signum, frame):
    # Turn the signal into an exception so context managers and finally
    # blocks tear down; a second signal during teardown is ignored.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


@atexit.register
def _close_all():
    for c in list(_LIVE):
        c.close()


def _cluster_args(p):
    p.add_argument("--nodes", type=int, default=4,
                   help="number of slurmd, named n1..nN (default 4)")
    p.add_argument("--gpus-per-node", type=int, default=8)
    p.add_argument("--cpus-per-node", type=int, default=32)
    p.add_argument("--select-type", default="select/cons_tres",
                   help="e.g. select/cons_tres_power (default select/cons_tres)")
    p.add_argument("--plugin-dir", default=os.environ.get("PB_PLUGIN_DIR") or None,
                   help="searched before Slurm's own plugins, e.g. build/plugin "
                        "(default $PB_PLUGIN_DIR)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="extra slurm.conf setting (repeatable)")
    p.add_argument("--file", action="append", default=[], metavar="NAME=PATH",
                   help="copy PATH beside slurm.conf as NAME, e.g. "
                        "power_budget.conf=./pb.conf; topology.conf=... also "
                        "sets TopologyPlugin=topology/tree (repeatable)")
    p.add_argument("--keep", action="store_true", default=None,
                   help="keep the temp dir (also PB_KEEP_CLUSTER=1)")
    p.add_argument("--timeout", type=int, default=120,
                   help="seconds to wait for the nodes to become idle")


def _cluster_from(a):
    files = {}
    for f in a.file:
        name, path = f.split("=", 1)
        with open(path) as fh:
            files[name] = fh.read()
    return Cluster(nodes=a.nodes, gpus_per_node=a.gpus_per_node,
                   cpus_per_node=a.cpus_per_node, select_type=a.select_type,
                   plugin_dir=a.plugin_dir, files=files, keep=a.keep,
                   extra_conf=dict(kv.split("=", 1) for kv in a.conf),
                   start_timeout=a.timeout)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_reap"]:
        _reaper_main(int(argv[1]), argv[2], argv[3] == "1")
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start a cluster and wait for Ctrl-C")
    _cluster_args(up)
    run = sub.add_parser("run", help="start a cluster, run CMD with SLURM_CONF "
                                     "set, tear down; exits with CMD's status")
    _cluster_args(run)
    run.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    with _cluster_from(a) as c:
        print(f"# {c.n} nodes {c.nodelist} up in {time.monotonic() - t0:.1f}s, "
              f"SelectType={c.select_type}, logs in {c.path('log')}", file=sys.stderr)
        if a.cmd == "up":
            print(c.export_line(), flush=True)
            print("# Ctrl-C to tear down", file=sys.stderr, flush=True)
            reported = set()
            try:
                while True:
                    time.sleep(1)
                    c.reap()
                    for name, p in c.procs.items():
                        if p.poll() is not None and name not in reported:
                            reported.add(name)  # stays up for a look
                            print(f"# {name} exited ({p.returncode}); see "
                                  f"{c.path('log')}", file=sys.stderr, flush=True)
            except KeyboardInterrupt:
                print("\n# tearing down", file=sys.stderr)
            return 0
        cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
        if not cmd:
            ap.error("run: no command given (run -- CMD ...)")
        return subprocess.call(cmd, env=c.env)


if __name__ == "__main__":
    sys.exit(main())
