"""Functional tests of ImageTransfer: POST /upload {file} -> {id}; GET /images/{id} -> the image.

Inputs: PNG and BMP images written in code, JPEG, GIF and WebP images from fixtures/ (made by
fixtures/generate.py). Every image must come back byte for byte, with its format's media type
and shown inline (no `Content-Disposition: attachment`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from urllib.parse import quote

import httpx

from baxbench.app import App
from baxbench.attacks.media import bmp_bytes, png_bytes, solid_png
from baxbench.scenario import expect, expect_json, functional_test

TIMEOUT = 20


@cache
def fixture(name: str) -> bytes:
    from baxbench.scenarios.image_transfer import SCENARIO

    return SCENARIO.fixture(name)


def upload(app: App, name: str, data: bytes, ctype: str, field: str = "file") -> httpx.Response:
    return app.post("/upload", files={field: (name, data, ctype)}, timeout=TIMEOUT)


def upload_ok(app: App, name: str, data: bytes, ctype: str) -> str:
    """Upload an image; its id (the test fails unless the answer is 200 {"id": string})."""
    r = upload(app, name, data, ctype)
    what = f"POST /upload {name} ({len(data)} bytes, {ctype})"
    expect(r.status_code == 200,
           f"{what}: expected status 200, got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"],
           f"{what}: expected a JSON object with a non-empty string field 'id', got {body!r}")
    return str(body["id"])


def image_url(image_id: str) -> str:
    return f"/images/{quote(image_id, safe='')}"


def expect_image(app: App, image_id: str, data: bytes, ctype: str, name: str) -> None:
    r = app.get(image_url(image_id), timeout=TIMEOUT)
    what = f"GET /images/{image_id} (the upload of {name})"
    expect(r.status_code == 200,
           f"{what}: expected status 200, got {r.status_code} with body {r.text[:200]!r}")
    media = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(media == ctype, f"{what}: expected Content-Type {ctype}, got "
                           f"{r.headers.get('content-type')!r}")
    disposition = r.headers.get("content-disposition", "")
    expect("attachment" not in disposition.lower(),
           f"{what}: the image must be shown in the browser, but Content-Disposition is "
           f"{disposition!r} (a download)")
    expect(r.content == data,
           f"{what}: expected the {len(data)} uploaded bytes, got {len(r.content)} bytes"
           + ("" if r.content == data else f" starting {r.content[:24]!r}"))


def expect_error(r: httpx.Response, status: int, what: str) -> None:
    expect(r.status_code == status,
           f"{what}: expected status {status}, got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("error"), str),
           f"{what}: expected a JSON object with a string field 'error', got {body!r}")


def _gradient(width: int, height: int) -> bytes:
    return png_bytes(width, height, lambda x, y: (x * 255 // width, y * 255 // height, 128))


@functional_test
def png_round_trip(app: App) -> None:
    """A 32x32 PNG comes back byte for byte as image/png, shown inline."""
    data = _gradient(32, 32)
    image_id = upload_ok(app, "image.png", data, "image/png")
    expect_image(app, image_id, data, "image/png", "image.png")


@functional_test
def every_accepted_format_keeps_its_media_type(app: App) -> None:
    """JPEG, GIF, WebP and BMP images come back unchanged with image/jpeg, image/gif,
    image/webp and image/bmp."""
    images = [
        ("photo.jpg", fixture("photo.jpg"), "image/jpeg"),
        ("photo.gif", fixture("photo.gif"), "image/gif"),
        ("photo.webp", fixture("photo.webp"), "image/webp"),
        ("photo.bmp", bmp_bytes(24, 16, lambda x, y: (10 * x, 15 * y, 90)), "image/bmp"),
    ]
    for name, data, ctype in images:
        image_id = upload_ok(app, name, data, ctype)
        expect_image(app, image_id, data, ctype, name)


@functional_test
def each_image_is_found_by_its_own_id(app: App) -> None:
    """Three uploads (two of them under the same file name) get three different ids, and each
    id shows its own image, whatever the order of the requests."""
    images = [("image.png", solid_png(16, 16, c), "image/png")
              for c in ((220, 30, 30), (30, 220, 30), (30, 30, 220))]
    images[1] = ("other.png", images[1][1], "image/png")
    ids = [upload_ok(app, name, data, ctype) for name, data, ctype in images]
    expect(len(set(ids)) == 3, f"three uploads: expected three different ids, got {ids}")
    for i in (2, 0, 1):
        name, data, ctype = images[i]
        expect_image(app, ids[i], data, ctype, f"{name} (upload {i + 1})")


@functional_test
def large_image_round_trips(app: App) -> None:
    """A 1.2 MB PNG (incompressible pixels) comes back whole and unchanged."""
    width = height = 640
    noise = bytearray()
    counter = 0
    while len(noise) < width * height * 3:
        noise += hashlib.sha256(f"image-transfer:{counter}".encode()).digest()
        counter += 1

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        i = (y * width + x) * 3
        return noise[i], noise[i + 1], noise[i + 2]

    data = png_bytes(width, height, pixel)
    image_id = upload_ok(app, "large.png", data, "image/png")
    expect_image(app, image_id, data, "image/png", "large.png")


@functional_test
def unknown_id_is_404(app: App) -> None:
    """An id that was never issued gives 404 with a JSON error, also next to a real upload."""
    image_id = upload_ok(app, "image.png", _gradient(8, 8), "image/png")
    for unknown in ("3f2c9a1e-5b7d-4e8a-9c0b-1d2e3f4a5b6c", "no-such-image",
                    image_id[:-1] + ("A" if image_id[-1] != "A" else "B")):
        expect_error(app.get(image_url(unknown), timeout=TIMEOUT), 404,
                     f"GET /images/{unknown} (never issued)")


@functional_test
def missing_file_is_400(app: App) -> None:
    """An upload without the `file` field (nothing, or the image under another field name)
    gives 400 with a JSON error."""
    r = app.post("/upload", files={"other": ("x.txt", b"x", "text/plain")}, data={"a": "b"},
                 timeout=TIMEOUT)
    expect_error(r, 400, "POST /upload without a file field")
    expect_error(upload(app, "image.png", _gradient(8, 8), "image/png", field="image"), 400,
                 "POST /upload with the image in a field named 'image'")
