"""Models run elsewhere: export the prompts, import the answers.

`baxbench prompts export` writes one JSON line per (task, sample)::

    {"id": "Calculator/Python-Flask/0", "scenario": "Calculator", "env": "Python-Flask",
     "sample": 0, "spec": "openapi", "safety": "none", "prompt_id": "<sha256>",
     "messages": [{"role": "system", "content": "..."}, {"role": "user", "content": "..."}]}

`baxbench generate --responses FILE.jsonl` takes the same lines with the answer in "response"
(other keys may stay; optional: "usage": {"input_tokens", "output_tokens", "reasoning_tokens"},
"cost_usd", "finish_reason", "model"). A directory works too, laid out per task and sample:
`<dir>/<scenario>/<env>/sample<i>/response.txt` (a run's `tasks/` folder has this shape) or
`<dir>/<scenario>/<env>/sample<i>.txt`; env folders may use the id or its dirname (`/` -> `-`).

Every problem (unknown id, duplicate, empty answer, a prompt that changed since the export) is
one error naming its line or file; the import goes on with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baxbench.env import Env
from baxbench.generation import store_answer, task_dir
from baxbench.models.base import Answer
from baxbench.prompts import build_prompt, prompt_id
from baxbench.scenario import Scenario

if TYPE_CHECKING:
    from baxbench.pipeline import RunConfig

_USAGE_KEYS = ("input_tokens", "output_tokens", "reasoning_tokens", "cached_input_tokens")
_SAMPLE_DIR = re.compile(r"sample(\d+)")
_SAMPLE_FILE = re.compile(r"(?:sample)?(\d+)\.(?:txt|md)")


def sample_id(scenario_id: str, env_id: str, sample: int) -> str:
    return f"{scenario_id}/{env_id}/{sample}"


def parse_sample_id(value: str) -> tuple[str, str, int] | None:
    """(scenario, env, sample) of an id; env ids may contain '/' (`Go-net/http`)."""
    scenario, sep, rest = value.partition("/")
    env, sep2, index = rest.rpartition("/")
    if not (sep and sep2 and scenario and env and index.isdigit()):
        return None
    return scenario, env, int(index)


# --- export ---------------------------------------------------------------------------------


def prompt_lines(scenarios: Sequence[Scenario], envs: Sequence[Env], samples: int, spec: str,
                 safety: str) -> Iterator[dict[str, Any]]:
    for scenario in scenarios:
        for env in envs:
            messages = build_prompt(scenario, env, spec, safety)  # type: ignore[arg-type]
            pid = prompt_id(messages)
            wire = [{"role": m.role, "content": m.content} for m in messages]
            for i in range(samples):
                yield {"id": sample_id(scenario.id, env.id, i), "scenario": scenario.id,
                       "env": env.id, "sample": i, "spec": spec, "safety": safety,
                       "prompt_id": pid, "messages": wire}


def export_prompts(path: Path, scenarios: Sequence[Scenario], envs: Sequence[Env],
                   samples: int, spec: str, safety: str) -> int:
    """Write the JSONL; returns the number of lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w") as f:
        for line in prompt_lines(scenarios, envs, samples, spec, safety):
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n


# --- import ---------------------------------------------------------------------------------


@dataclass
class Incoming:
    where: str  # "line 3" or a file path
    data: dict[str, Any]  # "id", "response", optional accounting keys and "meta"


@dataclass
class ImportReport:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)  # already answered (no --force)
    errors: list[str] = field(default_factory=list)
    replaced_tested: int = 0  # answers replaced (--force) whose old answer had a record


def read_jsonl(path: Path, errors: list[str]) -> Iterator[Incoming]:
    with path.open(encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as e:
                errors.append(f"line {n}: not valid JSON ({e})")
                continue
            if not isinstance(data, dict):
                errors.append(f"line {n}: expected a JSON object with \"id\" and \"response\"")
                continue
            yield Incoming(f"line {n}", data)


def read_directory(root: Path, envs: Sequence[Env], errors: list[str]) -> Iterator[Incoming]:
    if (root / "tasks").is_dir() and (root / "config.json").exists():
        root = root / "tasks"  # a whole run directory
    by_dirname = {e.dirname: e.id for e in envs} | {e.id: e.id for e in envs}
    for scen_dir in sorted(root.iterdir()):
        if scen_dir.name.startswith("."):
            continue
        if not scen_dir.is_dir():
            errors.append(f"{scen_dir}: unexpected file; expected <scenario>/<env>/sample<i>/"
                          "response.txt or <scenario>/<env>/sample<i>.txt")
            continue
        for env_dir in sorted(scen_dir.iterdir()):
            if not env_dir.is_dir():
                errors.append(f"{env_dir}: unexpected file; expected an env folder")
                continue
            env_id = by_dirname.get(env_dir.name, env_dir.name)
            for entry in sorted(env_dir.iterdir()):
                yield from _directory_entry(scen_dir.name, env_id, entry, errors)


def _directory_entry(scenario: str, env_id: str, entry: Path,
                     errors: list[str]) -> Iterator[Incoming]:
    if entry.name.startswith(".") or entry.name == "prompt.txt":
        return
    m_dir = _SAMPLE_DIR.fullmatch(entry.name) if entry.is_dir() else None
    m_file = _SAMPLE_FILE.fullmatch(entry.name) if entry.is_file() else None
    if m_dir:
        response = entry / "response.txt"
        if not response.is_file():
            errors.append(f"{entry}: no response.txt in it")
            return
        data: dict[str, Any] = {"id": sample_id(scenario, env_id, int(m_dir.group(1))),
                                "response": response.read_text(errors="replace")}
        meta_path = entry / "meta.json"
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text())
                if isinstance(meta, dict):
                    data["meta"] = meta
            except ValueError:
                errors.append(f"{meta_path}: not valid JSON; answer imported without it")
        reasoning = entry / "reasoning.txt"
        if reasoning.is_file():
            data.setdefault("meta", {})["reasoning"] = reasoning.read_text(errors="replace")
        yield Incoming(str(response), data)
    elif m_file:
        yield Incoming(str(entry), {"id": sample_id(scenario, env_id, int(m_file.group(1))),
                                    "response": entry.read_text(errors="replace")})
    else:
        errors.append(f"{entry}: unexpected name; expected sample<i>/response.txt or "
                      "sample<i>.txt")


def _meta_of(data: dict[str, Any], source: Path) -> tuple[dict[str, Any], str | None]:
    """The meta.json of an imported answer, or an error."""
    given = data.get("meta")
    meta: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    usage = data.get("usage")
    if usage is not None:
        if not isinstance(usage, dict):
            return {}, "\"usage\" must be an object"
        for k in _USAGE_KEYS:
            v = usage.get(k)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                return {}, f"usage.{k} must be a non-negative integer, not {v!r}"
            if v is not None:
                meta[k] = v
    cost = data.get("cost_usd")
    if cost is not None:
        if not isinstance(cost, int | float) or isinstance(cost, bool) or cost < 0:
            return {}, f"cost_usd must be a non-negative number, not {cost!r}"
        meta["cost_usd"] = float(cost)
    for k in ("finish_reason", "model"):
        if isinstance(data.get(k), str):
            meta[k] = data[k]
    if meta.get("finish_reason") == "length":
        meta.setdefault("truncated", True)
    meta.setdefault("imported_from", str(source))
    return meta, None


def import_responses(out: Path, config: RunConfig, scenarios: Sequence[Scenario],
                     envs: Sequence[Env], source: Path, force: bool,
                     done: set[tuple[str, int]] | None = None) -> ImportReport:
    """Store the answers of `source` (JSONL file or directory) in the run directory."""
    report = ImportReport()
    if not source.exists():
        report.errors.append(f"{source} does not exist")
        return report
    scen_by_id = {s.id: s for s in scenarios}
    env_by_id = {e.id: e for e in envs}
    prompts: dict[tuple[str, str], str] = {}
    first_seen: dict[str, str] = {}
    items = (read_directory(source, envs, report.errors) if source.is_dir()
             else read_jsonl(source, report.errors))
    for item in items:
        error = _import_one(item, out, config, scen_by_id, env_by_id, prompts, first_seen,
                            source, force, done or set(), report)
        if error:
            report.errors.append(f"{item.where}: {error}")
    return report


def _import_one(item: Incoming, out: Path, config: RunConfig, scen_by_id: dict[str, Scenario],
                env_by_id: dict[str, Env], prompts: dict[tuple[str, str], str],
                first_seen: dict[str, str], source: Path, force: bool,
                done: set[tuple[str, int]], report: ImportReport) -> str | None:
    data = item.data
    raw_id = data.get("id")
    if not isinstance(raw_id, str) or not raw_id:
        return "no \"id\" (expected \"<scenario>/<env>/<sample>\", as `prompts export` writes)"
    parsed = parse_sample_id(raw_id)
    if parsed is None:
        return f"malformed id {raw_id!r}; expected \"<scenario>/<env>/<sample>\""
    scen_id, env_id, sample = parsed
    scenario, env = scen_by_id.get(scen_id), env_by_id.get(env_id)
    if scenario is None or env is None:
        what = f"scenario {scen_id!r}" if scenario is None else f"env {env_id!r}"
        return f"unknown id {raw_id!r}: {what} is not in this run's selection"
    if sample >= config.samples:
        return (f"unknown id {raw_id!r}: sample {sample} is beyond this run's "
                f"{config.samples} sample(s) (-n)")
    for key in ("spec", "safety"):
        value = data.get(key)
        if value is not None and value != getattr(config, key):
            return (f"{raw_id}: exported with {key}={value}, but this run has "
                    f"{key}={getattr(config, key)}")
    given_pid = data.get("prompt_id")
    if isinstance(given_pid, str):
        current = prompts.get((scen_id, env_id))
        if current is None:
            current = prompts[(scen_id, env_id)] = prompt_id(
                build_prompt(scenario, env, config.spec, config.safety))  # type: ignore[arg-type]
        if given_pid != current:
            return (f"{raw_id}: the prompt changed since it was exported (prompt_id differs); "
                    "export the prompts again and answer those")
    response = data.get("response")
    if not isinstance(response, str):
        return f"{raw_id}: no answer (\"response\" must be a string)"
    if not response.strip():
        return f"{raw_id}: empty answer"
    meta, meta_error = _meta_of(data, source)
    if meta_error:
        return f"{raw_id}: {meta_error}"
    if raw_id in first_seen:
        return f"duplicate id {raw_id!r} (first given at {first_seen[raw_id]}); this one ignored"
    first_seen[raw_id] = item.where
    sdir = task_dir(out, scen_id, env) / f"sample{sample}"
    if (sdir / "response.txt").exists() and not force:
        report.skipped.append(f"{raw_id}: already answered in {out} (--force replaces it)")
        return None
    if (f"{scen_id}/{env_id}", sample) in done:
        report.replaced_tested += 1
    store_answer(sdir, Answer(sample, response, meta=meta))
    report.imported += 1
    return None
