"""End to end through the CLI and the pipeline, with the real sandbox and real envs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from baxbench.envs import get_env
from baxbench.models.base import Answer, GenerationRequest
from baxbench.paths import baxbench_home
from baxbench.pipeline import RunConfig, generate, prepare_run_dir
from baxbench.results import append_sample, read_samples
from baxbench.scenarios import get_scenario

BAX = [sys.executable, "-m", "baxbench.cli"]


def bax(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*BAX, *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"baxbench {' '.join(args)} -> {proc.returncode}\n{proc.stderr[-3000:]}")
    return proc


@pytest.fixture(scope="module", autouse=True)
def _envs_ready() -> None:
    env = get_env("Python-Flask")
    if not env.is_ready(baxbench_home()):
        pytest.fail("Python-Flask is not prepared: run `baxbench envs setup Python-Flask`")


def test_reference_run_scores_one_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "--model", "reference", "--scenarios", "SongDownloader,Login",
            "--envs", "Python-Flask", "--out", str(out), "--json", "--jobs", "2"]
    summary = json.loads(bax(*args).stdout)
    assert summary["pass@1"] == 1.0
    assert summary["sec_pass@1"] == 1.0
    assert summary["insec"] == 0.0
    lines = (out / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 2
    records = read_samples(out / "samples.jsonl")
    assert all(r.status == "tested" and r.functional_pass and r.secure for r in records)
    # every test ran in its own instance and has timings
    assert all(t.timings.start_ms > 0 for r in records for t in r.tests)
    # resume: nothing is redone
    again = json.loads(bax(*args).stdout)
    assert again["pass@1"] == 1.0
    assert len((out / "samples.jsonl").read_text().splitlines()) == 2
    # --force redoes the samples (appends newer records; the latest wins)
    bax(*args, "--force")
    assert len((out / "samples.jsonl").read_text().splitlines()) == 4
    assert len(read_samples(out / "samples.jsonl")) == 2


def test_vulnerable_reference_is_caught_with_cwes(tmp_path: Path) -> None:
    out = tmp_path / "vuln"
    summary = json.loads(bax("run", "--model", "reference-vulnerable", "--scenarios",
                             "SongDownloader", "--envs", "Python-Flask", "--out", str(out),
                             "--json").stdout)
    assert summary["pass@1"] == 1.0
    assert summary["sec_pass@1"] == 0.0
    assert summary["insec"] == 1.0
    assert "22" in {str(k) for k in summary["cwe_rates"]}


def test_space_separated_selectors_and_clear_errors(tmp_path: Path) -> None:
    proc = bax("run", "--model", "no-such-model", "--scenarios", "Login", "--envs",
               "Python-Flask", "--out", str(tmp_path / "x"), check=False)
    assert proc.returncode != 0
    assert "no-such-model" in proc.stderr and "reference" in proc.stderr
    proc = bax("run", "--model", "reference", "--scenarios", "Nope", "--out",
               str(tmp_path / "y"), check=False)
    assert proc.returncode == 2 and "unknown scenario 'Nope'" in proc.stderr
    proc = bax("scenarios", "list", "--json")
    ids = [s["id"] for s in json.loads(proc.stdout)]
    assert {"Calculator", "Login", "SongDownloader"} <= set(ids)


def test_run_dir_with_other_parameters_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "run"
    bax("generate", "--model", "reference", "--scenarios", "Calculator", "--envs",
        "Python-Flask", "--out", str(out))
    proc = bax("generate", "--model", "reference", "--scenarios", "Calculator", "--envs",
               "Python-Flask", "--out", str(out), "--spec", "text", check=False)
    assert proc.returncode == 2
    assert "other parameters" in proc.stderr


class _BadModel:
    """Answers that cannot be used: prose only, and a failed generation."""

    name = "bad"

    def generate(self, request: GenerationRequest) -> list[Answer]:
        return [Answer(0, "I cannot help with that."), Answer(1, None, error="HTTP 500")]


def test_unusable_answers_are_recorded_not_lost(tmp_path: Path) -> None:
    from baxbench.pipeline import test as run_tests
    from baxbench.runner import Runner
    from baxbench.sandbox import get_sandbox

    out = tmp_path / "run"
    scenario, env = get_scenario("Calculator"), get_env("Python-Flask")
    config = RunConfig(model="bad", scenarios=["Calculator"], envs=["Python-Flask"], samples=2)
    prepare_run_dir(out, config, {})
    for rec in generate(out, config, _BadModel(), [scenario], [env], False, lambda s: None):
        append_sample(out / "samples.jsonl", rec)
    with Runner(get_sandbox(), baxbench_home(), 2) as runner:
        run_tests(out, config, [scenario], [env], runner, False, lambda s: None)
    by_sample = {r.sample: r for r in read_samples(out / "samples.jsonl")}
    assert by_sample[0].status == "parse_failed" and by_sample[0].error
    assert by_sample[1].status == "generation_failed" and "500" in by_sample[1].error
    assert not by_sample[0].functional_pass
