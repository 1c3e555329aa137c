"""Provider models through the real OpenAI and Anthropic SDKs, against a local fake server."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_llm_server import Drop, FakeLLMServer, Hang, Reply, Status

from baxbench.models import (
    ApiModel,
    GenerationRequest,
    Message,
    ModelConfigError,
    ModelSpec,
    RetryPolicy,
    get_model,
    resolve_spec,
)
from baxbench.models.retry import parse_retry_after

MESSAGES = [Message("system", "You write backends."), Message("user", "Write app.py.")]
FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(answer=lambda body: "<CODE>\nprint('hi')\n</CODE>") as s:
        yield s


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-openai")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-anthropic")


def model(server: FakeLLMServer, provider: str = "openai-compatible", timeout: float = 5.0,
          retry: RetryPolicy = FAST, **fields: Any) -> ApiModel:
    url = server.url if provider == "anthropic" else server.openai_url
    spec = ModelSpec(name=f"{provider}/m", provider=provider, model="m",  # type: ignore[arg-type]
                     base_url=url, **fields)
    return ApiModel(spec, timeout=timeout, retry=retry)


def ask(m: ApiModel, samples: list[int] | None = None, temperature: float | None = 0.4) -> list:
    request = GenerationRequest("Calc", "Python-Flask", MESSAGES, samples or [0],
                                {"temperature": temperature})
    return m.generate(request)


# --- OpenAI wire format -----------------------------------------------------------------------


def test_openai_compatible_answer_request_shape_and_usage(server: FakeLLMServer) -> None:
    (a,) = ask(model(server))
    assert a.text == "<CODE>\nprint('hi')\n</CODE>" and a.error == ""
    (body,) = server.bodies("/chat/completions")
    assert body["model"] == "m"
    assert body["messages"] == [{"role": "system", "content": "You write backends."},
                                {"role": "user", "content": "Write app.py."}]
    assert body["temperature"] == 0.4
    assert "reasoning_effort" not in body and "n" not in body and "max_tokens" not in body
    assert a.meta["finish_reason"] == "stop" and a.meta["truncated"] is False
    assert a.meta["input_tokens"] > 0 and a.meta["output_tokens"] > 0
    assert a.meta["cost_usd"] is None  # no price configured
    assert a.meta["attempts"] == 1


def test_official_openai_reasoning_model_gets_effort_and_no_temperature(
    server: FakeLLMServer,
) -> None:
    server.answer = lambda body: Reply("<CODE>x</CODE>", reasoning="think " * 40)
    m = model(server, provider="openai", reasoning_effort="high", max_tokens=5000,
              system_role="developer")
    (a,) = ask(m)
    (body,) = server.bodies()
    assert body["reasoning_effort"] == "high"
    assert "temperature" not in body
    assert body["max_completion_tokens"] == 5000 and "max_tokens" not in body
    assert body["messages"][0]["role"] == "developer"
    assert a.meta["reasoning_tokens"] == 60 and a.meta["reasoning"].startswith("think")


def test_reasoning_is_decided_by_config_not_by_the_name(server: FakeLLMServer) -> None:
    spec = resolve_spec("openai/o3-mini", overrides={"base_url": server.openai_url})
    assert spec is not None and not spec.is_reasoning
    ApiModel(spec, retry=FAST).generate(GenerationRequest("C", "E", MESSAGES, [0],
                                                          {"temperature": 0.2}))
    (body,) = server.bodies()
    assert body["temperature"] == 0.2 and "reasoning_effort" not in body


def test_system_prompt_can_be_folded_into_the_user_message(server: FakeLLMServer) -> None:
    ask(model(server, system_role="user"))
    (body,) = server.bodies()
    assert body["messages"] == [{"role": "user",
                                 "content": "You write backends.\n\nWrite app.py."}]


def test_n_samples_in_one_request_with_usage_split(server: FakeLLMServer) -> None:
    m = model(server, samples_per_request=3, price={"input": 1.0, "output": 2.0},
              extra_body={"top_k": 5})
    answers = ask(m, [0, 1, 2])
    assert [a.sample for a in answers] == [0, 1, 2]
    assert server.count() == 1 and server.bodies()[0]["n"] == 3
    assert server.bodies()[0]["top_k"] == 5
    assert all(a.meta["samples_in_request"] == 3 for a in answers)
    a = answers[0]
    expected = (a.meta["input_tokens"] * 1.0 + a.meta["output_tokens"] * 2.0) / 1e6
    assert a.meta["cost_usd"] == pytest.approx(expected)


def test_fewer_choices_than_asked_are_asked_again(server: FakeLLMServer) -> None:
    server.script.append(Reply("<CODE>one</CODE>", choices=1))
    answers = ask(model(server, samples_per_request=3), [0, 1, 2])
    assert [a.text for a in answers] == ["<CODE>one</CODE>"] + ["<CODE>\nprint('hi')\n</CODE>"] * 2
    assert [b.get("n") for b in server.bodies()] == [3, 2]


def test_truncated_answer_is_recorded(server: FakeLLMServer) -> None:
    server.script.append(Reply("<CODE>\nhalf an ans", finish_reason="length"))
    (a,) = ask(model(server))
    assert a.text == "<CODE>\nhalf an ans"
    assert a.meta["finish_reason"] == "length" and a.meta["truncated"] is True


def test_refusal_is_an_answer_marked_refused(server: FakeLLMServer) -> None:
    server.script.append(Reply(None, refusal="I can't help with that."))
    (a,) = ask(model(server))
    assert a.text == "I can't help with that."
    assert a.meta["refused"] is True and a.meta["refusal"] == "I can't help with that."
    server.script.append(Reply("", finish_reason="content_filter"))
    (b,) = ask(model(server))
    assert b.text == "" and b.meta["refused"] is True and b.meta["empty"] is True


def test_empty_content_is_an_empty_answer(server: FakeLLMServer) -> None:
    server.script.append(Reply(None))
    (a,) = ask(model(server))
    assert a.text == "" and a.meta["empty"] is True and a.error == ""


def test_openai_streaming_assembles_choices_and_usage(server: FakeLLMServer) -> None:
    server.answer = lambda body: Reply("<CODE>streamed</CODE>", reasoning="because")
    answers = ask(model(server, stream=True, samples_per_request=2), [0, 1])
    assert [a.text for a in answers] == ["<CODE>streamed</CODE>"] * 2
    assert answers[0].meta["reasoning"] == "because"
    assert answers[0].meta["output_tokens"] > 0
    (body,) = server.bodies()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


# --- retries, timeouts ------------------------------------------------------------------------


def test_429_waits_at_least_retry_after(server: FakeLLMServer) -> None:
    server.script.append(Status(429, retry_after=1))
    start = time.monotonic()
    (a,) = ask(model(server))
    assert time.monotonic() - start >= 1.0
    assert a.text and a.meta["attempts"] == 2 and server.count() == 2


def test_server_errors_are_retried_then_given_up(server: FakeLLMServer) -> None:
    server.script.extend([Status(500), Status(503)])
    (a,) = ask(model(server))
    assert a.text and a.meta["attempts"] == 3
    server.script.extend([Status(500)] * 10)
    before = server.count()
    (b,) = ask(model(server))
    assert b.text is None and "gave up after 4 attempts: HTTP 500" in b.error
    assert server.count() - before == 4  # 1 + max_retries
    assert b.meta["attempts"] == 4


def test_client_errors_are_not_retried(server: FakeLLMServer) -> None:
    server.script.append(Status(400, message="unknown model m"))
    (a,) = ask(model(server))
    assert a.text is None and a.error.startswith("HTTP 400") and "unknown model m" in a.error
    assert server.count() == 1


def test_timeout_and_dropped_connection_are_retried(server: FakeLLMServer) -> None:
    server.script.extend([Hang(3.0), Drop()])
    start = time.monotonic()
    (a,) = ask(model(server, timeout=0.4))
    assert a.text and a.meta["attempts"] == 3
    assert time.monotonic() - start < 2.5  # the hung request was abandoned at the timeout


def test_retry_policy_backoff_and_retry_after() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    for retry in range(6):
        d = policy.delay(retry, None, rng)
        assert 0 <= d <= min(8.0, 2**retry)
    assert 5.0 <= policy.delay(0, 5.0, rng) <= 6.0
    assert policy.delay(0, 10_000, rng) <= policy.max_retry_after + 1
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({}) is None


# --- Anthropic wire format --------------------------------------------------------------------


def test_anthropic_answer_with_system_and_temperature(server: FakeLLMServer) -> None:
    (a,) = ask(model(server, provider="anthropic"))
    assert a.text == "<CODE>\nprint('hi')\n</CODE>"
    (body,) = server.bodies("/v1/messages")
    assert body["system"] == "You write backends."
    assert body["messages"] == [{"role": "user", "content": "Write app.py."}]
    assert body["temperature"] == 0.4 and body["max_tokens"] == 16_000
    assert "thinking" not in body
    assert a.meta["finish_reason"] == "stop" and a.meta["input_tokens"] > 0


def test_anthropic_extended_thinking(server: FakeLLMServer) -> None:
    server.answer = lambda body: Reply("<CODE>x</CODE>", reasoning="let me think")
    m = model(server, provider="anthropic", thinking_budget=4000,
              price={"input": 3.0, "output": 15.0})
    (a,) = ask(m)
    (body,) = server.bodies()
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    assert "temperature" not in body and body["max_tokens"] == 20_000
    assert a.text == "<CODE>x</CODE>" and a.meta["reasoning"] == "let me think"
    assert a.meta["cost_usd"] == pytest.approx(
        (a.meta["input_tokens"] * 3 + a.meta["output_tokens"] * 15) / 1e6)


def test_anthropic_truncation_refusal_and_overload(server: FakeLLMServer) -> None:
    m = model(server, provider="anthropic")
    server.script.append(Reply("<CODE>\npartial", finish_reason="length"))
    (a,) = ask(m)
    assert a.meta["truncated"] is True and a.meta["finish_reason"] == "length"
    server.script.append(Reply("I won't write that.", finish_reason="refusal"))
    (b,) = ask(m)
    assert b.meta["refused"] is True and b.text == "I won't write that."
    server.script.extend([Status(529), Status(429, retry_after=0.2)])
    (c,) = ask(m)
    assert c.text and c.meta["attempts"] == 3


def test_anthropic_streaming(server: FakeLLMServer) -> None:
    server.answer = lambda body: Reply("<CODE>streamed</CODE>", reasoning="hmm")
    (a,) = ask(model(server, provider="anthropic", stream=True, thinking_budget=2048))
    assert a.text == "<CODE>streamed</CODE>" and a.meta["reasoning"] == "hmm"
    assert server.bodies()[0]["stream"] is True
    assert a.meta["output_tokens"] > 0


# --- specs and models files -------------------------------------------------------------------


def test_models_file_toml_and_yaml(tmp_path: Path) -> None:
    toml = tmp_path / "models.toml"
    toml.write_text(
        '[models."gpt-5-high"]\nprovider = "openai"\nmodel = "gpt-5"\n'
        'reasoning_effort = "high"\nmax_tokens = 64000\n'
        'price = { input = 1.25, output = 10.0 }\n\n'
        '[models."openai-compatible/qwen"]\nbase_url = "http://localhost:8000/v1"\n'
        'model = "Qwen/Qwen2.5-Coder"\napi_key_env = "VLLM_KEY"\nsupports_temperature = false\n'
    )
    spec = resolve_spec("gpt-5-high", toml)
    assert spec is not None and spec.provider == "openai" and spec.model == "gpt-5"
    assert spec.is_reasoning and not spec.sends_temperature
    assert spec.price is not None and spec.price.cost(1_000_000, 1_000_000) == 11.25
    qwen = resolve_spec("openai-compatible/qwen", toml, {"base_url": "http://gpu:9000/v1"})
    assert qwen is not None and qwen.provider == "openai-compatible"
    assert qwen.base_url == "http://gpu:9000/v1"  # the flag wins over the file
    assert qwen.key_env == "VLLM_KEY" and not qwen.sends_temperature
    yaml_file = tmp_path / "models.yaml"
    yaml_file.write_text("models:\n  claude-think:\n    provider: anthropic\n"
                         "    model: claude-sonnet-4-5\n    thinking_budget: 8000\n")
    claude = resolve_spec("claude-think", yaml_file)
    assert claude is not None and claude.effective_max_tokens == 24_000
    assert resolve_spec("reference", toml) is None  # not in the file, not a provider name


def test_models_file_mistakes_are_explained(tmp_path: Path) -> None:
    f = tmp_path / "m.toml"
    f.write_text('[models.x]\nprovider = "openai"\ntemprature = 0.3\n')
    with pytest.raises(ModelConfigError, match="temprature: unknown field"):
        resolve_spec("x", f)
    f.write_text('[models.x]\nmodel = "y"\n')
    with pytest.raises(ModelConfigError, match="say which provider"):
        resolve_spec("x", f)
    f.write_text('[models.x]\nprovider = "anthropic"\nreasoning_effort = "high"\n')
    with pytest.raises(ModelConfigError, match="thinking_budget"):
        resolve_spec("x", f)
    with pytest.raises(ModelConfigError, match="needs a base URL"):
        resolve_spec("openai-compatible/llama")
    with pytest.raises(ModelConfigError, match="does not exist"):
        resolve_spec("x", tmp_path / "nope.toml")


def test_missing_key_and_builtin_with_provider_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ModelConfigError, match=r"\$OPENAI_API_KEY"):
        get_model("openai/gpt-4o")
    with pytest.raises(ModelConfigError, match="built-in"):
        get_model("reference", overrides={"base_url": "http://x/v1"})


def test_identity_changes_with_every_answer_changing_parameter() -> None:
    base = ModelSpec(name="n", provider="openai-compatible", model="m", base_url="http://a/v1")
    variants = [
        base.model_copy(update={"base_url": "http://b/v1"}),
        base.model_copy(update={"model": "m2"}),
        base.model_copy(update={"reasoning_effort": "low"}),
        base.model_copy(update={"max_tokens": 100}),
        base.model_copy(update={"system_role": "user"}),
        base.model_copy(update={"extra_body": {"top_k": 5}}),
    ]
    identities = [base.identity()] + [v.identity() for v in variants]
    assert len({repr(sorted(i.items())) for i in identities}) == len(identities)
    # price, streaming and batching do not change what the model answers
    same = base.model_copy(update={"stream": True, "samples_per_request": 4})
    assert same.identity() == base.identity()
