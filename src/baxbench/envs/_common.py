"""Helpers shared by env implementations."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from baxbench.env import BuildResult, Log
from baxbench.sandbox.base import DoctorCheck


class SetupError(RuntimeError):
    """An env could not be prepared; the message carries the tool's own output."""


def run_logged(cmd: Sequence[str], log: Log, cwd: Path | None = None,
               env: dict[str, str] | None = None, timeout: float = 1800) -> str:
    """Run a setup command, streaming its output lines to `log`; raise SetupError on failure."""
    log(f"$ {' '.join(cmd)}")
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line.rstrip())
        log(line.rstrip())
        if time.monotonic() > deadline:
            proc.kill()
            break
    rc = proc.wait()
    out = "\n".join(lines[-200:])
    if rc != 0:
        raise SetupError(f"command failed ({rc}): {' '.join(cmd)}\n{out}")
    return out


def make_world_readable(path: Path) -> None:
    """Sandbox uids must be able to read a prepared env (they are not its owner)."""
    for p in [path, *path.rglob("*")]:
        if p.is_symlink():
            continue
        mode = p.stat().st_mode
        os.chmod(p, mode | 0o444 | (0o111 if p.is_dir() or mode & 0o100 else 0))
    for parent in path.parents:
        if parent == parent.parent:
            break
        try:
            mode = parent.stat().st_mode
            if not mode & 0o001 and os.access(parent, os.W_OK):
                os.chmod(parent, mode | 0o011)
        except OSError:
            break


def tool_check(name: str, binary: str, fix: str) -> DoctorCheck:
    found = shutil.which(binary)
    return DoctorCheck(name, bool(found), found or f"{binary} not found on PATH", fix)


def run_check(cmd: Sequence[str], cwd: Path, timeout: float = 60) -> BuildResult:
    """Run a build step (syntax check, compile) and keep its own output as the build log."""
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                   "HOME": str(cwd), "LANG": "C.UTF-8"})
    except subprocess.TimeoutExpired:
        return BuildResult(False, f"build step timed out after {timeout}s: {' '.join(cmd)}",
                           time.monotonic() - start)
    out = (proc.stdout + proc.stderr)[-20000:]
    return BuildResult(proc.returncode == 0, out, time.monotonic() - start)
