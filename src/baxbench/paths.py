"""Where baxbench keeps prepared envs and scratch space."""

from __future__ import annotations

import os
from pathlib import Path


def baxbench_home() -> Path:
    """`$BAXBENCH_HOME`, default `~/.cache/baxbench` (root: `/var/cache/baxbench`): env caches."""
    env = os.environ.get("BAXBENCH_HOME")
    if env:
        base = Path(env)
    elif os.geteuid() == 0:
        # root's home is 0700, which the unprivileged sandbox uids could not traverse
        base = Path("/var/cache/baxbench")
    else:
        base = Path.home() / ".cache" / "baxbench"
    return base.expanduser().resolve()


def scratch_dir() -> Path:
    """Parent of the per-instance sandbox roots; must be traversable by sandbox uids."""
    path = Path(os.environ.get("BAXBENCH_SCRATCH", f"/tmp/baxbench-{os.getuid()}"))
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o711)
    return path
