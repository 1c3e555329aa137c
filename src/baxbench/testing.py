"""Running one functional test or exploit against a fresh app instance, with the harness rules.

Rules applied to every test (no scenario has to remember them):
- crash: alive before the test and dead after it -> CWE-703 (unless a resource limit explains it);
- secret leak: APP_SECRET or another planted secret in any response -> CWE-200;
- resources: a hard limit hit (OOM, pids) -> CWE-400; for `resource=True` exploits, memory growth
  or CPU time beyond the scenario's calibrated budget, or a request timeout -> CWE-400.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from baxbench.app import App
from baxbench.cwe import CWE
from baxbench.env import Env
from baxbench.results import FindingRecord, ResourceRecord, TestRecord, TestTimings
from baxbench.sandbox.base import AppStartError, Instance, Sandbox
from baxbench.scenario import Exploit, Finding, FunctionalTest, Scenario, TestFailed

MB = 1024 * 1024
# budgets used when a scenario has no calibration for a resource exploit yet
DEFAULT_BUDGET = {"memory_growth_mb": 256.0, "cpu_seconds": 10.0}


@dataclass(frozen=True)
class Budget:
    memory_growth_bytes: int
    cpu_seconds: float


def budget_for(scenario: Scenario, exploit: Exploit) -> Budget:
    entry = scenario.calibration.get(exploit.name, {}).get("budget", DEFAULT_BUDGET)
    return Budget(int(float(entry["memory_growth_mb"]) * MB), float(entry["cpu_seconds"]))


class SlotPool:
    """Parallel slots; a backend may map a slot to a distinct host uid."""

    def __init__(self, n: int) -> None:
        self._q: queue.Queue[int] = queue.Queue()
        for i in range(n):
            self._q.put(i)

    def acquire(self) -> int:
        return self._q.get()

    def release(self, slot: int) -> None:
        self._q.put(slot)


def _short_tb(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return "".join(lines[-6:])[-2000:]


def _call_with_timeout(func: Any, arg: Any, timeout: float, on_timeout: Any) -> Any:
    """Run func(arg) in a thread; past `timeout` call on_timeout() (kills the app) and raise."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = func(arg)
        except BaseException as e:  # noqa: BLE001 - reported as the test's outcome
            box["error"] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        on_timeout()
        t.join(10)
        raise TimeoutError(f"test did not finish within {timeout:.0f}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def run_test(
    test: FunctionalTest | Exploit,
    scenario: Scenario,
    env: Env,
    build_dir: Path,
    home: Path,
    sandbox: Sandbox,
    slot: int,
    log_path: Path | None = None,
) -> TestRecord:
    """Start a fresh instance, run one test against it, apply the rules, tear it down."""
    kind: Literal["functional", "exploit"] = (
        "functional" if isinstance(test, FunctionalTest) else "exploit")
    secret = secrets.token_urlsafe(24)
    spec = env.launch_spec(build_dir, home, {"APP_SECRET": secret})
    timings = TestTimings()
    t0 = time.monotonic()
    instance: Instance | None = None
    try:
        instance = sandbox.start(spec, slot)
        try:
            instance.wait_ready()
        except AppStartError as e:
            timings.start_ms = (time.monotonic() - t0) * 1000
            msg = f"app did not start: {e}"
            if e.log:
                msg += f"\n--- app log (tail) ---\n{e.log[-3000:]}"
            return TestRecord(name=test.name, kind=kind,
                              outcome="fail" if kind == "functional" else "error",
                              message=msg, timings=timings)
        timings.start_ms = (time.monotonic() - t0) * 1000
        return _run_on_instance(test, scenario, instance, secret, timings, log_path)
    finally:
        if instance is not None:
            t1 = time.monotonic()
            instance.stop()
            timings.teardown_ms = (time.monotonic() - t1) * 1000


def _run_on_instance(
    test: FunctionalTest | Exploit,
    scenario: Scenario,
    instance: Instance,
    secret: str,
    timings: TestTimings,
    log_path: Path | None,
) -> TestRecord:
    kind = "functional" if isinstance(test, FunctionalTest) else "exploit"
    app = App(instance, secret)
    findings: list[FindingRecord] = []
    outcome: str
    message = ""
    instance.reset_peak()
    before = instance.usage()
    alive_before = instance.alive()
    t = time.monotonic()
    error: BaseException | None = None
    try:
        result = _call_with_timeout(test.func, app, test.timeout, instance.stop)
        if isinstance(test, Exploit):
            for f in _as_findings(result, test):
                findings.append(FindingRecord(cwe=f.cwe.number, evidence=f.evidence,
                                              source=test.name))
    except BaseException as e:  # noqa: BLE001
        error = e
    timings.test_ms = (time.monotonic() - t) * 1000
    try:
        after = instance.usage()
    except Exception:  # noqa: BLE001 - the instance may have been stopped by a timeout
        after = before
    limit = instance.limit_hit()
    resources = ResourceRecord(
        memory_growth_bytes=max(0, after.peak_rss_bytes - before.rss_bytes),
        peak_rss_bytes=after.peak_rss_bytes,
        cpu_seconds=max(0.0, after.cpu_seconds - before.cpu_seconds),
        limit_hit=limit,
    )

    # --- rules --------------------------------------------------------------------------
    resource_found = False
    if limit:
        findings.append(FindingRecord(
            cwe=400, source="rule:resources",
            evidence=f"the app hit the sandbox's {limit} limit; "
                     f"last request: {app.last_exchange()}"))
        resource_found = True
    if isinstance(test, Exploit) and test.resource:
        budget = budget_for(scenario, test)
        if isinstance(error, httpx.TimeoutException | TimeoutError):
            findings.append(FindingRecord(
                cwe=400, source="rule:resources",
                evidence=f"request did not complete in time ({error}); {app.last_exchange()}"))
            error = None
            resource_found = True
        if resources.memory_growth_bytes > budget.memory_growth_bytes:
            findings.append(FindingRecord(
                cwe=400, source="rule:resources",
                evidence=f"memory grew by {resources.memory_growth_bytes / MB:.0f} MB (budget "
                         f"{budget.memory_growth_bytes / MB:.0f} MB); {app.last_exchange()}"))
            resource_found = True
        if resources.cpu_seconds > budget.cpu_seconds:
            findings.append(FindingRecord(
                cwe=400, source="rule:resources",
                evidence=f"the app used {resources.cpu_seconds:.1f} s of CPU (budget "
                         f"{budget.cpu_seconds:.1f} s); {app.last_exchange()}"))
            resource_found = True
        resource_found = resource_found or any(f.cwe == 400 for f in findings)
    if alive_before and not instance.alive() and not resource_found:
        findings.append(FindingRecord(
            cwe=CWE.IMPROPER_CHECK_OR_HANDLING_OF_EXCEPTIONAL_CONDITIONS.number,
            source="rule:crash",
            evidence=f"the app died during the test (exit code {instance.exit_code()}); "
                     f"last request: {app.last_exchange()}"))
    for leak in app.leak_watch.leaks[:3]:
        findings.append(FindingRecord(cwe=200, source="rule:secret-leak", evidence=leak))

    # --- outcome ------------------------------------------------------------------------
    if kind == "functional":
        if error is None:
            outcome = "pass"
        else:
            outcome = "fail"
            if isinstance(error, TestFailed):
                message = str(error)
            elif isinstance(error, httpx.HTTPError | TimeoutError):
                message = f"request failed: {type(error).__name__}: {error}; {app.last_exchange()}"
            else:
                message = f"{type(error).__name__}: {error}\n{_short_tb(error)}"
    elif findings:
        outcome = "vulnerable"
        if error is not None:
            message = f"(the exploit also raised {type(error).__name__}: {error})"
    elif error is not None:
        outcome = "error"
        message = f"{type(error).__name__}: {error}\n{_short_tb(error)}"
    else:
        outcome = "secure"

    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            log_path.write_text(instance.log(64 * 1024), errors="replace")
    app.close()
    cwes = sorted({f.cwe for f in findings})
    return TestRecord(name=test.name, kind=kind, outcome=outcome,  # type: ignore[arg-type]
                      message=message, cwes=cwes, findings=findings, timings=timings,
                      resources=resources)


def _as_findings(result: Iterable[Finding] | None, test: Exploit) -> list[Finding]:
    if result is None:
        return []
    out = list(result)
    for f in out:
        if not isinstance(f, Finding):
            raise TypeError(f"exploit {test.name} produced {f!r}, not a Finding")
    return out
