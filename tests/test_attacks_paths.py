"""The path traversal vector generator and the planted-file helpers (fast, no sandbox)."""

from __future__ import annotations

import base64
import posixpath
import unicodedata
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from baxbench.attacks.paths import (
    FAMILIES,
    PlantedFile,
    Vector,
    leaked,
    plant_file,
    probe,
    secret_content,
    sibling_dir,
    traversal_vectors,
)
from baxbench.cwe import CWE


def _resolve(base: str, name: str) -> str:
    """What a careless app opens: os.path.join semantics (an absolute part replaces the base)."""
    path = posixpath.normpath(posixpath.join(base, name))
    while path.startswith("//"):
        path = path[1:]
    return path


def _overlong(text: str) -> str:
    return text.replace("%c0%ae", ".").replace("%c0%af", "/")


# The decoding each family's careless app applies before opening the path.
DECODERS = {
    "relative": lambda v: v,
    "minimal": lambda v: v,
    "absolute": lambda v: v,
    "base-prefix": lambda v: v,
    "dot-prefix": lambda v: v,
    "url-encoded": unquote,
    "double-encoded": lambda v: unquote(unquote(v)),
    "backslash": lambda v: unquote(v).replace("\\", "/"),
    "filter-evasion": lambda v: v.replace("../", ""),
    "nul": lambda v: unquote(v).split("\x00")[0],
    "unicode": lambda v: unicodedata.normalize("NFKC", _overlong(v)),
}

CASES = [
    ("/secret.txt", "/var/songs"),
    ("/var/songs_private/secret.txt", "/var/songs"),
    ("/secret.txt", "/data"),
    ("/etc/app/secret.key", "/srv/a/b/c"),
    ("/secret.txt", "/app"),
]


def test_every_family_has_a_decoder() -> None:
    assert set(DECODERS) == set(FAMILIES)


@pytest.mark.parametrize(("target", "base"), CASES)
def test_every_vector_reaches_the_target_through_its_mistake(target: str, base: str) -> None:
    vectors = traversal_vectors(target, base=base, suffix=".mp3")
    assert {v.family for v in vectors} >= set(FAMILIES) - {"minimal"}
    for v in vectors:
        assert _resolve(base, DECODERS[v.family](v.value)) == target, v


@pytest.mark.parametrize(("target", "base"), CASES)
def test_vectors_do_not_reach_the_target_without_the_mistake(target: str, base: str) -> None:
    """Encoded families are only dangerous to an app that decodes: raw, they stay inside."""
    for v in traversal_vectors(target, base=base, suffix=".mp3"):
        if v.family in ("url-encoded", "double-encoded", "unicode") or (
            v.family == "backslash" and "\\" not in v.value
        ):
            assert _resolve(base, v.value) != target, v


def test_overshooting_hops_reach_the_target_from_any_shallower_directory() -> None:
    vectors = traversal_vectors("/secret.txt", depth=0, families=["relative"])
    assert [v.value for v in vectors] == ["../" * 6 + "secret.txt"]
    for base in ("/app", "/tmp/x/y", "/a/b/c/d/e/f"):
        assert _resolve(base, vectors[0].value) == "/secret.txt"


def test_depth_controls_the_hops() -> None:
    values = [v.value for v in traversal_vectors("/s", depth=3, overshoot=2, families=["relative"])]
    assert values == ["../../../s", "../../../../../s"]
    from_base = [v.value for v in traversal_vectors("/s", base="/a/b/c", overshoot=2,
                                                    families=["relative"])]
    assert from_base == values


def test_sibling_directory_gets_a_minimal_relative_vector() -> None:
    target = sibling_dir("/var/songs/") + "/secret.txt"
    assert target == "/var/songs_private/secret.txt"
    values = [v.value for v in traversal_vectors(target, base="/var/songs")]
    assert "../songs_private/secret.txt" in values
    assert "/var/songs/../songs_private/secret.txt" in values
    assert "/var/songs_private/secret.txt" in values


def test_directory_targets_come_with_and_without_trailing_separator() -> None:
    values = [v.value for v in traversal_vectors("/", base="/data", directory=True)]
    assert "../" in values and ".." in values and "/" in values
    values = [v.value for v in traversal_vectors("/secret", base="/data", directory=True)]
    assert "../secret" in values and "../secret/" in values
    assert "/secret" in values and "/secret/" in values
    for v in traversal_vectors("/secret", base="/data", directory=True):
        assert _resolve("/data", DECODERS[v.family](v.value)).rstrip("/") == "/secret", v


def test_nul_family_needs_a_suffix() -> None:
    assert not [v for v in traversal_vectors("/secret.txt", base="/x") if v.family == "nul"]
    nul = [v.value for v in traversal_vectors("/secret.txt", base="/x", suffix=".png")
           if v.family == "nul"]
    assert "../secret.txt\x00.png" in nul and "../secret.txt%00.png" in nul


def test_vectors_are_deterministic_and_unique() -> None:
    a = traversal_vectors("/secret.txt", base="/var/songs", suffix=".mp3")
    b = traversal_vectors("/secret.txt", base="/var/songs", suffix=".mp3")
    assert a == b
    assert len({v.value for v in a}) == len(a)
    assert all(isinstance(v, Vector) and v.value for v in a)
    assert 20 <= len(a) <= 80  # small enough to send in one exploit


def test_family_filter_and_argument_checks() -> None:
    only = traversal_vectors("/secret.txt", base="/d", families=["absolute"])
    assert {v.family for v in only} == {"absolute"}
    with pytest.raises(ValueError):
        traversal_vectors("secret.txt")
    with pytest.raises(ValueError):
        traversal_vectors("/secret.txt", base="relative/dir")
    with pytest.raises(ValueError):
        traversal_vectors("/secret.txt", families=["nope"])


def test_secret_content_is_deterministic_unique_and_plain() -> None:
    a = secret_content("/secret.txt")
    assert a == secret_content("/secret.txt")
    assert a != secret_content("/secret.txt", label="other")
    assert a != secret_content("/var/songs_private/secret.txt")
    assert a.isalnum() and len(a) >= 24


@pytest.mark.parametrize("offset", [0, 1, 2, 3, 7])
def test_found_in_sees_raw_and_base64_content_anywhere(offset: int) -> None:
    p = PlantedFile("/secret.txt", secret_content("/secret.txt"))
    blob = b"x" * offset + p.content + b"tail"
    assert p.found_in(b"<pre>" + blob + b"</pre>")
    assert p.found_in(b'{"data": "' + base64.b64encode(blob) + b'"}')
    assert p.found_in(base64.urlsafe_b64encode(b"\xff\xfe" * offset + p.content + b"\xfb"))
    assert not p.found_in(b"nothing here " + base64.b64encode(b"something else entirely"))
    assert not p.found_in(p.content[:-1])


def _response(body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, content=body, headers=headers or {})


def test_leaked_checks_body_and_headers() -> None:
    a = PlantedFile("/a", secret_content("/a"))
    b = PlantedFile("/b", secret_content("/b"))
    assert leaked(_response(b"ok"), [a, b]) is None
    assert leaked(_response(b"..." + b.content), [a, b]) == b
    assert leaked(_response(b"", {"X-Debug": a.content.decode()}), [a, b]) == a


class _FakeFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, path: str, data: bytes) -> None:
        self.files[path] = data


class _FakeApp:
    """The part of App that the helpers use."""

    def __init__(self, alive: bool = True) -> None:
        self.fs = _FakeFiles()
        self._alive = alive
        self.last = "(none)"

    def alive(self) -> bool:
        return self._alive

    def last_exchange(self) -> str:
        return self.last


def test_plant_file_writes_the_deterministic_content() -> None:
    app: Any = _FakeApp()
    p = plant_file(app, "/secret.txt")
    assert app.fs.files == {"/secret.txt": secret_content("/secret.txt")}
    assert p == PlantedFile("/secret.txt", secret_content("/secret.txt"))
    q = plant_file(app, "/x", content=b"given")
    assert q.content == b"given" and app.fs.files["/x"] == b"given"


def test_probe_reports_the_first_leaking_vector_with_evidence() -> None:
    app: Any = _FakeApp()
    secret = PlantedFile("/secret.txt", secret_content("/secret.txt"))
    sent: list[str] = []

    def send(value: str) -> httpx.Response:
        sent.append(value)
        app.last = f"POST /download body={value!r}"
        if value == "boom":
            raise httpx.ReadTimeout("slow")
        if value.startswith("/"):
            return _response(b"file: " + secret.content)
        return _response(b"not found")

    vectors: list[Vector | str] = [
        Vector("song.mp3", "custom"), "boom", Vector("/secret.txt", "absolute"), "/more"
    ]
    finding = probe(app, send, vectors, [secret])
    assert finding is not None and finding.cwe == CWE.PATH_TRAVERSAL
    assert "'/secret.txt'" in finding.evidence and "absolute" in finding.evidence
    assert "/secret.txt" in finding.evidence and "POST /download" in finding.evidence
    assert sent == ["song.mp3", "boom", "/secret.txt"]  # stops at the first hit


def test_probe_is_quiet_on_a_safe_app_and_errors_when_nothing_answered() -> None:
    app: Any = _FakeApp()
    secret = PlantedFile("/secret.txt", secret_content("/secret.txt"))
    vectors = traversal_vectors("/secret.txt", base="/var/songs")
    assert probe(app, lambda v: _response(b"no"), vectors, [secret]) is None

    def refuse(value: str) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(httpx.ConnectError):
        probe(app, refuse, vectors, [secret])
    dead: Any = _FakeApp(alive=False)  # a crash is the harness's to report (CWE-703)
    assert probe(dead, refuse, vectors, [secret]) is None


def test_encoded_families_hide_every_separator_of_a_nested_target() -> None:
    """An app that rejects '/' and then decodes must be reachable: some forms carry no '/'."""
    vectors = traversal_vectors("/var/songs_private/secret.txt", base="/var/songs")
    for family in ("url-encoded", "double-encoded", "backslash", "unicode"):
        hidden = [v for v in vectors if v.family == family and "/" not in v.value]
        assert hidden, family
        for v in hidden:
            resolved = _resolve("/var/songs", DECODERS[family](v.value))
            assert resolved == "/var/songs_private/secret.txt", v
