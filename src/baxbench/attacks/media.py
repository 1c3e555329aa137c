"""Images for tests and exploits of media apps: PNG written and read, GIF read, formats sniffed.

Pure Python (zlib and struct only), so that tests can build their inputs in code and check what
an app returned by its content (size, frame count, delays, pixel colours) rather than by bytes
that depend on a tool's version.

    data = png_bytes(4, 2, [(255, 0, 0)] * 8)          # a 4x2 red PNG
    image = read_png(data)                             # Image(width=4, height=2, ...)
    image.pixel(0, 0)                                  # (255, 0, 0, 255)
    gif = read_gif(body)                               # frames composited as a viewer shows them
    [f.delay_cs for f in gif.frames], gif.frames[0].image.pixel(10, 10)

Decoding is bounded: `read_png` and `read_gif` refuse pictures over `max_pixels` (the header
alone is read by `png_size` and `gif_size`, which cost nothing whatever the size).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from baxbench.app import App

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEFAULT_MAX_PIXELS = 4_000_000
RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]


class ImageError(ValueError):
    """The data is not a well-formed image of the expected format (or too large to decode)."""


# --- sniffing ------------------------------------------------------------------------------


def image_kind(data: bytes) -> str | None:
    """'png', 'jpeg', 'gif', 'webp', 'bmp', 'svg' or None, from the first bytes."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] == b"BM":
        return "bmp"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return None


@dataclass
class Image:
    """Decoded pixels, 8-bit RGBA, row by row."""

    width: int
    height: int
    rgba: bytearray  # width * height * 4 bytes

    def pixel(self, x: int, y: int) -> RGBA:
        i = (y * self.width + x) * 4
        r, g, b, a = self.rgba[i : i + 4]
        return (r, g, b, a)

    def luma(self, x: int, y: int) -> float:
        r, g, b, _ = self.pixel(x, y)
        return 0.299 * r + 0.587 * g + 0.114 * b


# --- PNG writing ---------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int,
              pixels: Sequence[RGB] | Callable[[int, int], RGB]) -> bytes:
    """An 8-bit RGB PNG: `pixels` is width*height colours row by row, or a function (x, y)."""
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    get = pixels if callable(pixels) else (lambda x, y: pixels[y * width + x])
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        for x in range(width):
            raw.extend(get(x, y))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(bytes(raw), 9))
            + _chunk(b"IEND", b""))


def solid_png(width: int, height: int, color: RGB) -> bytes:
    return png_bytes(width, height, lambda x, y: color)


def bmp_bytes(width: int, height: int, pixels: Callable[[int, int], RGB]) -> bytes:
    """A 24-bit uncompressed BMP; `pixels(x, y)` gives each colour (y = 0 is the top row)."""
    stride = (width * 3 + 3) & ~3
    rows = bytearray()
    for y in range(height - 1, -1, -1):  # bottom-up
        row = bytearray()
        for x in range(width):
            r, g, b = pixels(x, y)
            row += bytes((b, g, r))
        rows += row.ljust(stride, b"\0")
    header = struct.pack("<2sIHHI", b"BM", 54 + len(rows), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return header + info + bytes(rows)


# --- PNG reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int
    bit_depth: int
    color_type: int
    interlace: int


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError(f"not a PNG: it starts with {data[:8]!r}")
    pos, out = len(PNG_SIGNATURE), []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            raise ImageError(f"PNG chunk {kind!r} is cut short")
        out.append((kind, body))
        pos += 12 + length
        if kind == b"IEND":
            break
    if not out or out[0][0] != b"IHDR":
        raise ImageError("PNG without an IHDR chunk first")
    return out


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk, without decoding anything."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 24:
        raise ImageError(f"not a PNG with an IHDR header: it starts with {data[:16]!r}")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


def _unfilter(raw: bytes, pos: int, width: int, height: int, bpp: int, stride: int
              ) -> tuple[list[bytearray], int]:
    rows: list[bytearray] = []
    prior = bytearray(stride)
    for _ in range(height):
        if pos + 1 + stride > len(raw):
            raise ImageError("PNG image data is cut short")
        kind = raw[pos]
        row = bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                row[i] = (row[i] + row[i - bpp]) & 255
        elif kind == 2:
            for i in range(stride):
                row[i] = (row[i] + prior[i]) & 255
        elif kind == 3:
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                row[i] = (row[i] + ((left + prior[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = row[i - bpp] if i >= bpp else 0
                c = prior[i - bpp] if i >= bpp else 0
                b = prior[i]
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[i] = (row[i] + pred) & 255
        elif kind != 0:
            raise ImageError(f"PNG row with unknown filter type {kind}")
        rows.append(row)
        prior = row
    return rows, pos


def _samples(row: bytearray, width: int, channels: int, depth: int) -> list[int]:
    """The row's samples scaled to 8 bits (palette indexes stay indexes)."""
    n = width * channels
    if depth == 8:
        return list(row[:n])
    if depth == 16:
        return [row[2 * i] for i in range(n)]
    per_byte = 8 // depth
    mask = (1 << depth) - 1
    out = []
    for i in range(n):
        byte = row[i // per_byte]
        shift = 8 - depth * (i % per_byte + 1)
        out.append((byte >> shift) & mask)
    return out


def read_png(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image:
    """Decode a PNG (any colour type, bit depth and interlacing) to 8-bit RGBA."""
    chunks = _png_chunks(data)
    width, height, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB",
                                                                         chunks[0][1][:13])
    if ctype not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise ImageError(f"PNG with colour type {ctype} and bit depth {depth}")
    if width * height > max_pixels:
        raise ImageError(f"PNG of {width}x{height} is larger than the {max_pixels} pixels decoded")
    palette = b"".join(b for k, b in chunks if k == b"PLTE")
    trns = b"".join(b for k, b in chunks if k == b"tRNS")
    try:
        raw = zlib.decompressobj().decompress(b"".join(b for k, b in chunks if k == b"IDAT"),
                                              (width * 8 + 1) * height + 16)
    except zlib.error as e:
        raise ImageError(f"PNG image data does not inflate: {e}") from None
    channels = _CHANNELS[ctype]
    bits_pp = channels * depth
    bpp = max(1, bits_pp // 8)
    out = bytearray(width * height * 4)

    def put(x: int, y: int, s: list[int], i: int) -> None:
        if ctype == 3:
            idx = s[i]
            if 3 * idx + 2 >= len(palette):
                raise ImageError(f"PNG palette index {idx} out of range")
            r, g, b = palette[3 * idx : 3 * idx + 3]
            a = trns[idx] if idx < len(trns) else 255
        else:
            scale = 255 // ((1 << depth) - 1) if depth < 8 else 1
            v = [c * scale for c in s[i * channels : (i + 1) * channels]]
            if ctype == 0:
                r = g = b = v[0]
                a = 255
            elif ctype == 4:
                r = g = b = v[0]
                a = v[1]
            elif ctype == 2:
                r, g, b = v
                a = 255
            else:
                r, g, b, a = v
        o = (y * width + x) * 4
        out[o : o + 4] = bytes((r, g, b, a))

    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    pos = 0
    for x0, y0, dx, dy in passes:
        pw = (width - x0 + dx - 1) // dx
        ph = (height - y0 + dy - 1) // dy
        if pw <= 0 or ph <= 0:
            continue
        stride = (pw * bits_pp + 7) // 8
        rows, pos = _unfilter(raw, pos, pw, ph, bpp, stride)
        for j, row in enumerate(rows):
            s = _samples(row, pw, channels, depth)
            for i in range(pw):
                put(x0 + i * dx, y0 + j * dy, s, i)
    return Image(width, height, out)


# --- GIF reading ---------------------------------------------------------------------------


@dataclass
class GifFrame:
    """One frame as a viewer shows it (the canvas after drawing this frame)."""

    delay_cs: int  # delay after the frame, in hundredths of a second (0 if no control block)
    left: int
    top: int
    width: int
    height: int
    disposal: int
    image: Image


@dataclass
class Gif:
    width: int  # the logical screen
    height: int
    frames: list[GifFrame] = field(default_factory=list)
    loop: int | None = None  # NETSCAPE2.0 loop count (0 = forever), None if absent


def gif_size(data: bytes) -> tuple[int, int]:
    """(width, height) of the logical screen, without decoding anything."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        raise ImageError(f"not a GIF: it starts with {data[:6]!r}")
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


def _lzw_decode(data: bytes, min_size: int, limit: int) -> bytes:
    if not 2 <= min_size <= 11:
        raise ImageError(f"GIF LZW minimum code size {min_size}")
    clear, end = 1 << min_size, (1 << min_size) + 1
    table: list[bytes] = [bytes((i,)) for i in range(clear)] + [b"", b""]
    size = min_size + 1
    out = bytearray()
    prev: bytes | None = None
    bitbuf = bits = 0
    for byte in data:
        bitbuf |= byte << bits
        bits += 8
        while bits >= size:
            code = bitbuf & ((1 << size) - 1)
            bitbuf >>= size
            bits -= size
            if code == clear:
                table = table[: clear + 2]
                size = min_size + 1
                prev = None
                continue
            if code == end:
                return bytes(out)
            if code < len(table):
                entry = table[code]
                if prev is not None:
                    table.append(prev + entry[:1])
            elif prev is not None and code == len(table):
                entry = prev + prev[:1]
                table.append(entry)
            else:
                raise ImageError(f"GIF LZW code {code} out of range")
            out += entry
            if len(out) > limit:
                return bytes(out[:limit])
            prev = entry
            if len(table) == (1 << size) and size < 12:
                size += 1
    return bytes(out)


def _deinterlace(indexes: bytes, width: int, height: int) -> bytes:
    rows = [indexes[i * width : (i + 1) * width] for i in range(height)]
    order = [*range(0, height, 8), *range(4, height, 8), *range(2, height, 4),
             *range(1, height, 2)]
    out: list[bytes] = [b""] * height
    for src, dst in enumerate(order):
        out[dst] = rows[src]
    return b"".join(out)


def read_gif(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS, max_frames: int = 200) -> Gif:
    """Parse a GIF and composite its frames (disposal methods and transparency applied)."""
    width, height = gif_size(data)
    if width * height > max_pixels:
        raise ImageError(f"GIF of {width}x{height} is larger than the {max_pixels} pixels decoded")
    flags, background = data[10], data[11]
    pos = 13
    gct = b""
    if flags & 0x80:
        n = 3 * (2 << (flags & 7))
        gct = data[pos : pos + n]
        pos += n
    gif = Gif(width, height)
    canvas = bytearray(width * height * 4)  # transparent black
    delay = disposal = 0
    transparent: int | None = None

    def sub_blocks(p: int) -> tuple[bytes, int]:
        out = bytearray()
        while True:
            if p >= len(data):
                raise ImageError("GIF data block is cut short")
            n = data[p]
            p += 1
            if n == 0:
                return bytes(out), p
            out += data[p : p + n]
            p += n

    while pos < len(data):
        kind = data[pos]
        pos += 1
        if kind == 0x3B:  # trailer
            break
        if kind == 0x21:  # extension
            label = data[pos]
            body, pos = sub_blocks(pos + 1)
            if label == 0xF9 and len(body) >= 4:
                packed = body[0]
                disposal = (packed >> 2) & 7
                delay = struct.unpack("<H", body[1:3])[0]
                transparent = body[3] if packed & 1 else None
            elif label == 0xFF and body[:11] in (b"NETSCAPE2.0", b"ANIMEXTS1.0") and \
                    len(body) >= 14:
                gif.loop = struct.unpack("<H", body[12:14])[0]
            continue
        if kind != 0x2C:
            raise ImageError(f"unexpected GIF block 0x{kind:02x} at byte {pos - 1}")
        if len(gif.frames) >= max_frames:
            raise ImageError(f"GIF with more than {max_frames} frames")
        left, top, fw, fh, fflags = struct.unpack("<HHHHB", data[pos : pos + 9])
        pos += 9
        table = gct
        if fflags & 0x80:
            n = 3 * (2 << (fflags & 7))
            table = data[pos : pos + n]
            pos += n
        min_size = data[pos]
        lzw, pos = sub_blocks(pos + 1)
        indexes = _lzw_decode(lzw, min_size, fw * fh)
        indexes = indexes.ljust(fw * fh, b"\0")
        if fflags & 0x40:
            indexes = _deinterlace(indexes, fw, fh)
        saved = bytearray(canvas) if disposal == 3 else None
        for y in range(fh):
            cy = top + y
            if cy >= height:
                break
            for x in range(fw):
                cx = left + x
                if cx >= width:
                    break
                idx = indexes[y * fw + x]
                if idx == transparent or 3 * idx + 2 >= len(table):
                    continue
                o = (cy * width + cx) * 4
                canvas[o : o + 4] = bytes((*table[3 * idx : 3 * idx + 3], 255))
        gif.frames.append(GifFrame(delay, left, top, fw, fh, disposal,
                                   Image(width, height, bytearray(canvas))))
        if disposal == 2:
            for y in range(top, min(top + fh, height)):
                for x in range(left, min(left + fw, width)):
                    o = (y * width + x) * 4
                    canvas[o : o + 4] = b"\0\0\0\0"
        elif disposal == 3 and saved is not None:
            canvas = saved
        delay = disposal = 0
        transparent = None
    del background  # viewers clear to transparent; the background index is not used
    return gif


# --- uploads -------------------------------------------------------------------------------

UploadFile = tuple[str, bytes, str]  # (file name, content, content type)


def _quoted(value: str) -> bytes:
    """A quoted-string header parameter value, raw: only the quote and backslash are escaped
    (RFC 2616 style), unlike browsers and httpx, which percent-encode a quote as %22."""
    return b'"' + value.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


def multipart(fields: Sequence[tuple[str, str]], files: Sequence[tuple[str, UploadFile]],
              boundary: str = "bxb-boundary-7c1e2f0a") -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body and its headers, with file names sent exactly as given (an
    attacker writes the raw header; httpx would percent-encode quotes and control characters).
    """
    sep = b"--" + boundary.encode()
    out = bytearray()
    for name, value in fields:
        out += sep + b"\r\nContent-Disposition: form-data; name=" + _quoted(name) + b"\r\n\r\n"
        out += value.encode() + b"\r\n"
    for name, (filename, content, ctype) in files:
        out += (sep + b"\r\nContent-Disposition: form-data; name=" + _quoted(name)
                + b"; filename=" + _quoted(filename) + b"\r\nContent-Type: " + ctype.encode()
                + b"\r\n\r\n")
        out += content + b"\r\n"
    out += sep + b"--\r\n"
    return bytes(out), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def last_upload(app: App) -> str:
    """The app's last exchange for evidence, the multipart body left out (it is mostly the
    file): method, path and the answer."""
    if not app.history:
        return "(no request sent)"
    ex = app.history[-1]
    answer = "no answer" if ex.status is None else f"{ex.status} {ex.response_body[:120]!r}"
    return f"{ex.method} {ex.url} (multipart upload) -> {answer}"


# A file name cannot contain "/", so a shell payload hidden in one spells the slashes of its
# marker path as a shell expansion: the first character of $PWD, which is always absolute.
SHELL_SLASH = "${PWD%${PWD#?}}"


def slash_free(payload: str, marker: str) -> str:
    """`payload` with every "/" of `marker` spelt as SHELL_SLASH (the same file once a POSIX
    shell expands it), so that the payload survives as a file name."""
    return payload.replace(marker, marker.replace("/", SHELL_SLASH))
