"""Process-tree accounting, spawning and hostile-tree removal for the bubblewrap backend.

Everything here reads /proc directly (no psutil objects) because it runs every ~20 ms per
instance and must stay cheap with many instances in parallel.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MAX_TREE = 100_000  # safety bound on a tree walk

# A single long-lived thread forks every bwrap/helper process: PR_SET_PDEATHSIG (behind bwrap's
# --die-with-parent) fires when the *thread* that forked the child exits, so forking from a
# short-lived worker thread would kill the sandbox when that thread ends.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baxbench-spawner")


def spawn(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
    """`subprocess.Popen(*args, **kwargs)` (bytes mode), forked from the spawner thread."""
    return cast("subprocess.Popen[bytes]",
                _SPAWNER.submit(subprocess.Popen, *args, **kwargs).result())


@dataclass(frozen=True)
class ProcSample:
    """One process: resident memory, lifetime CPU ticks (incl. reaped children), threads."""

    rss_bytes: int
    cpu_ticks: int
    threads: int


def read_stat(pid: int) -> ProcSample | None:
    """Parse /proc/<pid>/stat; None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # comm may contain spaces and parentheses: fields start after the last ')'.
    fields = data[data.rfind(b")") + 2 :].split()
    try:
        # fields[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17, threads=20, rss=24
        cpu = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        return ProcSample(int(fields[21]) * PAGE_SIZE, cpu, int(fields[17]))
    except (IndexError, ValueError):
        return None


def peak_rss(pid: int) -> int:
    """The kernel's RSS high-water mark of one process (VmHWM): catches spikes between samples."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def reset_peak_rss(pid: int) -> None:
    """Reset VmHWM to the current RSS (clear_refs 5)."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            continue
    return out


HAVE_CHILDREN_FILE = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def tree_pids(pid1: int) -> list[int]:
    """`pid1` and all its descendants (CONFIG_PROC_CHILDREN, else a /proc scan via psutil)."""
    if not HAVE_CHILDREN_FILE:
        import psutil

        try:
            return [pid1, *(p.pid for p in psutil.Process(pid1).children(recursive=True))]
        except psutil.Error:
            return []
    seen = [pid1]
    i = 0
    while i < len(seen) and len(seen) < MAX_TREE:
        seen.extend(_children(seen[i]))
        i += 1
    return seen


def user_task_count(uid: int) -> int:
    """Tasks (threads) whose owner is `uid`: RLIMIT_NPROC counts them for the whole user."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
        except OSError:
            continue
        sample = read_stat(int(name))
        total += sample.threads if sample else 0
    return total


def pidns_members(pidns_inode: int) -> list[int]:
    """Host pids of every process in the pid namespace with this inode (leftover checks)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{name}/ns/pid").st_ino == pidns_inode:
                    out.append(int(name))
    return out


def uid_members(uid: int) -> list[int]:
    """Host pids of every process whose real uid is `uid`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"Uid:"):
                        if int(line.split()[1]) == uid:
                            out.append(int(name))
                        break
        except (OSError, ValueError):
            continue
    return out


def _make_walkable(root: Path) -> None:
    """Give every directory under `root` u+rwx, never following symlinks.

    A non-root harness cannot remove what the app chmod'ed 000; root can. Each directory is
    reached by an O_PATH|O_NOFOLLOW fd and chmod'ed via /proc/self/fd, so a symlink planted by
    the app is never followed.
    """

    def fix(parent_fd: int, name: str) -> None:
        fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent_fd)
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                return
            os.chmod(f"/proc/self/fd/{fd}", 0o700)
            dfd = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                for entry in os.listdir(dfd):
                    with contextlib.suppress(OSError):
                        fix(dfd, entry)
            finally:
                os.close(dfd)
        finally:
            os.close(fd)

    parent = os.open(root.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fix(parent, root.name)
    finally:
        os.close(parent)


def remove_tree(root: Path) -> None:
    """Delete an app-controlled tree (shutil.rmtree never follows symlinks on Linux); on
    EACCES, open up the directory modes first and retry."""
    if not os.path.lexists(root):
        return
    try:
        shutil.rmtree(root)
        return
    except FileNotFoundError:
        return
    except OSError as e:
        if e.errno not in (errno.EACCES, errno.EPERM, errno.ENOTEMPTY):
            raise
    _make_walkable(root)
    shutil.rmtree(root)
