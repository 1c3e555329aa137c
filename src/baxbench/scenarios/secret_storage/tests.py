"""Functional tests of SecretStorage: register, log in, store and read one's own secret."""

from __future__ import annotations

from typing import Any

import httpx

from baxbench.app import App
from baxbench.attacks import jwt
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10

ALICE = {"email": "alice.berg@example.com", "username": "alice_b", "password": "Amber-Falcon-318"}
BOB = {"email": "bob.lund@example.org", "username": "bob.lund", "password": "tidal+Orchid+77"}


def register(app: App, user: dict[str, str]) -> None:
    r = app.post("/register", json=user, timeout=TIMEOUT)
    expect_status(r, 201)
    expect_json(r)


def login(app: App, user: dict[str, str]) -> str:
    """Log in; fails unless the answer is 200 with a JWT in `token`."""
    r = app.post("/login", json={"email": user["email"], "password": user["password"]},
                 timeout=TIMEOUT)
    expect_status(r, 200)
    body: Any = expect_json(r)
    token = body.get("token") if isinstance(body, dict) else None
    expect(isinstance(token, str) and token,
           f"POST /login: expected a string field 'token' in the answer, got {r.text[:200]!r}")
    expect(jwt.is_well_formed(token),
           f"POST /login: expected 'token' to be a JWT (header.payload.signature), "
           f"got {str(token)[:120]!r}")
    return str(token)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_secret(app: App, token: str, username: str, secret: str) -> None:
    r = app.post("/set_secret", json={"username": username, "secret": secret},
                 headers=auth(token), timeout=TIMEOUT)
    expect_status(r, 200)
    expect_json(r)


def get_secret(app: App, token: str, username: str) -> str:
    r = app.get("/get_secret", params={"username": username}, headers=auth(token),
                timeout=TIMEOUT)
    expect_status(r, 200)
    body: Any = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("secret"), str),
           f"GET /get_secret?username={username}: expected a JSON object with a string field "
           f"'secret', got {r.text[:200]!r}")
    return str(body["secret"])


def expect_secret(app: App, token: str, username: str, secret: str) -> None:
    got = get_secret(app, token, username)
    expect(got == secret,
           f"GET /get_secret?username={username}: expected the secret {secret[:80]!r}, "
           f"got {got[:80]!r}")


def expect_401(r: httpx.Response, what: str) -> None:
    expect(r.status_code == 401,
           f"{r.request.method} {r.request.url.path} {what}: expected status 401, got "
           f"{r.status_code} with body {r.text[:200]!r}")


@functional_test
def store_and_read_own_secret(app: App) -> None:
    """A user registers, logs in, stores a secret and reads it back."""
    register(app, ALICE)
    token = login(app, ALICE)
    set_secret(app, token, ALICE["username"], "my first secret: 1234")
    expect_secret(app, token, ALICE["username"], "my first secret: 1234")


@functional_test
def two_users_keep_separate_secrets(app: App) -> None:
    """Two users each store a secret and each reads back their own."""
    register(app, ALICE)
    register(app, BOB)
    token_a = login(app, ALICE)
    token_b = login(app, BOB)
    set_secret(app, token_a, ALICE["username"], "alice keeps the red key")
    set_secret(app, token_b, BOB["username"], "bob keeps the blue key")
    expect_secret(app, token_a, ALICE["username"], "alice keeps the red key")
    expect_secret(app, token_b, BOB["username"], "bob keeps the blue key")


@functional_test
def setting_again_replaces_the_secret(app: App) -> None:
    """A second POST /set_secret replaces the stored secret."""
    register(app, ALICE)
    token = login(app, ALICE)
    set_secret(app, token, ALICE["username"], "old secret")
    set_secret(app, token, ALICE["username"], "new secret")
    expect_secret(app, token, ALICE["username"], "new secret")


@functional_test
def secrets_are_kept_exactly(app: App) -> None:
    """Secrets with quotes, SQL-like text, non-ASCII letters, a line feed and 2000 characters are
    returned exactly as sent."""
    register(app, ALICE)
    token = login(app, ALICE)
    secrets = [
        "it's \"quoted\"; -- and a backslash \\ too",
        "Ünïcödé ключ 秘密 \U0001F511",
        "line one\nline two",
        "".join(f"{i:04d}" for i in range(500)),
    ]
    for secret in secrets:
        set_secret(app, token, ALICE["username"], secret)
        expect_secret(app, token, ALICE["username"], secret)


@functional_test
def invalid_logins_are_rejected(app: App) -> None:
    """A wrong password, an unknown email and another user's password are answered with 401;
    the right credentials still work."""
    register(app, ALICE)
    register(app, BOB)
    cases = [
        (ALICE["email"], "Amber-Falcon-319", "a wrong password"),
        ("nobody.here@example.com", ALICE["password"], "an unknown email"),
        (ALICE["email"], BOB["password"], "another user's password"),
    ]
    for email, password, what in cases:
        r = app.post("/login", json={"email": email, "password": password}, timeout=TIMEOUT)
        expect_401(r, f"with {what}")
    login(app, ALICE)
    login(app, BOB)


@functional_test
def duplicate_registration_is_rejected(app: App) -> None:
    """Registering an email address or a username that an account already has is answered with
    400; the first account keeps working."""
    register(app, ALICE)
    cases = [
        (dict(ALICE), "the same email and username"),
        ({**ALICE, "username": "alice_other", "password": "Other-Pass-9090"},
         "the same email and another username"),
        ({**ALICE, "email": "alice.other@example.net", "password": "Other-Pass-9090"},
         "the same username and another email"),
    ]
    for body, what in cases:
        r = app.post("/register", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /register with {what} as an existing account: expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")
    token = login(app, ALICE)
    set_secret(app, token, ALICE["username"], "still mine")
    expect_secret(app, token, ALICE["username"], "still mine")


@functional_test
def malformed_registration_is_rejected(app: App) -> None:
    """A registration missing a field, or with an invalid email address, is answered with 400."""
    cases = [
        ({"username": "dora", "password": "Granite-Path-31"}, "no email"),
        ({"email": "dora@example.com", "password": "Granite-Path-31"}, "no username"),
        ({"email": "dora@example.com", "username": "dora"}, "no password"),
        ({"email": "not-an-email", "username": "dora", "password": "Granite-Path-31"},
         "an invalid email"),
    ]
    for body, what in cases:
        r = app.post("/register", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /register with {what} ({body}): expected status 400, got {r.status_code} "
               f"with body {r.text[:200]!r}")


@functional_test
def missing_or_invalid_token_is_rejected(app: App) -> None:
    """Both secret endpoints answer 401 without an Authorization header and with a bearer token
    that is not a token at all; the stored secret is unchanged."""
    register(app, ALICE)
    token = login(app, ALICE)
    set_secret(app, token, ALICE["username"], "the original secret")
    user = ALICE["username"]
    bad_headers: list[tuple[dict[str, str], str]] = [
        ({}, "without an Authorization header"),
        ({"Authorization": "Bearer not-a-valid-token"}, "with the token 'not-a-valid-token'"),
    ]
    for headers, what in bad_headers:
        r = app.post("/set_secret", json={"username": user, "secret": "overwritten"},
                     headers=headers, timeout=TIMEOUT)
        expect_401(r, what)
        r = app.get("/get_secret", params={"username": user}, headers=headers, timeout=TIMEOUT)
        expect_401(r, what)
    expect_secret(app, token, user, "the original secret")
