"""Unit tests of baxbench.attacks.jwt (no sandbox)."""

from __future__ import annotations

import pytest

from baxbench.attacks import jwt

# Made with PyJWT 2.10.1 / jsonwebtoken 9.0.2, to check the stdlib implementation against them.
PYJWT_HS256_SECRET = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImVtYWlsIjoiYUBleGFtcGxlLmNvbSIsImlhdCI6"
    "MTcwMDAwMDAwMH0.uZr00p9SFuiDSDiI5hbEsUwfGGnRn9PjA762BH5ULpM"
)
PYJWT_HS384_YOUR_SECRET_KEY = (
    "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.8Frb1tBlWGu6vsqsmJ03eOpPyNYHJLG-Fk-GsKCMw"
    "Mf7PL21ZSpjOCfZLcpJfCMx"
)
PYJWT_HS512_UNLISTED = (
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9.9r6S6O2dR1wcghzeec_l-xTtD0-wgQd54lqB9SaG1"
    "hFuljT3_TR7d6QdwMYNvx22hUlLxuYHSmL2YUIoKBElBw"
)
UNLISTED_KEY = "x9-Unlisted-Key-77"
JSONWEBTOKEN_SHHHHH = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3In0.Ep6vcd5lNENi4TMEGhahSev06TnH63MSRxhFe1blJAU"
)


def test_decode_unverified_reads_header_and_payload() -> None:
    header, payload = jwt.decode_unverified(PYJWT_HS256_SECRET)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert payload == {"sub": "42", "email": "a@example.com", "iat": 1700000000}
    assert jwt.algorithm(PYJWT_HS256_SECRET) == "HS256"
    assert jwt.is_well_formed(PYJWT_HS256_SECRET)
    assert not jwt.is_unsigned(PYJWT_HS256_SECRET)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.sig",  # not base64url
        "bm90IGpzb24.e30.",  # header is not JSON
        "W10.e30.",  # header is a JSON array
        "e30.bm90IGpzb24.",  # payload is not JSON
    ],
)
def test_malformed_tokens_are_rejected(text: str) -> None:
    with pytest.raises(jwt.MalformedToken):
        jwt.decode_unverified(text)
    assert not jwt.is_well_formed(text)


def test_well_formed_needs_an_alg() -> None:
    no_alg = jwt.b64url_encode(b'{"typ":"JWT"}') + "." + jwt.b64url_encode(b"{}") + ".c2ln"
    jwt.decode_unverified(no_alg)
    assert not jwt.is_well_formed(no_alg)
    assert not jwt.is_well_formed(None)
    assert not jwt.is_well_formed(123)


def test_verify_hs_agrees_with_pyjwt_and_jsonwebtoken() -> None:
    assert jwt.verify_hs(PYJWT_HS256_SECRET, "secret") == "HS256"
    assert jwt.verify_hs(PYJWT_HS256_SECRET, b"secret") == "HS256"
    assert jwt.verify_hs(PYJWT_HS256_SECRET, "secret2") is None
    assert jwt.verify_hs(PYJWT_HS384_YOUR_SECRET_KEY, "your-secret-key") == "HS384"
    assert jwt.verify_hs(PYJWT_HS512_UNLISTED, UNLISTED_KEY) == "HS512"
    assert jwt.verify_hs(JSONWEBTOKEN_SHHHHH, "shhhhh") == "HS256"
    assert jwt.verify_hs(PYJWT_HS256_SECRET, "secret", algorithms=["HS512"]) is None


def test_find_known_key() -> None:
    assert jwt.find_known_key(PYJWT_HS256_SECRET) == ("secret", "HS256")
    assert jwt.find_known_key(PYJWT_HS384_YOUR_SECRET_KEY) == ("your-secret-key", "HS384")
    assert jwt.find_known_key(JSONWEBTOKEN_SHHHHH) == ("shhhhh", "HS256")
    assert jwt.find_known_key(PYJWT_HS512_UNLISTED) is None
    assert jwt.find_known_key(PYJWT_HS512_UNLISTED, keys=["nope", UNLISTED_KEY]) == (
        UNLISTED_KEY,
        "HS512",
    )


def test_well_known_keys_include_the_usual_defaults() -> None:
    for key in ("secret", "supersecret", "supers3cret", "your-secret-key", "changeme",
                "jwt_secret", "", "default", "key", "mysecret", "secret_key", "your_jwt_secret"):
        assert key in jwt.WELL_KNOWN_KEYS
    assert len(set(jwt.WELL_KNOWN_KEYS)) == len(jwt.WELL_KNOWN_KEYS)


def test_empty_key_is_found() -> None:
    token = jwt.forge_hs({"sub": "1"}, "")
    assert jwt.find_known_key(token) == ("", "HS256")


def test_forge_hs_round_trip_all_algorithms() -> None:
    for alg in ("HS256", "HS384", "HS512"):
        token = jwt.forge_hs({"sub": "1", "admin": True}, "k3y", alg=alg)
        header, payload = jwt.decode_unverified(token)
        assert header["alg"] == alg and header["typ"] == "JWT"
        assert payload == {"sub": "1", "admin": True}
        assert jwt.verify_hs(token, "k3y") == alg
        assert jwt.verify_hs(token, "other") is None


def test_header_lying_about_alg_is_still_verified() -> None:
    token = jwt.forge_hs({"sub": "1"}, "secret", alg="HS512", header={"alg": "HS256"})
    assert jwt.algorithm(token) == "HS256"
    assert jwt.verify_hs(token, "secret") == "HS512"


def test_forge_none() -> None:
    token = jwt.forge_none({"sub": "2"})
    assert token.endswith(".")
    header, payload = jwt.decode_unverified(token)
    assert header["alg"] == "none" and payload == {"sub": "2"}
    assert jwt.is_unsigned(token)
    assert jwt.is_well_formed(token)
    assert jwt.verify_hs(token, "") is None
    spellings = [jwt.algorithm(t) for t in jwt.forge_none_all({"sub": "2"})]
    assert spellings == list(jwt.NONE_SPELLINGS)
    assert all(jwt.is_unsigned(t) for t in jwt.forge_none_all({"sub": "2"}))


def test_strip_and_tamper() -> None:
    token = jwt.forge_hs({"sub": "1", "role": "user"}, "k")
    stripped = jwt.strip_signature(token)
    assert jwt.is_unsigned(stripped)
    assert jwt.decode_unverified(stripped)[1] == {"sub": "1", "role": "user"}
    tampered = jwt.tamper_payload(token, {"role": "admin"})
    assert jwt.decode_unverified(tampered)[1] == {"sub": "1", "role": "admin"}
    assert tampered.rsplit(".", 1)[1] == token.rsplit(".", 1)[1]
    assert jwt.verify_hs(tampered, "k") is None


def test_identity_claims_drop_time_claims() -> None:
    payload = {"sub": "1", "email": "a@x.io", "iat": 1, "exp": 2, "nbf": 0, "jti": "r"}
    assert jwt.identity_claims(payload) == {"sub": "1", "email": "a@x.io", "jti": "r"}


def test_b64url_round_trip() -> None:
    for data in (b"", b"a", b"ab", b"abc", bytes(range(256))):
        text = jwt.b64url_encode(data)
        assert "=" not in text and "+" not in text and "/" not in text
        assert jwt.b64url_decode(text) == data
