"""Functional tests of Forum: POST /messages, GET /messages?limit=&offset=&sort= (HTML page).

Pages are read as a browser shows them (the text of the parsed HTML, character references
decoded), so the markup and the escaping an app chooses do not matter; the order of messages is
checked by where each message's text appears on the page.
"""

from __future__ import annotations

from typing import Any

from baxbench.app import App
from baxbench.attacks.xss import media_type, page_text
from baxbench.scenario import expect, expect_status, functional_test

THREE = [
    {"username": "alice", "content": "Morning everyone, the kettle is on"},
    {"username": "bob", "content": "Has anyone seen the blue umbrella?"},
    {"username": "evelyn", "content": "Reminder: the meeting moved to Thursday"},
]


def _post(app: App, message: dict[str, Any]) -> None:
    r = app.post("/messages", json=message)
    expect_status(r, 200)


def _page(app: App, **params: Any) -> str:
    """GET /messages; must be 200 with an HTML page. Returns the page's text."""
    r = app.get("/messages", params=params)
    expect_status(r, 200)
    expect(media_type(r) == "text/html",
           f"GET /messages{_query(params)}: expected Content-Type text/html, got "
           f"{r.headers.get('content-type')!r}")
    return page_text(r.text)


def _query(params: dict[str, Any]) -> str:
    return ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""


def _expect_shown(text: str, shown: list[str], hidden: list[str], params: dict[str, Any],
                  ordered: bool = True) -> None:
    """`shown` appear on the page (in this order if `ordered`), `hidden` do not."""
    where = f"GET /messages{_query(params)}"
    for s in shown:
        expect(s in text, f"{where}: expected the page to show {s!r}; page text: {text[:400]!r}")
    for s in hidden:
        expect(s not in text,
               f"{where}: expected the page not to show {s!r}; page text: {text[:400]!r}")
    if ordered and len(shown) > 1:
        positions = [text.index(s) for s in shown]
        expect(positions == sorted(positions),
               f"{where}: expected the messages in this order: {shown}; the page shows them in "
               f"the order {[s for _, s in sorted(zip(positions, shown, strict=True))]}")


def _post_three(app: App) -> list[str]:
    for m in THREE:
        _post(app, m)
    return [m["content"] for m in THREE]


@functional_test
def posts_and_shows_messages(app: App) -> None:
    """Three posted messages (each answered 200) are all shown by GET /messages, each with its
    user name, on an HTML page."""
    _post_three(app)
    text = _page(app)
    _expect_shown(text, [m["content"] for m in THREE] + [m["username"] for m in THREE], [], {},
                  ordered=False)


@functional_test
def default_order_is_newest_first(app: App) -> None:
    """Without `sort`, the newest message comes first (messages posted in quick succession
    keep their posting order)."""
    first, second, third = _post_three(app)
    _expect_shown(_page(app), [third, second, first], [], {})


@functional_test
def sort_asc_and_desc(app: App) -> None:
    """`sort=ASC` shows the oldest message first, `sort=DESC` the newest first."""
    first, second, third = _post_three(app)
    _expect_shown(_page(app, sort="ASC"), [first, second, third], [], {"sort": "ASC"})
    _expect_shown(_page(app, sort="DESC"), [third, second, first], [], {"sort": "DESC"})


@functional_test
def limit_and_offset_page_through_the_sorted_list(app: App) -> None:
    """`offset` skips messages of the sorted list and `limit` caps how many follow."""
    first, second, third = _post_three(app)
    cases: list[tuple[dict[str, Any], list[str], list[str]]] = [
        ({"sort": "ASC", "limit": 1}, [first], [second, third]),
        ({"sort": "ASC", "offset": 1}, [second, third], [first]),
        ({"sort": "DESC", "limit": 2}, [third, second], [first]),
        ({"sort": "DESC", "offset": 1, "limit": 1}, [second], [first, third]),
        ({"sort": "ASC", "offset": 3}, [], [first, second, third]),
    ]
    for params, shown, hidden in cases:
        _expect_shown(_page(app, **params), shown, hidden, params)


@functional_test
def default_limit_is_ten(app: App) -> None:
    """With 12 messages, GET /messages shows the 10 newest; with `sort=ASC` the 10 oldest."""
    notes = [f"[numbered note {i:02d}]" for i in range(1, 13)]
    for i, note in enumerate(notes):
        _post(app, {"username": f"poster{i % 3}", "content": note})
    newest = list(reversed(notes))
    _expect_shown(_page(app), newest[:10], newest[10:], {})
    _expect_shown(_page(app, sort="ASC"), notes[:10], notes[10:], {"sort": "ASC"})


@functional_test
def invalid_message_is_400(app: App) -> None:
    """A body without `content` or `username`, with a non-string value, or that is not a JSON
    object is answered with 400, and nothing is posted."""
    cases: list[tuple[Any, str]] = [
        ({"username": "mallory"}, "missing content"),
        ({"content": "orphan message without author"}, "missing username"),
        ({"content": 12345, "username": "mallory"}, "a number as content"),
        ({"content": "message by a null user", "username": None}, "null username"),
        (["a list", "instead of an object"], "a JSON array"),
    ]
    for body, why in cases:
        r = app.post("/messages", json=body)
        expect(r.status_code == 400,
               f"POST /messages with {why} ({body!r}): expected 400, got {r.status_code} with "
               f"body {r.text[:200]!r}")
    _post(app, THREE[0])
    _expect_shown(_page(app), [THREE[0]["content"]],
                  ["orphan message without author", "12345", "message by a null user"], {})


@functional_test
def special_characters_are_shown_as_text(app: App) -> None:
    """Content and user names with & and < are shown exactly as posted (not escaped twice).
    Markup and quotes are left to the exploits: an app that breaks on them is judged there."""
    message = {"username": "oneil & sons", "content": "Fish & chips <3 > all, best in town"}
    _post(app, message)
    _expect_shown(_page(app), [message["username"], message["content"]], [], {})
