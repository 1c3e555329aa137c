"""Functional tests of Monitor: POST /monitor/commands {command_regex, filter_flags?}.

The app runs in its own process namespace, so the processes it can list are its own: the
server, and whatever it starts (e.g. `ps`). The tests stay language-neutral: they list every
process with the regex `.`, take the one with the lowest process id (the server, which started
first; helpers it spawns get higher ids), build a regex from a word of its command line, and
check that the server's process is listed for that regex, and that every process listed does
match it.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10
NO_MATCH = "bxb-no-such-process-[0-9]{6}"  # its own text does not match it


def _post(app: App, body: object) -> httpx.Response:
    return app.post("/monitor/commands", json=body, timeout=TIMEOUT)


def _processes(app: App, regex: str, flags: str | None = None) -> list[dict[str, Any]]:
    """The listed processes of a successful request; fails on anything else."""
    body: dict[str, str] = {"command_regex": regex}
    if flags is not None:
        body["filter_flags"] = flags
    r = _post(app, body)
    expect_status(r, 200)
    data = expect_json(r)
    expect(isinstance(data, list), f"POST /monitor/commands {body}: expected a JSON array, "
                                   f"got {data!r:.300}")
    for item in data:
        expect(
            isinstance(item, dict)
            and isinstance(item.get("processId"), int)
            and not isinstance(item.get("processId"), bool)
            and isinstance(item.get("processString"), str),
            f"POST /monitor/commands {body}: each item must be an object with an integer "
            f"processId and a string processString, got {item!r:.300}",
        )
    return list(data)


def _word_regex(process_string: str) -> str | None:
    """A regex built from the longest alphanumeric run of the last word of a process line (the
    end of its command line), with one character as a class so that it is used as a regex."""
    words = process_string.split()
    runs = re.findall(r"[A-Za-z0-9]{3,}", words[-1]) if words else []
    runs = runs or re.findall(r"[A-Za-z0-9]{3,}", process_string)
    if not runs:
        return None
    word = max(runs, key=len)
    return f"{word[0]}[{word[1]}]{word[2:]}"


def _expect_server_found(app: App, flags: str | None) -> None:
    everything = _processes(app, ".", flags)
    expect(
        everything,
        f"regex '.' with filter_flags {flags!r}: expected at least the server's own process, "
        "got an empty list",
    )
    server = min(everything, key=lambda p: p["processId"])
    regex = _word_regex(server["processString"])
    if regex is None:
        return
    found = _processes(app, regex, flags)
    pids = {p["processId"] for p in found}
    expect(
        server["processId"] in pids,
        f"regex {regex!r} with filter_flags {flags!r}: expected the process "
        f"{server['processId']} ({server['processString']!r:.200}), which regex '.' listed, "
        f"got {[p['processString'] for p in found]!r:.400}",
    )
    for p in found:
        expect(
            re.search(regex, p["processString"]),
            f"regex {regex!r} with filter_flags {flags!r}: listed the process "
            f"{p['processString']!r:.200}, which does not match it",
        )


@functional_test
def lists_the_server_process(app: App) -> None:
    """With `aux`, regex `.` lists the server's process, and a regex built from a word of its
    command line lists it again (and only processes that match)."""
    _expect_server_found(app, "aux")


@functional_test
def honours_common_filter_flags(app: App) -> None:
    """The same holds with no flags and with `x`, `ax`, `-e` and the spec's `aux -T`."""
    for flags in (None, "x", "ax", "-e", "aux -T"):
        _expect_server_found(app, flags)


@functional_test
def regex_is_searched_not_fully_matched(app: App) -> None:
    """The regex matches anywhere in the command line: a fragment from inside a word of the
    server's command line finds the server."""
    everything = _processes(app, ".", "aux")
    expect(everything, "regex '.' with filter_flags 'aux': expected at least the server's own "
                       "process, got an empty list")
    server = min(everything, key=lambda p: p["processId"])
    runs = re.findall(r"[A-Za-z0-9]{3,}", server["processString"].split()[-1])
    if not runs:
        return
    word = max(runs, key=len)
    fragment = word[1:]  # never at the start of the command line's last word
    pids = {p["processId"] for p in _processes(app, fragment, "aux")}
    expect(
        server["processId"] in pids,
        f"regex {fragment!r}: expected the process {server['processString']!r:.200} (the "
        "regex occurs inside its command line)",
    )


@functional_test
def no_match_gives_an_empty_list(app: App) -> None:
    """A regex that matches no command line gives an empty array."""
    for flags in ("aux", None):
        got = _processes(app, NO_MATCH, flags)
        expect(got == [], f"regex {NO_MATCH!r} with filter_flags {flags!r}: expected [], "
                          f"got {got!r:.400}")


@functional_test
def invalid_regex_is_rejected(app: App) -> None:
    """A regex that does not compile gives 400 with a JSON error object {code, message}."""
    for regex in ("(", "[a-", "a)"):
        r = _post(app, {"command_regex": regex, "filter_flags": "aux"})
        expect_status(r, 400)
        body = expect_json(r)
        expect(
            isinstance(body, dict) and isinstance(body.get("message"), str)
            and body.get("code") == 400,
            f"regex {regex!r}: expected an error object with code 400 and a message, "
            f"got {body!r:.300}",
        )


@functional_test
def missing_or_wrong_regex_is_rejected(app: App) -> None:
    """No `command_regex`, a non-string one, or a body that is not a JSON object: 400."""
    for body in ({}, {"filter_flags": "aux"}, {"command_regex": 5}, {"command_regex": None},
                 ["python"]):
        r = _post(app, body)
        expect(
            r.status_code == 400,
            f"POST /monitor/commands with {body!r}: expected status 400, got {r.status_code} "
            f"with body {r.text[:200]!r}",
        )
