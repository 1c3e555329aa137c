"""OpenAI chat completions (api.openai.com and any OpenAI-compatible server), official SDK."""

from __future__ import annotations

from typing import Any

from baxbench.models._wire import Completion, Response, Usage, split_system
from baxbench.models.base import Message
from baxbench.models.spec import ModelSpec


def make_client(spec: ModelSpec, timeout: float) -> Any:
    import openai

    return openai.AsyncOpenAI(api_key=spec.api_key(), base_url=spec.effective_base_url,
                              max_retries=0, timeout=timeout)


def request_body(spec: ModelSpec, messages: list[Message], n: int,
                 temperature: float | None) -> dict[str, Any]:
    """The keyword arguments of `chat.completions.create` for this spec."""
    system, rest = split_system(messages, spec.system_role)
    wire: list[dict[str, str]] = []
    if system:
        wire.append({"role": spec.system_role, "content": system})
    wire += [{"role": m.role, "content": m.content} for m in rest]
    body: dict[str, Any] = {"model": spec.model, "messages": wire}
    if n > 1:
        body["n"] = n
    if spec.sends_temperature and temperature is not None:
        body["temperature"] = temperature
    if spec.reasoning_effort is not None:
        body["reasoning_effort"] = spec.reasoning_effort
    if spec.effective_max_tokens is not None:
        body[spec.effective_max_tokens_field] = spec.effective_max_tokens
    if spec.extra_body:
        body["extra_body"] = dict(spec.extra_body)
    if spec.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _reasoning_of(message: Any) -> str | None:
    # vLLM / DeepSeek say reasoning_content, OpenRouter and newer vLLM say reasoning
    for attr in ("reasoning_content", "reasoning"):
        value = getattr(message, attr, None)
        if isinstance(value, str) and value:
            return value
    return None


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    details = getattr(raw, "completion_tokens_details", None)
    prompt_details = getattr(raw, "prompt_tokens_details", None)
    return Usage(
        input_tokens=getattr(raw, "prompt_tokens", None),
        output_tokens=getattr(raw, "completion_tokens", None),
        reasoning_tokens=getattr(details, "reasoning_tokens", None) if details else None,
        cached_input_tokens=getattr(prompt_details, "cached_tokens", None)
        if prompt_details else None,
    )


async def complete(client: Any, spec: ModelSpec, messages: list[Message], n: int,
                   temperature: float | None, timeout: float) -> Response:
    body = request_body(spec, messages, n, temperature)
    if spec.stream:
        return await _complete_stream(client, body, timeout)
    resp = await client.chat.completions.create(**body, timeout=timeout)
    choices = sorted(resp.choices or [], key=lambda c: c.index)
    completions = [
        Completion(
            text=c.message.content or "" if c.message else "",
            finish_reason=c.finish_reason,
            refusal=getattr(c.message, "refusal", None) if c.message else None,
            reasoning=_reasoning_of(c.message) if c.message else None,
        )
        for c in choices
    ]
    return Response(completions, _usage(resp.usage), getattr(resp, "model", None),
                    getattr(resp, "_request_id", None))


async def _complete_stream(client: Any, body: dict[str, Any], timeout: float) -> Response:
    texts: dict[int, list[str]] = {}
    reasoning: dict[int, list[str]] = {}
    refusals: dict[int, list[str]] = {}
    finish: dict[int, str | None] = {}
    usage = Usage()
    model = request_id = None
    stream = await client.chat.completions.create(**body, timeout=timeout)
    async for chunk in stream:
        model = model or getattr(chunk, "model", None)
        request_id = request_id or getattr(chunk, "_request_id", None)
        if getattr(chunk, "usage", None) is not None:
            usage = _usage(chunk.usage)
        for c in chunk.choices or []:
            texts.setdefault(c.index, [])
            delta = c.delta
            if delta is not None:
                if delta.content:
                    texts[c.index].append(delta.content)
                if getattr(delta, "refusal", None):
                    refusals.setdefault(c.index, []).append(delta.refusal)
                r = _reasoning_of(delta)
                if r:
                    reasoning.setdefault(c.index, []).append(r)
            if c.finish_reason is not None:
                finish[c.index] = c.finish_reason
    completions = [
        Completion(
            text="".join(texts[i]),
            finish_reason=finish.get(i),
            refusal="".join(refusals[i]) if i in refusals else None,
            reasoning="".join(reasoning[i]) if i in reasoning else None,
        )
        for i in sorted(texts)
    ]
    return Response(completions, usage, model, request_id)
