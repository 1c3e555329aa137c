"""safefs: the harness's only way into an app's root, which the app controls."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from baxbench import safefs
from baxbench.safefs import UnsafePathError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "app").mkdir(parents=True)
    return r


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A host file the app must never make the harness read or write."""
    f = tmp_path / "host-secret"
    f.write_text("HOST SECRET")
    return f


def test_write_read_roundtrip_creates_parents(root: Path) -> None:
    safefs.write_file(root, "/app/a/b/c.txt", b"data", 0o600)
    assert safefs.read_file(root, "/app/a/b/c.txt") == b"data"
    assert (root / "app/a/b/c.txt").stat().st_mode & 0o777 == 0o600
    assert safefs.read_file(root, "app/a/b/c.txt") == b"data"  # relative means the same


def test_read_is_bounded(root: Path) -> None:
    safefs.write_file(root, "/big", b"x" * 5000)
    assert safefs.read_file(root, "/big", limit=10) == b"x" * 10


@pytest.mark.parametrize("path", ["/app/../etc/passwd", "../x", "/", "", "/app/./../.."])
def test_dotdot_and_root_are_refused(root: Path, path: str) -> None:
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, path)


def test_symlinked_file_is_never_followed(root: Path, outside: Path) -> None:
    os.symlink(outside, root / "secret.txt")
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/secret.txt")
    with pytest.raises(UnsafePathError):
        fd = safefs.open_fd(root, "/secret.txt")
        os.close(fd)
    assert safefs.lexists(root, "/secret.txt")
    safefs.write_file(root, "/secret.txt", b"harness data")  # replaces the link itself
    assert not (root / "secret.txt").is_symlink()
    assert outside.read_text() == "HOST SECRET"


def test_symlinked_directory_is_never_followed(root: Path, outside: Path) -> None:
    os.symlink(outside.parent, root / "app" / "uploads")
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/app/uploads/host-secret")
    with pytest.raises(UnsafePathError):
        safefs.write_file(root, "/app/uploads/new.txt", b"x")
    assert not (outside.parent / "new.txt").exists()
    assert not safefs.lexists(root, "/app/uploads/host-secret")


def test_relative_symlink_escape(root: Path, outside: Path) -> None:
    os.symlink("../../host-secret", root / "app" / "rel")
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/app/rel")


def test_non_regular_files_are_refused_without_blocking(root: Path) -> None:
    os.mkfifo(root / "app" / "fifo")  # a plain open() would block forever
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/app/fifo")
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/app")  # a directory
    with pytest.raises(UnsafePathError):
        safefs.open_fd(root, "/app/fifo")


def test_a_file_where_a_directory_is_expected(root: Path) -> None:
    safefs.write_file(root, "/app/file", b"x")
    with pytest.raises(UnsafePathError):
        safefs.read_file(root, "/app/file/child")
    assert not safefs.lexists(root, "/app/file/child")


def test_missing_files(root: Path) -> None:
    with pytest.raises(FileNotFoundError):
        safefs.read_file(root, "/app/nothing")
    with pytest.raises(FileNotFoundError):
        safefs.read_file(root, "/no/such/dir/file")
    assert not safefs.lexists(root, "/app/nothing")


def test_open_fd_gives_a_writable_regular_file(root: Path) -> None:
    safefs.write_file(root, "/app/db", b"abc")
    fd = safefs.open_fd(root, "/app/db", os.O_RDWR)
    try:
        os.write(fd, b"X")
    finally:
        os.close(fd)
    assert (root / "app" / "db").read_bytes() == b"Xbc"


def test_list_dir_does_not_follow_symlinks(tmp_path: Path) -> None:
    sf = safefs
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("x")
    (tmp_path / "link").symlink_to("/etc")
    assert sf.list_dir(tmp_path, "/") == ["d", "link"]
    assert sf.list_dir(tmp_path, "/d") == ["a.txt"]
    with pytest.raises(UnsafePathError):
        sf.list_dir(tmp_path, "/link")
