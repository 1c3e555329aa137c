"""The generation engine: concurrency, resume, response cache, accounting, run identity."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import FakeLLMServer, Reply, Status

from baxbench.envs import get_env
from baxbench.models import Answer, ApiModel, GenerationRequest, ModelSpec, RetryPolicy
from baxbench.models.cache import ResponseCache
from baxbench.pipeline import (
    RunConfig,
    RunDirMismatch,
    default_run_dir,
    generate,
    prepare_run_dir,
)
from baxbench.scenarios import get_scenario

SCENARIOS = [get_scenario("Calculator"), get_scenario("SongDownloader")]
ENVS = [get_env("Python-Flask")]
BAX = [sys.executable, "-c", "from baxbench.cli import main; main()"]


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(answer=lambda body: Reply("<CODE>\nprint(1)\n</CODE>",
                                                 reasoning="plan")) as s:
        yield s


def api_model(server: FakeLLMServer, **fields: Any) -> ApiModel:
    spec = ModelSpec(name="openai-compatible/fake", provider="openai-compatible", model="fake",
                     base_url=server.openai_url, **fields)
    return ApiModel(spec, timeout=5, retry=RetryPolicy(max_retries=2, base_delay=0.01))


def config(samples: int = 2, **kw: Any) -> RunConfig:
    return RunConfig(model="openai-compatible/fake", scenarios=[s.id for s in SCENARIOS],
                     envs=["Python-Flask"], samples=samples, provider="openai-compatible", **kw)


def responses(out: Path) -> list[Path]:
    return sorted(out.glob("tasks/*/*/sample*/response.txt"))


def run_generate(out: Path, model: Any, cfg: RunConfig, **kw: Any) -> list[Any]:
    prepare_run_dir(out, cfg, {})
    return generate(out, cfg, model, SCENARIOS, ENVS, kw.pop("force", False), lambda s: None,
                    **kw)


def test_answers_are_stored_with_meta_reasoning_and_usage(tmp_path: Path,
                                                          server: FakeLLMServer) -> None:
    out = tmp_path / "run"
    model = api_model(server, price={"input": 2.0, "output": 8.0})
    failed = run_generate(out, model, config())
    assert failed == [] and server.count() == 4 and len(responses(out)) == 4
    sdir = out / "tasks" / "Calculator" / "Python-Flask" / "sample0"
    assert (sdir / "response.txt").read_text() == "<CODE>\nprint(1)\n</CODE>"
    assert (sdir / "reasoning.txt").read_text() == "plan"
    meta = json.loads((sdir / "meta.json").read_text())
    assert "reasoning" not in meta and meta["finish_reason"] == "stop"
    assert meta["cost_usd"] > 0 and meta["input_tokens"] > 100
    assert (sdir.parent / "prompt.txt").read_text().startswith("[system]\n")
    usage = json.loads((out / "usage.json").read_text())
    assert usage["total"]["samples"] == 4 and usage["total"]["samples_priced"] == 4
    costs = [json.loads(p.read_text())["cost_usd"] for p in out.glob("tasks/*/*/*/meta.json")]
    assert usage["total"]["usd"] == pytest.approx(sum(costs), rel=0.001)
    assert set(usage["per_task"]) == {"Calculator/Python-Flask", "SongDownloader/Python-Flask"}
    # the prompt sent is exactly the one stored
    body = server.bodies()[0]
    assert body["messages"][0]["role"] == "system"


def test_requests_run_concurrently_up_to_max_connections(tmp_path: Path) -> None:
    with FakeLLMServer(latency=0.25) as slow:
        start = time.monotonic()
        run_generate(tmp_path / "run", api_model(slow), config(samples=4), max_connections=4)
        elapsed = time.monotonic() - start
        assert slow.count() == 8
        assert slow.max_in_flight == 4
        assert elapsed < 1.9  # 8 x 0.25 s one at a time would be 2 s or more


def test_failed_answers_are_recorded_and_asked_again(tmp_path: Path,
                                                     server: FakeLLMServer) -> None:
    out = tmp_path / "run"
    server.script.extend([Status(401, message="bad key")])
    failed = run_generate(out, api_model(server), config(), max_connections=1)
    assert len(failed) == 1 and failed[0].status == "generation_failed"
    assert "HTTP 401" in failed[0].error and failed[0].generation is not None
    assert len(responses(out)) == 3
    before = server.count()
    assert run_generate(out, api_model(server), config()) == []
    assert server.count() - before == 1 and len(responses(out)) == 4
    # nothing missing: nothing asked
    run_generate(out, api_model(server), config())
    assert server.count() - before == 1


def test_response_cache_serves_other_run_dirs(tmp_path: Path, server: FakeLLMServer) -> None:
    cache = ResponseCache(tmp_path / "cache")
    run_generate(tmp_path / "a", api_model(server), config(), cache=cache)
    assert server.count() == 4
    run_generate(tmp_path / "b", api_model(server), config(), cache=cache)
    assert server.count() == 4  # all four from the cache
    meta = json.loads((tmp_path / "b/tasks/Calculator/Python-Flask/sample1/meta.json").read_text())
    assert meta["cached"] is True and meta["input_tokens"] > 0
    assert (tmp_path / "b/tasks/Calculator/Python-Flask/sample1/reasoning.txt").exists()
    # more samples: only the new indices are asked
    run_generate(tmp_path / "c", api_model(server), config(samples=3), cache=cache)
    assert server.count() == 6
    # other parameters are other keys
    run_generate(tmp_path / "d", api_model(server), config(temperature=0.9), cache=cache)
    assert server.count() == 10
    run_generate(tmp_path / "e", api_model(server, max_tokens=999), config(), cache=cache)
    assert server.count() == 14
    # --force asks again even when cached
    run_generate(tmp_path / "a", api_model(server), config(), cache=cache, force=True)
    assert server.count() == 18


def test_truncated_and_refused_answers_are_recorded_on_the_sample(
    tmp_path: Path, server: FakeLLMServer,
) -> None:
    from baxbench.metrics import summarize
    from baxbench.pipeline import test as run_tests
    from baxbench.results import read_samples

    out = tmp_path / "run"
    server.script.extend([Reply("Let me plan the endpoints first. The app needs",
                                finish_reason="length"),
                          Reply(None, refusal="I can't help with that.")])
    cfg = RunConfig(model="openai-compatible/fake", scenarios=["Calculator"],
                    envs=["Python-Flask"], samples=2, provider="openai-compatible")
    run_generate(out, api_model(server), cfg, max_connections=1)
    # neither answer parses, so no sandbox is needed: the runner is never asked
    run_tests(out, cfg, SCENARIOS[:1], ENVS, None, False, lambda s: None)  # type: ignore[arg-type]
    records = sorted(read_samples(out / "samples.jsonl"), key=lambda r: r.sample)
    assert [r.status for r in records] == ["parse_failed", "parse_failed"]
    first, second = (r.generation for r in records)
    assert first is not None and first.truncated and first.finish_reason == "length"
    assert second is not None and second.refused and not second.truncated
    cost = summarize(records).to_json()["cost"]
    assert cost["truncated"] == 1 and cost["refused"] == 1 and cost["samples"] == 2


def test_synchronous_models_still_work(tmp_path: Path) -> None:
    class Echo:
        name = "echo"

        def generate(self, request: GenerationRequest) -> list[Answer]:
            return [Answer(i, f"<CODE>{request.scenario_id} {i}</CODE>") for i in request.samples]

    out = tmp_path / "run"
    cfg = RunConfig(model="echo", scenarios=["Calculator"], envs=["Python-Flask"], samples=3)
    prepare_run_dir(out, cfg, {})
    generate(out, cfg, Echo(), SCENARIOS[:1], ENVS, False, lambda s: None)
    assert [p.read_text() for p in responses(out)] == [f"<CODE>Calculator {i}</CODE>"
                                                       for i in range(3)]
    assert not (out / "usage.json").exists()  # no accounting for a model without usage


def test_every_generation_parameter_is_part_of_the_identity(tmp_path: Path) -> None:
    base = config()
    variants = [
        config(samples=3),
        config(temperature=0.7),
        config(base_url="http://other/v1"),
        config(reasoning_effort="high"),
        config(spec="text"),
        config(safety="generic"),
        config(generation={"model": "fake", "max_tokens": 100}),
        RunConfig(model="openai/fake", scenarios=base.scenarios, envs=base.envs, samples=2,
                  provider="openai"),
    ]
    dirs = {default_run_dir(c) for c in [base, *variants]}
    assert len(dirs) == len(variants) + 1
    assert default_run_dir(base) == default_run_dir(config())  # stable
    out = tmp_path / "run"
    prepare_run_dir(out, base, {})
    for v in variants:
        with pytest.raises(RunDirMismatch, match="other parameters"):
            prepare_run_dir(out, v, {})


# --- through the CLI --------------------------------------------------------------------------


def bax_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "BAXBENCH_RESPONSE_CACHE": str(tmp_path / "cache"), "COLUMNS": "300"}


def test_killed_generation_resumes_asking_only_for_missing_answers(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with FakeLLMServer(answer=lambda body: "<CODE>x</CODE>", latency=0.3) as server:
        args = [*BAX, "generate", "--model", "openai-compatible/fake", "--base-url",
                server.openai_url, "-n", "3", "--scenarios", "Calculator,SongDownloader",
                "--envs", "Python-Flask", "--out", str(out), "--max-connections", "1",
                "--no-cache"]
        proc = subprocess.Popen(args, env=bax_env(tmp_path), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while server.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kept = len(responses(out))
        asked_first = server.count()
        assert 2 <= kept < 6
        done = subprocess.run(args, env=bax_env(tmp_path), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert server.count() - asked_first == 6 - kept
        assert len(responses(out)) == 6


def test_cli_explains_model_mistakes(tmp_path: Path) -> None:
    def bax(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*BAX, "generate", "--scenarios", "Calculator", "--envs",
                               "Python-Flask", "--out", str(tmp_path / "o"), *args],
                              capture_output=True, text=True, env=bax_env(tmp_path))

    proc = bax("--model", "openai-compatible/fake")
    assert proc.returncode == 2 and "needs a base URL" in proc.stderr
    proc = bax("--model", "gpt-4o")
    assert proc.returncode == 2 and "'openai/<model>'" in proc.stderr
    proc = bax("--model", "reference", "--base-url", "http://x/v1")
    assert proc.returncode == 2 and "built-in" in proc.stderr
    proc = bax("--model", "openai-compatible/fake", "--base-url", "http://127.0.0.1:9/v1",
               "--api-key-env", "BAXBENCH_NO_SUCH_KEY")
    assert proc.returncode == 2 and "$BAXBENCH_NO_SUCH_KEY" in proc.stderr


def test_cli_refuses_a_run_dir_with_other_generation_parameters(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with FakeLLMServer() as server:
        common = [*BAX, "generate", "--model", "openai-compatible/fake", "--base-url",
                  server.openai_url, "--scenarios", "Calculator", "--envs", "Python-Flask",
                  "--out", str(out)]
        first = subprocess.run(common, capture_output=True, text=True, env=bax_env(tmp_path))
        assert first.returncode == 0, first.stderr
        for extra in (["--reasoning-effort", "low"], ["--temperature", "0.9"], ["-n", "2"],
                      ["--max-tokens", "1000"]):
            proc = subprocess.run([*common, *extra], capture_output=True, text=True,
                                  env=bax_env(tmp_path))
            assert proc.returncode == 2 and "other parameters" in proc.stderr, extra
        # without --out, each identity gets its own directory under runs/
        proc = subprocess.run([*common[:-2], "--reasoning-effort", "low"], capture_output=True,
                              text=True, env=bax_env(tmp_path), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        made = list((tmp_path / "runs" / "openai-compatible_fake").iterdir())
        assert len(made) == 1 and made[0].name.startswith("openapi-none-n1-")
        assert "run directory: runs/openai-compatible_fake/" in proc.stderr
        ident = json.loads((made[0] / "config.json").read_text())["identity"]
        assert ident["reasoning_effort"] == "low" and ident["temperature"] is None
        assert ident["base_url"] == server.openai_url
