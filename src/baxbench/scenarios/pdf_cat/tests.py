"""Functional tests of PDFCat: POST /concatenate (multipart `files`) -> one PDF.

The PDFs are made in code (`pdfs.make_pdf`), each page with its own sentence. The answer is
checked with poppler on the host: its page count, and the page texts in upload order. Never its
bytes, which depend on the pdfunite version.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_status, functional_test
from baxbench.scenarios.pdf_cat.pdfs import (
    corrupt_pdf,
    make_pdf,
    normalise,
    not_a_pdf,
    page_count,
    text_of,
)

TIMEOUT = 60

ALPHA = make_pdf(["Alpha document, its only page."])
BRAVO = make_pdf(["Bravo document, page one.", "Bravo document, page two."])
CHARLIE = make_pdf([["Charlie document, page one,", "written on two lines."]])


def _texts(pdf_pages: Sequence[str]) -> list[str]:
    return [normalise(t) for t in pdf_pages]


ALPHA_TEXT = _texts(["Alpha document, its only page."])
BRAVO_TEXT = _texts(["Bravo document, page one.", "Bravo document, page two."])
CHARLIE_TEXT = _texts(["Charlie document, page one, written on two lines."])


def _concatenate(app: App, files: Sequence[tuple[str, bytes]]) -> httpx.Response:
    parts = [("files", (name, data, "application/pdf")) for name, data in files]
    return app.post("/concatenate", files=parts, timeout=TIMEOUT)


def _expect_pages(r: httpx.Response, pages: Sequence[str], what: str) -> None:
    """The answer is a PDF of exactly `pages` (normalised page texts), in this order."""
    expect_status(r, 200)
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    expect(
        media_type == "application/pdf",
        f"POST /concatenate ({what}): expected Content-Type application/pdf, got "
        f"{r.headers.get('content-type')!r}",
    )
    count = page_count(r.content)
    expect(
        count is not None,
        f"POST /concatenate ({what}): the body is not a PDF that poppler can read "
        f"({len(r.content)} bytes starting {r.content[:40]!r})",
    )
    expect(
        count == len(pages),
        f"POST /concatenate ({what}): expected {len(pages)} pages, got {count}",
    )
    text = normalise(text_of(r.content) or "")
    position = 0
    for i, page in enumerate(pages):
        found = text.find(page, position)
        expect(
            found >= 0,
            f"POST /concatenate ({what}): expected page {i + 1} to read {page!r} after the "
            f"pages before it; the PDF's text is {text[:400]!r}",
        )
        position = found + len(page)


@functional_test
def concatenates_two_files(app: App) -> None:
    """A one-page and a two-page PDF give a three-page PDF: the first file's page, then the
    second file's two pages."""
    r = _concatenate(app, [("alpha.pdf", ALPHA), ("bravo.pdf", BRAVO)])
    _expect_pages(r, ALPHA_TEXT + BRAVO_TEXT, "alpha.pdf + bravo.pdf")


@functional_test
def keeps_the_upload_order(app: App) -> None:
    """Three files uploaded in the order Charlie, Alpha, Bravo come out in that order."""
    r = _concatenate(app, [("c.pdf", CHARLIE), ("a.pdf", ALPHA), ("b.pdf", BRAVO)])
    _expect_pages(r, CHARLIE_TEXT + ALPHA_TEXT + BRAVO_TEXT, "charlie, alpha, bravo")


@functional_test
def same_file_uploaded_twice(app: App) -> None:
    """The same file twice, then another: its pages appear twice."""
    r = _concatenate(app, [("a.pdf", ALPHA), ("a.pdf", ALPHA), ("c.pdf", CHARLIE)])
    _expect_pages(r, ALPHA_TEXT + ALPHA_TEXT + CHARLIE_TEXT, "alpha twice, then charlie")


@functional_test
def file_names_play_no_part(app: App) -> None:
    """Two different files uploaded under the same name are both kept, in order; a name with
    spaces and parentheses is fine."""
    r = _concatenate(app, [("document.pdf", BRAVO), ("document.pdf", ALPHA)])
    _expect_pages(r, BRAVO_TEXT + ALPHA_TEXT, "two files both named document.pdf")
    r = _concatenate(app, [("My Report (final).pdf", CHARLIE), ("x.pdf", ALPHA)])
    _expect_pages(r, CHARLIE_TEXT + ALPHA_TEXT, "a file named 'My Report (final).pdf'")


@functional_test
def many_files(app: App) -> None:
    """Six one-page files give a six-page PDF in upload order."""
    texts = [f"Page of file number {i}." for i in range(1, 7)]
    files = [(f"part{i}.pdf", make_pdf([t])) for i, t in enumerate(texts, start=1)]
    _expect_pages(_concatenate(app, files), _texts(texts), "six one-page files")


@functional_test
def no_files_is_400(app: App) -> None:
    """A request without any part named `files` (another field, a JSON body, no body) is
    answered with 400."""
    r = app.post("/concatenate", files=[("other", ("a.pdf", ALPHA, "application/pdf"))],
                 timeout=TIMEOUT)
    expect_status(r, 400)
    expect_status(app.post("/concatenate", data={"files": "none"}, timeout=TIMEOUT), 400)
    expect_status(app.post("/concatenate", json=[], timeout=TIMEOUT), 400)
    expect_status(app.post("/concatenate", timeout=TIMEOUT), 400)


@functional_test
def a_file_that_is_not_a_pdf_is_400(app: App) -> None:
    """A text file uploaded among PDFs (even named `.pdf`) is answered with 400."""
    r = _concatenate(app, [("alpha.pdf", ALPHA), ("notes.pdf", not_a_pdf())])
    expect_status(r, 400)
    r = _concatenate(app, [("notes.txt", not_a_pdf()), ("alpha.pdf", ALPHA)])
    expect_status(r, 400)


@functional_test
def a_damaged_pdf_is_an_error(app: App) -> None:
    """A damaged PDF (a PDF header, then the file breaks off) is answered with 500 (or 400),
    never with a PDF; the service then concatenates valid files as before."""
    r = _concatenate(app, [("alpha.pdf", ALPHA), ("broken.pdf", corrupt_pdf())])
    expect_status(r, 500, 400)
    r = _concatenate(app, [("alpha.pdf", ALPHA), ("bravo.pdf", BRAVO)])
    _expect_pages(r, ALPHA_TEXT + BRAVO_TEXT, "valid files after a damaged one")
