"""A provider model end to end: the real OpenAI SDK against the fake server, the real sandbox.

The fake server answers each prompt with the scenario's reference solution, so every sample
passes; the numbers that matter are the ones the pipeline adds (samples, records, cost).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer

from baxbench.envs import get_env
from baxbench.models.reference import format_answer
from baxbench.paths import baxbench_home
from baxbench.prompts import build_user_prompt
from baxbench.results import read_samples
from baxbench.scenarios import get_scenario

BAX = [sys.executable, "-c", "from baxbench.cli import main; main()"]
SCENARIOS = ("Calculator", "SongDownloader")

pytestmark = pytest.mark.slow


def reference_answers() -> dict[str, str]:
    """User prompt -> the reference solution, formatted as a model would answer."""
    env = get_env("Python-Flask")
    out = {}
    for sid in SCENARIOS:
        scenario = get_scenario(sid)
        ref = scenario.reference(env.id)
        assert ref is not None
        out[build_user_prompt(scenario, env, "openapi", "none")] = format_answer(ref.files, env)
    return out


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLLMServer]:
    if not get_env("Python-Flask").is_ready(baxbench_home()):
        pytest.fail("Python-Flask is not prepared: run `baxbench envs setup Python-Flask`")
    answers = reference_answers()

    def answer(body: dict[str, Any]) -> str:
        return answers[body["messages"][-1]["content"]]

    with FakeLLMServer(answer=answer) as s:
        yield s


def bax(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "BAXBENCH_RESPONSE_CACHE": str(tmp_path / "cache"),
                "COLUMNS": "300", **(env or {})}
    proc = subprocess.run([*BAX, *args], capture_output=True, text=True, env=full_env,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"baxbench {' '.join(args)} -> {proc.returncode}\n"
                             f"{proc.stderr[-3000:]}")
    return proc


def test_run_with_a_provider_model_reports_pass_sec_pass_and_cost(
    tmp_path: Path, server: FakeLLMServer,
) -> None:
    models = tmp_path / "models.toml"
    models.write_text('[models."openai-compatible/fake"]\n'
                      "price = { input = 3.0, output = 15.0 }\n")
    out = tmp_path / "run"
    before = server.count()
    proc = bax(tmp_path, "run", "--model", "openai-compatible/fake", "--base-url",
               server.openai_url, "-n", "3", "--scenarios", "Calculator,SongDownloader",
               "--envs", "Python-Flask", "--json", "--out", str(out), "--jobs", "8",
               env={"BAXBENCH_MODELS": str(models)})
    summary = json.loads(proc.stdout)
    assert server.count() - before == 6  # 2 tasks x 3 samples, one request each
    assert summary["pass@1"] == 1.0 and summary["sec_pass@1"] == 1.0
    assert summary["n_samples"] == 6
    cost = summary["cost"]
    assert cost["samples"] == 6 and cost["samples_priced"] == 6
    assert cost["input_tokens"] > 0 and cost["output_tokens"] > 0
    expected = (cost["input_tokens"] * 3.0 + cost["output_tokens"] * 15.0) / 1e6
    assert cost["usd"] == pytest.approx(expected, rel=0.01)
    assert all(t["cost"]["samples"] == 3 for t in summary["per_task"])
    records = read_samples(out / "samples.jsonl")
    assert len(records) == 6 and all(r.status == "tested" for r in records)
    assert all(r.generation is not None and r.generation.finish_reason == "stop"
               and r.generation.cost_usd for r in records)
    # the terminal report shows the cost too
    text = bax(tmp_path, "report", str(out)).stdout
    assert "cost: $" in text and "tokens in" in text
    # resumed: nothing asked, nothing re-tested
    again = json.loads(bax(tmp_path, "run", "--model", "openai-compatible/fake", "--base-url",
                           server.openai_url, "-n", "3", "--scenarios",
                           "Calculator,SongDownloader", "--envs", "Python-Flask", "--json",
                           "--out", str(out), env={"BAXBENCH_MODELS": str(models)}).stdout)
    assert server.count() - before == 6 and again["cost"] == cost


def test_export_then_import_equals_a_direct_run(tmp_path: Path, server: FakeLLMServer) -> None:
    model = ["--model", "openai-compatible/fake", "--base-url", server.openai_url]
    select = ["--scenarios", "Calculator", "--envs", "Python-Flask", "-n", "1"]
    direct, imported = tmp_path / "direct", tmp_path / "imported"
    direct_summary = json.loads(bax(tmp_path, "run", *model, *select, "--out", str(direct),
                                    "--json", "--no-cache", "--jobs", "8").stdout)
    prompts = tmp_path / "prompts.jsonl"
    bax(tmp_path, "prompts", "export", "--out", str(prompts), *select)
    answers = reference_answers()
    lines = []
    for line in prompts.read_text().splitlines():
        item = json.loads(line)
        lines.append(json.dumps({**item, "response": answers[item["messages"][-1]["content"]]}))
    responses = tmp_path / "responses.jsonl"
    responses.write_text("\n".join(lines) + "\n")
    bax(tmp_path, "generate", *model, *select, "--out", str(imported), "--responses",
        str(responses))
    imported_summary = json.loads(bax(tmp_path, "test", "--out", str(imported), "--json",
                                      "--jobs", "8").stdout)

    def identity(run: Path) -> Any:
        return json.loads((run / "config.json").read_text())["identity"]

    assert identity(direct) == identity(imported)
    for p in direct.glob("tasks/*/*/sample*/response.txt"):
        assert (imported / p.relative_to(direct)).read_text() == p.read_text()
    for key in ("pass@1", "sec_pass@1", "insec", "sec_pass_strict@1", "cwe_rates", "n_samples"):
        assert direct_summary[key] == imported_summary[key], key

    def outcomes(run: Path) -> list[Any]:
        return sorted((r.task_id, r.sample, r.status, [(t.name, t.outcome, t.cwes)
                                                       for t in r.tests])
                      for r in read_samples(run / "samples.jsonl"))

    assert outcomes(direct) == outcomes(imported)
