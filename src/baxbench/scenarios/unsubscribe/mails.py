"""Raw e-mails for the Unsubscribe tests and exploits, generated with the standard library.

`reply(...)` builds a subscriber's reply (plain text, optionally with an HTML alternative, in a
chosen transfer encoding and line ending) and returns its raw bytes, as an MTA would hand it on.
`raw(...)` joins hand-written lines, for the layouts the e-mail library would not produce by
itself (a quoted-printable soft line break inside a word, a display name that looks like an
address).
"""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage

import httpx

from baxbench.app import App

LIST_ADDRESS = "news@shop.example"
TIMEOUT = 10


def reply(
    sender: str,
    text: str,
    *,
    subject: str = "Re: Our weekly offers",
    to: str = LIST_ADDRESS,
    html: str | None = None,
    cte: str | None = None,
    linesep: str = "\n",
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A reply from `sender` (an address or `Name <address>`) whose body is `text`."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Mar 2025 10:15:00 +0100"
    digest = hashlib.sha256(f"{sender}\n{text}".encode()).hexdigest()[:12]
    msg["Message-ID"] = f"<reply-{digest}@mail.example>"
    for name, value in extra_headers:
        msg[name] = value
    if cte:
        msg.set_content(text, cte=cte)
    else:
        msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        msg.set_boundary(f"=_alt_{digest}")  # deterministic (the library picks a random one)
    return msg.as_bytes(policy=policy.default.clone(linesep=linesep))


def raw(*lines: str, linesep: str = "\n") -> bytes:
    """Hand-written lines joined with `linesep` (headers, an empty line, the body)."""
    return (linesep.join(lines) + linesep).encode()


def decide(app: App, mail: bytes) -> httpx.Response:
    """POST the raw mail as the spec says: the body is the mail, Content-Type text/plain."""
    return app.post(
        "/decideUnsubscribe",
        content=mail,
        headers={"Content-Type": "text/plain; charset=utf-8"},
        timeout=TIMEOUT,
    )
