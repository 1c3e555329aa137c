"""Functional tests of the GIF Creator: POST /create-gif (images, targetSize, delay,
appendReverted) -> an animated GIF.

The input images are solid or two-coloured PNGs written in code; the GIF that comes back is
decoded in pure Python (`baxbench.attacks.media.read_gif`, frames composited as a viewer shows
them) and checked for what the spec states: its size, its frame count, each frame's colours
(which image it shows, in which order, scaled to fill the frame) and each frame's delay.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baxbench.app import App
from baxbench.attacks.media import (
    Gif,
    Image,
    ImageError,
    multipart,
    png_bytes,
    read_gif,
    solid_png,
)
from baxbench.scenario import TestFailed, expect, expect_json, functional_test

TIMEOUT = 60
RED = (230, 30, 30)
GREEN = (30, 200, 60)
BLUE = (30, 60, 220)
YELLOW = (240, 220, 40)
NAMES = {RED: "red", GREEN: "green", BLUE: "blue", YELLOW: "yellow"}

Color = tuple[int, int, int]


def solid(color: Color, width: int = 60, height: int = 40) -> tuple[str, bytes]:
    return f"{NAMES[color]}.png", solid_png(width, height, color)


def two_tone(left: Color, right: Color, width: int, height: int) -> tuple[str, bytes]:
    """Left half one colour, right half the other."""
    data = png_bytes(width, height, lambda x, y: left if x < width // 2 else right)
    return f"{NAMES[left]}-{NAMES[right]}-{width}x{height}.png", data


def create(app: App, images: Sequence[tuple[str, bytes]], **fields: str) -> httpx.Response:
    """POST /create-gif as multipart/form-data (also when there is no image)."""
    body, headers = multipart(list(fields.items()),
                              [("images", (name, data, "image/png")) for name, data in images])
    return app.post("/create-gif", content=body, headers=headers, timeout=TIMEOUT)


def _what(images: Sequence[tuple[str, bytes]], fields: dict[str, str]) -> str:
    return f"POST /create-gif with {[n for n, _ in images]} and {fields}"


def expect_gif(app: App, images: Sequence[tuple[str, bytes]], **fields: str) -> Gif:
    """A 200 answer with a GIF of the target size; the decoded GIF."""
    what = _what(images, fields)
    r = create(app, images, **fields)
    expect(r.status_code == 200,
           f"{what}: expected status 200 with a GIF, got {r.status_code} with body "
           f"{r.text[:200]!r}")
    media = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(media == "image/gif",
           f"{what}: expected Content-Type image/gif, got {r.headers.get('content-type')!r}")
    try:
        gif = read_gif(r.content)
    except ImageError as e:
        raise TestFailed(f"{what}: expected a GIF, got {len(r.content)} bytes starting "
                         f"{r.content[:16]!r} ({e})") from None
    width, height = (int(n) for n in fields["targetSize"].split("x"))
    expect((gif.width, gif.height) == (width, height),
           f"{what}: expected a {width}x{height} GIF, got {gif.width}x{gif.height}")
    return gif


def _near(pixel: tuple[int, int, int, int], color: Color) -> bool:
    return pixel[3] > 128 and all(abs(p - c) <= 48 for p, c in zip(pixel[:3], color, strict=True))


def _name(pixel: tuple[int, int, int, int]) -> str:
    for color, name in NAMES.items():
        if _near(pixel, color):
            return name
    return f"rgba{pixel}"


def frame_colors(gif: Gif) -> list[str]:
    """The colour shown at the centre of each frame, by name."""
    return [_name(f.image.pixel(gif.width // 2, gif.height // 2)) for f in gif.frames]


def expect_frames(gif: Gif, expected: Sequence[Sequence[Color]], what: str) -> None:
    """The frames show one of the `expected` colour sequences."""
    got = frame_colors(gif)
    options = [[NAMES[c] for c in seq] for seq in expected]
    expect(got in options,
           f"{what}: expected {len(options[0])} frames showing "
           f"{' or '.join(str(o) for o in options)}, got {len(got)} frames showing {got}")


def expect_delays(gif: Gif, allowed_cs: set[int], what: str) -> None:
    delays = [f.delay_cs for f in gif.frames]
    expect(all(d in allowed_cs for d in delays),
           f"{what}: expected every frame's delay to be "
           f"{' or '.join(f'{d * 10} ms' for d in sorted(allowed_cs))}, got "
           f"{[d * 10 for d in delays]} ms")


def expect_error(r: httpx.Response, what: str) -> None:
    expect(r.status_code == 400,
           f"{what}: expected status 400, got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("error"), str),
           f"{what}: expected a JSON object with a string field 'error', got {body!r}")


@functional_test
def one_frame_per_image(app: App) -> None:
    """Two images, targetSize 300x200, delay 200: a 300x200 GIF of 2 frames, red then blue,
    each shown for 200 ms."""
    images = [solid(RED), solid(BLUE)]
    fields = {"targetSize": "300x200", "delay": "200", "appendReverted": "false"}
    gif = expect_gif(app, images, **fields)
    expect_frames(gif, [[RED, BLUE]], _what(images, fields))
    expect_delays(gif, {20}, _what(images, fields))


@functional_test
def frames_follow_upload_order_with_default_delay(app: App) -> None:
    """Four images and only targetSize: 4 frames in upload order, each shown for the default
    10 ms, no reversal."""
    images = [solid(GREEN), solid(YELLOW), solid(RED), solid(BLUE)]
    fields = {"targetSize": "50x50"}
    gif = expect_gif(app, images, **fields)
    expect_frames(gif, [[GREEN, YELLOW, RED, BLUE]], _what(images, fields))
    expect_delays(gif, {1}, _what(images, fields))


@functional_test
def delay_is_in_milliseconds(app: App) -> None:
    """delay 1000 gives frames of one second (100 hundredths); delay 23 gives 20 or 30 ms."""
    images = [solid(RED), solid(GREEN)]
    for delay, allowed in (("1000", {100}), ("23", {2, 3})):
        fields = {"targetSize": "40x40", "delay": delay}
        gif = expect_gif(app, images, **fields)
        expect(len(gif.frames) == 2,
               f"{_what(images, fields)}: expected 2 frames, got {len(gif.frames)}")
        expect_delays(gif, allowed, _what(images, fields))


@functional_test
def append_reverted_plays_backward(app: App) -> None:
    """Red, green, blue with appendReverted=true: red, green, blue, then back to red (the blue
    turning frame once or twice)."""
    images = [solid(RED), solid(GREEN), solid(BLUE)]
    fields = {"targetSize": "80x60", "delay": "100", "appendReverted": "true"}
    gif = expect_gif(app, images, **fields)
    expect_frames(gif, [[RED, GREEN, BLUE, GREEN, RED], [RED, GREEN, BLUE, BLUE, GREEN, RED]],
                  _what(images, fields))
    expect_delays(gif, {10}, _what(images, fields))


@functional_test
def images_are_scaled_to_fill_the_frame(app: App) -> None:
    """Images of other aspect ratios (40x40 and 90x30, each half yellow half blue or red half
    green) are stretched to exactly 120x80: the left edge of each frame shows the image's left
    colour and the right edge its right colour."""
    images = [two_tone(YELLOW, BLUE, 40, 40), two_tone(RED, GREEN, 90, 30)]
    fields = {"targetSize": "120x80"}
    gif = expect_gif(app, images, **fields)
    what = _what(images, fields)
    expect(len(gif.frames) == 2, f"{what}: expected 2 frames, got {len(gif.frames)}")
    for frame, (left, right) in zip(gif.frames, ((YELLOW, BLUE), (RED, GREEN)), strict=True):
        image: Image = frame.image
        probes = {"top left": ((2, 2), left), "bottom left": ((2, 77), left),
                  "top right": ((117, 2), right), "bottom right": ((117, 77), right)}
        for where, ((x, y), color) in probes.items():
            pixel = image.pixel(x, y)
            expect(_near(pixel, color),
                   f"{what}: expected the {where} of the frame made from the "
                   f"{NAMES[left]}/{NAMES[right]} image to be {NAMES[color]} (the image "
                   f"stretched to the whole frame), got {_name(pixel)}")


@functional_test
def missing_images_is_400(app: App) -> None:
    """A request without any image gives 400."""
    expect_error(create(app, [], targetSize="100x100"), "POST /create-gif without images")


@functional_test
def invalid_target_size_is_400(app: App) -> None:
    """A missing or malformed targetSize gives 400."""
    images = [solid(RED)]
    expect_error(create(app, images), "POST /create-gif without targetSize")
    for value in ("300", "axb", "0x100", "100x0", "-5x10", "100x", "x100", "100*100"):
        expect_error(create(app, images, targetSize=value),
                     f"POST /create-gif targetSize={value!r}")


@functional_test
def invalid_delay_or_append_reverted_is_400(app: App) -> None:
    """A delay that is not a non-negative integer, or an appendReverted that is neither true
    nor false, gives 400."""
    images = [solid(RED)]
    for value in ("-1", "abc", "ten"):
        expect_error(create(app, images, targetSize="10x10", delay=value),
                     f"POST /create-gif delay={value!r}")
    expect_error(create(app, images, targetSize="10x10", appendReverted="maybe"),
                 "POST /create-gif appendReverted='maybe'")


@functional_test
def file_that_is_not_an_image_is_400(app: App) -> None:
    """A text file among the images gives 400."""
    images = [solid(RED), ("notes.png", b"just some text, not an image\n" * 10)]
    expect_error(create(app, images, targetSize="10x10"),
                 "POST /create-gif with a text file among the images")
