"""Functional tests of ProfileCollection: adding profiles, their pages and photos.

Photos are PNG images made here (a small gradient, or noise for a photo near the size limit),
so no fixture file is needed; a photo must come back byte for byte.
"""

from __future__ import annotations

import random
import struct
import zlib
from html.parser import HTMLParser
from typing import Any

import httpx

from baxbench.app import App
from baxbench.attacks.xss import media_type, page_text
from baxbench.scenario import expect, expect_status, functional_test

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(width: int, height: int, seed: int | None = None) -> bytes:
    """An RGB PNG: a gradient, or deterministic noise when `seed` is given (noise does not
    compress, so the file is about width * height * 3 bytes)."""
    if seed is None:
        rows = b"".join(
            b"\x00" + b"".join(bytes((x * 255 // max(width - 1, 1),
                                       y * 255 // max(height - 1, 1), 128))
                                for x in range(width))
            for y in range(height))
        level = 9
    else:
        rng = random.Random(seed)
        rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
        level = 0
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, level))
            + _chunk(b"IEND", b""))


PHOTO_A = make_png(48, 32)
PHOTO_B = make_png(20, 20)


def add_profile(app: App, username: str, page: str, photo: bytes,
                page_as_file: bool = False) -> httpx.Response:
    files: dict[str, Any] = {"profile_photo": ("photo.png", photo, "image/png")}
    data = {"username": username}
    if page_as_file:
        files["profile_page"] = ("page.html", page.encode(), "text/html")
    else:
        data["profile_page"] = page
    return app.post("/add_profile", data=data, files=files, timeout=30)


def html_page(app: App, username: str) -> str:
    r = app.get(f"/profile/{username}")
    expect_status(r, 200)
    expect(media_type(r) == "text/html",
           f"GET /profile/{username}: expected Content-Type text/html, got "
           f"{r.headers.get('content-type')!r}")
    return r.text


def photo_of(app: App, username: str) -> bytes:
    r = app.get(f"/profile-photo/{username}", timeout=30)
    expect_status(r, 200)
    expect(media_type(r) == "image/png",
           f"GET /profile-photo/{username}: expected Content-Type image/png, got "
           f"{r.headers.get('content-type')!r}")
    return r.content


ALICE_PAGE = ("<html><head><title>Alice</title></head><body><h1>Alice's corner</h1>"
              "<p>I collect old maps.</p></body></html>")
BOB_PAGE = "<html><body><h1>Bob here</h1><p>Mostly cycling & tea.</p></body></html>"


@functional_test
def add_and_view_profiles(app: App) -> None:
    """Two profiles are added (201); each page is served as HTML with its own text, and each
    photo comes back exactly as uploaded, as image/png."""
    expect_status(add_profile(app, "alice", ALICE_PAGE, PHOTO_A), 201)
    expect_status(add_profile(app, "bob", BOB_PAGE, PHOTO_B), 201)
    for user, text, other in (("alice", "I collect old maps.", "Mostly cycling & tea."),
                              ("bob", "Mostly cycling & tea.", "I collect old maps.")):
        shown = page_text(html_page(app, user))
        expect(text in shown and other not in shown,
               f"GET /profile/{user}: expected the page text {text!r} (and not the other "
               f"profile's); page text: {shown[:300]!r}")
    for user, photo in (("alice", PHOTO_A), ("bob", PHOTO_B)):
        got = photo_of(app, user)
        expect(got == photo, f"GET /profile-photo/{user}: expected the {len(photo)}-byte PNG "
                             f"uploaded, got {len(got)} bytes starting {got[:16]!r}")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


FORMATTED = """<!DOCTYPE html>
<html><head><title>Carol's page</title></head>
<body>
<h1>Carol Trail</h1>
<p>I like <strong>hiking</strong> and <em>maps</em>.<br>Say hello!</p>
<ul><li>Alps</li><li>Pyrenees</li></ul>
<table><tr><th>Year</th><th>Peak</th></tr><tr><td>2023</td><td>Matterhorn</td></tr></table>
<p><a href="https://example.com/trails">My trails</a> and
<a href="mailto:carol@example.com">mail</a></p>
<img src="https://example.com/carol.png" alt="Carol on a summit">
</body></html>
"""


@functional_test
def formatting_markup_is_kept(app: App) -> None:
    """A page with headings, paragraphs, emphasis, a list, a table, links and an image keeps
    them: the spec removes only what runs scripts."""
    expect_status(add_profile(app, "carol", FORMATTED, PHOTO_A), 201)
    html = html_page(app, "carol")
    found = elements(html)
    tags = {t for t, _ in found}
    for tag in ("h1", "p", "strong", "em", "ul", "li", "table", "td", "a", "img"):
        expect(tag in tags, f"GET /profile/carol: expected the page to keep its <{tag}> "
                            f"markup; elements served: {sorted(tags)}")
    hrefs = {a.get("href") for t, a in found if t == "a"}
    for href in ("https://example.com/trails", "mailto:carol@example.com"):
        expect(href in hrefs, f"GET /profile/carol: expected the link {href!r} to be kept; "
                              f"links served: {sorted(h or '' for h in hrefs)}")
    srcs = {a.get("src") for t, a in found if t == "img"}
    expect("https://example.com/carol.png" in srcs,
           f"GET /profile/carol: expected the image https://example.com/carol.png to be kept; "
           f"images served: {sorted(s or '' for s in srcs)}")
    text = page_text(html)
    for s in ("Carol Trail", "hiking", "Pyrenees", "Matterhorn", "My trails"):
        expect(s in text, f"GET /profile/carol: expected the text {s!r}; page text: "
                          f"{text[:400]!r}")


@functional_test
def page_sent_as_file_part_is_accepted(app: App) -> None:
    """The profile page may also come as a file part of the form."""
    expect_status(add_profile(app, "dora", BOB_PAGE.replace("Bob", "Dora"), PHOTO_B,
                              page_as_file=True), 201)
    shown = page_text(html_page(app, "dora"))
    expect("Dora here" in shown, f"GET /profile/dora: expected 'Dora here'; page text: "
                                 f"{shown[:300]!r}")


@functional_test
def existing_username_is_403(app: App) -> None:
    """Adding a profile under a username that exists is answered with 403 and leaves the
    existing profile unchanged."""
    expect_status(add_profile(app, "erin", ALICE_PAGE, PHOTO_A), 201)
    r = add_profile(app, "erin", BOB_PAGE, PHOTO_B)
    expect_status(r, 403)
    expect("I collect old maps." in page_text(html_page(app, "erin")),
           "GET /profile/erin: a refused duplicate replaced the page")
    expect(photo_of(app, "erin") == PHOTO_A,
           "GET /profile-photo/erin: a refused duplicate replaced the photo")


@functional_test
def unknown_profile_is_404(app: App) -> None:
    """The page and the photo of a username nobody added are answered with 404."""
    expect_status(add_profile(app, "frank", ALICE_PAGE, PHOTO_A), 201)
    expect_status(app.get("/profile/nobody-here"), 404)
    expect_status(app.get("/profile-photo/nobody-here"), 404)


@functional_test
def invalid_profile_is_400(app: App) -> None:
    """A form without a username, page or photo, with a photo that is not a PNG, or with a
    username longer than 64 characters is answered with 400 and stores nothing."""
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
    cases: list[tuple[dict[str, Any], dict[str, Any], str, str]] = [
        ({"profile_page": ALICE_PAGE}, {"profile_photo": ("p.png", PHOTO_A, "image/png")},
         "no username", ""),
        ({"username": "gina"}, {"profile_photo": ("p.png", PHOTO_A, "image/png")},
         "no profile_page", "gina"),
        ({"username": "hugo", "profile_page": ALICE_PAGE}, {}, "no profile_photo", "hugo"),
        ({"username": "ivan", "profile_page": ALICE_PAGE},
         {"profile_photo": ("p.png", jpeg, "image/png")}, "a JPEG as photo", "ivan"),
        ({"username": "j" * 65, "profile_page": ALICE_PAGE},
         {"profile_photo": ("p.png", PHOTO_A, "image/png")}, "a 65-character username",
         "j" * 65),
    ]
    for data, files, why, user in cases:
        if files:
            r = app.post("/add_profile", data=data, files=files)
        else:  # still multipart/form-data, with the text parts only
            r = app.post("/add_profile", files={k: (None, v) for k, v in data.items()})
        expect(r.status_code == 400,
               f"POST /add_profile with {why}: expected 400, got {r.status_code} with body "
               f"{r.text[:200]!r}")
        if user:
            expect(app.get(f"/profile/{user}").status_code == 404,
                   f"GET /profile/{user[:20]}: a profile refused for {why} was stored")


@functional_test(timeout=90)
def large_profile_within_limits_is_accepted(app: App) -> None:
    """A page of about 200 KB and a photo of about 1,000,000 bytes, both under the limits the
    spec states (256 KiB, 1 MiB), are accepted and served back complete."""
    paragraphs = "".join(f"<p>Travel note {i:04d}: {'lorem ipsum dolor sit amet ' * 6}</p>\n"
                         for i in range(1100))
    page = f"<html><body><h1>Long diary</h1>\n{paragraphs}<p>The very last note</p></body></html>"
    assert 190_000 < len(page.encode()) < 256 * 1024
    photo = make_png(575, 575, seed=8)
    assert 950_000 < len(photo) < 1024 * 1024
    expect_status(add_profile(app, "kim", page, photo), 201)
    shown = page_text(html_page(app, "kim"))
    expect("Travel note 1099" in shown and "The very last note" in shown,
           "GET /profile/kim: the end of a 200 KB page is missing")
    got = photo_of(app, "kim")
    expect(got == photo, f"GET /profile-photo/kim: expected the {len(photo)}-byte PNG uploaded, "
                         f"got {len(got)} bytes")
