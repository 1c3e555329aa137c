"""Generating a run's answers: every missing (task, sample), concurrently, resumably.

- Only answers not on disk are asked for: `response.txt` is written last and atomically, so a
  generation killed at any point resumes by asking for exactly the missing ones.
- Requests run concurrently, at most `max_connections` at a time (asyncio for provider models,
  worker threads for synchronous ones such as the reference pseudo-model).
- Provider models' answers go through a response cache keyed on (model identity, prompt,
  parameters, sample index); `force` asks again and refreshes the cache.
- Per sample, `meta.json` keeps how the answer was produced (finish reason, tokens, cost) and
  `reasoning.txt` any reasoning text the provider returned; `usage.json` sums them per task.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from baxbench.env import Env
from baxbench.metrics import UsageTotals
from baxbench.models.base import Answer, GenerationRequest, Message, Model
from baxbench.models.cache import ResponseCache, cache_key
from baxbench.prompts import build_prompt
from baxbench.results import GenerationInfo, SampleRecord, read_samples
from baxbench.scenario import Scenario

if TYPE_CHECKING:
    from baxbench.pipeline import RunConfig

Log = Callable[[str], None]
Progress = Callable[[str, int, int], None]  # (last answer, answers done, answers wanted)

DEFAULT_MAX_CONNECTIONS = 8


@dataclass
class TaskJob:
    scenario: Scenario
    env: Env
    messages: list[Message]
    wanted: list[int]

    @property
    def task_id(self) -> str:
        return f"{self.scenario.id}/{self.env.id}"


# --- one sample on disk ---------------------------------------------------------------------


def task_dir(out: Path, scenario_id: str, env: Env) -> Path:
    return out / "tasks" / scenario_id / env.dirname


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_answer(sdir: Path, answer: Answer) -> None:
    """Write an answer into a fresh sample directory; `response.txt` comes last (it marks the
    sample as answered)."""
    if sdir.exists():
        shutil.rmtree(sdir)
    sdir.mkdir(parents=True)
    if answer.text is None:
        return
    meta = dict(answer.meta)
    reasoning = meta.pop("reasoning", None)
    if isinstance(reasoning, str) and reasoning:
        (sdir / "reasoning.txt").write_text(reasoning)
    if meta:
        (sdir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    _write_atomic(sdir / "response.txt", answer.text)


def generation_info(meta: dict[str, Any]) -> GenerationInfo | None:
    """The accounting fields of an answer's meta, or None when it has none (reference)."""
    known = {k: meta[k] for k in GenerationInfo.model_fields if k in meta}
    if not known:
        return None
    try:
        return GenerationInfo.model_validate(known)
    except ValidationError:
        return None


def read_generation_info(sdir: Path) -> GenerationInfo | None:
    try:
        meta = json.loads((sdir / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return generation_info(meta) if isinstance(meta, dict) else None


def usage_summary(out: Path, scenarios: Sequence[Scenario], envs: Sequence[Env],
                  samples: int) -> dict[str, Any]:
    """Tokens and cost of the answers on disk, in total and per task."""
    total = UsageTotals()
    per_task: dict[str, Any] = {}
    for scenario in scenarios:
        for env in envs:
            task = UsageTotals()
            for i in range(samples):
                info = read_generation_info(task_dir(out, scenario.id, env) / f"sample{i}")
                task.add(info)
                total.add(info)
            if task.samples:
                per_task[f"{scenario.id}/{env.id}"] = task.to_json()
    return {"total": total.to_json(), "per_task": per_task}


# --- the engine -----------------------------------------------------------------------------


def plan(out: Path, config: RunConfig, scenarios: Sequence[Scenario], envs: Sequence[Env],
         force: bool) -> list[TaskJob]:
    """Every task's prompt (written to prompt.txt) and the samples it still needs."""
    from baxbench.pipeline import DONE_STATUSES

    done = {(r.task_id, r.sample) for r in read_samples(out / "samples.jsonl")
            if r.status in DONE_STATUSES}
    jobs = []
    for scenario in scenarios:
        for env in envs:
            messages = build_prompt(scenario, env, config.spec, config.safety)  # type: ignore[arg-type]
            tdir = task_dir(out, scenario.id, env)
            tdir.mkdir(parents=True, exist_ok=True)
            (tdir / "prompt.txt").write_text(
                "\n\n".join(f"[{m.role}]\n{m.content}" for m in messages))
            task_id = f"{scenario.id}/{env.id}"
            wanted = [i for i in range(config.samples)
                      if force or ((task_id, i) not in done
                                   and not (tdir / f"sample{i}" / "response.txt").exists())]
            if wanted:
                jobs.append(TaskJob(scenario, env, messages, wanted))
    return jobs


def generate_answers(
    out: Path,
    config: RunConfig,
    model: Model,
    scenarios: Sequence[Scenario],
    envs: Sequence[Env],
    force: bool,
    log: Log,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    cache: ResponseCache | None = None,
    progress: Progress | None = None,
) -> list[SampleRecord]:
    """Ask `model` for every missing answer and store them; return generation_failed records
    for the samples that got none (they are asked again on the next run)."""
    jobs = plan(out, config, scenarios, envs, force)
    failed: list[SampleRecord] = []
    total = sum(len(j.wanted) for j in jobs)
    count = 0
    lock = threading.Lock()

    def store(job: TaskJob, answer: Answer) -> None:  # called from worker threads
        nonlocal count
        sdir = task_dir(out, job.scenario.id, job.env) / f"sample{answer.sample}"
        store_answer(sdir, answer)
        with lock:
            if answer.text is None:
                failed.append(SampleRecord(
                    task_id=job.task_id, scenario=job.scenario.id, env=job.env.id,
                    sample=answer.sample, status="generation_failed", error=answer.error,
                    generation=generation_info(answer.meta)))
            count += 1
            if progress is not None:
                progress(f"{job.task_id}#{answer.sample}", count, total)

    try:
        if jobs:
            log(f"asking {model.name} for {total} answer(s) in {len(jobs)} task(s), "
                f"up to {max_connections} at a time")
            params = {"temperature": config.temperature}
            asyncio.run(_run(jobs, model, params, max(1, max_connections), cache, force, store))
    finally:
        usage = usage_summary(out, scenarios, envs, config.samples)
        if usage["per_task"]:
            (out / "usage.json").write_text(json.dumps(usage, indent=2) + "\n")
    return failed


async def _run(jobs: list[TaskJob], model: Model, params: dict[str, Any], max_connections: int,
               cache: ResponseCache | None, force: bool,
               store: Callable[[TaskJob, Answer], None]) -> None:
    semaphore = asyncio.Semaphore(max_connections)
    identity_of = getattr(model, "cache_identity", None)
    identity = identity_of() if callable(identity_of) else None
    use_cache = cache is not None and identity is not None
    agenerate = getattr(model, "agenerate", None)
    per_request = getattr(model, "samples_per_request", None)

    def key(job: TaskJob, sample: int) -> str:
        assert identity is not None
        return cache_key(identity, job.messages, params, sample)

    async def ask(job: TaskJob, samples: list[int]) -> None:
        request = GenerationRequest(job.scenario.id, job.env.id, job.messages, samples, params)
        async with semaphore:
            try:
                if agenerate is not None:
                    answers = await agenerate(request)
                else:
                    answers = await asyncio.to_thread(model.generate, request)
            except Exception as e:  # noqa: BLE001 - a broken model fails its samples only
                answers = [Answer(i, None, f"{type(e).__name__}: {e}") for i in samples]

        def persist() -> None:
            for answer in answers:
                if answer.sample not in samples:
                    continue
                if use_cache and cache is not None and answer.text is not None:
                    cache.put(key(job, answer.sample), answer)
                store(job, answer)

        # file writes off the event loop, so that slow disks do not stall the requests
        await asyncio.to_thread(persist)

    calls = []
    for job in jobs:
        remaining = []
        for i in job.wanted:
            hit = cache.get(key(job, i), i) if use_cache and cache and not force else None
            if hit is not None:
                store(job, hit)
            else:
                remaining.append(i)
        size = per_request if isinstance(per_request, int) and per_request > 0 \
            else max(1, len(remaining))
        calls += [ask(job, remaining[k:k + size]) for k in range(0, len(remaining), size)]
    try:
        await asyncio.gather(*calls)
    finally:
        close = getattr(model, "aclose", None)
        if callable(close):
            await close()
