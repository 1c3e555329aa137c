"""Find stored credentials that are insufficiently protected (CWE-522).

`scan_for_credentials(rows_by_table, passwords)` looks at every cell of every row (give it
`app.db.all_rows()`) for each known password and reports, as evidence strings, cells that hold:

* the plaintext password (the whole cell or a part of it);
* a reversible encoding of it: base64 / base64url / base32 / hex, also of a longer value that
  contains the password (e.g. `base64("salt:password")`);
* a fast hash of it (MD5, SHA-1, SHA-2, SHA-3, BLAKE2), unsalted or salted, as hex, base64 or raw
  bytes. A salt is looked for in the same row: any other cell, or a part of the cell itself when
  it is split on `$ : . , | ;` or blanks (`salt$hash`, `hash:salt`, `sha256$salt$hash`...), or
  the bytes beside a digest in one binary/hex/base64 value (`salt || digest`), or the hex text
  beside a hex digest (`salt_hex + digest_hex`, no separator); each taken as text and
  hex/base64-decoded; salt before or after the password, with or without a `:`/`$` separator,
  or as an HMAC key;
* PBKDF2 in the Werkzeug or passlib formats with fewer than MIN_PBKDF2_ITERATIONS iterations
  (verified against the password, so an unrelated value never counts).

Slow salted hashes (bcrypt, scrypt, argon2, PBKDF2 with a real iteration count) are not reported.

Use distinctive passwords (8+ characters): plaintext and decoded values are matched as
substrings, which for a short password such as "pass1" could hit an unrelated value by chance
(passwords shorter than 6 characters are only matched as a whole cell). Cost: a few milliseconds
per password for each cell that could hold a digest, fine for the tens of rows a scenario's
database holds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FAST_HASHES: tuple[str, ...] = (
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha3_256",
    "sha3_512",
    "blake2b",
    "blake2s",
)
_SIZES = {n: hashlib.new(n).digest_size for n in FAST_HASHES}
DIGEST_SIZES: tuple[int, ...] = tuple(sorted(set(_SIZES.values())))

MIN_PBKDF2_ITERATIONS = 1000
MAX_CELL_BYTES = 64 * 1024
MAX_TOKENS_PER_CELL = 16
MAX_SALTS_PER_ROW = 96
MAX_EVIDENCE = 20

_SEPARATORS = re.compile(r"[$:.,|;{}()\s]+")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
_B64 = re.compile(r"^[A-Za-z0-9+/_.-]+={0,2}$")
_B32 = re.compile(r"^[A-Z2-7]+=*$")
_HEX_RUN = re.compile(r"[0-9a-fA-F]{32,}")
_B64_RUN = re.compile(r"[A-Za-z0-9+/_.-]{22,}={0,2}")


def _b64decode_loose(text: str) -> bytes | None:
    """Decode standard, URL-safe or passlib-style ('.' for '+') base64, padded or not."""
    t = text.replace("-", "+").replace("_", "/").replace(".", "+").rstrip("=")
    if len(t) % 4 == 1:
        return None
    try:
        return base64.b64decode(t + "=" * (-len(t) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _decodings(token: str) -> Iterator[tuple[bytes, str]]:
    """`token` decoded as hex, base64 and base32, where it plausibly is one."""
    if len(token) < 8:
        return
    if _HEX.match(token):
        yield bytes.fromhex(token), "hex"
    if _B64.match(token):
        decoded = _b64decode_loose(token)
        if decoded:
            yield decoded, "base64"
    if _B32.match(token):
        t = token.rstrip("=")
        try:
            decoded = base64.b32decode(t + "=" * (-len(t) % 8))
        except (binascii.Error, ValueError):
            return
        yield decoded, "base32"


def _tokens(text: str) -> list[str]:
    """The cell and its parts split on the separators stored hashes use."""
    parts = [t for t in _SEPARATORS.split(text) if t and t != text]
    return [text, *parts][:MAX_TOKENS_PER_CELL]


@dataclass
class _Cell:
    table: str
    row: int
    column: int
    raw: bytes  # the cell as bytes (text cells utf-8 encoded)
    text: str  # the cell as text (binary cells decoded with replacement)
    binary: bool
    tokens: list[str] = field(default_factory=list)
    decoded: list[tuple[bytes, str]] = field(default_factory=list)  # tokens decoded
    blobs: list[tuple[bytes, str]] = field(default_factory=list)  # where a digest could be
    hex_runs: list[str] = field(default_factory=list)  # long hex texts: salt text + hex digest?

    def where(self) -> str:
        return f"table {self.table!r} row {self.row + 1} column {self.column + 1}"


def _as_cell(table: str, row: int, column: int, value: Any) -> _Cell | None:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value[:MAX_CELL_BYTES])
        cell = _Cell(table, row, column, raw, raw.decode("utf-8", "replace"), not raw.isascii())
    elif isinstance(value, str):
        text = value[:MAX_CELL_BYTES]
        cell = _Cell(table, row, column, text.encode("utf-8", "replace"), text, False)
    else:
        return None  # numbers and NULLs hold no credential
    cell.tokens = _tokens(cell.text)
    cell.decoded = [d for t in cell.tokens for d in _decodings(t) if d[0]]
    if cell.binary:
        cell.blobs.append((cell.raw, "raw bytes"))
    for m in _HEX_RUN.finditer(cell.text):
        run = m.group(0)
        cell.hex_runs.append(run)
        for start in ((0,) if len(run) % 2 == 0 else (0, 1)):
            piece = run[start:len(run) - ((len(run) - start) % 2)]
            cell.blobs.append((bytes.fromhex(piece), "hex"))
    for m in _B64_RUN.finditer(cell.text):
        for piece in {m.group(0), *m.group(0).split(".")}:
            decoded = _b64decode_loose(piece) if len(piece) >= 22 else None
            if decoded and len(decoded) >= 16:
                cell.blobs.append((decoded, "base64"))
    return cell


def _holds(cell: _Cell, digest: bytes) -> str | None:
    """How `cell` holds `digest` (raw bytes, hex or base64), or None."""
    for blob, how in cell.blobs:
        if digest in blob:
            return how
    return None


def _salt_candidates(row_cells: Sequence[_Cell]) -> list[bytes]:
    """Possible salts from a row: every cell and each separated part of it, as text and decoded,
    and what is left of a binary/hex/base64 value beside a digest-sized part, both as bytes and,
    for a hex value, as the hex text itself (`salt_hex + sha256(salt_hex + pw).hexdigest()`
    glued with no separator, or the digest first)."""
    seen: dict[bytes, None] = {}

    def add(candidate: bytes) -> None:
        if candidate and len(candidate) <= 512:
            seen.setdefault(candidate, None)

    for cell in row_cells:
        for token in cell.tokens:
            add(token.encode())
        for decoded, _ in cell.decoded:
            add(decoded)
        add(cell.raw)
        for run in cell.hex_runs:
            for size in DIGEST_SIZES:
                if len(run) > 2 * size:
                    add(run[: -2 * size].encode())
                    add(run[2 * size :].encode())
        for blob, _ in cell.blobs:
            for size in DIGEST_SIZES:
                if len(blob) > size:
                    add(blob[:-size])
                    add(blob[size:])
    return list(seen)[:MAX_SALTS_PER_ROW]


_CONSTRUCTORS = {name: getattr(hashlib, name) for name in FAST_HASHES}


def _hash(name: str, data: bytes) -> bytes:
    return _CONSTRUCTORS[name](data).digest()


_WERKZEUG_PBKDF2 = re.compile(r"pbkdf2:(\w+):(\d+)\$([^$]+)\$([0-9a-fA-F]+)")
_PASSLIB_PBKDF2 = re.compile(r"\$pbkdf2(?:-(sha\d+))?\$(\d+)\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)")


def _weak_pbkdf2(cell: _Cell, password: bytes) -> str | None:
    for m in _WERKZEUG_PBKDF2.finditer(cell.text):
        alg, rounds, salt, digest = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if 0 < rounds < MIN_PBKDF2_ITERATIONS and alg in hashlib.algorithms_available:
            dk = hashlib.pbkdf2_hmac(alg, password, salt.encode(), rounds, len(digest) // 2)
            if dk.hex() == digest.lower():
                return f"PBKDF2-{alg} with only {rounds} iterations"
    for m in _PASSLIB_PBKDF2.finditer(cell.text):
        alg, rounds = m.group(1) or "sha1", int(m.group(2))
        if not 0 < rounds < MIN_PBKDF2_ITERATIONS:
            continue
        salt, digest = _b64decode_loose(m.group(3)), _b64decode_loose(m.group(4))
        if salt is None or not digest:
            continue
        if hashlib.pbkdf2_hmac(alg, password, salt, rounds, len(digest)) == digest:
            return f"PBKDF2-{alg} with only {rounds} iterations"
    return None


def _password_label(password: str) -> str:
    return f"the password {password[:3]}...({len(password)} chars)"


def _b64_forms(data: bytes) -> set[str]:
    std = base64.b64encode(data).decode()
    url = base64.urlsafe_b64encode(data).decode()
    return {std, std.rstrip("="), url, url.rstrip("=")}


def _scan_cell(cell: _Cell, salts: Sequence[bytes], password: str,
               unsalted: Mapping[str, bytes]) -> str | None:
    pw = password.encode()
    label = _password_label(password)
    shown = repr(cell.text[:80])
    # 1. plaintext
    if cell.raw == pw or (len(pw) >= 6 and pw in cell.raw):
        return f"{cell.where()} holds {label} in plaintext: {shown}"
    # 2. reversible encodings of the password, or decodings of the cell that contain it
    if len(pw) >= 6:
        if pw.hex() in cell.text.lower() or any(f in cell.text for f in _b64_forms(pw)):
            return f"{cell.where()} holds {label} reversibly encoded: {shown}"
        for decoded, encoding in cell.decoded:
            if pw in decoded:
                return (f"{cell.where()} holds {label} reversibly encoded ({encoding} of "
                        f"{decoded[:60]!r}): {shown}")
    if not cell.blobs:
        return None  # no room for a digest
    # 3. unsalted fast hashes
    for name, digest in unsalted.items():
        how = _holds(cell, digest)
        if how:
            return f"{cell.where()} holds unsalted {name}({label}) as {how}: {shown}"
    # 4. salted fast hashes, the salt from the same row
    room = max(len(blob) for blob, _ in cell.blobs)
    names = [n for n in FAST_HASHES if _SIZES[n] <= room]
    for salt in salts:
        if salt == pw:
            continue
        combos = (
            ("salt+password", salt + pw),
            ("password+salt", pw + salt),
            ("salt:password", salt + b":" + pw),
            ("password:salt", pw + b":" + salt),
            ("salt$password", salt + b"$" + pw),
            ("password$salt", pw + b"$" + salt),
        )
        for name in names:
            for order, data in combos:
                how = _holds(cell, _hash(name, data))
                if how:
                    return (f"{cell.where()} holds {name}({order}) of {label} with salt "
                            f"{salt[:24]!r} from the same row, as {how}: {shown}")
            for keyed, key, msg in (("HMAC keyed with the salt", salt, pw),
                                    ("HMAC keyed with the password", pw, salt)):
                how = _holds(cell, hmac.new(key, msg, name).digest())
                if how:
                    return (f"{cell.where()} holds {name} {keyed} of {label} with salt "
                            f"{salt[:24]!r} from the same row, as {how}: {shown}")
    # 5. PBKDF2 with a token iteration count
    weak = _weak_pbkdf2(cell, pw)
    if weak:
        return f"{cell.where()} holds {label} as {weak}: {shown}"
    return None


def scan_for_credentials(rows_by_table: Mapping[str, Iterable[Sequence[Any]]],
                         passwords: Iterable[str]) -> list[str]:
    """Evidence strings, one per cell that stores one of `passwords` insufficiently protected
    (at most MAX_EVIDENCE). `rows_by_table` maps a table name to its rows (tuples of cell
    values), as `app.db.all_rows()` returns them. An empty list means nothing weak was found."""
    passwords = [p for p in dict.fromkeys(passwords) if p]
    unsalted = {p: {n: _hash(n, p.encode()) for n in FAST_HASHES} for p in passwords}
    evidence: list[str] = []
    for table, rows in rows_by_table.items():
        for r, row in enumerate(rows):
            cells = [c for i, v in enumerate(row) if (c := _as_cell(table, r, i, v)) is not None]
            salts = _salt_candidates(cells)
            for cell in cells:
                for password in passwords:
                    found = _scan_cell(cell, salts, password, unsalted[password])
                    if found:
                        evidence.append(found)
                        if len(evidence) >= MAX_EVIDENCE:
                            return evidence
                        break
    return evidence
