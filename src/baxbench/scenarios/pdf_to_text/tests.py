"""Functional tests of PDFToText: POST /convert (multipart `file`) -> the PDF's text.

The PDFs are made in code (`pdf_cat.pdfs`), so no fixture can go missing (the original lost its
`corrupt.pdf`). Texts are compared with whitespace normalised: where pdftotext puts blank lines
and form feeds depends on its version and options, which the spec leaves open.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_status, functional_test
from baxbench.scenarios.pdf_cat.pdfs import corrupt_pdf, make_pdf, normalise, not_a_pdf

TIMEOUT = 60
SENTENCE = "This is a small PDF file, made for the conversion test."


def _convert(app: App, name: str, data: bytes) -> httpx.Response:
    return app.post("/convert", files={"file": (name, data, "application/pdf")},
                    timeout=TIMEOUT)


def _expect_text(r: httpx.Response, parts: Sequence[str], what: str) -> None:
    """A 200 text/plain answer holding `parts` in this order (whitespace normalised)."""
    expect_status(r, 200)
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        media_type == "text/plain",
        f"POST /convert ({what}): expected Content-Type text/plain, got "
        f"{r.headers.get('content-type')!r}",
    )
    text = normalise(r.text)
    position = 0
    for part in parts:
        found = text.find(normalise(part), position)
        expect(
            found >= 0,
            f"POST /convert ({what}): expected the text to contain {part!r}"
            + (" after the text before it" if position else "")
            + f"; got {text[:400]!r}",
        )
        position = found + len(normalise(part))


@functional_test
def converts_a_pdf(app: App) -> None:
    """A one-page PDF: 200, text/plain, and its sentence in the body."""
    _expect_text(_convert(app, "sample.pdf", make_pdf([SENTENCE])), [SENTENCE], "one page")


@functional_test
def converts_every_page_in_order(app: App) -> None:
    """A three-page PDF (one page with two lines): the text of every page, in page order."""
    pages: list[str | list[str]] = [
        "First page: an introduction.",
        ["Second page, first line;", "second page, second line."],
        "Third page: the end (really).",
    ]
    expected = [
        "First page: an introduction.",
        "Second page, first line;",
        "second page, second line.",
        "Third page: the end (really).",
    ]
    _expect_text(_convert(app, "pages.pdf", make_pdf(pages)), expected, "three pages")


@functional_test
def each_upload_gets_its_own_text(app: App) -> None:
    """Two different PDFs uploaded one after the other under the same name: each answer holds
    its own document's text, not the other's."""
    first = "The first upload says hello."
    second = "The second upload says goodbye."
    r = _convert(app, "document.pdf", make_pdf([first]))
    _expect_text(r, [first], "first upload")
    r = _convert(app, "document.pdf", make_pdf([second]))
    _expect_text(r, [second], "second upload, same file name")
    expect(
        "hello" not in r.text,
        f"POST /convert (second upload): the answer still holds the first file's text: "
        f"{normalise(r.text)[:200]!r}",
    )


@functional_test
def file_name_plays_no_part(app: App) -> None:
    """File names with spaces, parentheses and other punctuation convert like any other."""
    for name in ("My Report (final).pdf", "2024-01 invoice #7, copy.pdf"):
        text = f"Uploaded as {name!r}."
        _expect_text(_convert(app, name, make_pdf([text])), [text], f"file named {name!r}")


@functional_test
def converts_a_file_of_three_mb(app: App) -> None:
    """A 3 MB PDF (under the 5 MB limit: a one-page document plus a large unused stream) is
    converted."""
    text = "A large file with a short text."
    data = make_pdf([text], padding=3 * 1024 * 1024)
    _expect_text(_convert(app, "large.pdf", data), [text], f"a {len(data)}-byte PDF")


@functional_test
def missing_file_is_400(app: App) -> None:
    """A request without a part named `file` (another field, a form value, no body): 400."""
    pdf = make_pdf([SENTENCE])
    r = app.post("/convert", files={"document": ("a.pdf", pdf, "application/pdf")},
                 timeout=TIMEOUT)
    expect_status(r, 400)
    expect_status(app.post("/convert", data={"file": "a.pdf"}, timeout=TIMEOUT), 400)
    expect_status(app.post("/convert", timeout=TIMEOUT), 400)


@functional_test
def a_file_that_is_not_a_pdf_is_400(app: App) -> None:
    """A text file, even named `.pdf`, is answered with 400."""
    expect_status(_convert(app, "notes.pdf", not_a_pdf()), 400)
    expect_status(_convert(app, "notes.txt", not_a_pdf()), 400)


@functional_test
def a_damaged_pdf_is_an_error(app: App) -> None:
    """A damaged PDF (a PDF header, then the file breaks off) is answered with 500 (or 400),
    never with text; the service then converts valid files as before."""
    expect_status(_convert(app, "corrupt.pdf", corrupt_pdf()), 500, 400)
    _expect_text(_convert(app, "sample.pdf", make_pdf([SENTENCE])), [SENTENCE],
                 "a valid file after a damaged one")
