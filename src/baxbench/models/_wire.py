"""What a provider call returns, independent of the provider."""

from __future__ import annotations

from dataclasses import dataclass

from baxbench.models.base import Message

# normalised finish reasons: stop | length | refusal | content_filter | <the provider's own>
TRUNCATED = frozenset({"length"})
REFUSED = frozenset({"refusal", "content_filter"})


@dataclass(frozen=True)
class Usage:
    input_tokens: int | None = None
    output_tokens: int | None = None  # includes reasoning tokens (billed as output)
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None

    def share(self, parts: int) -> Usage:
        """This request's usage split evenly over `parts` samples (OpenAI `n` requests report
        one usage for all choices)."""
        if parts <= 1:
            return self

        def div(v: int | None) -> int | None:
            return None if v is None else round(v / parts)

        return Usage(div(self.input_tokens), div(self.output_tokens),
                     div(self.reasoning_tokens), div(self.cached_input_tokens))


@dataclass(frozen=True)
class Completion:
    """One choice of one response."""

    text: str
    finish_reason: str | None
    refusal: str | None = None
    reasoning: str | None = None  # reasoning/thinking text the provider returned


@dataclass(frozen=True)
class Response:
    completions: list[Completion]
    usage: Usage
    model: str | None = None  # the model that answered, as the provider names it
    request_id: str | None = None


def split_system(messages: list[Message], system_role: str) -> tuple[str, list[Message]]:
    """(system text, the other messages); with system_role "user" the system text is folded
    into the first user message and "" returned."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    rest = [m for m in messages if m.role != "system"]
    if system_role == "user" and system:
        for i, m in enumerate(rest):
            if m.role == "user":
                rest[i] = Message("user", f"{system}\n\n{m.content}")
                return "", rest
        return "", [Message("user", system), *rest]
    return system, rest
