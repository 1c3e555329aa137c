"""Anthropic messages API (including extended thinking), official SDK."""

from __future__ import annotations

from typing import Any

from baxbench.models._wire import Completion, Response, Usage, split_system
from baxbench.models.base import Message
from baxbench.models.spec import ModelSpec

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "refusal",
}


def make_client(spec: ModelSpec, timeout: float) -> Any:
    import anthropic

    return anthropic.AsyncAnthropic(api_key=spec.api_key(), base_url=spec.effective_base_url,
                                    max_retries=0, timeout=timeout)


def request_body(spec: ModelSpec, messages: list[Message],
                 temperature: float | None) -> dict[str, Any]:
    """The keyword arguments of `messages.create` for this spec."""
    system, rest = split_system(messages, "user" if spec.system_role == "user" else "system")
    body: dict[str, Any] = {
        "model": spec.model,
        "max_tokens": spec.effective_max_tokens,
        "messages": [{"role": m.role, "content": m.content} for m in rest],
    }
    if system:
        body["system"] = system
    if spec.thinking_budget is not None:
        body["thinking"] = {"type": "enabled", "budget_tokens": spec.thinking_budget}
    extra = dict(spec.extra_body)
    if spec.sends_temperature and temperature is not None:
        # in the JSON body directly: recent SDKs no longer declare a temperature argument
        extra.setdefault("temperature", temperature)
    if extra:
        body["extra_body"] = extra
    return body


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    read = getattr(raw, "cache_read_input_tokens", None) or 0
    created = getattr(raw, "cache_creation_input_tokens", None) or 0
    base = getattr(raw, "input_tokens", None)
    details = getattr(raw, "output_tokens_details", None)
    return Usage(
        input_tokens=None if base is None else base + read + created,
        output_tokens=getattr(raw, "output_tokens", None),
        reasoning_tokens=getattr(details, "thinking_tokens", None) if details else None,
        cached_input_tokens=read or None,
    )


async def complete(client: Any, spec: ModelSpec, messages: list[Message],
                   temperature: float | None, timeout: float) -> Response:
    body = request_body(spec, messages, temperature)
    if spec.stream:
        async with client.messages.stream(**body, timeout=timeout) as stream:
            msg = await stream.get_final_message()
    else:
        msg = await client.messages.create(**body, timeout=timeout)
    text = "".join(b.text for b in msg.content if getattr(b, "type", "") == "text")
    thinking = "\n\n".join(b.thinking for b in msg.content
                           if getattr(b, "type", "") == "thinking" and b.thinking)
    stop = msg.stop_reason
    refusal = None
    if stop == "refusal":
        refusal = text or "the model refused"
    completion = Completion(text=text, finish_reason=_FINISH.get(stop or "", stop),
                            refusal=refusal, reasoning=thinking or None)
    return Response([completion], _usage(msg.usage), getattr(msg, "model", None),
                    getattr(msg, "_request_id", None) or getattr(msg, "id", None))
