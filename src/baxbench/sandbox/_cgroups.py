"""Per-instance cgroups: kernel-enforced memory/pids limits and exact accounting.

Used where the harness may create cgroups (root on cgroup v1, or a delegated cgroup v2 subtree);
each instance gets its own cgroup nested under the harness's own; the harness moves the outer
bwrap and the sandbox's pid 1 into it before pid 1 execs the app.
Where this is impossible the backend falls back to an RSS/pids watchdog.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

# No cpuacct: every extra v1 hierarchy costs a cgroup attach (~1.4 ms: an RCU sync) per start,
# and CPU time is exact from the process tree anyway (dead children are in their reaper's).
WANTED = ("memory", "pids")


def _read(path: Path) -> str:
    with open(path) as f:
        return f.read()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _keyed(path: Path) -> dict[str, int]:
    """Parse a 'key value' per line file (memory.stat, pids.events, ...)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in _read(path).splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].lstrip("-").isdigit():
                out[parts[0]] = int(parts[1])
    return out


@dataclass(frozen=True)
class _Mount:
    mountpoint: str
    root: str  # the mount's root inside the hierarchy (non-"/" in some containers)
    version: int
    controllers: frozenset[str]


def _mounts() -> list[_Mount]:
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rfields = left.split(), right.split()
            if len(rfields) < 3 or rfields[0] not in ("cgroup", "cgroup2"):
                continue
            mp = fields[4].replace("\\040", " ")
            if rfields[0] == "cgroup2":
                try:
                    ctl = frozenset(_read(Path(mp) / "cgroup.controllers").split())
                except OSError:
                    ctl = frozenset()
                out.append(_Mount(mp, fields[3], 2, ctl))
            else:
                out.append(_Mount(mp, fields[3], 1, frozenset(rfields[2].split(","))))
    return out


def _own_paths() -> dict[str, str]:
    """Controller ('' for v2) -> this process's cgroup path."""
    out: dict[str, str] = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, ctls, path = line.rstrip("\n").split(":", 2)
            for c in ctls.split(",") if ctls else [""]:
                out[c] = path
    return out


def _under(mount: _Mount, path: str) -> Path:
    if mount.root != "/" and path.startswith(mount.root):
        path = path[len(mount.root) :] or "/"
    return Path(mount.mountpoint + path)


@dataclass(frozen=True)
class Layout:
    """Where new per-instance cgroups go: v1 controller -> parent dir, or one v2 parent."""

    version: int
    parents: dict[str, Path] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.parents:
            return "none usable"
        return f"cgroup v{self.version}: " + ", ".join(
            f"{c} under {p}" for c, p in sorted(self.parents.items())
        )


def _v2_enable(parent: Path, controllers: list[str]) -> list[str]:
    """Controllers usable by children of `parent` (enabling them in subtree_control if we may)."""
    try:
        enabled = set(_read(parent / "cgroup.subtree_control").split())
    except OSError:
        return []
    missing = [c for c in controllers if c not in enabled]
    if missing:
        with contextlib.suppress(OSError):
            _write(parent / "cgroup.subtree_control", " ".join("+" + c for c in missing))
        with contextlib.suppress(OSError):
            enabled = set(_read(parent / "cgroup.subtree_control").split())
    return [c for c in controllers if c in enabled]


def _probe(parent: Path) -> bool:
    """Can we create (and remove) a child cgroup here?"""
    probe = parent / f"baxbench-probe-{os.getpid()}"
    try:
        probe.mkdir()
    except FileExistsError:
        pass
    except OSError:
        return False
    with contextlib.suppress(OSError):
        probe.rmdir()
    return True


@cache
def layout() -> Layout:
    """Detect once which cgroup controllers this process can delegate to its sandboxes."""
    if os.environ.get("BAXBENCH_NO_CGROUPS"):
        return Layout(0)
    try:
        mounts, own = _mounts(), _own_paths()
    except OSError:
        return Layout(0)
    v1: dict[str, Path] = {}
    for m in mounts:
        if m.version != 1:
            continue
        for c in WANTED:
            if c in m.controllers and c in own and c not in v1:
                parent = _under(m, own[c])
                if os.access(parent, os.W_OK) and _probe(parent):
                    v1[c] = parent
    if "memory" in v1 or "pids" in v1:
        return Layout(1, v1)
    for m in mounts:
        if m.version == 2 and "" in own:
            parent = _under(m, own[""])
            want: list[str] = [c for c in ("memory", "pids", "cpu") if c in m.controllers]
            if not want or not os.access(parent, os.W_OK):
                continue
            usable = _v2_enable(parent, want)
            if ("memory" in usable or "pids" in usable) and _probe(parent):
                return Layout(2, {c: parent for c in usable})
    return Layout(0)


def _sweep_stale(parents: set[Path]) -> None:
    """Remove empty cgroups left by dead harness processes (best effort, once per process)."""
    for parent in parents:
        with contextlib.suppress(OSError):
            for d in parent.iterdir():
                parts = d.name.split("-")
                if (len(parts) >= 3 and parts[0] == "baxbench" and parts[1].isdigit()
                        and not os.path.exists(f"/proc/{parts[1]}")):
                    with contextlib.suppress(OSError):
                        d.rmdir()


_swept = False


class InstanceCgroups:
    """The cgroup(s) of one instance: create, add processes, read, kill, remove."""

    def __init__(self, name: str, memory_bytes: int, pids: int) -> None:
        global _swept
        lay = layout()
        self.version = lay.version
        self.dirs: dict[str, Path] = {}
        if not _swept:
            _swept = True
            _sweep_stale(set(lay.parents.values()))
        leaf = f"baxbench-{os.getpid()}-{name}"
        try:
            for ctl, parent in lay.parents.items():
                d = parent / leaf
                if d not in self.dirs.values():
                    d.mkdir()
                self.dirs[ctl] = d
            if self.version == 1:
                if "memory" in self.dirs:
                    _write(self.dirs["memory"] / "memory.limit_in_bytes", str(memory_bytes))
                    memsw = self.dirs["memory"] / "memory.memsw.limit_in_bytes"
                    if memsw.exists():
                        _write(memsw, str(memory_bytes))
                if "pids" in self.dirs:
                    _write(self.dirs["pids"] / "pids.max", str(pids))
            elif self.version == 2:
                if "memory" in self.dirs:
                    d = self.dirs["memory"]
                    _write(d / "memory.max", str(memory_bytes))
                    with contextlib.suppress(OSError):
                        _write(d / "memory.swap.max", "0")
                if "pids" in self.dirs:
                    _write(self.dirs["pids"] / "pids.max", str(pids))
        except OSError:
            self.remove()
            raise

    @property
    def memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def pids(self) -> bool:
        return "pids" in self.dirs

    def add(self, pid: int) -> None:
        """Move the process `pid` into every cgroup of the instance."""
        for d in sorted(set(self.dirs.values())):
            _write(d / "cgroup.procs", str(pid))

    def members(self) -> list[int]:
        d = self.dirs.get("memory") or self.dirs.get("pids")
        if d is None:
            return []
        try:
            return [int(x) for x in _read(d / "cgroup.procs").split()]
        except (OSError, ValueError):
            return []

    def oom_killed(self) -> bool:
        if "memory" not in self.dirs:
            return False
        d = self.dirs["memory"]
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        return _keyed(d / name).get("oom_kill", 0) > 0

    def pids_hit(self) -> bool:
        if "pids" not in self.dirs:
            return False
        return _keyed(self.dirs["pids"] / "pids.events").get("max", 0) > 0

    def peak_estimate(self) -> int | None:
        """Peak non-page-cache memory of the tree since the last reset, or None.

        The kernel's peak counter includes page cache (imports, files the app writes), so the
        current cache is subtracted: this catches allocation spikes too short for the sampler.
        """
        d = self.dirs.get("memory")
        if d is None:
            return None
        try:
            if self.version == 1:
                peak = int(_read(d / "memory.max_usage_in_bytes"))
                cache_ = _keyed(d / "memory.stat").get("cache", 0)
            else:
                peak = int(_read(d / "memory.peak"))
                cache_ = _keyed(d / "memory.stat").get("file", 0)
        except (OSError, ValueError):
            return None
        return max(0, peak - cache_)

    def reset_peak(self) -> None:
        d = self.dirs.get("memory")
        if d is not None and self.version == 1:
            with contextlib.suppress(OSError):
                _write(d / "memory.max_usage_in_bytes", "0")

    def cpu_seconds(self) -> float | None:
        try:
            if self.version == 1 and "cpuacct" in self.dirs:
                return int(_read(self.dirs["cpuacct"] / "cpuacct.usage")) / 1e9
            if self.version == 2 and self.dirs:
                d = next(iter(self.dirs.values()))
                usec = _keyed(d / "cpu.stat").get("usage_usec")
                return None if usec is None else usec / 1e6
        except (OSError, ValueError):
            return None
        return None

    def kill_all(self, timeout: float = 2.0) -> None:
        """SIGKILL whatever is still in the cgroup(s) and wait until they are empty."""
        deadline = time.monotonic() + timeout
        for d in set(self.dirs.values()):
            kill_file = d / "cgroup.kill"
            if self.version == 2 and kill_file.exists():
                with contextlib.suppress(OSError):
                    _write(kill_file, "1")
            while True:
                try:
                    pids = [int(x) for x in _read(d / "cgroup.procs").split()]
                except (OSError, ValueError):
                    break
                if not pids or time.monotonic() > deadline:
                    break
                for pid in pids:
                    _kill_member(pid, d)
                time.sleep(0.002)

    def remove(self, timeout: float = 2.0) -> None:
        """rmdir the cgroup dirs (retrying while exiting tasks still pin them)."""
        deadline = time.monotonic() + timeout
        for d in set(self.dirs.values()):
            while True:
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY or time.monotonic() > deadline:
                        break
                    time.sleep(0.002)
        self.dirs = {}


def _kill_member(pid: int, cgdir: Path) -> None:
    """SIGKILL `pid` only if, once pinned by a pidfd, it is still in our cgroup (no pid reuse)."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        rel = str(cgdir)
        with open(f"/proc/{pid}/cgroup") as f:
            paths = [line.rstrip("\n").split(":", 2)[2] for line in f]
        if any(p and rel.endswith(p) and p != "/" for p in paths):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except (OSError, IndexError):
        pass
    finally:
        os.close(pidfd)
