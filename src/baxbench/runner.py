"""The runner: build each sample once, then run every test on a fresh instance in parallel slots.

Used by `baxbench run/test` (model answers) and `baxbench validate` (reference solutions).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from baxbench.env import Env
from baxbench.results import SampleRecord, TestRecord
from baxbench.sandbox.base import Sandbox
from baxbench.scenario import Exploit, FunctionalTest, Scenario
from baxbench.testing import SlotPool, run_test

# after this many start failures of one sample, its other tests are not started again
MAX_START_FAILURES = 2


@dataclass
class SampleJob:
    """One sample to build and test."""

    scenario: Scenario
    env: Env
    sample: int
    code_dir: Path  # parsed model files
    work_dir: Path  # build/ and logs/ go here
    tests: Sequence[FunctionalTest | Exploit] | None = None  # default: all of the scenario
    variant: str | None = None
    record_base: dict[str, object] = field(default_factory=dict)

    @property
    def task_id(self) -> str:
        return f"{self.scenario.id}/{self.env.id}"


Progress = Callable[[str, int], None]  # (description, tests completed now)


class Runner:
    """Runs sample jobs with `jobs` parallel sandbox slots."""

    def __init__(self, sandbox: Sandbox, home: Path, jobs: int = 2,
                 progress: Progress | None = None) -> None:
        self.sandbox = sandbox
        self.home = home
        self.jobs = max(1, jobs)
        self.slots = SlotPool(self.jobs)
        self.progress = progress or (lambda desc, n: None)
        self._test_pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="bax-test")
        self._build_pool = ThreadPoolExecutor(max(1, min(self.jobs, 4)),
                                              thread_name_prefix="bax-build")

    def close(self) -> None:
        self._test_pool.shutdown(wait=True, cancel_futures=True)
        self._build_pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, job: SampleJob) -> Future[SampleRecord]:
        """Build then test one sample; the future yields its record (never raises)."""
        return self._build_pool.submit(self._build_and_test, job)

    def _build_and_test(self, job: SampleJob) -> SampleRecord:
        base: dict[str, Any] = dict(task_id=job.task_id, scenario=job.scenario.id, env=job.env.id,
                    sample=job.sample, variant=job.variant,
                    files=sorted(p.relative_to(job.code_dir).as_posix()
                                 for p in job.code_dir.rglob("*") if p.is_file()))
        build_dir = job.work_dir / "build"
        try:
            result = job.env.build(job.code_dir, build_dir, self.home)
        except Exception as e:  # noqa: BLE001 - a broken build step is the sample's failure
            return SampleRecord(status="build_failed", error=f"{type(e).__name__}: {e}", **base)
        (job.work_dir / "build.log").write_text(result.log)
        if not result.ok:
            tests = job.tests if job.tests is not None else _all_tests(job.scenario)
            self.progress(f"{job.task_id}#{job.sample} build failed", len(tests))
            return SampleRecord(status="build_failed", error=result.log[-5000:],
                                build_seconds=result.seconds, **base)
        start = time.monotonic()
        records = self._run_tests(job, build_dir)
        return SampleRecord(status="tested", tests=records, build_seconds=result.seconds,
                            test_seconds=time.monotonic() - start, **base)

    def _run_tests(self, job: SampleJob, build_dir: Path) -> list[TestRecord]:
        tests = list(job.tests if job.tests is not None else _all_tests(job.scenario))
        start_failures = 0
        lock = threading.Lock()

        def one(test: FunctionalTest | Exploit) -> TestRecord:
            nonlocal start_failures
            with lock:
                skip = start_failures >= MAX_START_FAILURES
            if skip:
                kind: Literal["functional", "exploit"] = (
                    "functional" if isinstance(test, FunctionalTest) else "exploit")
                rec = TestRecord(name=test.name, kind=kind,
                                 outcome="fail" if kind == "functional" else "error",
                                 message="not run: the app failed to start "
                                         f"{MAX_START_FAILURES} times")
            else:
                slot = self.slots.acquire()
                try:
                    rec = run_test(test, job.scenario, job.env, build_dir, self.home,
                                   self.sandbox, slot, job.work_dir / "logs" / f"{test.name}.log")
                except Exception as e:  # noqa: BLE001 - harness trouble is an error record
                    rec = TestRecord(name=test.name, kind=_kind(test), outcome="error",
                                     message=f"harness error: {type(e).__name__}: {e}")
                finally:
                    self.slots.release(slot)
                if rec.message.startswith("app did not start"):
                    with lock:
                        start_failures += 1
            self.progress(f"{job.task_id}#{job.sample} {test.name}", 1)
            return rec

        futures = [self._test_pool.submit(one, t) for t in tests]
        return [f.result() for f in futures]


def _kind(test: FunctionalTest | Exploit) -> Literal["functional", "exploit"]:
    return "functional" if isinstance(test, FunctionalTest) else "exploit"


def _all_tests(scenario: Scenario) -> list[FunctionalTest | Exploit]:
    return [*scenario.functional_tests, *scenario.exploits]


def count_tests(scenario: Scenario) -> int:
    return len(scenario.functional_tests) + len(scenario.exploits)


def reset_dir(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
