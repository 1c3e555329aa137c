"""Model specs: which provider, endpoint and parameters a model name stands for.

A model is named explicitly (`openai/gpt-4o`, `anthropic/claude-sonnet-4-5`,
`openai-compatible/<name>` with a base URL) or comes from a models file (TOML or YAML). Nothing
is inferred from a model's name: a reasoning model is one whose spec sets `reasoning_effort`
(OpenAI) or `thinking_budget` (Anthropic), and only then is the temperature left out.

Models file::

    [models."gpt-5-high"]            # the name given to --model
    provider = "openai"
    model = "gpt-5"                  # the id sent to the API (default: the name)
    reasoning_effort = "high"
    price = { input = 1.25, output = 10.0 }   # USD per million tokens

    [models."openai-compatible/qwen"]   # provider taken from the name's prefix
    base_url = "http://localhost:8000/v1"
    model = "Qwen/Qwen2.5-Coder-32B-Instruct"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Provider = Literal["openai", "openai-compatible", "anthropic"]
PROVIDERS: tuple[str, ...] = get_args(Provider)
SystemRole = Literal["system", "developer", "user"]

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
# the SDKs' own defaults (and their environment overrides), made explicit so that the endpoint
# is part of a run's identity
DEFAULT_BASE_URL = {
    "openai": ("OPENAI_BASE_URL", "https://api.openai.com/v1"),
    "anthropic": ("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
}
# Anthropic requires max_tokens; this leaves room for long multi-file answers (the original's
# 4096 truncated some of them). With extended thinking the budget comes on top.
ANTHROPIC_ANSWER_TOKENS = 16_000


class ModelConfigError(ValueError):
    """A model name, models file or flag combination that cannot work; says how to fix it."""


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)  # default: the input price

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        cached = min(cached_input_tokens, input_tokens) if self.cached_input is not None else 0
        per_in = (input_tokens - cached) * self.input + cached * (self.cached_input or 0.0)
        return (per_in + output_tokens * self.output) / 1_000_000


class ModelSpec(BaseModel):
    """Everything needed to call one model, validated; build it with `resolve_spec`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str  # what --model says; the run's model name
    provider: Provider
    model: str  # the id sent to the API
    base_url: str | None = None
    api_key_env: str | None = None  # default: OPENAI_API_KEY / ANTHROPIC_API_KEY / none
    max_tokens: int | None = Field(default=None, gt=0)
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] | None = None
    reasoning_effort: str | None = None  # OpenAI-style reasoning models
    thinking_budget: int | None = Field(default=None, gt=0)  # Anthropic extended thinking
    supports_temperature: bool | None = None  # default: yes unless a reasoning model
    system_role: SystemRole = "system"  # "user": folded into the user message
    samples_per_request: int = Field(default=1, ge=1)  # OpenAI `n`: samples in one request
    stream: bool = False
    price: Price | None = None
    extra_body: dict[str, Any] = Field(default_factory=dict)  # sent as is (vLLM, OpenRouter)

    @model_validator(mode="after")
    def _check(self) -> ModelSpec:
        if self.provider == "openai-compatible" and not self.base_url:
            raise ValueError(
                "provider 'openai-compatible' needs a base URL (--base-url or base_url), e.g. "
                "http://localhost:8000/v1"
            )
        if self.provider == "anthropic":
            if self.reasoning_effort is not None:
                raise ValueError("reasoning_effort is an OpenAI parameter; for Anthropic "
                                 "extended thinking set thinking_budget (tokens)")
            if self.samples_per_request > 1:
                raise ValueError("Anthropic answers one sample per request; "
                                 "samples_per_request must be 1")
            if self.max_tokens_field is not None:
                raise ValueError("max_tokens_field applies to OpenAI-style providers only")
            if (self.thinking_budget is not None and self.max_tokens is not None
                    and self.max_tokens <= self.thinking_budget):
                raise ValueError(f"max_tokens ({self.max_tokens}) must exceed thinking_budget "
                                 f"({self.thinking_budget}): the answer comes on top of the "
                                 "thinking")
        elif self.thinking_budget is not None:
            raise ValueError("thinking_budget is for Anthropic models; OpenAI-style reasoning "
                             "models take reasoning_effort")
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        return self

    @property
    def is_reasoning(self) -> bool:
        return self.reasoning_effort is not None or self.thinking_budget is not None

    @property
    def sends_temperature(self) -> bool:
        if self.supports_temperature is not None:
            return self.supports_temperature and self.thinking_budget is None
        return not self.is_reasoning

    @property
    def key_env(self) -> str | None:
        return self.api_key_env or DEFAULT_KEY_ENV.get(self.provider)

    @property
    def effective_base_url(self) -> str | None:
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.provider not in DEFAULT_BASE_URL:
            return None
        var, default = DEFAULT_BASE_URL[self.provider]
        return (os.environ.get(var) or default).rstrip("/")

    @property
    def effective_max_tokens(self) -> int | None:
        if self.max_tokens is not None or self.provider != "anthropic":
            return self.max_tokens
        return ANTHROPIC_ANSWER_TOKENS + (self.thinking_budget or 0)

    @property
    def effective_max_tokens_field(self) -> str:
        if self.max_tokens_field:
            return self.max_tokens_field
        return "max_completion_tokens" if self.provider == "openai" else "max_tokens"

    def api_key(self) -> str:
        """The key from the environment; a clear error when a needed one is missing."""
        env = self.key_env
        if env is None:
            return "none"  # local OpenAI-compatible servers take any key
        key = os.environ.get(env, "")
        if not key:
            raise ModelConfigError(
                f"model {self.name!r} needs an API key in ${env}, which is not set; export it, "
                "or name another variable with --api-key-env (or api_key_env in the models file)"
            )
        return key

    def identity(self) -> dict[str, Any]:
        """The parameters that change what the model answers: part of a run's identity and of
        the response cache key. (Price, streaming and batching do not change answers.)"""
        return {
            "provider": self.provider,
            "model": self.model,
            "base_url": self.effective_base_url,
            "max_tokens": self.effective_max_tokens,
            "reasoning_effort": self.reasoning_effort,
            "thinking_budget": self.thinking_budget,
            "temperature_sent": self.sends_temperature,
            "system_role": self.system_role,
            "extra_body": self.extra_body,
        }


# --- models files ----------------------------------------------------------------------------


def load_models_file(path: Path) -> dict[str, dict[str, Any]]:
    """The raw entries of a models file, by name (validated later, when one is used)."""
    if not path.exists():
        raise ModelConfigError(f"models file {path} does not exist")
    text = path.read_text()
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        else:
            raise ModelConfigError(f"models file {path}: use a .toml, .yaml or .yml file")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
        raise ModelConfigError(f"models file {path} is not valid: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ModelConfigError(
            f"models file {path} must have a 'models' table, e.g. [models.\"my-model\"] "
            "with provider = \"openai\""
        )
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in data["models"].items():
        if not isinstance(entry, dict):
            raise ModelConfigError(f"models file {path}: model {name!r} must be a table")
        entries[str(name)] = entry
    return entries


def _describe(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            known = ", ".join(f for f in ModelSpec.model_fields if f != "name")
            msg = f"unknown field (known: {known})"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def resolve_spec(
    name: str,
    models_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> ModelSpec | None:
    """The spec for `--model name`: an entry of the models file, else `<provider>/<model>`;
    None when the name is neither (a built-in pseudo-model, or answers imported from
    elsewhere). `overrides` are flags given on the command line (None values are ignored)."""
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    entry: dict[str, Any] | None = None
    where = f"model {name!r}"
    if models_file is not None:
        entries = load_models_file(models_file)
        if name in entries:
            entry = dict(entries[name])
            where = f"models file {models_file}, model {name!r}"
    prefix, _, rest = name.partition("/")
    if entry is None:
        if prefix not in PROVIDERS or not rest:
            if given:
                flags = ", ".join(sorted(given))
                raise ModelConfigError(
                    f"{where} is not a provider model, so {flags} cannot apply; name it "
                    f"<provider>/<model> with a provider among {', '.join(PROVIDERS)}, or "
                    "define it in a models file"
                )
            return None
        entry = {}
    entry.setdefault("provider", prefix if prefix in PROVIDERS else None)
    if entry["provider"] is None:
        raise ModelConfigError(f"{where}: say which provider serves it (provider = one of "
                               f"{', '.join(PROVIDERS)})")
    entry.setdefault("model", rest if prefix in PROVIDERS and rest else name)
    entry.update(given)
    try:
        return ModelSpec(name=name, **entry)
    except ValidationError as e:
        raise ModelConfigError(f"{where}: {_describe(e)}") from e
