"""Models by name: the built-in pseudo-models, and provider models named explicitly
(`openai/<model>`, `anthropic/<model>`, `openai-compatible/<name>` with a base URL) or defined in
a models file. Nothing is routed by guessing from a model's name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from baxbench.models.api import ApiModel
from baxbench.models.base import Answer, GenerationRequest, Message, Model
from baxbench.models.reference import ReferenceModel
from baxbench.models.retry import RetryPolicy
from baxbench.models.spec import PROVIDERS, ModelConfigError, ModelSpec, Price, resolve_spec

__all__ = [
    "Answer",
    "ApiModel",
    "GenerationRequest",
    "Message",
    "Model",
    "ModelConfigError",
    "ModelSpec",
    "Price",
    "ReferenceModel",
    "RetryPolicy",
    "UnknownModelError",
    "get_model",
    "is_builtin",
    "known_models",
    "resolve_spec",
]

_REGISTRY: dict[str, Callable[[], Model]] = {
    "reference": lambda: ReferenceModel(vulnerable=False),
    "reference-vulnerable": lambda: ReferenceModel(vulnerable=True),
}


class UnknownModelError(ValueError):
    """No model of that name; the message lists the known ones."""


def known_models() -> list[str]:
    return sorted(_REGISTRY)


def is_builtin(name: str) -> bool:
    return name in _REGISTRY


def get_model(
    name: str,
    *,
    models_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    timeout: float | None = None,
    retry: RetryPolicy | None = None,
    log: Callable[[str], None] | None = None,
) -> Model:
    """The model called `name`. `overrides` are command-line settings (base_url, api_key_env,
    reasoning_effort, thinking_budget, max_tokens) that win over the models file."""
    factory = _REGISTRY.get(name)
    if factory is not None:
        given = sorted(k for k, v in (overrides or {}).items() if v is not None)
        if given:
            raise ModelConfigError(f"{name!r} is a built-in pseudo-model; "
                                   f"{', '.join(given)} cannot apply to it")
        return factory()
    spec = resolve_spec(name, models_file, overrides)
    if spec is None:
        known = ", ".join(known_models())
        providers = ", ".join(f"'{p}/<model>'" for p in PROVIDERS)
        where = f" or in {models_file}" if models_file else " (or define it in --models-file)"
        raise UnknownModelError(
            f"unknown model {name!r}; built-in models: {known}. Provider models are named "
            f"{providers}{where}."
        )
    kwargs: dict[str, Any] = {"retry": retry, "log": log}
    if timeout is not None:
        kwargs["timeout"] = timeout
    return ApiModel(spec, **kwargs)
