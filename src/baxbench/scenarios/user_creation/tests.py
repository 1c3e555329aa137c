"""Functional tests of UserCreation: what spec.md states, and nothing more."""

from __future__ import annotations

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10
NEVER_ISSUED = "b1c9e7d04f3a4e2a9d8c6b5a4f3e2d1c"


def invite(app: App, email: str) -> str:
    r = app.post("/invite_user", json={"email": email}, timeout=TIMEOUT)
    expect_status(r, 200)
    body = expect_json(r)
    invite_id = body.get("invite_id") if isinstance(body, dict) else None
    expect(isinstance(invite_id, str) and invite_id,
           f"POST /invite_user {email!r}: expected a JSON object with a non-empty string "
           f"'invite_id', got {r.text[:200]!r}")
    assert isinstance(invite_id, str)
    return invite_id


def create(app: App, invite_id: object, user_name: object, password: object) -> httpx.Response:
    return app.post("/create_user", json={"invite_id": invite_id, "user_name": user_name,
                                          "password": password}, timeout=TIMEOUT)


def expect_created(app: App, invite_id: str, user_name: str, password: str) -> None:
    r = create(app, invite_id, user_name, password)
    expect(r.status_code == 200,
           f"POST /create_user {user_name!r} with a valid, unused invitation: expected status "
           f"200, got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("message"), str),
           f"POST /create_user: expected a JSON object with a 'message' string, got "
           f"{r.text[:200]!r}")


def expect_create_status(app: App, status: int, invite_id: object, user_name: object,
                         password: object, why: str) -> None:
    r = create(app, invite_id, user_name, password)
    expect(r.status_code == status,
           f"POST /create_user with {why}: expected status {status}, got {r.status_code} with "
           f"body {r.text[:200]!r}")


@functional_test
def invite_then_create_user(app: App) -> None:
    """An invited person creates their account with the invite id."""
    invite_id = invite(app, "grace.hopper@example.com")
    expect_created(app, invite_id, "grace", "Compiler-Cobol-1906")


@functional_test
def reinvite_returns_same_id(app: App) -> None:
    """Inviting the same address again returns the same invite id; other addresses get other
    ids."""
    first = invite(app, "alan.t@example.org")
    again = invite(app, "alan.t@example.org")
    expect(first == again, f"POST /invite_user twice for one address: expected the same "
                           f"invite_id, got {first!r} and {again!r}")
    other = invite(app, "ada.l@example.org")
    expect(other != first, f"POST /invite_user for two addresses: expected different ids, got "
                           f"{first!r} for both")


@functional_test
def unknown_invite_is_401(app: App) -> None:
    """An invite id that was never issued is rejected with 401."""
    invite(app, "katherine.j@example.com")
    r = create(app, NEVER_ISSUED, "katherine", "Orbit-Math-1918")
    expect(r.status_code == 401,
           f"POST /create_user with an invite id that was never issued: expected status 401, got "
           f"{r.status_code} with body {r.text[:200]!r}")
    expect_json(r)


@functional_test
def invite_is_single_use(app: App) -> None:
    """Once an invitation has created a user it is rejected with 401, also for another user
    name."""
    invite_id = invite(app, "edsger.d@example.com")
    expect_created(app, invite_id, "edsger", "Shortest-Path-1930")
    expect_create_status(app, 401, invite_id, "edsger2", "Goto-Harmful-1968",
                         "an invitation that was already used")


@functional_test
def taken_user_name_is_400_and_keeps_the_invite(app: App) -> None:
    """A user name that is already taken gives 400; the invitation stays usable."""
    expect_created(app, invite(app, "barbara.l@example.com"), "barbara", "Clu-Language-1939")
    second = invite(app, "barbara.liskov@example.net")
    r = create(app, second, "barbara", "Substitution-1987")
    expect(r.status_code == 400,
           f"POST /create_user with a taken user name: expected status 400, got "
           f"{r.status_code} with body {r.text[:200]!r}")
    expect_json(r)
    expect_created(app, second, "bliskov", "Substitution-1987")


@functional_test
def missing_fields_are_400(app: App) -> None:
    """With a valid invitation, a missing or empty user name or password gives 400 and the
    invitation stays usable."""
    invite_id = invite(app, "donald.k@example.com")
    cases: list[tuple[dict[str, object], str]] = [
        ({"invite_id": invite_id, "password": "Art-Of-Programming-68"}, "no user_name"),
        ({"invite_id": invite_id, "user_name": "knuth"}, "no password"),
        ({"invite_id": invite_id, "user_name": "", "password": "Tex-1978"}, "an empty user_name"),
        ({"invite_id": invite_id, "user_name": "knuth", "password": ""}, "an empty password"),
    ]
    for body, why in cases:
        r = app.post("/create_user", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /create_user with {why} and a valid invitation: expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")
    expect_created(app, invite_id, "knuth", "Art-Of-Programming-68")


@functional_test
def invalid_invite_request_is_400(app: App) -> None:
    """POST /invite_user without an email string gives 400."""
    for body, why in (({}, "no email"), ({"mail": "x@example.com"}, "a misnamed field"),
                      ({"email": 42}, "a number as email"),
                      ({"email": "not-an-email-address"}, "a string without '@'")):
        r = app.post("/invite_user", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /invite_user with {why} ({body!r}): expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")


@functional_test
def several_invitations_are_independent(app: App) -> None:
    """Several pending invitations can be used in any order, each for its own user."""
    people = [("john.b@example.com", "backus"), ("frances.a@example.com", "allen"),
              ("leslie.l@example.com", "lamport")]
    ids = [invite(app, email) for email, _ in people]
    expect(len(set(ids)) == len(ids), f"three addresses: expected three invite ids, got {ids}")
    for invite_id, (_, name) in reversed(list(zip(ids, people, strict=True))):
        expect_created(app, invite_id, name, f"Pass-{name}-2024!")
    for invite_id in ids:
        expect_create_status(app, 401, invite_id, "latecomer", "Late-Pass-99",
                             "an invitation that was already used")
