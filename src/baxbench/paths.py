"""Where baxbench keeps prepared envs and scratch space."""

from __future__ import annotations

import os
from pathlib import Path


def baxbench_home() -> Path:
    """`$BAXBENCH_HOME`, default `~/.cache/baxbench`: env caches (venvs, node_modules, ...)."""
    env = os.environ.get("BAXBENCH_HOME")
    base = Path(env) if env else Path.home() / ".cache" / "baxbench"
    return base.expanduser().resolve()


def scratch_dir() -> Path:
    """Parent of the per-instance sandbox roots; must be traversable by sandbox uids."""
    path = Path(os.environ.get("BAXBENCH_SCRATCH", f"/tmp/baxbench-{os.getuid()}"))
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o711)
    return path
