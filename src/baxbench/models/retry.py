"""Retrying provider calls: which failures are worth another attempt, and how long to wait.

Rate limits (429), server errors (5xx, 529 overloaded), timeouts and dropped connections are
retried with full-jitter exponential backoff; a server's `Retry-After` (or `retry-after-ms`) is
honoured as the minimum wait. Anything else (bad request, auth, unknown model) fails at once,
with the provider's message.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 6  # attempts after the first
    base_delay: float = 1.0  # seconds; the cap of the first backoff
    max_delay: float = 60.0  # the cap of any backoff
    max_retry_after: float = 600.0  # longest wait a server's Retry-After can ask for

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        backoff = rng.uniform(0.0, min(self.max_delay, self.base_delay * 2**retry))
        if retry_after is None:
            return backoff
        wait = min(max(retry_after, 0.0), self.max_retry_after)
        # at least what the server asked, spread a little so waiting clients do not stampede
        return wait + rng.uniform(0.0, min(1.0, 0.1 * wait + 0.05))


@dataclass(frozen=True)
class Failure:
    retryable: bool
    message: str
    retry_after: float | None = None
    status: int | None = None


class GenerationError(RuntimeError):
    """A call that failed for good; `attempts` says how many were made."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(message)
        self.attempts = attempts


def _mro_names(exc: BaseException) -> set[str]:
    return {c.__name__ for c in type(exc).__mro__}


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify(exc: BaseException, timeout: float | None = None) -> Failure:
    """What a provider SDK exception means for retrying (duck-typed over both SDKs)."""
    names = _mro_names(exc)
    if isinstance(exc, TimeoutError) or "APITimeoutError" in names:
        limit = f" after {timeout:g} s" if timeout else ""
        return Failure(True, f"request timed out{limit}")
    if "APIConnectionError" in names:
        return Failure(True, f"connection failed: {exc}")
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        response = getattr(exc, "response", None)
        after = parse_retry_after(getattr(response, "headers", None))
        detail = getattr(exc, "message", None) or str(exc)
        retryable = status in RETRY_STATUSES or status >= 500
        return Failure(retryable, f"HTTP {status}: {detail}", after, status)
    return Failure(False, f"{type(exc).__name__}: {exc}")


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    timeout: float | None = None,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_retry: Callable[[Failure, float], None] | None = None,
) -> tuple[T, int]:
    """`call()` until it succeeds or fails for good; returns (result, attempts). Each attempt
    is bounded by `timeout` seconds in total."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        attempt += 1
        try:
            if timeout is None:
                return await call(), attempt
            return await asyncio.wait_for(call(), timeout), attempt
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below; unknown ones fail at once
            failure = classify(exc, timeout)
            if not failure.retryable:
                raise GenerationError(failure.message, attempt) from exc
            if attempt > policy.max_retries:
                raise GenerationError(
                    f"gave up after {attempt} attempts: {failure.message}", attempt
                ) from exc
            wait = policy.delay(attempt - 1, failure.retry_after, rng)
            if on_retry is not None:
                on_retry(failure, wait)
            await sleep(wait)
