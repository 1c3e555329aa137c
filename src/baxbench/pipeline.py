"""A run: generate answers for every (task, sample), parse them, then build and test them.

Run directory:
    config.json                     run identity (model, prompt variant, n, versions)
    samples.jsonl                   one SampleRecord per sample (last one wins)
    tasks/<scenario>/<env>/prompt.txt
    tasks/<scenario>/<env>/sample<i>/{response.txt, code/, build/, build.log, logs/<test>.log}
Resume is natural: a sample with a record is done unless --force.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from baxbench import __version__
from baxbench.env import Env
from baxbench.models.base import GenerationRequest, Model
from baxbench.parse import ParseError, parse_response, write_files
from baxbench.prompts import build_prompt
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
    temperature: float = 0.2

    def identity(self) -> dict[str, Any]:
        """What makes two runs comparable; scenarios/envs may grow within one run dir."""
        return {"model": self.model, "spec": self.spec, "safety": self.safety,
                "temperature": self.temperature, "harness": __version__}


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
             envs: list[Env], force: bool, log: Callable[[str], None]) -> list[SampleRecord]:
    """Ask the model for every missing answer; return records for samples that cannot be tested
    (generation or parse failures). Answers already on disk are reused."""
    done = {(r.task_id, r.sample) for r in read_samples(out / "samples.jsonl")
            if r.status in DONE_STATUSES}
    failed: list[SampleRecord] = []
    for scenario in scenarios:
        for env in envs:
            task_id = f"{scenario.id}/{env.id}"
            messages = build_prompt(scenario, env, config.spec, config.safety)  # type: ignore[arg-type]
            task_dir = out / "tasks" / scenario.id / env.dirname
            task_dir.mkdir(parents=True, exist_ok=True)
            (task_dir / "prompt.txt").write_text(
                "\n\n".join(f"[{m.role}]\n{m.content}" for m in messages))
            wanted = [i for i in range(config.samples)
                      if force or ((task_id, i) not in done
                                   and not (sample_dir(out, scenario, env, i) / "response.txt").exists())]
            if wanted:
                log(f"generating {task_id} samples {wanted}")
                request = GenerationRequest(scenario.id, env.id, messages, wanted,
                                            {"temperature": config.temperature})
                for answer in model.generate(request):
                    sdir = sample_dir(out, scenario, env, answer.sample)
                    if sdir.exists():
                        shutil.rmtree(sdir)
                    sdir.mkdir(parents=True)
                    if answer.text is None:
                        failed.append(SampleRecord(task_id=task_id, scenario=scenario.id,
                                                   env=env.id, sample=answer.sample,
                                                   status="generation_failed",
                                                   error=answer.error))
                        continue
                    (sdir / "response.txt").write_text(answer.text)
                    if answer.meta:
                        (sdir / "meta.json").write_text(json.dumps(answer.meta, indent=2))
    return failed


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
                                                      error=str(e), variant=variant))
                    log(f"{task_id}#{i}: could not parse the answer: {e}")
                    continue
                for d in ("build", "logs"):
                    if (sdir / d).exists():
                        shutil.rmtree(sdir / d)
                job = SampleJob(scenario=scenario, env=env, sample=i, code_dir=code,
                                work_dir=sdir, variant=variant)
                futures.append(runner.submit(job))
    n = 0
    for fut in futures:
        record = fut.result()
        append_sample(jsonl, record)
        n += len(record.tests)
    return n


def planned_tests(out: Path, config: RunConfig, scenarios: list[Scenario], envs: list[Env],
                  force: bool) -> int:
    done = {(r.task_id, r.sample) for r in read_samples(out / "samples.jsonl")
            if r.status in DONE_STATUSES}
    return sum(count_tests(s) for s in scenarios for e in envs for i in range(config.samples)
               if force or (f"{s.id}/{e.id}", i) not in done)
