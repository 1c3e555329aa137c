"""A run: generate answers for every (task, sample), parse them, then build and test them.

Run directory:
    config.json                     run identity (model, provider, parameters, prompt variant,
                                    n, versions)
    samples.jsonl                   one SampleRecord per sample (last one wins)
    usage.json                      tokens and cost of the answers, total and per task
    tasks/<scenario>/<env>/prompt.txt
    tasks/<scenario>/<env>/sample<i>/{response.txt, meta.json, reasoning.txt, code/, build/,
                                      build.log, logs/<test>.log}
Resume is natural: a sample with a record is done unless --force; an answer on disk is not asked
for again (see `baxbench.generation`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from baxbench import __version__
from baxbench.env import Env
from baxbench.generation import (
    DEFAULT_MAX_CONNECTIONS,
    Progress,
    generate_answers,
    read_generation_info,
)
from baxbench.models.base import Model
from baxbench.models.cache import ResponseCache
from baxbench.parse import ParseError, parse_response, write_files
from baxbench.results import SampleRecord, append_sample, read_samples
from baxbench.runner import Runner, SampleJob, count_tests
from baxbench.scenario import Scenario

DONE_STATUSES = {"tested", "parse_failed", "build_failed"}


class RunDirMismatch(RuntimeError):
    """The output directory holds a run with other parameters."""


@dataclass(frozen=True)
class RunConfig:
    model: str
    scenarios: list[str]
    envs: list[str]
    samples: int
    spec: str = "openapi"
    safety: str = "none"
    temperature: float | None = 0.2  # None: not sent (reasoning models)
    provider: str = "builtin"  # builtin | openai | openai-compatible | anthropic | external
    base_url: str | None = None
    reasoning_effort: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)  # the model's other parameters

    def identity(self) -> dict[str, Any]:
        """Every parameter that changes the answers: runs that differ in any of them never
        share a directory. Scenarios/envs may grow within one run dir."""
        return {"model": self.model, "provider": self.provider, "base_url": self.base_url,
                "temperature": self.temperature, "reasoning_effort": self.reasoning_effort,
                "generation": self.generation, "spec": self.spec, "safety": self.safety,
                "samples": self.samples, "harness": __version__}


def default_run_dir(config: RunConfig, root: Path = Path("runs")) -> Path:
    """`runs/<model>/<spec>-<safety>-n<n>-<hash of the identity>`: one directory per identity."""
    digest = hashlib.sha256(
        json.dumps(config.identity(), sort_keys=True, default=str).encode()).hexdigest()[:8]
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", config.model).strip("._") or "model"
    return root / model / f"{config.spec}-{config.safety}-n{config.samples}-{digest}"


def sample_dir(out: Path, scenario: Scenario, env: Env, sample: int) -> Path:
    return out / "tasks" / scenario.id / env.dirname / f"sample{sample}"


def prepare_run_dir(out: Path, config: RunConfig, versions: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.json"
    if path.exists():
        old = json.loads(path.read_text())
        if old.get("identity") != config.identity():
            raise RunDirMismatch(
                f"{out} holds a run with other parameters ({old.get('identity')}); "
                f"use another --out, or delete that directory to start over"
            )
        old_scen = set(old.get("config", {}).get("scenarios", []))
        old_envs = set(old.get("config", {}).get("envs", []))
        cfg = asdict(config)
        cfg["scenarios"] = sorted(old_scen | set(config.scenarios))
        cfg["envs"] = sorted(old_envs | set(config.envs))
        cfg["samples"] = max(config.samples, old.get("config", {}).get("samples", 0))
    else:
        cfg = asdict(config)
    path.write_text(json.dumps({"identity": config.identity(), "config": cfg,
                                "versions": versions}, indent=2) + "\n")


def generate(out: Path, config: RunConfig, model: Model, scenarios: list[Scenario],
             envs: list[Env], force: bool, log: Callable[[str], None], *,
             max_connections: int = DEFAULT_MAX_CONNECTIONS, cache: ResponseCache | None = None,
             progress: Progress | None = None) -> list[SampleRecord]:
    """Ask the model for every missing answer, up to `max_connections` requests at a time;
    return records for samples that got no answer (asked again next time). Answers already on
    disk are reused; `cache` serves answers asked for before (see `baxbench.generation`)."""
    return generate_answers(out, config, model, scenarios, envs, force, log,
                            max_connections=max_connections, cache=cache, progress=progress)


def _variant_of(sdir: Path) -> str | None:
    meta = sdir / "meta.json"
    if meta.exists():
        v = json.loads(meta.read_text()).get("variant")
        return str(v) if v is not None else None
    return None


def test(out: Path, config: RunConfig, scenarios: list[Scenario], envs: list[Env],
         runner: Runner, force: bool, log: Callable[[str], None]) -> int:
    """Parse, build and test every answered sample without a record; returns how many tests ran."""
    jsonl = out / "samples.jsonl"
    done = {(r.task_id, r.sample) for r in read_samples(jsonl) if r.status in DONE_STATUSES}
    futures = []
    for scenario in scenarios:
        for env in envs:
            task_id = f"{scenario.id}/{env.id}"
            for i in range(config.samples):
                if (task_id, i) in done and not force:
                    continue
                sdir = sample_dir(out, scenario, env, i)
                response = sdir / "response.txt"
                if not response.exists():
                    continue
                variant = _variant_of(sdir)
                code = sdir / "code"
                if code.exists():
                    shutil.rmtree(code)
                try:
                    files = parse_response(response.read_text(), env)
                    write_files(files, code)
                except ParseError as e:
                    append_sample(jsonl, SampleRecord(task_id=task_id, scenario=scenario.id,
                                                      env=env.id, sample=i, status="parse_failed",
                                                      error=str(e), variant=variant,
                                                      generation=read_generation_info(sdir)))
                    log(f"{task_id}#{i}: could not parse the answer: {e}")
                    continue
                for d in ("build", "logs"):
                    if (sdir / d).exists():
                        shutil.rmtree(sdir / d)
                job = SampleJob(scenario=scenario, env=env, sample=i, code_dir=code,
                                work_dir=sdir, variant=variant)
                futures.append(runner.submit(job))
    n = 0
    env_by_id = {e.id: e for e in envs}
    for fut in futures:
        record = fut.result()
        record.generation = read_generation_info(
            out / "tasks" / record.scenario / env_by_id[record.env].dirname
            / f"sample{record.sample}")
        append_sample(jsonl, record)
        n += len(record.tests)
    return n


def planned_tests(out: Path, config: RunConfig, scenarios: list[Scenario], envs: list[Env],
                  force: bool) -> int:
    done = {(r.task_id, r.sample) for r in read_samples(out / "samples.jsonl")
            if r.status in DONE_STATUSES}
    return sum(count_tests(s) for s in scenarios for e in envs for i in range(config.samples)
               if force or (f"{s.id}/{e.id}", i) not in done)
