"""Unit tests of baxbench.attacks.credentials (no sandbox)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence

import pytest

from baxbench.attacks.credentials import scan_for_credentials

PW = "Fjord-Lantern-903"
OTHER = "quiet*Harbor*19"
EMAIL = "ann@example.com"

# Real slow hashes of PW (passlib 1.7.4, Werkzeug 3.1.3, bcrypt 5.1.1 for Node).
PASSLIB_PBKDF2 = (
    "$pbkdf2-sha256$29000$AWDsfe/duxfi/L/Xei8FoA$JQo3P7JQhTDEyMcpArZDO/mFp9MD7HEAkgPBlqZxNT0"
)
PASSLIB_PBKDF2_100_ROUNDS = (
    "$pbkdf2-sha256$100$s/aek1JqbU1JiRECYOzdew$yQ7wY0rzoP0pzW7xoza30UQvGiEyWLsYcNNuZZVP2wQ"
)
WERKZEUG_SCRYPT = (
    "scrypt:32768:8:1$jbyQYef2OO2c6GYf$409e588b28147e0904b5d823ec6f03ab55ddcfa7faf455ee8bcfaac72a239d8"
    "60b1cf6187b3cff94501e17f48d56482f158040128569aefc8122bff2f9878068"
)
WERKZEUG_PBKDF2 = (
    "pbkdf2:sha256:1000000$PH1z8xrKogkLsHAV$6e54fb6e69761fd93ddefb29e1ded056aff0eddce631f36db4d335d32b"
    "486888"
)
WERKZEUG_PBKDF2_50_ROUNDS = (
    "pbkdf2:sha256:50$X3bfj8wbH2z69YIH$9a2ddfab31dd98323f7bcc01e851f975f1b49817483f4d4eaea81f43d11a371e"
)
BCRYPT = "$2b$10$rH6xWWNQ.pQEGX/xL86Jxe8HZtvQruULFfsGoZPzuM1hnjOt8sBDy"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"

Rows = Mapping[str, Sequence[Sequence[object]]]


def users(*stored: object, extra: tuple[object, ...] = ()) -> Rows:
    """A users table: one row per stored password value (plus extra cells)."""
    return {"users": [(i + 1, f"user{i}@example.com", "Ann Lee", s, *extra)
                      for i, s in enumerate(stored)]}


def found(rows: Rows, passwords: list[str] | None = None) -> list[str]:
    return scan_for_credentials(rows, passwords or [PW, OTHER])


def h(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


@pytest.mark.parametrize(
    "stored", [PASSLIB_PBKDF2, WERKZEUG_SCRYPT, WERKZEUG_PBKDF2, BCRYPT, ARGON2]
)
def test_slow_salted_hashes_pass(stored: str) -> None:
    assert found(users(stored)) == []


def test_unrelated_rows_pass() -> None:
    rows: Rows = {
        "users": [(1, EMAIL, "Ann Lee", BCRYPT, None, 3.5, b"\x00\x01binary\xff" * 4)],
        "sessions": [(1, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "2024-01-01T00:00:00")],
        "empty": [],
    }
    assert found(rows) == []


def test_plaintext_whole_and_inside_a_cell() -> None:
    ev = found(users(PW))
    assert len(ev) == 1 and "plaintext" in ev[0] and "'users' row 1 column 4" in ev[0]
    assert found(users(f'{{"password": "{PW}"}}'))
    assert found(users(PW.encode()))  # a BLOB


def test_short_password_only_matches_whole_cell() -> None:
    assert found(users("abc"), ["abc"])
    assert found(users("xxabcxx"), ["abc"]) == []


@pytest.mark.parametrize(
    "stored",
    [
        base64.b64encode(PW.encode()).decode(),
        base64.urlsafe_b64encode(PW.encode()).decode().rstrip("="),
        base64.b32encode(PW.encode()).decode(),
        PW.encode().hex(),
        PW.encode().hex().upper(),
        base64.b64encode(b"s4lt:" + PW.encode()).decode(),
        "enc$" + base64.b64encode(PW.encode()).decode(),
    ],
)
def test_reversible_encodings(stored: str) -> None:
    ev = found(users(stored))
    assert ev and "reversibly encoded" in ev[0], stored


@pytest.mark.parametrize("alg", ["md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b"])
def test_unsalted_fast_hashes_in_every_encoding(alg: str) -> None:
    digest = h(alg, PW.encode())
    for stored in (digest.hex(), digest.hex().upper(), base64.b64encode(digest).decode(),
                   base64.urlsafe_b64encode(digest).decode().rstrip("="), digest,
                   f"{{{alg.upper()}}}{base64.b64encode(digest).decode()}"):
        ev = found(users(stored))
        assert ev and f"unsalted {alg}" in ev[0], (alg, stored)


def test_salt_in_another_column() -> None:
    salt = "9f8e7d6c5b4a"
    for data, order in ((salt.encode() + PW.encode(), "salt+password"),
                        (PW.encode() + salt.encode(), "password+salt"),
                        (PW.encode() + b":" + salt.encode(), "password:salt")):
        stored = h("sha256", data).hex()
        ev = found(users(stored, extra=(salt,)))
        assert ev and order in ev[0], order


def test_salt_in_the_same_cell() -> None:
    salt = "Qx7LmP2v"
    d = h("sha256", salt.encode() + PW.encode()).hex()
    for stored in (f"{salt}${d}", f"{d}:{salt}", f"sha256${salt}${d}", f"{salt}.{d}"):
        assert found(users(stored)), stored
    md5_b64 = base64.b64encode(h("md5", PW.encode() + salt.encode())).decode()
    assert found(users(f"{md5_b64}:{salt}"))


def test_salt_stored_as_hex_used_as_bytes() -> None:
    salt = bytes(range(16))
    stored = salt.hex() + "$" + h("sha512", salt + PW.encode()).hex()
    assert found(users(stored))
    # salt and digest concatenated in one BLOB
    assert found(users(salt + h("sha1", salt + PW.encode())))
    # base64 salt in its own column
    salt_b64 = base64.b64encode(salt).decode()
    assert found(users(h("sha256", PW.encode() + salt).hex(), extra=(salt_b64,)))


def test_email_as_salt() -> None:
    rows = {"users": [(1, EMAIL, h("sha256", (EMAIL + PW).encode()).hex())]}
    assert found(rows)


def test_hmac_with_salt() -> None:
    salt = "pepper-in-row"
    stored = hmac.new(salt.encode(), PW.encode(), "sha256").hexdigest()
    ev = found(users(stored, extra=(salt,)))
    assert ev and "HMAC" in ev[0]


def test_pbkdf2_with_token_iterations() -> None:
    assert found(users(WERKZEUG_PBKDF2_50_ROUNDS))
    assert found(users(PASSLIB_PBKDF2_100_ROUNDS))
    # the same formats for another password are not this password's
    assert found(users(WERKZEUG_PBKDF2_50_ROUNDS), ["not-the-password"]) == []


def test_every_row_of_every_table_is_scanned() -> None:
    filler = [(i, f"u{i}@example.com", BCRYPT if i % 10 == 0 else "x") for i in range(200)]
    rows = {"a": filler, "b": filler + [(999, "late@example.com", h("md5", OTHER.encode()).hex())]}
    ev = found(rows)
    assert len(ev) == 1 and "table 'b' row 201" in ev[0]


def test_each_cell_reported_once_and_bounded() -> None:
    rows = {"users": [(i, PW, PW) for i in range(50)]}
    ev = found(rows)
    assert len(ev) == 20  # bounded
    assert len({e.split(" holds")[0] for e in ev}) == 20


def test_evidence_does_not_spell_out_the_password_itself() -> None:
    stored = h("sha256", PW.encode()).hex()
    ev = found(users(stored))
    assert PW not in ev[0] and "Fjo..." in ev[0]


def test_hex_salt_text_glued_to_hex_digest() -> None:
    """A hex salt used as TEXT and stored glued to the hex digest, no separator, either order
    (`salt_hex + sha256(salt_hex + pw).hexdigest()` and digest first)."""
    salt_hex = bytes(range(100, 116)).hex()  # 32 hex characters
    for alg in ("sha256", "sha1", "md5", "sha512"):
        salted = h(alg, salt_hex.encode() + PW.encode()).hex()
        ev = found(users(salt_hex + salted))
        assert ev and f"{alg}(salt+password)" in ev[0], alg
        peppered = h(alg, PW.encode() + salt_hex.encode()).hex()
        ev = found(users(peppered + salt_hex))
        assert ev and f"{alg}(password+salt)" in ev[0], alg
    # a shorter (16 hex characters) salt
    short = "a1b2c3d4e5f60718"
    stored = short + h("sha256", short.encode() + PW.encode()).hex()
    assert found(users(stored))
    # the same layout for another password is not this password's
    assert found(users(salt_hex + h("sha256", salt_hex.encode() + b"other").hex())) == []
