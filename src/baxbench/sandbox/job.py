"""Run a command to completion in a sandbox, e.g. a build step that executes untrusted code
(Django migrations, a compiler driven by the model's files), and collect its outputs safely."""

from __future__ import annotations

import itertools
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from baxbench.sandbox.base import LaunchSpec, Sandbox

# build jobs use slots of their own, far from the test slots, so their uids never collide
BUILD_SLOT_BASE = 512
_slots = itertools.count()


@dataclass(frozen=True)
class JobResult:
    exit_code: int | None  # None when it timed out
    log: str  # the command's own stdout+stderr (tail)
    seconds: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


def run_job(sandbox: Sandbox, spec: LaunchSpec, timeout: float,
            collect: Callable[[Path], None] | None = None) -> JobResult:
    """Run `spec.command` with `/app` = a fresh copy of `spec.app_dir`; wait for it to exit (or
    kill it after `timeout` s); call `collect(root)` with the instance's root before teardown."""
    slot = BUILD_SLOT_BASE + next(_slots) % 256
    start = time.monotonic()
    instance = sandbox.start(spec, slot)
    try:
        deadline = start + timeout
        while instance.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        timed_out = instance.alive()
        if timed_out:
            instance.stop()
            return JobResult(None, instance.log(64 * 1024) + f"\n[killed after {timeout:.0f} s]",
                             time.monotonic() - start, True)
        code = instance.exit_code()
        log = instance.log(64 * 1024)
        if code == 0 and collect is not None:
            collect(instance.root)
        return JobResult(code, log, time.monotonic() - start)
    finally:
        instance.stop()


class OutputTooLarge(RuntimeError):
    pass


def copy_out(src: Path, dst: Path, max_bytes: int = 2 * 1024**3) -> None:
    """Copy the tree `src` (written by untrusted code) to `dst`: regular files and directories
    only, symlinks and special files skipped, every file opened without following links, the
    total bounded."""
    total = 0
    dst.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK

    def walk(sdir_fd: int, ddir: Path) -> None:
        nonlocal total
        for name in sorted(os.listdir(sdir_fd)):
            st = os.lstat(name, dir_fd=sdir_fd)
            if stat.S_ISDIR(st.st_mode):
                fd = os.open(name, flags | os.O_DIRECTORY, dir_fd=sdir_fd)
                try:
                    (ddir / name).mkdir(exist_ok=True)
                    walk(fd, ddir / name)
                finally:
                    os.close(fd)
            elif stat.S_ISREG(st.st_mode):
                fd = os.open(name, flags, dir_fd=sdir_fd)
                try:
                    mode = 0o755 if st.st_mode & 0o111 else 0o644
                    with open(ddir / name, "wb") as out:
                        while chunk := os.read(fd, 1 << 20):
                            total += len(chunk)
                            if total > max_bytes:
                                raise OutputTooLarge(f"build output larger than {max_bytes} bytes")
                            out.write(chunk)
                    os.chmod(ddir / name, mode)
                finally:
                    os.close(fd)

    top = os.open(src, flags | os.O_DIRECTORY)
    try:
        walk(top, dst)
    finally:
        os.close(top)
