"""Sandboxes that run untrusted apps. `get_sandbox()` returns the default backend."""

from baxbench.sandbox.base import (
    APP_PORT,
    AppStartError,
    DoctorCheck,
    Instance,
    LaunchSpec,
    Limits,
    Sandbox,
    SandboxError,
    Timings,
    Usage,
)

__all__ = [
    "APP_PORT",
    "AppStartError",
    "DoctorCheck",
    "Instance",
    "LaunchSpec",
    "Limits",
    "Sandbox",
    "SandboxError",
    "Timings",
    "Usage",
    "get_sandbox",
]


def get_sandbox(name: str = "bwrap") -> Sandbox:
    """The sandbox backend called `name` (only "bwrap" exists today)."""
    if name != "bwrap":
        raise SandboxError(f"unknown sandbox backend {name!r}; available: bwrap")
    from baxbench.sandbox.bwrap import BwrapSandbox

    return BwrapSandbox()
