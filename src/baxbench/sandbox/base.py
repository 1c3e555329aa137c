"""The sandbox contract: turn a built app into isolated, disposable running instances.

A backend (bubblewrap today, maybe Docker later) implements `Sandbox`; the runner only sees
`LaunchSpec` going in and `Instance` coming out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

APP_PORT = 5000


class SandboxError(RuntimeError):
    """The sandbox itself could not do its job (missing bwrap, no user namespaces, ...)."""


class AppStartError(RuntimeError):
    """The app did not come up: it exited, or never listened on its port in time."""

    def __init__(self, message: str, log: str = "", exit_code: int | None = None) -> None:
        super().__init__(message)
        self.log = log
        self.exit_code = exit_code


@dataclass(frozen=True)
class Limits:
    """Hard limits of one app instance. They protect the machine; CWE-400 verdicts come from the
    calibrated budgets of each scenario, not from these."""

    memory_bytes: int = 1024 * 1024 * 1024  # cgroup (or watchdog) limit on the whole process tree
    pids: int = 256  # processes+threads of the tree
    address_space_bytes: int = 8 * 1024 * 1024 * 1024  # RLIMIT_AS per process (generous: threads)
    file_size_bytes: int = 256 * 1024 * 1024  # RLIMIT_FSIZE per file
    open_files: int = 1024
    tmp_size_bytes: int = 128 * 1024 * 1024  # tmpfs at /tmp
    start_timeout_s: float = 30.0  # launch -> listening socket


@dataclass(frozen=True)
class LaunchSpec:
    """Everything needed to start one instance of a built app."""

    app_dir: Path  # host dir copied afresh to /app for every instance
    command: list[str]  # argv inside the sandbox, run with cwd /app
    ro_binds: dict[str, Path] = field(default_factory=dict)  # sandbox path -> host path
    env: dict[str, str] = field(default_factory=dict)  # the whole app environment (+PATH/HOME)
    port: int = APP_PORT
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Usage:
    """Resources of an instance's process tree."""

    rss_bytes: int  # now
    peak_rss_bytes: int  # highest seen since start or the last reset_peak()
    cpu_seconds: float  # user+system since start, including dead children


@dataclass(frozen=True)
class Timings:
    spawn_ms: float = 0.0  # launch -> sandbox pid 1 known
    ready_ms: float = 0.0  # launch -> listening socket
    teardown_ms: float = 0.0


class Instance(Protocol):
    """One running app. Everything the app touches is hostile: implementations never follow its
    symlinks, bound every read and time out every wait."""

    @property
    def root(self) -> Path:
        """Host path of the instance's root directory (the app's `/`)."""
        ...

    @property
    def timings(self) -> Timings: ...

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the app listens on its port; raise AppStartError otherwise."""
        ...

    def http_transport(self) -> httpx.BaseTransport:
        """A transport whose connections reach the app's port inside the sandbox."""
        ...

    def alive(self) -> bool: ...

    def exit_code(self) -> int | None: ...

    def usage(self) -> Usage: ...

    def reset_peak(self) -> None:
        """Start a new peak-RSS window (used around resource exploits)."""
        ...

    def limit_hit(self) -> str | None:
        """'memory' or 'pids' when a hard limit was hit (e.g. OOM kill), else None."""
        ...

    def log(self, limit: int = 256 * 1024) -> str:
        """The app's stdout+stderr, at most `limit` bytes (the tail)."""
        ...

    def stop(self) -> None:
        """Kill every process of the instance and remove its root. Idempotent."""
        ...


@dataclass(frozen=True)
class DoctorCheck:
    name: str
    ok: bool
    detail: str
    fix: str = ""


class Sandbox(Protocol):
    """A sandbox backend."""

    name: str

    def start(self, spec: LaunchSpec, slot: int = 0) -> Instance:
        """Launch an instance (not yet ready: call `wait_ready`). `slot` < parallel jobs; backends
        may use it to give concurrent instances distinct host uids."""
        ...

    def doctor(self) -> list[DoctorCheck]:
        """Checks that this backend can work here, each with the fix when it cannot."""
        ...
