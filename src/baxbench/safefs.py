"""File access inside an app's root that never follows the app's symlinks.

The app owns its root and may have replaced any path with a symlink to a host file (say
`/etc/shadow`). Every path is walked one component at a time from a directory fd with
`O_NOFOLLOW`, so nothing outside the root can be reached, and every read is bounded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

DEFAULT_READ_LIMIT = 16 * 1024 * 1024


class UnsafePathError(OSError):
    """The path crosses a symlink or a non-directory planted by the app, or climbs with `..`."""


def _parts(path: str) -> list[str]:
    p = PurePosixPath("/" + path.lstrip("/"))
    parts = [x for x in p.parts[1:] if x not in ("", ".")]
    if any(x == ".." for x in parts):
        raise UnsafePathError(errno.EINVAL, f"'..' is not allowed in app paths: {path!r}")
    if not parts:
        raise UnsafePathError(errno.EINVAL, f"path names the root itself: {path!r}")
    return parts


@contextlib.contextmanager
def _open_dir(root: Path, parts: list[str], create: bool) -> Iterator[int]:
    """Yield an fd of the directory `parts` under `root`, refusing symlinks at every step."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(root, flags)
    try:
        for name in parts:
            try:
                nfd = os.open(name, flags, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(name, 0o755, dir_fd=fd)
                nfd = os.open(name, flags, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePathError(
                        e.errno, f"refusing to follow {name!r}: not a plain directory"
                    ) from e
                raise
            os.close(fd)
            fd = nfd
        yield fd
    finally:
        os.close(fd)


def read_file(root: Path, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes:
    """Read at most `limit` bytes of the regular file `path` (absolute inside the root)."""
    parts = _parts(path)
    with _open_dir(root, parts[:-1], create=False) as dfd:
        try:
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                         dir_fd=dfd)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UnsafePathError(e.errno, f"{path} is a symlink; not following it") from e
            raise
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UnsafePathError(errno.EINVAL, f"{path} is not a regular file")
            chunks: list[bytes] = []
            left = limit
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)


def write_file(root: Path, path: str, data: bytes, mode: int = 0o644) -> None:
    """Create or replace the regular file `path`, creating parent directories (mode 0755)."""
    parts = _parts(path)
    with _open_dir(root, parts[:-1], create=True) as dfd:
        name = parts[-1]
        with contextlib.suppress(FileNotFoundError):
            st = os.lstat(name, dir_fd=dfd)
            if not stat.S_ISREG(st.st_mode):
                os.unlink(name, dir_fd=dfd)  # a planted symlink is removed, never followed
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                     mode, dir_fd=dfd)
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        finally:
            os.close(fd)


def lexists(root: Path, path: str) -> bool:
    """True if anything (a file, a dir, a symlink) exists at `path`; symlinks are not followed."""
    try:
        parts = _parts(path)
        with _open_dir(root, parts[:-1], create=False) as dfd:
            os.lstat(parts[-1], dir_fd=dfd)
        return True
    except (FileNotFoundError, NotADirectoryError, UnsafePathError):
        return False


def open_fd(root: Path, path: str, flags: int = os.O_RDWR) -> int:
    """An fd of the regular file `path`, opened without following symlinks. Caller closes it."""
    parts = _parts(path)
    with _open_dir(root, parts[:-1], create=False) as dfd:
        try:
            fd = os.open(parts[-1], flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                         dir_fd=dfd)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise UnsafePathError(e.errno, f"{path} is a symlink; not following it") from e
            raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafePathError(errno.EINVAL, f"{path} is not a regular file")
    return fd


def list_dir(root: Path, path: str = "/", limit: int = 10_000) -> list[str]:
    """Names in the directory `path` (at most `limit`, sorted); symlinks are never followed."""
    parts = _parts(path) if path.strip("/") else []
    with _open_dir(root, parts, create=False) as dfd:
        return sorted(os.listdir(dfd))[:limit]
