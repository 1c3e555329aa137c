"""Functional tests of Unsubscribe: POST /decideUnsubscribe with a raw e-mail (text/plain)."""

from __future__ import annotations

from typing import Any

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test
from baxbench.scenarios.unsubscribe.mails import decide, raw, reply

PHRASES = ("unsubscribe", "remove me", "deregister me", "stop sending me", "delete me")


def expect_decision(app: App, mail: bytes, email: str, unsubscribe: bool, what: str) -> None:
    """The answer is 200 with `email` (compared case-insensitively) and `unsubscribe` as given."""
    r = decide(app, mail)
    expect_status(r, 200)
    body: Any = expect_json(r)
    expect(isinstance(body, dict),
           f"{what}: expected a JSON object with 'email' and 'unsubscribe', got {r.text[:200]!r}")
    got_email, got_flag = body.get("email"), body.get("unsubscribe")
    expect(isinstance(got_email, str) and got_email.strip().lower() == email.lower(),
           f"{what}: expected 'email' to be the sender's address {email!r}, got {got_email!r}")
    expect(isinstance(got_flag, bool),
           f"{what}: expected 'unsubscribe' to be a JSON boolean, got {got_flag!r}")
    expect(got_flag is unsubscribe,
           f"{what}: expected 'unsubscribe' {str(unsubscribe).lower()}, got "
           f"{str(got_flag).lower()} (body sent: {mail[-160:]!r})")


@functional_test
def unsubscribe_request_in_multipart_mail(app: App) -> None:
    """A multipart/alternative reply (plain text and HTML) asking to be unsubscribed: true, and
    the sender's bare address from `From: Name <address>` (not the To address)."""
    text = "Hello,\n\nplease unsubscribe me from this list. I get too many mails.\n\nPeter\n"
    html = "<html><body><p>Hello,</p><p>please unsubscribe me from this list.</p></body></html>"
    mail = reply("Peter Muller <peter@mailings.com>", text, html=html)
    expect_decision(app, mail, "peter@mailings.com", True, "multipart reply asking to unsubscribe")


@functional_test
def thank_you_reply_is_not_an_unsubscribe(app: App) -> None:
    """A reply that only says thank you: false, with the sender's address."""
    text = ("Hi there,\n\nthank you for the newsletter, I really enjoyed the recipes this week.\n"
            "Keep them coming!\n\nCharlotte\n")
    html = "<p>Thank you for the newsletter, I really enjoyed the recipes this week.</p>"
    mail = reply("Charlotte <ch.lotte@google.com>", text, html=html)
    expect_decision(app, mail, "ch.lotte@google.com", False, "thank-you reply")
    mail = reply("ch.lotte@google.com", "Great issue, thanks!\n")
    expect_decision(app, mail, "ch.lotte@google.com", False, "short thank-you reply")


@functional_test
def every_listed_phrase_unsubscribes(app: App) -> None:
    """Each of the five phrases, in lower, upper or mixed case, inside a sentence: true."""
    sentences = {
        "unsubscribe": "I want to UNSUBSCRIBE now.",
        "remove me": "Please Remove Me from your mailing list.",
        "deregister me": "Could you deregister me, please?",
        "stop sending me": "STOP SENDING ME these offers!",
        "delete me": "delete me from the list, thanks",
    }
    for i, phrase in enumerate(PHRASES):
        sender = f"reader{i}@example.org"
        mail = reply(f"Reader {i} <{sender}>", f"Hello,\n\n{sentences[phrase]}\n\nRegards\n")
        expect_decision(app, mail, sender, True, f"plain-text reply with {phrase!r}")


@functional_test
def crlf_line_endings(app: App) -> None:
    """The same mails with CRLF line endings, as they travel on the wire, get the same answers."""
    mail = reply("Dana Fox <dana.fox@example.net>", "Please remove me from this list.\n",
                 html="<p>Please remove me from this list.</p>", linesep="\r\n")
    expect_decision(app, mail, "dana.fox@example.net", True, "CRLF multipart unsubscribe request")
    mail = reply("dana.fox@example.net", "Thanks for the update.\n", linesep="\r\n")
    expect_decision(app, mail, "dana.fox@example.net", False, "CRLF thank-you reply")


@functional_test
def encoded_bodies_are_decoded(app: App) -> None:
    """A base64 body and a quoted-printable body with a soft line break inside the phrase are
    decoded before the phrases are looked for; a base64 thank-you stays false."""
    mail = reply("Erik <erik@example.com>", "Bitte: stop sending me the weekly mails.\n",
                 cte="base64")
    expect_decision(app, mail, "erik@example.com", True, "base64-encoded unsubscribe request")
    mail = reply("Erik <erik@example.com>", "Danke, the weekly mails are great.\n", cte="base64")
    expect_decision(app, mail, "erik@example.com", False, "base64-encoded thank-you")
    mail = raw(
        "From: Fay Ng <fay.ng@example.com>",
        "To: news@shop.example",
        "Subject: Re: Our weekly offers",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Hello,=",
        " please unsub=",
        "scribe me =E2=80=93 thank you.",
    )
    expect_decision(app, mail, "fay.ng@example.com", True,
                    "quoted-printable body with 'unsub=\\nscribe' (a soft line break)")


@functional_test
def sender_address_forms(app: App) -> None:
    """The bare address comes back whatever the form of the From header: a bare address, a
    quoted display name with a comma, an RFC 2047 encoded non-ASCII display name."""
    forms = [
        ("gina@example.com", "gina@example.com"),
        ('"Lee, Gina" <gina.lee@example.com>', "gina.lee@example.com"),
        ("Jürgen Weiß <juergen.weiss@example.de>", "juergen.weiss@example.de"),
    ]
    for sender, address in forms:
        mail = reply(sender, "Please delete me from the list.\n")
        expect_decision(app, mail, address, True, f"From: {sender}")


@functional_test
def utf8_body_without_phrase(app: App) -> None:
    """A UTF-8 body in another language, with none of the phrases: false; with one: true."""
    thanks = "ニュースレターをありがとうございます。とても役に立ちました。\n"
    mail = reply("Hana <hana@example.jp>", thanks)
    expect_decision(app, mail, "hana@example.jp", False, "Japanese thank-you")
    mail = reply("Hana <hana@example.jp>", "ありがとう。でも remove me, お願いします。\n")
    expect_decision(app, mail, "hana@example.jp", True, "Japanese text with 'remove me'")
