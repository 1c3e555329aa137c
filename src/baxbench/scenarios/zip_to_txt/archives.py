"""Zip archives for the ZipToTxt tests and exploits, built in code at run time.

* `build_zip(entries)`: an ordinary archive from (name, content) pairs, any name allowed
  (`../../x.txt`, `/abs.txt`: the standard library writes names as given), plus symlink entries
  (`Symlink(name, target)`, stored the Unix way: mode 0o120777, the target as the data).
* `bomb_zip(...)`: highly compressible text entries that expand to `entries x mib` MiB while the
  archive stays small. It is small by construction: the deflate stream of one MiB of repeated
  text is computed once and, flushed at each MiB boundary, repeats itself byte for byte, so the
  stream for N MiB is a head, N-1 copies of one block and a tail; only the CRC is computed over
  the full size (a few hundred MB of CRC, no allocation beyond one MiB). Never more than a few
  hundred kB is held in memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

MIB = 1024 * 1024
_DOS_TIME = (12 << 11) | (0 << 5)  # 12:00:00
_DOS_DATE = ((2025 - 1980) << 9) | (3 << 5) | 4  # 2025-03-04


@dataclass(frozen=True)
class Symlink:
    """A symbolic link entry: extracting it with a link-aware tool creates `name` -> `target`."""

    name: str
    target: str


def build_zip(entries: Iterable[tuple[str, bytes | str] | Symlink],
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An archive holding `entries` in order; names ending in '/' are directory entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in entries:
            if isinstance(entry, Symlink):
                info = zipfile.ZipInfo(entry.name, date_time=(2025, 3, 4, 12, 0, 0))
                info.create_system = 3  # Unix: the mode below is meaningful
                info.external_attr = (0o120777 << 16)
                info.compress_type = zipfile.ZIP_STORED
                zf.writestr(info, entry.target)
                continue
            name, content = entry
            data = content.encode() if isinstance(content, str) else content
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 4, 12, 0, 0))
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = compression
                zf.writestr(info, data)
    return buf.getvalue()


BOMB_LINE = b"A" * 1023 + b"\n"  # 1 KiB lines of one letter: about 480:1 once deflated


@cache
def _deflate_blocks() -> tuple[bytes, bytes, bytes, bytes]:
    """(one MiB of text, the deflate data of the first MiB, of every later MiB, the end)."""
    mib = (BOMB_LINE * (MIB // len(BOMB_LINE) + 1))[:MIB]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(mib) + c.flush(zlib.Z_SYNC_FLUSH)
    second = c.compress(mib) + c.flush(zlib.Z_SYNC_FLUSH)
    third = c.compress(mib) + c.flush(zlib.Z_SYNC_FLUSH)
    if second != third:  # the construction relies on a steady state after one MiB
        raise RuntimeError("deflate output of repeated blocks is not stable")
    return mib, first, second, c.flush(zlib.Z_FINISH)


@cache
def bomb_zip(entries: int = 3, mib: int = 64, prefix: str = "bomb") -> bytes:
    """A zip of `entries` text files named `<prefix>-<i>.txt`, each `mib` MiB once expanded
    (the text is one line repeated), after a small `readme.txt`."""
    block, first, middle, end = _deflate_blocks()
    stream = first + middle * (mib - 1) + end
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    size = mib * MIB
    members: list[tuple[bytes, int, bytes, int, int]] = []  # name, method, data, crc, size
    readme = b"This archive holds a few large text files.\n"
    members.append((b"readme.txt", 0, readme, zlib.crc32(readme), len(readme)))
    for i in range(entries):
        members.append((f"{prefix}-{i + 1}.txt".encode(), 8, stream, crc, size))
    out = io.BytesIO()
    central = io.BytesIO()
    for name, method, data, crc_i, usize in members:
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, _DOS_TIME, _DOS_DATE,
                              crc_i, len(data), usize, len(name), 0))
        out.write(name)
        out.write(data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, 0,
                                  method, _DOS_TIME, _DOS_DATE, crc_i, len(data), usize,
                                  len(name), 0, 0, 0, 0, 0o100644 << 16, offset))
        central.write(name)
    cd = central.getvalue()
    cd_offset = out.tell()
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd),
                          cd_offset, 0))
    return out.getvalue()
