"""Models run elsewhere: `prompts export`, `generate --responses` (JSONL and directories)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from baxbench.envs import get_env
from baxbench.models import Answer, GenerationRequest
from baxbench.offline import export_prompts, import_responses, parse_sample_id
from baxbench.pipeline import RunConfig, generate, prepare_run_dir
from baxbench.prompts import build_prompt, prompt_id
from baxbench.results import read_samples
from baxbench.scenarios import get_scenario

SCENARIOS = [get_scenario("Calculator"), get_scenario("SongDownloader")]
ENVS = [get_env("Python-Flask")]
BAX = [sys.executable, "-c", "from baxbench.cli import main; main()"]
WIDE = {**os.environ, "COLUMNS": "300"}  # no wrapped error lines


def cfg(samples: int = 2, spec: str = "openapi") -> RunConfig:
    return RunConfig(model="my-agent", scenarios=["Calculator", "SongDownloader"],
                     envs=["Python-Flask"], samples=samples, spec=spec, provider="external")


def export(tmp_path: Path, samples: int = 2) -> list[dict[str, Any]]:
    path = tmp_path / "prompts.jsonl"
    assert export_prompts(path, SCENARIOS, ENVS, samples, "openapi", "none") == 2 * samples
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_export_has_one_line_per_task_and_sample_with_the_exact_messages(
    tmp_path: Path,
) -> None:
    lines = export(tmp_path)
    assert [x["id"] for x in lines] == ["Calculator/Python-Flask/0", "Calculator/Python-Flask/1",
                                        "SongDownloader/Python-Flask/0",
                                        "SongDownloader/Python-Flask/1"]
    messages = build_prompt(SCENARIOS[0], ENVS[0], "openapi", "none")
    assert lines[0]["messages"] == [{"role": m.role, "content": m.content} for m in messages]
    assert lines[0]["prompt_id"] == prompt_id(messages)
    assert {(x["scenario"], x["env"], x["sample"], x["spec"], x["safety"]) for x in lines} == {
        (s, "Python-Flask", i, "openapi", "none") for s in ("Calculator", "SongDownloader")
        for i in (0, 1)}
    assert parse_sample_id("Login/Go-net/http/3") == ("Login", "Go-net/http", 3)
    assert parse_sample_id("nonsense") is None


def test_import_reports_every_bad_line_and_imports_the_rest(tmp_path: Path) -> None:
    lines = export(tmp_path)
    answer = [{**x, "response": f"<CODE>\n# {x['id']}\n</CODE>"} for x in lines]
    answer[1]["usage"] = {"input_tokens": 1200, "output_tokens": 800, "reasoning_tokens": 300}
    answer[1]["cost_usd"] = 0.0123
    answer[1]["finish_reason"] = "length"
    bad = [
        {"id": "Nope/Python-Flask/0", "response": "x"},  # line 3: unknown scenario
        {"id": "Calculator/Go-Gin/0", "response": "x"},  # 4: env not selected
        {"id": "Calculator/Python-Flask/7", "response": "x"},  # 5: sample beyond -n
        {**answer[0], "response": "<CODE>again</CODE>"},  # 6: duplicate
        {**answer[2], "response": "   \n"},  # 7: empty answer
        "{not json",  # 8
        {"response": "x"},  # 9: no id
        {**answer[3], "spec": "text"},  # 10: other prompt variant
        {**answer[3], "prompt_id": "0" * 64},  # 11: prompt changed
        {"id": "Calculator/Python-Flask", "response": "x"},  # 12: malformed id
        {**answer[3], "usage": {"input_tokens": -1}},  # 13
    ]
    source = write_jsonl(tmp_path / "answers.jsonl", [answer[0], answer[1], *bad, answer[3]])
    out = tmp_path / "run"
    prepare_run_dir(out, cfg(), {})
    report = import_responses(out, cfg(), SCENARIOS, ENVS, source, force=False)
    assert report.imported == 3  # lines 1, 2 and 14
    errors = "\n".join(report.errors)
    assert len(report.errors) == 11, errors
    for n, text in [(3, "unknown id 'Nope/Python-Flask/0': scenario 'Nope'"),
                    (4, "env 'Go-Gin' is not in this run's selection"),
                    (5, "sample 7 is beyond this run's 2 sample(s)"),
                    (6, "duplicate id 'Calculator/Python-Flask/0' (first given at line 1)"),
                    (7, "SongDownloader/Python-Flask/0: empty answer"),
                    (8, "not valid JSON"), (9, "no \"id\""),
                    (10, "exported with spec=text, but this run has spec=openapi"),
                    (11, "the prompt changed since it was exported"),
                    (12, "malformed id"), (13, "usage.input_tokens must be a non-negative")]:
        assert any(e.startswith(f"line {n}: ") and text in e for e in report.errors), (n, errors)
    calc = out / "tasks" / "Calculator" / "Python-Flask"
    assert (calc / "sample0" / "response.txt").read_text() == answer[0]["response"]
    meta = json.loads((calc / "sample1" / "meta.json").read_text())
    assert meta["input_tokens"] == 1200 and meta["cost_usd"] == 0.0123
    assert meta["truncated"] is True and meta["finish_reason"] == "length"
    assert not (out / "tasks" / "SongDownloader" / "Python-Flask" / "sample0"
                / "response.txt").exists()
    # a second import keeps what is there unless --force
    again = import_responses(out, cfg(), SCENARIOS, ENVS, source, force=False)
    assert again.imported == 0 and len(again.skipped) == 3
    forced = import_responses(out, cfg(), SCENARIOS, ENVS, source, force=True)
    assert forced.imported == 3


def test_import_from_a_directory_laid_out_per_task_and_sample(tmp_path: Path) -> None:
    src = tmp_path / "answers"
    (src / "Calculator" / "Python-Flask" / "sample0").mkdir(parents=True)
    (src / "Calculator" / "Python-Flask" / "sample0" / "response.txt").write_text("<CODE>a</CODE>")
    (src / "Calculator" / "Python-Flask" / "sample1.txt").write_text("<CODE>b</CODE>")
    (src / "SongDownloader" / "Python-Flask").mkdir(parents=True)
    (src / "SongDownloader" / "Python-Flask" / "1.txt").write_text("<CODE>c</CODE>")
    (src / "SongDownloader" / "Python-Flask" / "notes.md").write_text("?")
    (src / "SongDownloader" / "Python-Flask" / "sample0").mkdir()  # no response.txt in it
    (src / "Unknown" / "Python-Flask").mkdir(parents=True)
    (src / "Unknown" / "Python-Flask" / "sample0.txt").write_text("<CODE>d</CODE>")
    out = tmp_path / "run"
    prepare_run_dir(out, cfg(), {})
    report = import_responses(out, cfg(), SCENARIOS, ENVS, src, force=False)
    assert report.imported == 3
    assert len(report.errors) == 3, report.errors
    assert any("notes.md: unexpected name" in e for e in report.errors)
    assert any("sample0: no response.txt" in e for e in report.errors)
    assert any("scenario 'Unknown'" in e for e in report.errors)
    got = sorted(p.read_text() for p in out.glob("tasks/*/*/sample*/response.txt"))
    assert got == ["<CODE>a</CODE>", "<CODE>b</CODE>", "<CODE>c</CODE>"]


def test_a_run_directory_imports_into_another_with_its_meta(tmp_path: Path) -> None:
    class Echo:
        name = "echo"

        def generate(self, request: GenerationRequest) -> list[Answer]:
            return [Answer(i, f"<CODE>{request.scenario_id}{i}</CODE>",
                           meta={"input_tokens": 10, "output_tokens": 5, "reasoning": "r"})
                    for i in request.samples]

    first = tmp_path / "first"
    prepare_run_dir(first, cfg(), {})
    generate(first, cfg(), Echo(), SCENARIOS, ENVS, False, lambda s: None)
    second = tmp_path / "second"
    prepare_run_dir(second, cfg(), {})
    report = import_responses(second, cfg(), SCENARIOS, ENVS, first, force=False)
    assert report.errors == [] and report.imported == 4
    for p in first.glob("tasks/*/*/sample*/response.txt"):
        twin = second / p.relative_to(first)
        assert twin.read_text() == p.read_text()
        meta = json.loads((twin.parent / "meta.json").read_text())
        assert meta["input_tokens"] == 10 and (twin.parent / "reasoning.txt").read_text() == "r"


def test_cli_export_then_import_with_errors(tmp_path: Path) -> None:
    prompts = tmp_path / "p.jsonl"
    common = ["--scenarios", "Calculator,SongDownloader", "--envs", "Python-Flask", "-n", "2"]
    proc = subprocess.run([*BAX, "prompts", "export", "--out", str(prompts), *common],
                          capture_output=True, text=True, env=WIDE)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 4 prompt(s)" in proc.stderr
    lines = [json.loads(x) for x in prompts.read_text().splitlines()]
    answers = [{"id": x["id"], "response": "<CODE>x</CODE>"} for x in lines[:3]]
    answers.append({"id": lines[0]["id"], "response": "dup"})
    answers.append({"id": lines[3]["id"], "response": ""})
    source = write_jsonl(tmp_path / "a.jsonl", answers)
    out = tmp_path / "run"
    proc = subprocess.run([*BAX, "generate", "--model", "my-agent", "--responses", str(source),
                           "--out", str(out), *common], capture_output=True, text=True, env=WIDE)
    assert proc.returncode == 1
    assert "line 4: duplicate id 'Calculator/Python-Flask/0'" in proc.stderr
    assert "line 5: SongDownloader/Python-Flask/1: empty answer" in proc.stderr
    assert "imported 3 answer(s)" in proc.stderr
    assert len(list(out.glob("tasks/*/*/sample*/response.txt"))) == 3
    identity = json.loads((out / "config.json").read_text())["identity"]
    assert identity["model"] == "my-agent" and identity["provider"] == "external"
    # the missing answer can come later, in another file
    more = write_jsonl(tmp_path / "b.jsonl", [{"id": lines[3]["id"], "response": "<CODE>y</CODE>"}])
    proc = subprocess.run([*BAX, "generate", "--model", "my-agent", "--responses", str(more),
                           "--out", str(out), *common], capture_output=True, text=True, env=WIDE)
    assert proc.returncode == 0, proc.stderr
    assert len(list(out.glob("tasks/*/*/sample*/response.txt"))) == 4
    assert read_samples(out / "samples.jsonl") == []
