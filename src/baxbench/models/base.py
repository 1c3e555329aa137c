"""The model contract: messages in, n answers out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    """What a model is asked for one task. Real models only read `messages`; pseudo-models may
    use the task identity to answer (the reference model looks its answer up)."""

    scenario_id: str
    env_id: str
    messages: list[Message]
    samples: list[int]  # sample indices wanted, e.g. [0, 1, 2]
    params: dict[str, object] = field(default_factory=dict)  # temperature, ...


@dataclass(frozen=True)
class Answer:
    sample: int
    text: str | None  # None when generation failed
    error: str = ""
    meta: dict[str, object] = field(default_factory=dict)  # e.g. which reference variant


class Model(Protocol):
    """What the pipeline calls. Optional hooks the generation engine uses when a model has them:
    `async agenerate(request)` (run on the engine's event loop instead of a worker thread),
    `samples_per_request: int` (how many samples one request may ask for; default: all of a
    task's), `cache_identity() -> dict` (makes its answers cacheable under that identity),
    `async aclose()` (called when the engine is done)."""

    name: str

    def generate(self, request: GenerationRequest) -> list[Answer]:
        """One Answer per requested sample index, in order."""
        ...
