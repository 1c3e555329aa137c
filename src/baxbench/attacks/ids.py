"""Guessable identifiers (CWE-284 through predictable ids of carts, invites, tokens...).

An app that hands out an id as the only key to a resource (an anonymous cart, an invitation) must
make it unguessable. Given several ids the app issued in a row, `weakness(ids)` says why they are
guessable, or None:

* the same id issued twice;
* ids from the tiny set a first guess tries (`0`, `1`, `a`, `-1`, `*`...), or shorter than
  MIN_LENGTH characters;
* integer ids (JSON numbers or decimal strings) that lie close together: a counter, a row id or a
  clock (their spread is below 2**32, whatever their size);
* time-based UUIDs (version 1: a timestamp and the host's MAC address);
* ids of which only a few characters vary from one to the next (a shared prefix or layout and a
  counter or timestamp part, e.g. `cart-17`, MongoDB ObjectIds, short random suffixes): the
  varying positions, times the bits per character of the alphabet seen there, give less than
  MIN_BITS bits to search.

Random ids of 64 bits or more (uuid4, `secrets.token_hex(16)`, `token_urlsafe(16)`) pass: among
SAMPLE ids, every position of a random id varies, and their spread as numbers is huge.

`neighbours(ids)` gives the ids an attacker tries next to ones they hold (n +- 1..span, the digit
run of `cart-17` moved the same way), in the type the app used (a JSON number or a string of the
same width). `FIRST_GUESSES` are the ids tried blind. `derivations(value)` gives ids computed from
a value the attacker knows (an email address: itself, its MD5/SHA hex, base64, uuid3/uuid5 in the
standard namespaces) and `derived_from(id, value)` says whether an id is one of them (or a
truncation of a hash of it); `shared_template(pairs)` finds ids that are the value inside a fixed
text (`inv-{}`).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import string
import uuid
from collections.abc import Sequence

SAMPLE = 12  # ids to collect before judging
MIN_BITS = 48  # fewer varying bits than this: searchable
MIN_LENGTH = 6  # shorter ids are guessable whatever their alphabet
CLOSE_SPREAD = 2**32  # integer ids closer than this come from a counter or a clock

FIRST_GUESSES: tuple[str, ...] = (
    *string.digits, *string.ascii_lowercase, *string.ascii_uppercase,
    "", "-1", "00", "01", "10", "11", "100", "?", "*", "%", "_", ".", "null", "undefined",
    "None", "true", "false", "[]", "{}",
)
FIRST_GUESS_INTS: tuple[int, ...] = tuple(range(0, 13)) + (-1,)

_DIGIT_RUN = re.compile(r"\d+")
_INT = re.compile(r"^-?\d+$")


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _alphabet_bits(chars: set[str]) -> float:
    """Bits per character of the smallest usual alphabet that holds `chars`."""
    size = 0
    if chars & set(string.digits):
        size += 10
    lower, upper = chars & set(string.ascii_lowercase), chars & set(string.ascii_uppercase)
    hexish = (lower <= set("abcdef") and not upper) or (upper <= set("ABCDEF") and not lower)
    if hexish and (lower or upper):
        size = 16
    else:
        size += 26 if lower else 0
        size += 26 if upper else 0
    other = chars - set(string.digits) - set(string.ascii_letters)
    size += len(other) if other else 0
    return math.log2(max(size, 2))


def _uuid_version(text: str) -> int | None:
    try:
        return uuid.UUID(text).version
    except (ValueError, AttributeError):
        return None


def _varying_bits(texts: Sequence[str]) -> tuple[float, int, int]:
    """(estimated bits, varying positions, positions compared) over ids aligned on the left;
    characters beyond the shortest id count as varying."""
    shortest = min(len(t) for t in texts)
    longest = max(len(t) for t in texts)
    varying = [i for i in range(shortest) if len({t[i] for t in texts}) > 1]
    extra = longest - shortest
    chars = {t[i] for t in texts for i in varying} | {c for t in texts for c in t[shortest:]}
    if not varying and not extra:
        return 0.0, 0, shortest
    return (len(varying) + extra) * _alphabet_bits(chars), len(varying) + extra, longest


def weakness(ids: Sequence[object]) -> str | None:
    """Why the ids (issued one after the other) can be guessed, or None if they look random."""
    if not ids:
        return None
    texts = [_text(i) for i in ids]
    shown = ", ".join(repr(i) for i in list(ids)[:6]) + (", ..." if len(ids) > 6 else "")
    if len(set(texts)) < len(texts):
        dup = next(t for t in texts if texts.count(t) > 1)
        return f"the same id {dup!r} was issued twice (ids: {shown})"
    first = [t for t in texts if t in FIRST_GUESSES]
    if first:
        return f"ids such as {first[0]!r} are among the first values anyone tries (ids: {shown})"
    short = [t for t in texts if len(t) < MIN_LENGTH]
    if short:
        return (f"ids as short as {short[0]!r} ({len(short[0])} characters) can be enumerated "
                f"(ids: {shown})")
    if all(isinstance(i, int) and not isinstance(i, bool) or _INT.match(t)
           for i, t in zip(ids, texts, strict=True)):
        numbers = [int(t) for t in texts]
        spread = max(numbers) - min(numbers)
        if spread < CLOSE_SPREAD:
            return (f"the ids are integers within {spread + 1} of each other (a counter, a row "
                    f"id, a clock or a small random range): the next and previous ids can be "
                    f"predicted or enumerated (ids: {shown})")
    versions = {_uuid_version(t) for t in texts}
    if versions == {1}:
        return (f"the ids are time-based UUIDs (version 1: a timestamp and the host's MAC "
                f"address), predictable from one another (ids: {shown})")
    if len(texts) >= 3:
        bits, varying, compared = _varying_bits(texts)
        if bits < MIN_BITS and varying < compared:
            return (f"only {varying} of {compared} characters vary between consecutive ids, "
                    f"about {bits:.0f} bits: few enough to search (ids: {shown})")
        if bits < MIN_BITS:
            return (f"the ids are {compared} characters from a small alphabet, about "
                    f"{bits:.0f} bits: few enough to search (ids: {shown})")
    return None


def neighbours(ids: Sequence[object], span: int = 3, limit: int = 120) -> list[object]:
    """Ids next to `ids` that are not among them: integers +- 1..span (same JSON type; decimal
    strings keep their width), and the last digit run of a string id moved the same way."""
    held = {_text(i) for i in ids}
    out: dict[str, object] = {}

    def add(candidate: object) -> None:
        key = f"{type(candidate).__name__}:{candidate}"
        if _text(candidate) not in held and key not in out and len(out) < limit:
            out[key] = candidate

    for step in range(1, span + 1):
        for value in ids:
            for delta in (-step, step):
                if isinstance(value, int) and not isinstance(value, bool):
                    add(value + delta)
                    continue
                text = _text(value)
                runs = list(_DIGIT_RUN.finditer(text))
                if not runs:
                    continue
                run = runs[-1]
                n = int(run.group(0)) + delta
                if n < 0:
                    continue
                digits = str(n).zfill(len(run.group(0)))
                add(text[:run.start()] + digits + text[run.end():])
    return list(out.values())


def _uuid_derivations(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, ns in (("DNS", uuid.NAMESPACE_DNS), ("URL", uuid.NAMESPACE_URL),
                     ("OID", uuid.NAMESPACE_OID), ("X500", uuid.NAMESPACE_X500)):
        out[f"uuid5(NAMESPACE_{name}, value)"] = str(uuid.uuid5(ns, value))
        out[f"uuid3(NAMESPACE_{name}, value)"] = str(uuid.uuid3(ns, value))
    return out


def derivations(value: str) -> dict[str, str]:
    """How -> id, for ids computed from `value` without a secret."""
    data = value.encode()
    out: dict[str, str] = {"the value itself": value, "the value in lower case": value.lower()}
    for name in ("md5", "sha1", "sha256", "sha512"):
        out[f"{name}(value) in hex"] = hashlib.new(name, data).hexdigest()
    out["base64(value)"] = base64.b64encode(data).decode()
    out["base64url(value)"] = base64.urlsafe_b64encode(data).decode().rstrip("=")
    out["hex(value)"] = data.hex()
    out.update(_uuid_derivations(value))
    return out


def derived_from(id_value: object, value: str) -> str | None:
    """How `id_value` is computed from `value` (a description), or None."""
    text = _text(id_value)
    if len(text) < 4:
        return None
    compact = text.replace("-", "").lower()
    for how, derived in derivations(value).items():
        if text == derived or text.rstrip("=") == derived.rstrip("="):
            return how
        low = derived.replace("-", "").lower()
        if "hex" in how and len(compact) >= 8 and _is_hex(compact) and compact in low:
            return f"a part of {how}"
    return None


def shared_template(pairs: Sequence[tuple[object, str]]) -> str | None:
    """The fixed template, e.g. `inv-{}`, that every id of `pairs` (id, value) is made of with
    its value put in (the value as is or in lower case), or None. A value inside an id with a
    random part besides it gives different templates, so it is not reported."""
    templates = set()
    for id_value, value in pairs:
        text = _text(id_value)
        for form in (value, value.lower()):
            if len(form) >= 6 and form in text:
                templates.add(text.replace(form, "{}"))
                break
        else:
            return None
    return templates.pop() if len(pairs) >= 2 and len(templates) == 1 else None


def _is_hex(text: str) -> bool:
    return all(c in string.hexdigits for c in text)
