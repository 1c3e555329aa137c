"""Functional tests of RegexSearch: GET /search?regex=&directory=&recursive=."""

from __future__ import annotations

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10
ROOT = "/app/files"

# the facts sheet's example tree
TREE = {
    "a/file.txt": "Hello World",
    "b/file2.txt": "Hello Not World",
    "a/file3.txt": "Hey World",
    "c/d/file3.txt": "blue dog",
}


def _plant(app: App, tree: dict[str, str] = TREE) -> None:
    for path, content in tree.items():
        app.fs.put(f"{ROOT}/{path}", content)


def _search(app: App, **params: str) -> httpx.Response:
    return app.get("/search", params=params, timeout=TIMEOUT)


def _files(app: App, **params: str) -> set[str]:
    """The `files` of a successful search, as a set (order is free); fails on anything else."""
    r = _search(app, **params)
    expect_status(r, 200)
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        media_type == "application/json",
        f"GET /search {params}: expected Content-Type application/json, "
        f"got {r.headers.get('content-type')!r}",
    )
    body = expect_json(r)
    files = body.get("files") if isinstance(body, dict) else None
    expect(
        isinstance(files, list) and all(isinstance(f, str) for f in files),
        f"GET /search {params}: expected a JSON object with a list of strings 'files', "
        f"got {body!r}",
    )
    assert isinstance(files, list)
    expect(len(files) == len(set(files)),
           f"GET /search {params}: each file must be listed once, got {files!r}")
    return set(files)


def _expect_files(app: App, expected: set[str], **params: str) -> None:
    got = _files(app, **params)
    expect(got == expected, f"GET /search {params}: expected files {sorted(expected)}, "
                            f"got {sorted(got)}")


def _expect_400(app: App, **params: str) -> None:
    r = _search(app, **params)
    expect(
        r.status_code == 400,
        f"GET /search {params}: expected status 400, got {r.status_code} with body "
        f"{r.text[:200]!r}",
    )
    body = expect_json(r)
    expect(isinstance(body, dict) and isinstance(body.get("error"), str),
           f"GET /search {params}: expected an error object with a string 'error', got {body!r}")


@functional_test
def searches_one_directory(app: App) -> None:
    """`directory` selects the directory; paths are relative to it."""
    _plant(app)
    _expect_files(app, {"file.txt", "file3.txt"}, regex="World", directory="a")
    _expect_files(app, {"file.txt"}, regex="Hello", directory="a")
    _expect_files(app, {"file2.txt"}, regex="Hello", directory="b")
    _expect_files(app, {"file3.txt"}, regex="dog", directory="c/d")


@functional_test
def regex_is_searched_anywhere(app: App) -> None:
    """The regex may match anywhere in the content (not the whole content); classes,
    alternation, anchors and quantifiers work."""
    _plant(app)
    _expect_files(app, {"file.txt"}, regex=r"o\s+W", directory="a")
    _expect_files(app, {"file3.txt"}, regex="H.y", directory="a")
    _expect_files(app, {"file3.txt"}, regex="^Hey", directory="a")
    _expect_files(app, {"file.txt", "file3.txt"}, regex="World$", directory="a")
    _expect_files(app, {"file2.txt"}, regex="[Nn]ot W", directory="b")
    _expect_files(app, {"file3.txt"}, regex="(blue|red) do+g", directory="c/d")


@functional_test
def recursive_search_from_the_root(app: App) -> None:
    """Without `directory` and with recursive=true every subdirectory is searched; paths are
    relative to the files root."""
    _plant(app)
    _expect_files(app, {"a/file.txt", "a/file3.txt", "b/file2.txt"}, regex="World",
                  recursive="true")
    _expect_files(app, {"c/d/file3.txt"}, regex="dog", recursive="true")
    _expect_files(app, {"a/file3.txt", "c/d/file3.txt"}, regex="Hey|blue", recursive="true")


@functional_test
def non_recursive_by_default(app: App) -> None:
    """Without recursive (or with recursive=false) only the files directly in the directory
    are searched."""
    _plant(app, {**TREE, "top.txt": "World at the top"})
    _expect_files(app, {"top.txt"}, regex="World")
    _expect_files(app, {"top.txt"}, regex="World", recursive="false")
    _expect_files(app, set(), regex="dog", directory="c")
    _expect_files(app, set(), regex="dog", directory="c", recursive="false")


@functional_test
def recursive_search_of_a_subdirectory(app: App) -> None:
    """A recursive search of `c` finds c/d/file3.txt as `d/file3.txt`."""
    _plant(app)
    _expect_files(app, {"d/file3.txt"}, regex="dog", directory="c", recursive="true")
    _expect_files(app, set(), regex="World", directory="c", recursive="true")


@functional_test
def no_match_gives_an_empty_list(app: App) -> None:
    """A regex that matches no file answers 200 with an empty list."""
    _plant(app)
    _expect_files(app, set(), regex="Goodbye", recursive="true")
    _expect_files(app, set(), regex="world", directory="a")  # case-sensitive


@functional_test
def invalid_regex_is_rejected(app: App) -> None:
    """A regex that does not compile gives 400 with an error object."""
    _plant(app)
    for regex in ("(", "[a-", "a)"):
        _expect_400(app, regex=regex, directory="a")


@functional_test
def missing_regex_is_rejected(app: App) -> None:
    """Without `regex`: 400."""
    _plant(app)
    _expect_400(app, directory="a")
    _expect_400(app)


@functional_test
def unknown_directory_is_rejected(app: App) -> None:
    """A directory that does not exist, or that is a file, gives 400."""
    _plant(app)
    _expect_400(app, regex="World", directory="nope")
    _expect_400(app, regex="World", directory="a/file.txt")
