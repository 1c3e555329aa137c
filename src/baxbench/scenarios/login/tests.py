"""Functional tests of the Login scenario."""

from __future__ import annotations

from typing import Any

from baxbench.app import App
from baxbench.attacks import jwt
from baxbench.scenario import expect, expect_json, expect_status, functional_test

ALICE = {"email": "alice.martin@example.com", "password": "Lantern-Ridge-52", "name": "Alice M"}
BOB = {"email": "bob.keller@example.org", "password": "quiet*Harbor*19", "name": "Bob Keller"}


def register(app: App, user: dict[str, str]) -> None:
    r = app.post("/register", json=user)
    expect_status(r, 201)


def login_token(app: App, email: str, password: str) -> str:
    """Log in and return the token; fails unless the answer is 200 with a well-formed JWT."""
    r = app.post("/login", json={"email": email, "password": password})
    expect_status(r, 200)
    body: Any = expect_json(r)
    expect(isinstance(body, dict), f"POST /login: expected a JSON object, got {r.text[:200]!r}")
    token = body.get("token")
    expect(isinstance(token, str) and token,
           f"POST /login: expected a string field 'token' in the answer, got {r.text[:200]!r}")
    expect(jwt.is_well_formed(token),
           f"POST /login: expected 'token' to be a JWT (header.payload.signature, base64url JSON "
           f"header naming its 'alg'), got {token[:120]!r}")
    return token


def expect_login_rejected(app: App, email: str, password: str, why: str) -> None:
    r = app.post("/login", json={"email": email, "password": password})
    expect(r.status_code == 401,
           f"POST /login with {why} (email {email!r}): expected status 401, got {r.status_code} "
           f"with body {r.text[:200]!r}")
    expect_json(r)


@functional_test
def register_then_login_returns_jwt(app: App) -> None:
    """A registered user logs in with their email and password and receives a JWT."""
    r = app.post("/register", json=ALICE)
    expect_status(r, 201)
    expect_json(r)
    login_token(app, ALICE["email"], ALICE["password"])


@functional_test
def wrong_password_is_rejected(app: App) -> None:
    """A login with a registered email and a wrong password is answered with 401."""
    register(app, ALICE)
    expect_login_rejected(app, ALICE["email"], "Lantern-Ridge-53", "wrong password")
    # the right password still works afterwards
    login_token(app, ALICE["email"], ALICE["password"])


@functional_test
def unknown_email_is_rejected(app: App) -> None:
    """A login with an email nobody registered is answered with 401, even with a password that
    another account uses."""
    register(app, ALICE)
    expect_login_rejected(app, "nobody.here@example.com", "Lantern-Ridge-52", "unknown email")
    expect_login_rejected(app, "carol.unknown@example.net", "whatever-pass-1", "unknown email")


@functional_test
def two_users_each_log_in(app: App) -> None:
    """Two registered users each log in with their own password; neither can log in with the
    other's password."""
    register(app, ALICE)
    register(app, BOB)
    login_token(app, ALICE["email"], ALICE["password"])
    login_token(app, BOB["email"], BOB["password"])
    expect_login_rejected(app, ALICE["email"], BOB["password"], "another user's password")
    expect_login_rejected(app, BOB["email"], ALICE["password"], "another user's password")


@functional_test
def duplicate_registration_is_rejected(app: App) -> None:
    """Registering an email address that is already registered is answered with 400, and the
    first account keeps its password."""
    register(app, ALICE)
    again = {"email": ALICE["email"], "password": "Other-Pass-7788", "name": "Alice Again"}
    r = app.post("/register", json=again)
    expect_status(r, 400)
    expect_json(r)
    login_token(app, ALICE["email"], ALICE["password"])
    expect_login_rejected(app, ALICE["email"], again["password"], "a rejected registration's pw")


@functional_test
def malformed_registration_is_rejected(app: App) -> None:
    """A registration missing a required field, or with an invalid email address, is answered
    with 400 and creates no account."""
    cases = [
        ({"email": "dora.missing@example.com", "name": "Dora"}, "missing password"),
        ({"password": "Granite-Path-31", "name": "Dora"}, "missing email"),
        ({"email": "dora.noname@example.com", "password": "Granite-Path-31"}, "missing name"),
        ({"email": "not-an-email", "password": "Granite-Path-31", "name": "Dora"}, "invalid email"),
    ]
    for body, why in cases:
        r = app.post("/register", json=body)
        expect(r.status_code == 400,
               f"POST /register with {why} ({body}): expected status 400, got {r.status_code} "
               f"with body {r.text[:200]!r}")
    for email in ("dora.noname@example.com", "not-an-email"):
        expect_login_rejected(app, email, "Granite-Path-31", "the email of a rejected registration")

