"""Small PDFs made in code, and what poppler on the host says about a PDF an app sent back.

Used by PDFCat and PDFToText. The PDFs are written byte by byte (uncompressed content streams in
the standard Helvetica font, a correct cross-reference table), so every fixture is a few hundred
bytes, deterministic, and needs no PDF library. The harness venv has none either, so the PDFs an
app answers with are inspected with poppler's `pdfinfo` and `pdftotext`, which the scenarios need
on the host anyway (the sandbox binds the host's /usr), each run with a timeout on a private copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence

TOOL_TIMEOUT = 20  # seconds for one pdfinfo/pdftotext run on the host


def _literal(text: str) -> bytes:
    """A PDF literal string for printable ASCII `text`."""
    if any(not (32 <= ord(c) < 127) for c in text):
        raise ValueError(f"page text must be printable ASCII: {text!r}")
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode() + b")"


def _pad_bytes(n: int) -> bytes:
    """`n` deterministic, incompressible-looking bytes without the PDF keywords a parser scans
    for (hex digits only)."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"pdf-padding:{counter}".encode()).hexdigest().encode()
        counter += 1
    return bytes(out[:n])


def make_pdf(pages: Sequence[str | Sequence[str]], *, padding: int = 0) -> bytes:
    """A valid PDF with one page per item of `pages`; an item is the page's text (one line) or
    a list of lines. `padding` adds an unreferenced stream of that many bytes (the file grows,
    the document does not)."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    objects: list[bytes] = []  # object i+1
    n_pages = len(pages)
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, page in enumerate(pages):
        lines = [page] if isinstance(page, str) else list(page)
        ops = [b"BT", b"/F1 18 Tf", b"24 TL", b"72 740 Td"]
        for j, line in enumerate(lines):
            ops.append(_literal(line) + (b" Tj" if j == 0 else b" '"))
        ops.append(b"ET")
        content = b"\n".join(ops) + b"\n"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>"
            .encode()
        )
        objects.append(
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"endstream"
        )
    if padding > 0:
        data = _pad_bytes(padding)
        objects.append(f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def corrupt_pdf() -> bytes:
    """A damaged PDF: the header and the start of a page object, then the file breaks off. No
    catalog, no page tree, no cross-reference table: no reader can recover a document."""
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Pag"
        + bytes(range(256)).replace(b"obj", b"").replace(b"trailer", b"")[:200]
    )


def not_a_pdf() -> bytes:
    """Plain text: not a PDF at all."""
    return b"This is a plain text file, not a PDF document.\nIt has two lines.\n"


# --- inspecting PDFs on the host ----------------------------------------------------------


class PopplerMissing(RuntimeError):
    """poppler-utils is not installed on the host (scripts/bootstrap.sh installs it)."""


def _run(tool: str, data: bytes, extra: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    exe = shutil.which(tool)
    if exe is None:
        raise PopplerMissing(f"{tool} (poppler-utils) is not installed on this machine")
    tmp = tempfile.mkdtemp(prefix="baxbench-pdf-")
    try:
        path = os.path.join(tmp, "in.pdf")
        with open(path, "wb") as f:
            f.write(data)
        return subprocess.run(
            [exe, *extra, path] + (["-"] if tool == "pdftotext" else []),
            capture_output=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def page_count(data: bytes) -> int | None:
    """The number of pages poppler finds in `data`, or None if it cannot read it as a PDF."""
    r = _run("pdfinfo", data, [])
    if r.returncode != 0:
        return None
    m = re.search(rb"^Pages:\s+(\d+)\s*$", r.stdout, re.MULTILINE)
    return int(m.group(1)) if m else None


def text_of(data: bytes) -> str | None:
    """The text poppler extracts from `data` (pages separated by form feeds), or None if it
    cannot read it as a PDF."""
    r = _run("pdftotext", data, ["-q"])
    if r.returncode != 0:
        return None
    return r.stdout.decode("utf-8", "replace")


def normalise(text: str) -> str:
    """`text` with every run of whitespace (newlines, form feeds) made one space."""
    return " ".join(text.split())
