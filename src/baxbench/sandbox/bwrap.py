"""The bubblewrap sandbox backend (measurements: /work/shared/research/sandbox-feasibility.md).

One instance = one `bwrap` with every namespace unshared (loopback-only netns, own pid ns with
the app as pid 1, own user ns without capabilities or nested user namespaces), a fresh host
directory as `/` (the app dir copied to /app), read-only /usr, /etc and env binds, size-limited
/tmp and /dev/shm, and an environment made only of the spec's variables plus PATH/HOME/LANG.

* uid: a root harness never runs bwrap as uid 0 (root keeps access to root-owned files even
  without capabilities); it drops to a per-slot host uid, `BAXBENCH_SANDBOX_UID_BASE`
  (1_500_000) + slot, flock-claimed so that concurrent harness processes never share one. It
  needs no passwd entry and makes RLIMIT_NPROC per instance. A non-root harness runs bwrap as
  itself.
* spawn: vfork through `prlimit` (rlimits) and, as root, `setpriv` (uid drop) exec wrappers:
  a preexec_fn would fork the whole harness (10-20 ms for a 200 MB process).
* limits: per-instance memory+pids cgroups nested under the harness's own where it may create
  them (the tree is moved in off the critical path, before wait_ready returns), else a 20 ms
  RSS/threads watchdog; rlimits always.
* network: client sockets are created inside the sandbox netns (setns as root, a helper
  process otherwise: see _netns.py); readiness is a 2 ms sock_diag poll for the LISTEN socket.
* teardown: SIGKILL pid 1 (the kernel kills its whole pid ns), reap bwrap, empty and remove
  the cgroups, delete the root without following the app's symlinks.

bwrap's --die-with-parent ties each sandbox to the thread that forked it, so all spawning goes
through one long-lived thread (_procs.spawn).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import fcntl
import json
import os
import resource
import secrets
import select
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

import httpx

from baxbench.paths import scratch_dir
from baxbench.sandbox import _cgroups, _procs
from baxbench.sandbox._netns import (
    NETLINK_SOCK_DIAG,
    NetnsHelper,
    SandboxNetworkBackend,
    SandboxTransport,
    can_setns,
    listening_sockets,
    socket_via_setns,
)
from baxbench.sandbox.base import (
    APP_PORT,
    AppStartError,
    DoctorCheck,
    LaunchSpec,
    Limits,
    SandboxError,
    Timings,
    Usage,
)

UID_BASE_ENV = "BAXBENCH_SANDBOX_UID_BASE"
DEFAULT_UID_BASE = 1_500_000
SAMPLE_PERIOD_S = 0.02
LOG_KEEP_BYTES = 1024 * 1024  # log tail kept in memory once the log file is removed
STATUS_TIMEOUT_S = 10.0
KILL_WAIT_S = 2.0
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
SHM_SIZE_BYTES = 16 * 1024 * 1024
UID_STRIDE = 4096  # next uid tried when another harness process holds base + slot

_LIVE: set[BwrapInstance] = set()
_LIVE_LOCK = threading.Lock()


def _stop_all() -> None:
    """Instances still running at exit are stopped so no root dir or cgroup is left behind."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for inst in live:
        with contextlib.suppress(Exception):
            inst.stop()


# Before the spawner thread is joined at interpreter exit (its end would SIGKILL every bwrap
# via PDEATHSIG, orphaning them to init); plain atexit as a fallback.
getattr(threading, "_register_atexit", atexit.register)(_stop_all)


def uid_base() -> int:
    return int(os.environ.get(UID_BASE_ENV, DEFAULT_UID_BASE))


def _claim_uid(scratch: Path, slot: int) -> tuple[int, int]:
    """(uid, lock fd): base + slot, or a further uid if another harness process on this
    machine (sharing the scratch dir) is using it right now. The flock is held until stop()."""
    base = uid_base()
    for k in range(64):
        uid = base + slot + k * UID_STRIDE
        fd = os.open(scratch / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return uid, fd
        except BlockingIOError:
            os.close(fd)
    raise SandboxError(f"no free sandbox uid for slot {slot} (base {base})")


@cache
def _tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/bin/{name}", f"/bin/{name}") if os.path.exists(p)), None)


_RLIMIT_NAMES = {resource.RLIMIT_AS: "as", resource.RLIMIT_FSIZE: "fsize",
                 resource.RLIMIT_CORE: "core", resource.RLIMIT_NOFILE: "nofile",
                 resource.RLIMIT_NPROC: "nproc"}


def _untraversable(path: Path, uid: int) -> Path | None:
    """The first of `path` and its ancestors that `uid` (without groups) cannot walk through."""
    for p in [path, *path.parents]:
        st = os.stat(p)
        if not (st.st_mode & 0o001 or (st.st_uid == uid and st.st_mode & 0o100)):
            return p
    return None


def _check_traversable(path: Path, uid: int) -> None:
    """bwrap runs as `uid` and must reach the instance root through every ancestor."""
    bad = _untraversable(path, uid)
    if bad is not None:
        raise SandboxError(
            f"{bad} is not traversable by the sandbox uid {uid}; set BAXBENCH_SCRATCH to a "
            "directory whose parents are world-executable (e.g. under /tmp)"
        )


_libc = ctypes.CDLL(None, use_errno=True)
_mount = _libc.mount
_mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                   ctypes.c_void_p]
_unshare = _libc.unshare
_unshare.argtypes = [ctypes.c_int]
CLONE_NEWNS = 0x00020000
MS_BIND, MS_REC, MS_SLAVE = 0x1000, 0x4000, 0x80000


def _private_mounts(bridge: list[tuple[bytes, bytes]]) -> None:
    """In preexec_fn, as root: a private mount ns where each (source, target) is bind-mounted."""
    if _unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    if _mount(None, b"/", None, MS_REC | MS_SLAVE, None) != 0:  # never propagate to the host
        raise OSError(ctypes.get_errno(), "mount --make-rslave /")
    for src, target in bridge:
        if _mount(src, target, None, MS_BIND | MS_REC, None) != 0:
            raise OSError(ctypes.get_errno(), f"bind mount {src!r}")


def _tail_hint(log: str, n: int = 200) -> str:
    """The log's last line, for the error message (the whole tail is in AppStartError.log)."""
    lines = log.strip().splitlines()
    return f"; last output: {lines[-1][-n:]!r}" if lines else "; no output"


def _decode_addr(hex_addr: bytes, family: int) -> str:
    raw = bytes.fromhex(hex_addr.decode())
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # /proc prints IPv6 addresses as four host-endian 32-bit words.
    raw = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, raw)


def _connect_target(found: list[tuple[int, str, int]]) -> tuple[int, str, int] | None:
    """Where to connect among the app's listening sockets: IPv4 first, wildcards -> loopback."""
    for family, addr, port in sorted(found, key=lambda f: f[0] != socket.AF_INET):
        if addr == "0.0.0.0":
            addr = "127.0.0.1"
        elif addr == "::":
            addr = "::1"
        return (family, addr, port)
    return None


class BwrapInstance:
    """One running app in bubblewrap. Create with `BwrapSandbox.start`."""

    def __init__(self, spec: LaunchSpec, slot: int, bwrap: str, use_cgroups: bool,
                 connect: str) -> None:
        self._spec = spec
        self._limits: Limits = spec.limits
        self.slot = slot
        self._lock = threading.RLock()  # sampler state, netns fd, stop
        self._stopped = False
        self._stop_event = threading.Event()  # ends the sampler
        self._stop_done = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._pidfd: int | None = None
        self._procdir: int | None = None  # fd of /proc/<pid1>: immune to pid reuse
        self._netns_fd: int | None = None
        self._status_r: int | None = None
        self._log_fd: int | None = None
        self._log_tail = b""
        self._helper: NetnsHelper | None = None
        self._cg: _cgroups.InstanceCgroups | None = None
        self._cg_joined = False  # the whole tree is in the cgroups: they enforce the limits
        self._cg_done = threading.Event()
        self._cg_error: str | None = None
        self._sampler: threading.Thread | None = None
        self._listen: tuple[int, str, int] | None = None
        self._diag: socket.socket | None = None
        self._diag_failed = False
        self._timings = Timings()
        self._t_launch = time.monotonic()
        self._rss = 0
        self._peak = 0
        self._cpu_ticks = 0
        self._cpu_final: float | None = None
        self._peak_cg_final: int | None = None
        self._limit: str | None = None
        self.pid1: int | None = None
        self.pidns_inode: int | None = None
        self.netns_inode: int | None = None
        self.as_root = os.geteuid() == 0
        if connect == "auto":
            connect = "setns" if can_setns() else "helper"
        self.connect_mode = connect
        scratch = scratch_dir()
        name = f"{slot}-{secrets.token_hex(6)}"
        self._root = scratch / name
        self._log_path = scratch / f"{name}.log"
        self._bridge_dir = scratch / f"{name}.binds"
        self._uid_lock: int | None = None
        if self.as_root:
            self.uid, self._uid_lock = _claim_uid(scratch, slot)
            self.gid = self.uid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        with _LIVE_LOCK:
            _LIVE.add(self)
        try:
            self._launch(bwrap, use_cgroups, name)
        except BaseException:
            with contextlib.suppress(Exception):
                self.stop()
            raise

    # --- launch -------------------------------------------------------------------------------
    def _prepare_root(self) -> None:
        spec = self._spec
        if not Path(spec.app_dir).is_dir():
            raise SandboxError(f"app dir {spec.app_dir} does not exist")
        root = self._root
        root.mkdir(mode=0o700)
        for d in ("bin", "lib", "lib64", "sbin"):
            os.symlink(f"usr/{d}", root / d)  # bwrap 0.8 --symlink fails on existing links
        # A fresh copy every time (never hardlinks): the app may modify its files.
        shutil.copytree(spec.app_dir, root / "app", symlinks=True)
        if self.as_root:
            _check_traversable(root.parent, self.uid)
            os.lchown(root, self.uid, self.gid)
            for dirpath, dirnames, filenames in os.walk(root):
                for n in dirnames + filenames:
                    os.lchown(os.path.join(dirpath, n), self.uid, self.gid)

    def _rlimits(self) -> list[tuple[int, int]]:
        lim = self._limits
        # Root: per-slot uid, with slack above `pids` so that a pids cgroup (which reports it)
        # stops a fork bomb first. Non-root: RLIMIT_NPROC counts every task of our uid, the
        # harness's included, so it is only a bound; the watchdog enforces `pids`.
        nproc = lim.pids + 8
        if not self.as_root:
            nproc += _procs.user_task_count(self.uid)
        wanted = [
            (resource.RLIMIT_AS, lim.address_space_bytes),
            (resource.RLIMIT_FSIZE, lim.file_size_bytes),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_NOFILE, lim.open_files),
            (resource.RLIMIT_NPROC, nproc),
        ]
        out = []
        for res, val in wanted:
            hard = resource.getrlimit(res)[1]  # never raise: root may lack CAP_SYS_RESOURCE
            if hard != resource.RLIM_INFINITY:
                val = min(val, hard)
            out.append((res, val))
        return out

    def _plan_binds(self) -> tuple[list[tuple[str, str]], list[tuple[bytes, bytes]]]:
        """(host path, sandbox path) pairs for --ro-bind, plus "bridge" bind mounts for preexec.

        bwrap runs as the sandbox uid, so it cannot reach a source under, say, /root/.cache
        (bwrap 0.8's --ro-bind-fd resolves the path again and fails too). For such sources a
        root harness bind-mounts them, in a private mount ns of the outer bwrap made in
        preexec_fn, onto a traversable per-instance dir; nothing outlives the bwrap process.
        """
        binds: list[tuple[str, str]] = []
        bridge: list[tuple[bytes, bytes]] = []
        items = sorted(self._spec.ro_binds.items(), key=lambda kv: kv[0].count("/"))
        for i, (dest, src) in enumerate(items):
            if not dest.startswith("/") or ".." in dest.split("/") or dest.rstrip("/") == "":
                raise SandboxError(f"bad sandbox path for a bind: {dest!r}")
            src_path = Path(src).absolute()
            try:
                st = os.stat(src_path)
            except OSError as e:
                raise SandboxError(f"cannot bind {src} at {dest}: {e}") from e
            if self.as_root:
                if st.st_uid != self.uid and st.st_mode & 0o005 != 0o005:
                    raise SandboxError(f"{src} (bound at {dest}) is not readable by the sandbox "
                                       f"uid: mode {st.st_mode & 0o777:o}; make it o+rx")
                if _untraversable(src_path.parent, self.uid) is not None:
                    self._bridge_dir.mkdir(mode=0o711, exist_ok=True)
                    target = self._bridge_dir / str(i)
                    if stat.S_ISDIR(st.st_mode):
                        target.mkdir(mode=0o755)
                    else:
                        target.touch(mode=0o644)
                    bridge.append((os.fsencode(src_path), os.fsencode(target)))
                    binds.append((str(target), dest))
                    continue
            binds.append((str(src_path), dest))
        return binds, bridge

    def _args(self, bwrap: str, status_w: int, binds: list[tuple[str, str]]) -> list[str]:
        spec, lim = self._spec, self._limits
        args = [
            bwrap,
            "--bind", str(self._root), "/",
            "--ro-bind", "/usr", "/usr",
            "--ro-bind", "/etc", "/etc",
        ]
        for src, dest in binds:
            args += ["--ro-bind", src, dest]
        args += [
            "--proc", "/proc",
            "--ro-bind", "/proc/sys", "/proc/sys",  # root-less sysctl writes are otherwise allowed
            "--dev", "/dev",
            "--size", str(min(SHM_SIZE_BYTES, lim.tmp_size_bytes)), "--tmpfs", "/dev/shm",
            "--remount-ro", "/dev",  # /dev is an unbounded tmpfs otherwise
            "--size", str(lim.tmp_size_bytes), "--tmpfs", "/tmp",
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            # The app itself is pid 1 of its pid ns (as in Docker): with bwrap's reaper as pid 1,
            # bwrap exits as soon as the app dies, orphaning the reaper to the host's init.
            # (Orphans inside are re-parented to the app and stay zombies until teardown.)
            "--as-pid-1",
            "--hostname", "sandbox",
            "--chdir", "/app",
            "--clearenv",
        ]
        env = {"PATH": DEFAULT_PATH, "HOME": "/tmp", "LANG": "C.UTF-8", **spec.env}
        for key, value in env.items():
            if not key or "=" in key or "\0" in key or "\0" in value:
                raise SandboxError(f"invalid environment variable {key!r}")
            args += ["--setenv", key, value]
        args += ["--json-status-fd", str(status_w), "--", *spec.command]
        return args

    def _launch(self, bwrap: str, use_cgroups: bool, name: str) -> None:
        """Spawn bwrap, with vfork (no preexec_fn: forking a big harness process costs 10+ ms;
        rlimits and the uid drop come from exec wrappers instead), then pin its pid 1."""
        spec = self._spec
        if not spec.command:
            raise SandboxError("empty command")
        self._prepare_root()
        if use_cgroups and _cgroups.layout().parents:
            self._cg = _cgroups.InstanceCgroups(name, self._limits.memory_bytes, self._limits.pids)
        binds, bridge = self._plan_binds()
        log_w = os.open(self._log_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
                        | os.O_CLOEXEC, 0o600)
        self._log_fd = os.open(self._log_path, os.O_RDONLY | os.O_CLOEXEC)
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        self._status_r = status_r
        try:
            args = self._args(bwrap, status_w, binds)
            argv, preexec = self._privilege_drop(args, bridge)
            t_launch = time.monotonic()
            self._t_launch = t_launch
            try:
                self._proc = _procs.spawn(
                    argv, stdin=subprocess.DEVNULL, stdout=log_w, stderr=log_w,
                    pass_fds=(status_w,), env={}, cwd="/",
                    start_new_session=True, preexec_fn=preexec,
                )
            except (OSError, subprocess.SubprocessError) as e:
                raise SandboxError(f"cannot launch bwrap: {e}") from e
        finally:
            os.close(status_w)
            os.close(log_w)
        pid1 = self._read_child_pid()
        self._timings = replace(self._timings, spawn_ms=(time.monotonic() - t_launch) * 1000)
        self._attach(pid1)
        if self._netns_fd is not None and self.connect_mode == "helper":
            self._helper = NetnsHelper(self._netns_fd)
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True,
                                         name=f"baxbench-sampler-{name}")
        self._sampler.start()

    def _privilege_drop(self, args: list[str], bridge: list[tuple[bytes, bytes]]
                        ) -> tuple[list[str], Callable[[], None] | None]:
        """rlimits and, as root, the switch to the slot uid, applied before bwrap runs.

        Through util-linux `prlimit` and `setpriv` exec wrappers, which keep subprocess's cheap
        vfork path (prlimit(2) on the running bwrap would need CAP_SYS_RESOURCE, which root
        lacks in some containers). A preexec_fn is used when a bind mount must be made as root
        first, or when the tools are missing."""
        rlimits = self._rlimits()
        prlimit, setpriv = _tool("prlimit"), _tool("setpriv")
        if not bridge and prlimit and (setpriv or not self.as_root):
            argv = [prlimit, *(f"--{_RLIMIT_NAMES[res]}={val}:{val}" for res, val in rlimits),
                    "--"]
            if self.as_root:
                argv += [str(setpriv), f"--reuid={self.uid}", f"--regid={self.gid}",
                         "--clear-groups", "--"]
            return argv + args, None
        drop = (self.uid, self.gid) if self.as_root else None

        def preexec() -> None:  # in the forked child (still root, if the harness is)
            for res, val in rlimits:
                resource.setrlimit(res, (val, val))
            if bridge:
                _private_mounts(bridge)
            if drop is not None:
                os.setgroups([])
                os.setresgid(drop[1], drop[1], drop[1])
                os.setresuid(drop[0], drop[0], drop[0])

        return args, preexec

    def _join_cgroups(self) -> None:
        """Move the sandbox's process tree into its cgroups (sampler thread, off the critical
        path: a cgroup v1 attach waits for an RCU grace period, ~5-15 ms). Whatever the app
        forked before its pid 1 was moved is found by walking the tree and moved too, until
        the whole tree is inside; until then RLIMIT_NPROC and the watchdog bound it."""
        cg, pid1 = self._cg, self.pid1
        try:
            if cg is None or pid1 is None:
                return
            for _ in range(50):
                inside = set(cg.members())
                missing = [p for p in _procs.tree_pids(pid1) if p not in inside]
                if not missing:
                    self._cg_joined = True
                    return
                for pid in missing:
                    with contextlib.suppress(ProcessLookupError):
                        cg.add(pid)
            self._limit = self._limit or "pids"  # forks faster than we can move them
            self._kill_pid1()
        except OSError as e:
            if e.errno != errno.ESRCH and self.alive():
                self._cg_error = f"cannot move the sandbox into its cgroups: {e}"
        finally:
            self._cg_done.set()

    def _read_child_pid(self) -> int:
        """The host pid of the sandbox's pid 1, from bwrap's --json-status-fd."""
        assert self._status_r is not None and self._proc is not None
        buf = b""
        deadline = time.monotonic() + STATUS_TIMEOUT_S
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._status_r], [], [], left)[0]:
                raise SandboxError("bwrap did not report its child pid in time")
            chunk = os.read(self._status_r, 4096)
            if not chunk:
                try:
                    code = self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    code = None
                raise SandboxError(f"bwrap failed (exit {code}): {self.log(4096).strip()}")
            buf += chunk
        try:
            return int(json.loads(buf.split(b"\n", 1)[0])["child-pid"])
        except (ValueError, KeyError, TypeError) as e:
            raise SandboxError(f"unexpected bwrap status {buf[:200]!r}") from e

    def _attach(self, pid1: int) -> None:
        """Pin pid 1 (pidfd + /proc dir fd) and its netns; verify it is bwrap's child."""
        assert self._proc is not None
        self.pid1 = pid1
        try:
            self._pidfd = os.pidfd_open(pid1)
            self._procdir = os.open(f"/proc/{pid1}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            fd = os.open("stat", os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._procdir)
            with os.fdopen(fd, "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
            if ppid != self._proc.pid:
                raise ProcessLookupError(f"pid {pid1} is not bwrap's child")
            self._netns_fd = os.open("ns/net", os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._procdir)
            self.netns_inode = os.fstat(self._netns_fd).st_ino
            self.pidns_inode = os.stat("ns/pid", dir_fd=self._procdir).st_ino
        except (ProcessLookupError, FileNotFoundError):
            # pid 1 is already gone (e.g. exec of the command failed): wait_ready reports it.
            for attr in ("_pidfd", "_procdir", "_netns_fd"):
                fd = getattr(self, attr)
                if fd is not None:
                    os.close(fd)
                    setattr(self, attr, None)

    # --- sampling / watchdog ------------------------------------------------------------------
    def _members(self) -> list[int]:
        assert self.pid1 is not None
        if self._cg is not None and self._cg_joined:
            return self._cg.members()
        return _procs.tree_pids(self.pid1)

    def _sample(self) -> None:
        """Measure the tree once; enforce memory/pids where no cgroup does. Caller holds lock."""
        proc = self._proc
        if self._stopped or self.pid1 is None or proc is None or proc.poll() is not None:
            self._rss = 0
            return
        rss = ticks = threads = 0
        for pid in self._members():
            s = _procs.read_stat(pid)
            if s is not None:
                rss += s.rss_bytes
                ticks += s.cpu_ticks
                threads += s.threads
        self._rss = rss
        self._peak = max(self._peak, rss)
        self._cpu_ticks = max(self._cpu_ticks, ticks)
        cg = self._cg if self._cg_joined else None
        if (cg is None or not cg.memory) and rss > self._limits.memory_bytes:
            self._limit = self._limit or "memory"
            self._kill_pid1()
        elif (cg is None or not cg.pids) and threads > self._limits.pids:
            self._limit = self._limit or "pids"
            self._kill_pid1()

    def _sample_loop(self) -> None:
        if self._cg is not None:
            self._join_cgroups()
        else:
            self._cg_done.set()
        while not self._stop_event.wait(SAMPLE_PERIOD_S):
            with self._lock:
                if self._stopped or self._proc is None or self._proc.poll() is not None:
                    return
                self._sample()

    def _kill_pid1(self) -> None:
        """SIGKILL the sandbox's pid 1: the kernel then kills everything in its pid ns."""
        if self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    # --- Instance protocol ---------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self._root

    @property
    def timings(self) -> Timings:
        return self._timings

    @property
    def cgroups(self) -> str:
        """Which cgroup controllers limit this instance ('' if only the watchdog does)."""
        return ",".join(sorted(self._cg.dirs)) if self._cg else ""

    def _diag_socket(self) -> socket.socket | None:
        """A sock_diag socket in the sandbox netns (None until the helper is up, or if the
        kernel has no inet_diag: then /proc/<pid1>/net/tcp{,6} is parsed instead)."""
        if self._diag is None and not self._diag_failed and self._netns_fd is not None:
            try:
                if self._helper is not None:
                    if not self._helper.ready():
                        return None
                    self._diag = self._helper.socket(socket.AF_NETLINK)
                else:
                    self._diag = socket_via_setns(self._netns_fd, socket.AF_NETLINK,
                                                  socket.SOCK_RAW, NETLINK_SOCK_DIAG)
                self._diag.settimeout(5)
            except (OSError, SandboxError):
                self._diag_failed = True
        return self._diag

    def _listening(self) -> tuple[int, str, int] | None:
        """(family, address, port) to connect to, if the app listens on its port."""
        port = self._spec.port
        with self._lock:
            if self._stopped:
                return None
            diag = self._diag_socket()
            if diag is not None:
                try:
                    found = listening_sockets(diag, port)
                except OSError:
                    self._diag_failed = True
                    diag.close()
                    self._diag = None
                else:
                    return _connect_target(found)
            return _connect_target(self._proc_net_listening(port))

    def _proc_net_listening(self, port: int) -> list[tuple[int, str, int]]:
        """The slow way (see listening_sockets): parse /proc/<pid1>/net/tcp{,6}."""
        found: list[tuple[int, str, int]] = []
        if self._procdir is None:
            return found
        for name, family in (("net/tcp", socket.AF_INET), ("net/tcp6", socket.AF_INET6)):
            try:
                fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=self._procdir)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as f:
                data = f.read()
            for line in data.splitlines()[1:]:
                parts = line.split()
                if len(parts) < 4 or parts[3] != b"0A":
                    continue
                addr, _, hex_port = parts[1].partition(b":")
                if int(hex_port, 16) == port:
                    found.append((family, _decode_addr(addr, family), port))
        return found

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll for the app's LISTEN socket (every 2 ms via sock_diag) before any connect: a SYN
        sent before the app listens, while bwrap may still be bringing `lo` up, can cost a 1 s
        TCP retransmission timeout."""
        if self._listen is not None:
            return
        if self._proc is None or self._stopped:
            raise SandboxError("instance is not running")
        start = time.monotonic()
        limit = timeout if timeout is not None else self._limits.start_timeout_s
        deadline = start + limit if timeout is not None else self._t_launch + limit
        port = self._spec.port
        while True:
            listen = self._listening()
            if listen is not None:
                break
            code = self._proc.poll()
            if code is not None:
                why = f" ({self._limit} limit hit)" if self.limit_hit() else ""
                log = self.log()
                raise AppStartError(
                    f"the app exited with code {code}{why} before listening on port {port}"
                    f"{_tail_hint(log)}", log, code,
                )
            if time.monotonic() > deadline:
                log = self.log()
                raise AppStartError(
                    f"the app did not listen on port {port} within {limit:.1f}s{_tail_hint(log)}",
                    log, None,
                )
            fast = self._diag is not None and time.monotonic() - start < 2
            time.sleep(0.002 if fast else 0.01)
        if self._helper is not None:
            self._helper.wait_ready(time.monotonic() + 10)
        # Tests start only once the cgroups enforce the limits (normally long done by now).
        if not self._cg_done.wait(10):
            raise SandboxError("moving the sandbox into its cgroups timed out")
        if self._cg_error:
            raise SandboxError(self._cg_error)
        self._listen = listen
        self._timings = replace(self._timings,
                                ready_ms=(time.monotonic() - self._t_launch) * 1000)

    def _target(self, port: int) -> tuple[int, str, int]:
        if port in (APP_PORT, self._spec.port):
            return self._listen or self._listening() or (socket.AF_INET, "127.0.0.1",
                                                         self._spec.port)
        return (socket.AF_INET, "127.0.0.1", port)

    def _socket(self, family: int) -> socket.socket:
        if self._helper is not None:
            return self._helper.socket(family)
        with self._lock:  # the fd must not be closed (and reused) by stop() meanwhile
            if self._netns_fd is None:
                raise OSError(errno.ECONNREFUSED, "the sandbox is not running")
            return socket_via_setns(self._netns_fd, family)

    def http_transport(self) -> httpx.BaseTransport:
        if self._netns_fd is None:
            raise SandboxError("the sandbox is not running (no network namespace)")
        factory: Callable[[int], socket.socket] = self._socket
        return SandboxTransport(SandboxNetworkBackend(factory, self._target))

    def alive(self) -> bool:
        return self._proc is not None and not self._stopped and self._proc.poll() is None

    def exit_code(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def usage(self) -> Usage:
        """RSS summed over the tree; the peak is the highest of the 20 ms samples, the summed
        per-process kernel high-water marks (VmHWM) and the cgroup's peak minus page cache."""
        with self._lock:
            peak = self._peak
            if self.alive():
                self._sample()
                peak = max(peak, self._rss, sum(_procs.peak_rss(p) for p in self._members()))
                self._peak = peak
            cg_peak = self._cg.peak_estimate() if self._cg else self._peak_cg_final
            if cg_peak is not None:
                peak = max(peak, cg_peak)
            cpu = self._cg.cpu_seconds() if self._cg else self._cpu_final
            if cpu is None:
                cpu = self._cpu_ticks / _procs.CLK_TCK
            return Usage(rss_bytes=self._rss, peak_rss_bytes=max(peak, self._rss), cpu_seconds=cpu)

    def reset_peak(self) -> None:
        with self._lock:
            if self._cg:
                self._cg.reset_peak()
            if self.alive():
                for pid in self._members():
                    _procs.reset_peak_rss(pid)
                self._sample()
            self._peak = self._rss

    def limit_hit(self) -> str | None:
        if self._limit is None and self._cg is not None:
            if self._cg.oom_killed():
                self._limit = "memory"
            elif self._cg.pids_hit():
                self._limit = "pids"
        return self._limit

    def log(self, limit: int = 256 * 1024) -> str:
        fd = self._log_fd
        if fd is None:
            data = self._log_tail[-limit:] if limit > 0 else b""
        else:
            size = os.fstat(fd).st_size
            start = max(0, size - limit)
            chunks = []
            while start < size:
                chunk = os.pread(fd, min(size - start, 1 << 20), start)
                if not chunk:
                    break
                chunks.append(chunk)
                start += len(chunk)
            data = b"".join(chunks)
        return data.decode("utf-8", "replace")

    def stop(self) -> None:
        """Kill pid 1 (the kernel kills the rest of its pid ns), reap bwrap, empty and remove
        the cgroups, remove the root. Idempotent."""
        with self._lock:
            if self._stopped:
                first = False
            else:
                self._stopped = first = True
        if not first:  # another thread is tearing down (e.g. a test timeout): wait for it
            self._stop_done.wait(30)
            return
        try:
            self._stop()
        finally:
            self._stop_done.set()

    def _stop(self) -> None:
        t0 = time.monotonic()
        self._stop_event.set()
        problems: list[str] = []
        proc = self._proc
        if proc is not None:
            self._kill_pid1()
            try:
                proc.wait(timeout=KILL_WAIT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # bwrap not reaped: pgid not reusable
                try:
                    proc.wait(timeout=KILL_WAIT_S)
                except subprocess.TimeoutExpired:
                    problems.append(f"bwrap (pid {proc.pid}) did not exit")
        if self._sampler is not None and self._sampler is not threading.current_thread():
            self._sampler.join(timeout=1)
        with self._lock:
            self.limit_hit()
            if self._cg is not None:
                self._cg.kill_all()
                self._cpu_final = self._cg.cpu_seconds()
                self._peak_cg_final = self._cg.peak_estimate()
                self._cg.remove()
                if self._cg.dirs:
                    problems.append("cgroup could not be removed")
                self._cg = None
            self._rss = 0
            if self._diag is not None:
                self._diag.close()
                self._diag = None
            if self._helper is not None:
                self._helper.close()
                self._helper = None
            for attr in ("_pidfd", "_procdir", "_netns_fd", "_status_r"):
                fd = getattr(self, attr)
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                    setattr(self, attr, None)
            if self._log_fd is not None:
                self._log_tail = self.log(LOG_KEEP_BYTES).encode()
                os.close(self._log_fd)
                self._log_fd = None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._log_path)
        for tree in (self._root, self._bridge_dir):
            try:
                _procs.remove_tree(tree)
            except OSError as e:
                problems.append(f"cannot remove {tree}: {e}")
        if self._uid_lock is not None and not problems:
            os.close(self._uid_lock)  # a uid whose processes may have survived stays locked
            self._uid_lock = None
        self._timings = replace(self._timings, teardown_ms=(time.monotonic() - t0) * 1000)
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if problems:
            raise SandboxError("; ".join(problems))

    def __enter__(self) -> BwrapInstance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class BwrapSandbox:
    """bubblewrap backend: `start(spec, slot)` -> BwrapInstance.

    `connect` chooses how client sockets enter the sandbox netns: "setns" (root only),
    "helper" (any uid) or "auto". `cgroups=False` forces the watchdog fallback.
    """

    name = "bwrap"

    def __init__(self, bwrap: str | None = None, cgroups: bool = True,
                 connect: str = "auto") -> None:
        if connect not in ("auto", "setns", "helper"):
            raise ValueError(f"connect must be auto, setns or helper, not {connect!r}")
        self._bwrap = bwrap
        self._cgroups = cgroups
        self._connect = connect

    def _bwrap_path(self) -> str:
        path = self._bwrap or shutil.which("bwrap") or (
            "/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None)
        if not path:
            raise SandboxError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        return path

    def start(self, spec: LaunchSpec, slot: int = 0) -> BwrapInstance:
        if slot < 0:
            raise ValueError("slot must be >= 0")
        return BwrapInstance(spec, slot, self._bwrap_path(), self._cgroups, self._connect)

    def doctor(self) -> list[DoctorCheck]:
        return doctor(self)


def _read_sysctl(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


_TRIAL_APP = (
    "import socket\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('0.0.0.0', 5000)); s.listen()\n"
    "while True:\n"
    "    c, _ = s.accept(); c.recv(65536)\n"
    "    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n'\n"
    "              b'Connection: close\\r\\n\\r\\nok')\n"
    "    c.close()\n"
)


def doctor(sandbox: BwrapSandbox) -> list[DoctorCheck]:
    """Can bubblewrap sandboxes run here? Each failed check carries its fix."""
    checks: list[DoctorCheck] = []
    try:
        bwrap = sandbox._bwrap_path()
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10)
        checks.append(DoctorCheck("bwrap", True, f"{bwrap}: {out.stdout.strip()}"))
    except (SandboxError, OSError, subprocess.TimeoutExpired) as e:
        checks.append(DoctorCheck("bwrap", False, str(e), "apt-get install bubblewrap"))
        return checks
    if os.geteuid() == 0:
        checks.append(DoctorCheck(
            "harness uid", True,
            f"root: sandboxes run as host uids {uid_base()}+slot ({UID_BASE_ENV}), "
            "clients enter the netns with setns()"))
    else:
        checks.append(DoctorCheck(
            "harness uid", True,
            f"uid {os.getuid()}: sandboxes run as this uid, clients use a netns helper process"))
    userns_ok = True
    max_ns = _read_sysctl("/proc/sys/user/max_user_namespaces")
    if max_ns is not None and max_ns == "0":
        userns_ok = False
        checks.append(DoctorCheck("user namespaces", False, "user.max_user_namespaces = 0",
                                  "sysctl -w user.max_user_namespaces=15000"))
    clone = _read_sysctl("/proc/sys/kernel/unprivileged_userns_clone")
    if clone is not None and clone == "0":
        userns_ok = False
        checks.append(DoctorCheck("user namespaces", False,
                                  "kernel.unprivileged_userns_clone = 0",
                                  "sysctl -w kernel.unprivileged_userns_clone=1"))
    apparmor = _read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
    if apparmor is not None and apparmor != "0":
        userns_ok = False
        checks.append(DoctorCheck(
            "user namespaces", False,
            "AppArmor restricts unprivileged user namespaces "
            "(kernel.apparmor_restrict_unprivileged_userns = 1)",
            "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or an AppArmor profile "
            "for bwrap with 'userns,')"))
    if userns_ok:
        checks.append(DoctorCheck("user namespaces", True,
                                  f"unprivileged user namespaces allowed (max {max_ns})"))
    try:
        scratch = scratch_dir()
        bad = _untraversable(scratch, uid_base()) if os.geteuid() == 0 else None
        checks.append(DoctorCheck(
            "scratch dir", bad is None,
            f"instance roots under {scratch}" + (f"; {bad} blocks the sandbox uids" if bad else ""),
            "" if bad is None else "set BAXBENCH_SCRATCH to a dir under world-executable parents"))
    except OSError as e:
        checks.append(DoctorCheck("scratch dir", False, str(e), "set BAXBENCH_SCRATCH"))
    lay = _cgroups.layout()
    checks.append(DoctorCheck(
        "cgroups", True,
        lay.describe() if lay.parents else
        "not writable: memory/pids limits use an RSS watchdog and RLIMIT_NPROC (informational)"))
    checks.append(_trial(sandbox))
    return checks


def _trial(sandbox: BwrapSandbox) -> DoctorCheck:
    """Start a tiny app in a sandbox and fetch a page from it."""
    import tempfile

    python = "/usr/bin/python3"
    with tempfile.TemporaryDirectory(prefix="baxbench-doctor-") as tmp:
        app = Path(tmp)
        if os.path.exists(python):
            (app / "app.py").write_text(_TRIAL_APP)
            spec = LaunchSpec(app_dir=app, command=[python, "/app/app.py"],
                              limits=Limits(start_timeout_s=20))
        else:
            spec = LaunchSpec(app_dir=app, command=["/bin/true"])
        fix = ("check the messages above; run `bwrap --unshare-all --bind / / true` by hand "
               "to see bubblewrap's own error")
        try:
            inst = sandbox.start(spec)
        except SandboxError as e:
            return DoctorCheck("trial sandbox", False, str(e), fix)
        try:
            if spec.command[0] != python:
                code = inst._proc.wait(timeout=20) if inst._proc else None
                ok = code == 0
                return DoctorCheck("trial sandbox", ok, f"/bin/true exited {code}",
                                   "" if ok else fix)
            inst.wait_ready()
            with httpx.Client(transport=inst.http_transport(), timeout=10) as client:
                body = client.get("http://localhost:5000/").text
            ok = body == "ok"
            t = inst.timings
            return DoctorCheck("trial sandbox", ok,
                               f"app served a request ({inst.connect_mode} client, "
                               f"ready in {t.ready_ms:.0f} ms)" if ok else f"unexpected {body!r}",
                               "" if ok else fix)
        except (AppStartError, SandboxError, httpx.HTTPError, subprocess.TimeoutExpired) as e:
            log = getattr(e, "log", "") or inst.log(2000)
            return DoctorCheck("trial sandbox", False, f"{e} {log.strip()[-500:]}", fix)
        finally:
            with contextlib.suppress(SandboxError):
                inst.stop()
