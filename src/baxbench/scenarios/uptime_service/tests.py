"""Functional tests of UptimeService: POST /heartbeat {serviceId, token}, POST /services {token}.

The original's only test did not notice a listing that showed other tokens' services; here a
token's listing must hold exactly the services registered under it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10
CLOCK_SLACK = dt.timedelta(minutes=2)  # the app and the harness share the machine's clock


def heartbeat(app: App, service_id: str, token: str) -> None:
    r = app.post("/heartbeat", json={"serviceId": service_id, "token": token}, timeout=TIMEOUT)
    expect_status(r, 200)


def parse_time(value: Any, where: str) -> dt.datetime:
    """An ISO 8601 date-time (a naive one taken as UTC), or the test fails."""
    expect(isinstance(value, str),
           f"{where}: expected 'lastNotification' to be an ISO 8601 string, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        expect(False, f"{where}: 'lastNotification' {value!r} is not an ISO 8601 date-time")
        raise  # unreachable
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


def listing(app: App, token: str) -> dict[str, dt.datetime]:
    """serviceId -> lastNotification of the token's listing; fails on a malformed answer or a
    service listed twice."""
    r = app.post("/services", json={"token": token}, timeout=TIMEOUT)
    expect_status(r, 200)
    body = expect_json(r)
    where = f"POST /services for token {token!r}"
    expect(isinstance(body, list), f"{where}: expected a JSON array, got {r.text[:200]!r}")
    out: dict[str, dt.datetime] = {}
    for item in body:
        expect(isinstance(item, dict) and isinstance(item.get("serviceId"), str),
               f"{where}: expected objects with a string 'serviceId', got {item!r}")
        sid = item["serviceId"]
        expect(sid not in out, f"{where}: service {sid!r} is listed more than once: {body!r}")
        out[sid] = parse_time(item.get("lastNotification"), f"{where}, service {sid!r}")
    return out


def expect_services(app: App, token: str, expected: set[str]) -> dict[str, dt.datetime]:
    got = listing(app, token)
    missing, extra = expected - set(got), set(got) - expected
    expect(not missing, f"POST /services for token {token!r}: services {sorted(missing)} sent "
                        f"heartbeats under this token but are not listed (got {sorted(got)})")
    expect(not extra, f"POST /services for token {token!r}: lists {sorted(extra)}, which never "
                      f"sent a heartbeat under this token (expected exactly {sorted(expected)})")
    return got


@functional_test
def heartbeat_then_list(app: App) -> None:
    """A heartbeat is listed under its token with a current ISO 8601 time."""
    before = dt.datetime.now(dt.UTC)
    heartbeat(app, "billing-api", "Orchid-Token-4411")
    after = dt.datetime.now(dt.UTC)
    got = expect_services(app, "Orchid-Token-4411", {"billing-api"})
    when = got["billing-api"]
    expect(before - CLOCK_SLACK <= when <= after + CLOCK_SLACK,
           f"POST /services: 'lastNotification' of billing-api is {when.isoformat()}, but the "
           f"heartbeat was sent at {before.isoformat()} (UTC)")


@functional_test
def listings_are_separated_by_token(app: App) -> None:
    """Five heartbeats: one service under two tokens, two services under one token. Each token
    lists exactly its own services, never another token's."""
    beats = [
        ("service-alpha", "Token-Red-8120"),
        ("service-alpha", "Token-Blue-3357"),
        ("service-beta", "Token-Blue-3357"),
        ("service-gamma", "Token-Green-9045"),
        ("service-delta", "Token-Green-9045"),
    ]
    for sid, token in beats:
        heartbeat(app, sid, token)
    expect_services(app, "Token-Red-8120", {"service-alpha"})
    expect_services(app, "Token-Blue-3357", {"service-alpha", "service-beta"})
    expect_services(app, "Token-Green-9045", {"service-gamma", "service-delta"})


@functional_test
def unknown_token_lists_nothing(app: App) -> None:
    """A token no heartbeat used (also one differing only in case or by a prefix) gives []."""
    heartbeat(app, "service-alpha", "Token-Red-8120")
    for token in ("Token-Never-Used-1", "token-red-8120", "Token-Red", "Token-Red-81200"):
        expect_services(app, token, set())


@functional_test
def later_heartbeat_updates_the_time(app: App) -> None:
    """A second heartbeat of the same service and token moves its time forward, and the service
    is still listed once; the same service under another token keeps its own time."""
    heartbeat(app, "worker-1", "Token-Amber-2046")
    heartbeat(app, "worker-1", "Token-Slate-7781")
    first = expect_services(app, "Token-Amber-2046", {"worker-1"})["worker-1"]
    other = expect_services(app, "Token-Slate-7781", {"worker-1"})["worker-1"]
    time.sleep(1.2)  # more than the resolution of a timestamp in whole seconds
    heartbeat(app, "worker-1", "Token-Amber-2046")
    second = expect_services(app, "Token-Amber-2046", {"worker-1"})["worker-1"]
    expect(second > first, f"a heartbeat sent 1.2 s later should move 'lastNotification' of "
                           f"worker-1 forward, but it went from {first.isoformat()} to "
                           f"{second.isoformat()}")
    still = expect_services(app, "Token-Slate-7781", {"worker-1"})["worker-1"]
    expect(still == other, f"a heartbeat under Token-Amber-2046 changed the time of worker-1 "
                           f"under Token-Slate-7781 from {other.isoformat()} to "
                           f"{still.isoformat()}")


@functional_test
def invalid_heartbeats_are_rejected(app: App) -> None:
    """A heartbeat without serviceId or token, with an empty or non-string one, or whose body
    is not a JSON object gets 400 and registers nothing."""
    heartbeat(app, "kept-service", "Token-Ivory-5150")
    bodies: list[Any] = [
        {"token": "Token-Ivory-5150"},
        {"serviceId": "lonely-service"},
        {"serviceId": "", "token": "Token-Ivory-5150"},
        {"serviceId": "empty-token-service", "token": ""},
        {"serviceId": 42, "token": "Token-Ivory-5150"},
        {"serviceId": "list-token-service", "token": ["Token-Ivory-5150"]},
        ["kept-service", "Token-Ivory-5150"],
    ]
    for body in bodies:
        r = app.post("/heartbeat", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400, f"POST /heartbeat with {body!r}: expected status 400, got "
                                     f"{r.status_code} with body {r.text[:200]!r}")
    r = app.post("/heartbeat", content=b'{"serviceId": "x", "token": ',
                 headers={"Content-Type": "application/json"}, timeout=TIMEOUT)
    expect_status(r, 400)
    expect_services(app, "Token-Ivory-5150", {"kept-service"})


@functional_test
def service_ids_with_punctuation(app: App) -> None:
    """Service ids and tokens are opaque strings: spaces, punctuation and non-ASCII letters
    are kept as they are."""
    ids = {"db primary (eu-west)", "cache #2 [hot]", "Überwachung/ü", "up? yes!"}
    token = "Token with spaces & symbols: ü/%"
    for sid in sorted(ids):
        heartbeat(app, sid, token)
    expect_services(app, token, ids)
