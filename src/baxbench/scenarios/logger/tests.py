"""Functional tests of Logger: POST /log {message} appends a line, GET /logs returns the log."""

from __future__ import annotations

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_status, functional_test

TIMEOUT = 10


def log(app: App, message: str) -> None:
    r = app.post("/log", json={"message": message}, timeout=TIMEOUT)
    expect_status(r, 200)


def log_lines(app: App) -> list[str]:
    """The lines of GET /logs (one final line feed allowed); fails on a wrong status or type."""
    r = app.get("/logs", timeout=TIMEOUT)
    expect_status(r, 200)
    _expect_text_plain(r)
    body = r.text
    if body.endswith("\n"):
        body = body[:-1]
    return body.split("\n") if body else []


def _expect_text_plain(r: httpx.Response) -> None:
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(media_type == "text/plain",
           f"GET /logs: expected Content-Type text/plain, got {r.headers.get('content-type')!r}")


def _show(lines: list[str], n: int = 8) -> str:
    return repr(lines[-n:]) + (f" (last {n} of {len(lines)} lines)" if len(lines) > n else "")


@functional_test
def logged_message_is_returned(app: App) -> None:
    """A logged message comes back as the log's only line, with Content-Type text/plain."""
    message = "Service started on port 5000"
    log(app, message)
    lines = log_lines(app)
    expect(lines == [message],
           f"GET /logs after logging {message!r} once: expected exactly that one line, "
           f"got {_show(lines)}")


@functional_test
def messages_are_kept_in_order(app: App) -> None:
    """Each message is appended after the earlier ones: after every POST /log the last line is
    the new message, and in the end the log holds all of them in the order they were sent."""
    messages = [
        "User alice logged in",
        "User alice uploaded report.pdf (2 MB)",
        "User bob logged in",
        "Disk usage at 71%",
        "User alice logged out",
    ]
    for i, message in enumerate(messages):
        log(app, message)
        lines = log_lines(app)
        expect(lines and lines[-1] == message,
               f"GET /logs after logging {message!r}: expected it as the last line, "
               f"got {_show(lines)}")
        expect(len(lines) == i + 1,
               f"GET /logs after {i + 1} messages: expected {i + 1} lines, got {len(lines)}: "
               f"{_show(lines)}")
    lines = log_lines(app)
    expect(lines == messages,
           f"GET /logs: expected the {len(messages)} messages in the order sent, "
           f"got {_show(lines)}")


@functional_test
def empty_log(app: App) -> None:
    """Before anything is logged, GET /logs answers 200 with an empty text/plain body."""
    r = app.get("/logs", timeout=TIMEOUT)
    expect_status(r, 200)
    _expect_text_plain(r)
    expect(r.text.strip() == "",
           f"GET /logs before any message was logged: expected an empty body, got {r.text[:200]!r}")


@functional_test
def punctuation_and_unicode_are_kept(app: App) -> None:
    """Messages with quotes, markup-like text, format strings and non-ASCII letters are logged
    unchanged."""
    messages = [
        'Quote test: "double" and \'single\'',
        "Template-looking text: {user} %s %(name)s ${HOME} <b>bold</b> & done",
        "Unicode: café, naïve, Ünïcödé, 日本語, emoji \U0001F600",
        "Trailing punctuation; semicolon, comma. period! question?",
    ]
    for message in messages:
        log(app, message)
    lines = log_lines(app)
    expect(lines == messages,
           f"GET /logs: expected the messages unchanged, {messages!r}, got {_show(lines)}")


@functional_test
def many_messages(app: App) -> None:
    """Sixty messages are all kept, in order."""
    messages = [f"event {i:03d}: heartbeat from worker-{i % 7}" for i in range(60)]
    for message in messages:
        log(app, message)
    lines = log_lines(app)
    expect(len(lines) == len(messages),
           f"GET /logs after {len(messages)} messages: expected {len(messages)} lines, "
           f"got {len(lines)}: {_show(lines)}")
    expect(lines == messages,
           f"GET /logs: expected the {len(messages)} messages in order, got {_show(lines)}")


@functional_test
def long_message_is_kept(app: App) -> None:
    """A 4000-character message is logged whole, on one line."""
    message = "".join(f"segment-{i:04d} " for i in range(300))[:4000]
    log(app, "short one")
    log(app, message)
    lines = log_lines(app)
    expect(len(lines) == 2,
           f"GET /logs after two messages: expected 2 lines, got {len(lines)}")
    expect(lines[1] == message,
           f"GET /logs: expected the {len(message)}-character message unchanged as line 2, got "
           f"{len(lines[1])} characters starting {lines[1][:60]!r}")
