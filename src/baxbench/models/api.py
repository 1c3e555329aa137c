"""Provider-backed models: a `ModelSpec` plus retries, timeouts and accounting.

`ApiModel.agenerate` answers one request (one task's samples) on the running event loop; the
generation engine runs many of them concurrently under `--max-connections`. Every answer's
`meta` carries what the run stores about it: finish reason (truncation, refusal), tokens in,
out and reasoning, cost, latency and attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

from baxbench.models import _anthropic, _openai
from baxbench.models._wire import REFUSED, TRUNCATED, Response, Usage
from baxbench.models.base import Answer, GenerationRequest, Message
from baxbench.models.retry import Failure, GenerationError, RetryPolicy, call_with_retries
from baxbench.models.spec import ModelSpec

DEFAULT_TIMEOUT = 600.0


class ApiModel:
    """A model behind an HTTP API (OpenAI, OpenAI-compatible, Anthropic)."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        spec.api_key()  # a missing key fails here, before any run directory is touched
        self.spec = spec
        self.name = spec.name
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.samples_per_request = spec.samples_per_request
        self._log = log or (lambda s: None)
        self._clients: dict[int, Any] = {}

    def cache_identity(self) -> dict[str, Any]:
        return self.spec.identity()

    # --- the Model protocol ---------------------------------------------------------------

    def generate(self, request: GenerationRequest) -> list[Answer]:
        async def once() -> list[Answer]:
            try:
                return await self.agenerate(request)
            finally:
                await self.aclose()

        return asyncio.run(once())

    async def agenerate(self, request: GenerationRequest) -> list[Answer]:
        """One Answer per requested sample, in order; failures are answers with text None."""
        temperature = request.params.get("temperature")
        temp = float(temperature) if isinstance(temperature, int | float) else None
        answers: dict[int, Answer] = {}
        pending = list(request.samples)
        while pending:
            n = min(len(pending), self.samples_per_request)
            start = time.monotonic()
            try:
                response, attempts = await call_with_retries(
                    functools.partial(self._call, request.messages, n, temp),
                    self.retry, timeout=self.timeout,
                    on_retry=lambda f, w: self._on_retry(request, f, w))
            except GenerationError as e:
                for i in pending:
                    answers[i] = Answer(i, None, str(e), {"provider": self.spec.provider,
                                                          "attempts": e.attempts})
                break
            latency = time.monotonic() - start
            got = response.completions[:n]
            if not got:
                for i in pending[:n]:
                    answers[i] = Answer(i, None, "the server answered with no choices",
                                        {"provider": self.spec.provider, "attempts": attempts})
                pending = pending[n:]
                continue
            usage = response.usage.share(len(got))
            for i, completion in zip(pending, got, strict=False):
                answers[i] = self._answer(i, completion, usage, response, latency, attempts,
                                          len(got))
            pending = pending[len(got):]  # fewer choices than asked: ask again for the rest
        return [answers[i] for i in request.samples]

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):  # a client of a loop that is gone
                await client.close()

    # --- internals --------------------------------------------------------------------------

    def _client(self) -> Any:
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None:
            maker = _anthropic.make_client if self.spec.provider == "anthropic" \
                else _openai.make_client
            client = self._clients[loop] = maker(self.spec, self.timeout)
        return client

    async def _call(self, messages: list[Message], n: int, temperature: float | None) -> Response:
        client = self._client()
        if self.spec.provider == "anthropic":
            return await _anthropic.complete(client, self.spec, messages, temperature,
                                             self.timeout)
        return await _openai.complete(client, self.spec, messages, n, temperature, self.timeout)

    def _on_retry(self, request: GenerationRequest, failure: Failure, wait: float) -> None:
        self._log(f"{request.scenario_id}/{request.env_id} {self.name}: {failure.message}; "
                  f"retrying in {wait:.1f} s")

    def _answer(self, i: int, completion: Any, usage: Usage, response: Response,
                latency: float, attempts: int, shared_by: int) -> Answer:
        finish = completion.finish_reason
        refused = finish in REFUSED or bool(completion.refusal)
        text = completion.text
        if not text and completion.refusal:
            text = completion.refusal  # keep what the model said; it will not parse
        cost = None
        if self.spec.price is not None and usage.input_tokens is not None \
                and usage.output_tokens is not None:
            cost = self.spec.price.cost(usage.input_tokens, usage.output_tokens,
                                        usage.cached_input_tokens or 0)
        meta: dict[str, object] = {
            "provider": self.spec.provider,
            "model": response.model or self.spec.model,
            "finish_reason": finish,
            "truncated": finish in TRUNCATED,
            "refused": refused,
            "empty": not text.strip(),
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "reasoning_tokens": usage.reasoning_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "cost_usd": cost,
            "latency_s": round(latency, 3),
            "attempts": attempts,
            "request_id": response.request_id,
        }
        if shared_by > 1:
            meta["samples_in_request"] = shared_by  # usage split evenly over them
        if completion.refusal:
            meta["refusal"] = completion.refusal
        if completion.reasoning:
            meta["reasoning"] = completion.reasoning
        return Answer(i, text, meta=meta)
