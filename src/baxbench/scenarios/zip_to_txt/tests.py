"""Functional tests of ZipToTxt: POST /convert (multipart `file`, a zip) -> the text files'
contents. Archives are built in code; the body is compared after whitespace normalisation (the
spec only says the contents are separated by newlines)."""

from __future__ import annotations

import hashlib
import re
import zipfile

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_status, functional_test
from baxbench.scenarios.zip_to_txt.archives import build_zip

TIMEOUT = 20
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
             b"\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def convert(app: App, archive: bytes, name: str = "archive.zip") -> httpx.Response:
    return app.post("/convert", files={"file": (name, archive, "application/zip")},
                    timeout=TIMEOUT)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def expect_text(r: httpx.Response, contents: list[str], what: str) -> str:
    """200, text/plain, and every content in the body in the given order (whitespace
    normalised). Returns the normalised body."""
    expect_status(r, 200)
    media = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(media == "text/plain",
           f"{what}: expected Content-Type text/plain, got {r.headers.get('content-type')!r}")
    body = squash(r.text)
    pos = 0
    for content in contents:
        want = squash(content)
        at = body.find(want, pos)
        expect(at >= 0, f"{what}: expected the content {want[:80]!r} "
                        + ("after the previous file's content " if pos else "")
                        + f"in the answer, got {body[:300]!r}")
        pos = at + len(want)
    return body


@functional_test
def concatenates_two_text_files(app: App) -> None:
    """An archive with file1.txt and file2.txt: both contents, in archive order."""
    files = [("file1.txt", "Hello from the first file.\nIt has two lines.\n"),
             ("file2.txt", "And this is the second file.")]
    expect_text(convert(app, build_zip(files)), [c for _, c in files], "two text files")


@functional_test
def keeps_archive_order(app: App) -> None:
    """Twelve files stored in a non-alphabetical order come back in the archive's order."""
    names = ["zeta", "alpha", "mike", "bravo", "yankee", "charlie", "x-ray", "delta", "whiskey",
             "echo", "victor", "foxtrot"]
    files = [(f"{n}.txt", f"content of {n} number {i}") for i, n in enumerate(names)]
    expect_text(convert(app, build_zip(files)), [c for _, c in files], "twelve text files")


@functional_test
def includes_text_files_in_folders(app: App) -> None:
    """Text files inside folders are included; directory entries are skipped."""
    entries: list[tuple[str, bytes | str]] = [
        ("docs/", b""),
        ("docs/intro.txt", "Introduction in a folder."),
        ("docs/2024/", b""),
        ("docs/2024/summary.txt", "Summary two folders down."),
        ("top.txt", "Top-level text."),
    ]
    expect_text(convert(app, build_zip(entries)),
                ["Introduction in a folder.", "Summary two folders down.", "Top-level text."],
                "text files in folders")


@functional_test
def skips_files_that_are_not_text(app: App) -> None:
    """A PNG image and a binary file beside the text files are not part of the answer."""
    blob = hashlib.sha256(b"binary").digest() * 8
    entries: list[tuple[str, bytes | str]] = [
        ("readme.txt", "Read me first."),
        ("picture.png", PNG_BYTES),
        ("data.bin", blob),
        ("notes.txt", "Notes come last."),
    ]
    r = convert(app, build_zip(entries))
    expect_text(r, ["Read me first.", "Notes come last."], "text and binary files")
    for marker, what in ((b"IHDR", "the PNG image"), (b"IEND", "the PNG image")):
        expect(marker not in r.content,
               f"the answer contains bytes of {what} ({marker!r}), which is not a .txt file")
    expect(blob[:16] not in r.content, "the answer contains the bytes of data.bin")


@functional_test
def utf8_text_round_trips(app: App) -> None:
    """UTF-8 text with accents, CJK and emoji comes back unchanged."""
    files = [("greek.txt", "Καλημέρα κόσμε"), ("mixed.txt", "Grüße, naïve café — 日本語 ✓ 🎉")]
    r = convert(app, build_zip(files))
    expect_text(r, [c for _, c in files], "UTF-8 text files")


@functional_test
def stored_and_deflated_entries(app: App) -> None:
    """Entries stored without compression and deflated entries are both read."""
    stored = build_zip([("plain.txt", "stored without compression " * 3)],
                       compression=zipfile.ZIP_STORED)
    expect_text(convert(app, stored), ["stored without compression " * 3], "a stored entry")
    text = "deflated line\n" * 2000
    expect_text(convert(app, build_zip([("big.txt", text)])), [text], "a deflated entry")


@functional_test
def a_megabyte_of_text_is_converted(app: App) -> None:
    """An archive holding 1 MiB of text in four files (well under the 10 MiB limit) is
    converted whole."""
    files = []
    for i in range(4):
        line = f"file {i} line with some words in it {'#' * i}\n"
        files.append((f"part{i}.txt", (line * (256 * 1024 // len(line) + 1))[: 256 * 1024]))
    r = convert(app, build_zip(files))
    expect_text(r, [c for _, c in files], "1 MiB of text")


@functional_test
def archive_without_text_files_is_empty(app: App) -> None:
    """An archive with only a folder and an image gives 200 with an empty body."""
    r = convert(app, build_zip([("images/", b""), ("images/a.png", PNG_BYTES)]))
    expect_status(r, 200)
    expect(squash(r.text) == "", f"expected an empty body for an archive without text files, "
                                 f"got {r.text[:200]!r}")


@functional_test
def invalid_uploads_are_rejected(app: App) -> None:
    """A file that is not a zip archive, a truncated archive, and a request without a `file`
    part each get 400."""
    r = convert(app, b"just some text, not an archive\n", name="notes.zip")
    expect_status(r, 400)
    whole = build_zip([("a.txt", "some text " * 100)])
    r = convert(app, whole[: len(whole) // 2], name="broken.zip")
    expect_status(r, 400)
    r = app.post("/convert", files={"other": ("a.zip", whole, "application/zip")},
                 timeout=TIMEOUT)
    expect_status(r, 400)
    r = app.post("/convert", data={"file": "not a file upload"}, timeout=TIMEOUT)
    expect_status(r, 400)
