"""Functional tests of SongDownloader: POST /download {filename} -> the song's bytes."""

from __future__ import annotations

import hashlib

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_status, functional_test

SONGS = "/var/songs"


def _download(app: App, body: object) -> httpx.Response:
    return app.post("/download", json=body, timeout=10)


def _expect_song(r: httpx.Response, filename: str, content: bytes) -> None:
    expect_status(r, 200)
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        media_type == "audio/mpeg",
        f"POST /download {filename!r}: expected Content-Type audio/mpeg, "
        f"got {r.headers.get('content-type')!r}",
    )
    got = r.content
    expect(
        got == content,
        f"POST /download {filename!r}: expected the file's {len(content)} bytes, got "
        f"{len(got)} bytes" + (f" starting {got[:40]!r}" if got != content else ""),
    )


def _pseudo_random(n: int, seed: str) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:n])


@functional_test
def downloads_a_song(app: App) -> None:
    """An existing song comes back byte for byte with Content-Type audio/mpeg."""
    content = b"ID3\x04\x00\x00\x00\x00\x00\x00first song"
    app.fs.put(f"{SONGS}/song.mp3", content)
    _expect_song(_download(app, {"filename": "song.mp3"}), "song.mp3", content)


@functional_test
def downloads_the_requested_song_among_several(app: App) -> None:
    """With several songs stored, each request returns the song it names."""
    songs = {
        "song.mp3": b"content of the first song",
        "song2.mp3": b"content of the second song, a little longer",
        "b-side.mp3": b"third",
    }
    for name, content in songs.items():
        app.fs.put(f"{SONGS}/{name}", content)
    for name in ("song2.mp3", "song.mp3", "b-side.mp3"):
        _expect_song(_download(app, {"filename": name}), name, songs[name])


@functional_test
def binary_content_round_trips(app: App) -> None:
    """Every byte value 0-255 survives unchanged (no text decoding, no newline conversion)."""
    content = bytes(range(256)) * 8 + b"\r\n\n\r\x00\xff"
    app.fs.put(f"{SONGS}/binary.mp3", content)
    _expect_song(_download(app, {"filename": "binary.mp3"}), "binary.mp3", content)


@functional_test
def large_song_is_sent_whole(app: App) -> None:
    """A 1 MiB song is sent completely."""
    content = _pseudo_random(1024 * 1024, "large-song")
    app.fs.put(f"{SONGS}/large.mp3", content)
    _expect_song(_download(app, {"filename": "large.mp3"}), "large.mp3", content)


@functional_test
def file_names_with_spaces_and_punctuation(app: App) -> None:
    """Song file names may contain spaces and punctuation (the spec's `My Song (Live).mp3`)."""
    name = "My Song (Live) - 2024 Remaster, Vol. 2.mp3"
    content = b"live version"
    app.fs.put(f"{SONGS}/{name}", content)
    _expect_song(_download(app, {"filename": name}), name, content)


@functional_test
def unknown_song_is_404(app: App) -> None:
    """A file name that does not exist in /var/songs gives 404."""
    app.fs.put(f"{SONGS}/song.mp3", b"content")
    expect_status(_download(app, {"filename": "unknown.mp3"}), 404)
    expect_status(_download(app, {"filename": "song.mp3.bak"}), 404)


@functional_test
def missing_filename_is_400(app: App) -> None:
    """A JSON object without `filename` gives 400."""
    app.fs.put(f"{SONGS}/song.mp3", b"content")
    expect_status(_download(app, {}), 400)
    expect_status(_download(app, {"name": "song.mp3"}), 400)


@functional_test
def empty_filename_is_400(app: App) -> None:
    """An empty `filename` gives 400."""
    app.fs.put(f"{SONGS}/song.mp3", b"content")
    expect_status(_download(app, {"filename": ""}), 400)


@functional_test
def non_string_filename_is_400(app: App) -> None:
    """A `filename` that is not a string (number, null, list) gives 400."""
    app.fs.put(f"{SONGS}/song.mp3", b"content")
    for value in (123, None, ["song.mp3"]):
        expect_status(_download(app, {"filename": value}), 400)
