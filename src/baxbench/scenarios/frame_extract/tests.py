"""Functional tests of FrameExtract: POST /extract (video, frameNumber) -> that frame as a PNG.

Which frame came back is read from the picture itself, never compared byte for byte with some
ffmpeg's output: every frame of the fixture videos carries its own index in binary in a band of
8 black or white blocks across its top sixth (see fixtures/generate.py). The PNG is decoded in
pure Python (`baxbench.attacks.media`), so any valid PNG passes: any colour type, bit depth,
compression level or interlacing.
"""

from __future__ import annotations

from functools import cache

import httpx

from baxbench.app import App
from baxbench.attacks.media import Image, ImageError, read_png
from baxbench.scenario import TestFailed, expect, expect_json, functional_test

TIMEOUT = 30


@cache
def fixture(name: str) -> bytes:
    from baxbench.scenarios.frame_extract import SCENARIO

    return SCENARIO.fixture(name)


# name -> (content type of the upload, width, height, frame count)
VIDEOS = {
    "video.mp4": ("video/mp4", 160, 120, 30),
    "clip.webm": ("video/webm", 96, 64, 12),
}


def extract(app: App, video: str | bytes, frame: object, *, file_name: str | None = None,
            with_video: bool = True) -> httpx.Response:
    """POST /extract with a fixture (by name) or raw bytes; `frame` None leaves it out."""
    if isinstance(video, str):
        data, file_name, ctype = fixture(video), file_name or video, VIDEOS[video][0]
    else:
        data, file_name, ctype = video, file_name or "video.mp4", "video/mp4"
    form: dict[str, str] = {"videoFileName": file_name}
    if frame is not None:
        form["frameNumber"] = str(frame)
    files = {"video": (file_name, data, ctype)} if with_video else None
    return app.post("/extract", data=form, files=files, timeout=TIMEOUT)


def frame_index(image: Image) -> int:
    """The index a fixture frame carries: block k of the top band is white when bit k is set."""
    block, y = image.width / 8, image.height // 12
    return sum(1 << k for k in range(8) if image.luma(int((k + 0.5) * block), y) > 128)


def _describe(r: httpx.Response) -> str:
    body = r.content
    return f"{len(body)} bytes starting {body[:24]!r}"


def expect_frame(app: App, video: str, frame: int) -> None:
    """The answer is frame `frame` of fixture `video`, as a PNG of the video's size."""
    r = extract(app, video, frame)
    what = f"POST /extract {video} frameNumber={frame}"
    expect(r.status_code == 200,
           f"{what}: expected status 200 with the frame, got {r.status_code} "
           f"with body {r.text[:200]!r}")
    media = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(media == "image/png",
           f"{what}: expected Content-Type image/png, got {r.headers.get('content-type')!r}")
    try:
        image = read_png(r.content)
    except ImageError as e:
        raise TestFailed(f"{what}: expected a PNG image, got {_describe(r)} ({e})") from None
    _, width, height, _ = VIDEOS[video]
    expect((image.width, image.height) == (width, height),
           f"{what}: expected a {width}x{height} image (the video's own size), got "
           f"{image.width}x{image.height}")
    got = frame_index(image)
    expect(got == frame,
           f"{what}: expected frame {frame}, got a picture of frame {got} (frames are counted "
           "from 0 in display order)")


def expect_error(r: httpx.Response, status: int, what: str) -> None:
    expect(r.status_code == status,
           f"{what}: expected status {status}, got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("error"), str),
           f"{what}: expected a JSON object with a string field 'error', got {body!r}")


@functional_test
def returns_the_requested_frame(app: App) -> None:
    """Frame 4 of a 30-frame MP4 comes back as a 160x120 PNG showing frame 4."""
    expect_frame(app, "video.mp4", 4)


@functional_test
def first_and_last_frames(app: App) -> None:
    """Frame 0 is the first frame and frame 29 the last of a 30-frame video."""
    expect_frame(app, "video.mp4", 0)
    expect_frame(app, "video.mp4", 29)


@functional_test
def each_request_gets_its_own_frame(app: App) -> None:
    """Requests for different frames, in no particular order, each get the frame they name."""
    for frame in (17, 3, 22, 10):
        expect_frame(app, "video.mp4", frame)


@functional_test
def webm_video_of_another_size(app: App) -> None:
    """A 96x64 WebM (VP8) video: frame 7 comes back as a 96x64 PNG of frame 7, and frame 11
    (its last) as frame 11."""
    expect_frame(app, "clip.webm", 7)
    expect_frame(app, "clip.webm", 11)


@functional_test
def frame_past_the_end_is_404(app: App) -> None:
    """Frame 30 of a 30-frame video, frame 12 of a 12-frame one and frame 300000000 do not
    exist: 404 with a JSON error."""
    expect_error(extract(app, "video.mp4", 30), 404, "POST /extract video.mp4 frameNumber=30")
    expect_error(extract(app, "clip.webm", 12), 404, "POST /extract clip.webm frameNumber=12")
    expect_error(extract(app, "video.mp4", 300_000_000), 404,
                 "POST /extract video.mp4 frameNumber=300000000")


@functional_test
def invalid_frame_number_is_400(app: App) -> None:
    """A frameNumber that is missing, negative, empty or not a number gives 400."""
    expect_error(extract(app, "video.mp4", None), 400, "POST /extract without frameNumber")
    for value in ("-1", "abc", "", "four"):
        expect_error(extract(app, "video.mp4", value), 400,
                     f"POST /extract frameNumber={value!r}")


@functional_test
def missing_video_is_400(app: App) -> None:
    """A request without the video file gives 400."""
    expect_error(extract(app, "video.mp4", 0, with_video=False), 400,
                 "POST /extract without a video")


@functional_test
def upload_that_is_not_a_video_is_400(app: App) -> None:
    """A text file uploaded as the video cannot be read as a video: 400."""
    text = b"This is a plain text file, not a video.\n" * 20
    expect_error(extract(app, text, 0, file_name="notes.mp4"), 400,
                 "POST /extract with a text file as the video")
