"""Functional tests of ClickCount: POST /click, GET /clicks?date=...&direction=..."""

from __future__ import annotations

import datetime
from typing import Any

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

DIRECTIONS = ("<", "<=", ">", ">=")


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _days(offset: int) -> str:
    """A date `offset` days from today (UTC). Two days either way keeps every click of a test on
    a known side of the date whatever time zone the app uses."""
    return (_today() + datetime.timedelta(days=offset)).isoformat()


def _click(app: App, n: int = 1) -> None:
    for _ in range(n):
        r = app.post("/click")
        expect_status(r, 201)


def _clicks(app: App, date: str, direction: str) -> httpx.Response:
    return app.get("/clicks", params={"date": date, "direction": direction})


def _what(r: httpx.Response) -> str:
    return f"{r.status_code} with body {r.text[:300]!r}"


def _parse_timestamp(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _list(app: App, date: str, direction: str, expected: int) -> list[dict[str, Any]]:
    """GET /clicks must answer 200 with exactly `expected` well-formed clicks."""
    r = _clicks(app, date, direction)
    expect(r.status_code == 200,
           f"GET /clicks?date={date}&direction={direction}: expected 200 with {expected} "
           f"clicks, got {_what(r)}")
    body = expect_json(r)
    expect(isinstance(body, list),
           f"GET /clicks?date={date}&direction={direction}: expected a JSON array, got "
           f"{r.text[:300]!r}")
    expect(len(body) == expected,
           f"GET /clicks?date={date}&direction={direction}: expected {expected} clicks, got "
           f"{len(body)}: {r.text[:300]!r}")
    return body


def _expect_none(app: App, date: str, direction: str) -> None:
    r = _clicks(app, date, direction)
    expect(r.status_code == 404,
           f"GET /clicks?date={date}&direction={direction}: no click matches, so expected "
           f"404, got {_what(r)}")


@functional_test
def registers_and_lists_clicks(app: App) -> None:
    """Five registered clicks (each answered 201) are all listed as after 1975-01-01, and none
    as before it (404)."""
    _click(app, 5)
    _list(app, "1975-01-01", ">", 5)
    _expect_none(app, "1975-01-01", "<")


@functional_test
def clicks_have_string_ids_and_timestamps(app: App) -> None:
    """Every listed click has a string `id`, distinct from the others, and a `timestamp` in ISO
    8601 date-time form that lies around the time the click was registered."""
    _click(app, 3)
    clicks = _list(app, "1975-01-01", ">=", 3)
    ids = []
    for item in clicks:
        expect(isinstance(item, dict) and "id" in item and "timestamp" in item,
               f"GET /clicks: expected objects with fields 'id' and 'timestamp', got {item!r}")
        expect(isinstance(item["id"], str) and item["id"] != "",
               f"GET /clicks: expected 'id' to be a non-empty string, got {item['id']!r}")
        ids.append(item["id"])
        stamp = item["timestamp"]
        when = _parse_timestamp(stamp)
        expect(when is not None,
               f"GET /clicks: expected 'timestamp' as an ISO 8601 date-time string, got {stamp!r}")
        assert when is not None
        expect(abs((when.date() - _today()).days) <= 1,
               f"GET /clicks: expected the timestamp of a click registered just now, got "
               f"{stamp!r} (today is {_today()} UTC)")
    expect(len(set(ids)) == len(ids), f"GET /clicks: expected distinct ids, got {ids}")


@functional_test
def each_direction_filters_by_date(app: App) -> None:
    """With clicks registered today, a date two days ahead lists them all for `<` and `<=` and
    none for `>` and `>=`; a date two days back the other way round."""
    _click(app, 4)
    ahead, back = _days(2), _days(-2)
    for direction in ("<", "<="):
        _list(app, ahead, direction, 4)
        _expect_none(app, back, direction)
    for direction in (">", ">="):
        _list(app, back, direction, 4)
        _expect_none(app, ahead, direction)


@functional_test
def counts_follow_new_clicks(app: App) -> None:
    """The listing grows with every click: 2 clicks, then 3 more make 5."""
    _click(app, 2)
    _list(app, _days(-2), ">=", 2)
    _click(app, 3)
    _list(app, _days(-2), ">=", 5)
    _list(app, _days(2), "<=", 5)


@functional_test
def no_clicks_at_all_is_404(app: App) -> None:
    """Before any click is registered, every listing answers 404."""
    for direction in DIRECTIONS:
        _expect_none(app, "2000-06-15", direction)


@functional_test
def missing_or_invalid_parameters_are_400(app: App) -> None:
    """A missing `date` or `direction`, a date that is not YYYY-MM-DD, or a direction outside
    the four comparisons is answered with 400."""
    _click(app, 2)
    cases: list[tuple[dict[str, str], str]] = [
        ({"direction": ">"}, "missing date"),
        ({"date": "1975-01-01"}, "missing direction"),
        ({}, "no parameters"),
        ({"date": "not-a-date", "direction": ">"}, "a date that is not a date"),
        ({"date": "01/05/2024", "direction": ">"}, "a date not in YYYY-MM-DD form"),
        ({"date": "1975-01-01", "direction": "up"}, "an unknown direction"),
        ({"date": "1975-01-01", "direction": "after"}, "an unknown direction"),
    ]
    for params, why in cases:
        r = app.get("/clicks", params=params)
        expect(r.status_code == 400,
               f"GET /clicks with {why} ({params}): expected 400, got {_what(r)}")
