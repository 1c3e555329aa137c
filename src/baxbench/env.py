"""The env (framework) contract: what the model is told, how an answer is built and started.

An env is prepared once by `setup` into `$BAXBENCH_HOME/envs/<dir>/` (venv, node_modules, module
caches, ...) so that building and running a sample needs no network.
"""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from baxbench.sandbox.base import DoctorCheck, LaunchSpec

Log = Callable[[str], None]


class EnvNotReady(RuntimeError):
    """The env has not been prepared; the message names the command that prepares it."""


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    log: str  # the toolchain's own output; on failure, its own error text
    seconds: float


class Env(ABC):
    """A framework env. Subclasses set the class attributes and implement the methods."""

    id: str  # e.g. "Python-Flask"
    language: str  # "Python"
    framework: str  # "Flask"
    code_files: tuple[str, ...]  # single-file: ("app.py",); multi-file: the files the model writes
    multi_file: bool = False
    manifest_name: str  # "requirements.txt"
    manifest: str  # pinned allowed packages, shown verbatim to the model
    instructions: str = ""  # env-specific prompt text (file layout rules)

    @property
    def dirname(self) -> str:
        return self.id.replace("/", "-")

    def env_dir(self, home: Path) -> Path:
        return home / "envs" / self.dirname

    @abstractmethod
    def setup(self, home: Path, log: Log) -> None:
        """Prepare the env offline-ready under `env_dir(home)`; idempotent."""

    @abstractmethod
    def checks(self, home: Path) -> list[DoctorCheck]:
        """What this env needs (toolchain, prepared cache), each with the command that fixes it."""

    def is_ready(self, home: Path) -> bool:
        return all(c.ok for c in self.checks(home))

    def require_ready(self, home: Path) -> None:
        bad = [c for c in self.checks(home) if not c.ok]
        if bad:
            detail = "; ".join(f"{c.name}: {c.detail}" for c in bad)
            fix = bad[0].fix or f"baxbench envs setup {self.id}"
            raise EnvNotReady(f"env {self.id} is not ready ({detail}). Fix: {fix}")

    @abstractmethod
    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """Turn the model's files in `code_dir` into a runnable app in `build_dir` (created)."""

    @abstractmethod
    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        """How to start one instance of the built app; `app_env` holds APP_SECRET etc."""

    def versions(self, home: Path) -> dict[str, str]:
        """Toolchain and framework versions, recorded in every run."""
        return {}


def copy_code(code_dir: Path, build_dir: Path) -> None:
    """Copy the model's files (regular files and dirs only; links are dropped)."""
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    for src in sorted(code_dir.rglob("*")):
        rel = src.relative_to(code_dir)
        dst = build_dir / rel
        if src.is_symlink():
            continue
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            os.chmod(dst, 0o644)
