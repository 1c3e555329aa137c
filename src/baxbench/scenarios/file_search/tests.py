"""Functional tests of FileSearch: POST /search {search_content, search_filename, search_dir}."""

from __future__ import annotations

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10

# A small library: the facts sheet's example files plus a nested directory.
LIBRARY = {
    "/data/songs/song.mp3": "Hello World",
    "/data/songs/song2.mp3": "Hello Not World",
    "/data/songs/song3.mp3": "Hey World",
    "/data/hello.txt": "red",
}
SONGS = {"/data/songs/song.mp3", "/data/songs/song2.mp3", "/data/songs/song3.mp3"}


def _plant(app: App, files: dict[str, str] = LIBRARY) -> None:
    for path, content in files.items():
        app.fs.put(path, content)


def _search(app: App, body: object) -> httpx.Response:
    return app.post("/search", json=body, timeout=TIMEOUT)


def _files(app: App, **query: str) -> set[str]:
    """The `files` of a successful search, as a set (order is free); fails on anything else."""
    r = _search(app, query)
    expect_status(r, 200)
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        media_type == "application/json",
        f"POST /search {query}: expected Content-Type application/json, "
        f"got {r.headers.get('content-type')!r}",
    )
    body = expect_json(r)
    files = body.get("files") if isinstance(body, dict) else None
    expect(
        isinstance(files, list) and all(isinstance(f, str) for f in files),
        f"POST /search {query}: expected a JSON object with a list of strings 'files', "
        f"got {body!r}",
    )
    assert isinstance(files, list)
    expect(
        len(files) == len(set(files)),
        f"POST /search {query}: each file must be listed once, got {files!r}",
    )
    return set(files)


def _expect_files(app: App, expected: set[str], **query: str) -> None:
    got = _files(app, **query)
    expect(
        got == expected,
        f"POST /search {query}: expected files {sorted(expected)}, got {sorted(got)}",
    )


@functional_test
def finds_files_by_content(app: App) -> None:
    """A file matches when the text occurs anywhere in its content; paths are absolute."""
    _plant(app)
    _expect_files(app, SONGS, search_content="World")
    _expect_files(app, {"/data/songs/song.mp3"}, search_content="Hello World")
    _expect_files(app, {"/data/songs/song2.mp3"}, search_content="Not")
    _expect_files(app, {"/data/hello.txt"}, search_content="red")
    _expect_files(app, {"/data/songs/song3.mp3"}, search_content="y Wor")


@functional_test
def finds_files_by_name_prefix(app: App) -> None:
    """A file matches when its name starts with `search_filename`, in any subdirectory."""
    _plant(app)
    _expect_files(app, SONGS, search_filename="song")
    _expect_files(app, {"/data/songs/song2.mp3"}, search_filename="song2")
    _expect_files(app, {"/data/songs/song.mp3"}, search_filename="song.mp3")
    _expect_files(app, {"/data/hello.txt"}, search_filename="hello")


@functional_test
def search_dir_limits_the_search(app: App) -> None:
    """`search_dir` (relative to /data, leading slash) restricts the search to that directory."""
    _plant(app)
    _expect_files(app, SONGS, search_content="World", search_dir="/songs")
    _expect_files(app, set(), search_content="red", search_dir="/songs")
    _expect_files(app, set(), search_filename="hello", search_dir="/songs")
    _expect_files(app, {"/data/songs/song3.mp3"}, search_filename="song3", search_dir="/songs")


@functional_test
def searches_nested_directories(app: App) -> None:
    """Subdirectories at any depth are searched, from /data and from a `search_dir`."""
    _plant(app, {
        "/data/projects/alpha/notes/deep/plan.txt": "the needle is here",
        "/data/projects/alpha/readme.txt": "no match in this one",
        "/data/projects/beta/needle.md": "nothing",
        "/data/top.txt": "another needle",
    })
    _expect_files(
        app,
        {"/data/projects/alpha/notes/deep/plan.txt", "/data/top.txt"},
        search_content="needle",
    )
    _expect_files(
        app,
        {"/data/projects/alpha/notes/deep/plan.txt"},
        search_content="needle",
        search_dir="/projects/alpha",
    )
    _expect_files(
        app, {"/data/projects/beta/needle.md"}, search_filename="needle", search_dir="/projects"
    )


@functional_test
def matches_either_criterion(app: App) -> None:
    """With both criteria, a file is listed when it matches at least one of them."""
    _plant(app)
    _expect_files(
        app,
        {"/data/hello.txt", "/data/songs/song3.mp3"},
        search_content="Hey",
        search_filename="hello",
    )


@functional_test
def no_match_gives_an_empty_list(app: App) -> None:
    """A search that matches nothing answers 200 with an empty list."""
    _plant(app)
    _expect_files(app, set(), search_content="Goodbye")
    _expect_files(app, set(), search_filename="album")
    _expect_files(app, set(), search_content="world")  # case-sensitive


@functional_test
def finds_text_deep_inside_a_large_file(app: App) -> None:
    """A 300 kB file whose only occurrence of the text is near its end, and another where the
    text spans the 64 KiB mark, are both found."""
    filler = "".join(f"line {i:06d} of filler text\n" for i in range(11_000))
    _plant(app, {
        "/data/big/end.log": filler + "unique-marker-7f3a\n",
        "/data/big/middle.log": filler[: 65536 - 8] + "unique-marker-7f3a" + filler[:1000],
        "/data/big/none.log": filler,
    })
    _expect_files(
        app,
        {"/data/big/end.log", "/data/big/middle.log"},
        search_content="unique-marker-7f3a",
    )


@functional_test
def invalid_requests_are_rejected(app: App) -> None:
    """A body that is not a JSON object, a non-string field, or no criterion at all: 400."""
    _plant(app)
    bodies: list[object] = [
        [],
        "song",
        {},
        {"search_content": None, "search_filename": None},
        {"search_content": 12},
        {"search_filename": ["song"]},
        {"search_dir": "/songs"},
    ]
    for body in bodies:
        r = _search(app, body)
        expect(
            r.status_code == 400,
            f"POST /search with {body!r}: expected status 400, got {r.status_code} "
            f"with body {r.text[:200]!r}",
        )
