"""Helpers of the project envs built from Debian's packages (PHP-Lumen, Ruby-Rails).

Their toolchains and frameworks are Debian packages under /usr (visible read-only in every
sandbox), so nothing is downloaded; `setup` only writes a project skeleton into the env cache.
A build lays the model's files over a copy of that skeleton, checks the syntax on the host (the
language's own parser, which runs none of the code), then runs a step that loads the model's code
(boot check, migrations) in a sandbox, offline, and keeps the result as the build.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from baxbench.env import BuildResult
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits

BUILD_TIMEOUT_S = 300.0


# --- Debian packages ------------------------------------------------------------------------


def apt_fix(packages: Iterable[str]) -> str:
    return ("apt-get update && apt-get install -y --no-install-recommends "
            + " ".join(packages))


def dpkg_versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed Debian package -> its version (packages not installed are left out)."""
    names = list(packages)
    if not names or shutil.which("dpkg-query") is None:
        return {}
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Version}\t${db:Status-Status}\n", *names],
        capture_output=True, text=True)
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[2] == "installed" and parts[1]:
            out[parts[0].split(":")[0]] = parts[1]
    return out


def upstream_version(debian_version: str) -> str:
    """The upstream part of a Debian version: `2:6.1.7.10+dfsg-1~deb12u3` -> `6.1.7.10`."""
    v = re.sub(r"^\d+:", "", debian_version)
    if "-" in v:
        v = v.rsplit("-", 1)[0]
    v = re.split(r"[+~]", v, maxsplit=1)[0]
    return v


def dpkg_depends(package: str) -> list[str]:
    """The installed package names `package` depends on (first alternative of each)."""
    proc = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}\n", package],
                          capture_output=True, text=True)
    out = []
    for item in proc.stdout.replace("\n", ",").split(","):
        name = item.split("|", 1)[0].strip().split(" ", 1)[0].split(":", 1)[0]
        if name:
            out.append(name)
    return out


def dpkg_files(package: str) -> list[str]:
    proc = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True)
    return proc.stdout.splitlines()


def packages_check(name: str, packages: Iterable[str]) -> DoctorCheck:
    wanted = list(packages)
    have = dpkg_versions(wanted)
    missing = [p for p in wanted if p not in have]
    if missing:
        return DoctorCheck(name, False, "missing Debian packages: " + " ".join(missing),
                           apt_fix(wanted))
    return DoctorCheck(name, True, ", ".join(f"{p} {have[p]}" for p in wanted))


# --- the project: skeleton + the model's files ------------------------------------------------


def stage_project(skeleton: Path, code_dir: Path, stage: Path,
                  env_owned: Callable[[str], bool]) -> list[str]:
    """Copy `skeleton` to `stage`, then lay the model's files over it. Files the env owns
    (`env_owned(relpath)`) are kept from the skeleton; returns notes for the build log."""
    shutil.copytree(skeleton, stage, symlinks=False)
    notes = []
    for src in sorted(code_dir.rglob("*")):
        if src.is_symlink() or not src.is_file():
            continue
        rel = src.relative_to(code_dir)
        if env_owned(rel.as_posix()):
            notes.append(f"note: {rel.as_posix()} is provided by the env; the answer's version "
                         "is ignored")
            continue
        # a model file may replace a skeleton directory, or sit where a skeleton file is
        for parent in reversed(rel.parents[:-1]):
            if (stage / parent).is_file():
                (stage / parent).unlink()
        dst = stage / rel
        if dst.is_dir():
            shutil.rmtree(dst)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        dst.chmod(0o755 if rel.parts[0] == "bin" else 0o644)
    return notes


def answer_files(code_dir: Path, suffix: str) -> list[str]:
    """The model's files ending in `suffix`, relative, sorted."""
    return sorted(p.relative_to(code_dir).as_posix() for p in code_dir.rglob(f"*{suffix}")
                  if p.is_file() and not p.is_symlink())


def syntax_check(files: list[str], cwd: Path, argv: Callable[[str], list[str]],
                 timeout: float = 60) -> str | None:
    """Run the language's own syntax checker on each file (on the host: parsing runs nothing);
    the checker's output for the first file that fails, else None."""
    deadline = time.monotonic() + timeout
    for rel in files:
        try:
            proc = subprocess.run(argv(rel), cwd=cwd, capture_output=True, text=True,
                                  timeout=max(1.0, deadline - time.monotonic()),
                                  env={"PATH": "/usr/bin:/bin", "HOME": str(cwd),
                                       "LANG": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            return f"syntax check timed out: {' '.join(argv(rel))}"
        if proc.returncode != 0:
            return (proc.stdout + proc.stderr).strip()[-20000:] or f"{rel}: syntax error"
    return None


def sandboxed_build(stage: Path, build_dir: Path, command: list[str], env: dict[str, str],
                    step: str, ro_binds: dict[str, Path] | None = None,
                    timeout: float = BUILD_TIMEOUT_S) -> tuple[bool, str]:
    """Run `command` in a sandbox with /app = `stage` (offline, unprivileged); on success the
    sandbox's /app becomes `build_dir`. Returns (ok, the command's own output; on failure, with
    a closing line naming `step`)."""
    from baxbench.sandbox import get_sandbox
    from baxbench.sandbox.job import OutputTooLarge, copy_out, run_job

    spec = LaunchSpec(
        app_dir=stage,
        command=command,
        ro_binds=dict(ro_binds or {}),
        # the code may read APP_SECRET while it loads: a throwaway value, never a test's
        env={**env, "APP_SECRET": secrets.token_urlsafe(24)},
        limits=Limits(memory_bytes=2 * 1024**3, pids=512),
    )
    if build_dir.exists():
        shutil.rmtree(build_dir)

    def collect(root: Path) -> None:
        copy_out(root / "app", build_dir)

    try:
        job = run_job(get_sandbox(), spec, timeout, collect)
    except OutputTooLarge as e:
        return False, str(e)
    if not job.ok:
        summary = failure_summary(job.log, step, job.timed_out, job.exit_code)
        return False, f"{job.log.rstrip()}\n{summary}"
    return True, job.log.rstrip()


_ERROR_LINE = re.compile(r"Error\b|Exception\b|error:|no such class|cannot load", re.I)


def failure_summary(log: str, step: str, timed_out: bool, exit_code: int | None) -> str:
    """One closing line naming the step that failed and the error it printed (the last line
    that looks like one, else its last line), e.g. `LoadError: cannot load such file -- x`."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if _ERROR_LINE.search(line)]
    last = (errors or lines or [""])[-1][:300]
    what = "timed out" if timed_out else f"exited with code {exit_code}"
    return f"[build failed: `{step}` {what}" + (f"; last output: {last}]" if last else "]")


def build_project(
    skeleton: Path,
    code_dir: Path,
    build_dir: Path,
    env_owned: Callable[[str], bool],
    syntax: Callable[[Path, Path], str | None],
    sandbox_step: Callable[[Path, Path], tuple[bool, str]],
) -> BuildResult:
    """skeleton + answer -> syntax check -> sandboxed step -> `build_dir`."""
    start = time.monotonic()
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)  # also on failure: the caller keeps its log beside it
    with tempfile.TemporaryDirectory(prefix="baxbench-project-") as tmp:
        stage = Path(tmp) / "app"
        notes = stage_project(skeleton, code_dir, stage, env_owned)
        error = syntax(code_dir, stage)
        if error:
            return BuildResult(False, "\n".join([*notes, error]), time.monotonic() - start)
        ok, log = sandbox_step(stage, build_dir)
    return BuildResult(ok, "\n".join([*notes, log]).strip() or "ok", time.monotonic() - start)


def write_tree(root: Path, files: dict[str, str], executable: Iterable[str] = ()) -> None:
    """Write `files` (relative path -> text) under `root`; `executable` ones get mode 755."""
    exe = set(executable)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755 if rel in exe else 0o644)
