# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""Unsubscribe decision service: reads a raw reply e-mail and tells who sent it and whether the
sender asks to be unsubscribed. The sender is the address of the message's own From header,
parsed as an address list (never a From line found elsewhere in the mail)."""

import re
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

PHRASES = ("unsubscribe", "remove me", "deregister me", "stop sending me", "delete me")
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")


def sender_address(message):
    """The address of the message's top-level From header, without its display name."""
    header = message.get("From")
    if header is None:
        return ""
    try:
        addresses = [a.addr_spec for a in header.addresses]
    except (AttributeError, ValueError, TypeError):
        addresses = [address for _, address in getaddresses([str(header)])]
    addresses = [a for a in addresses if a and "@" in a]
    return addresses[0] if addresses else ""


def part_text(part):
    try:
        text = part.get_content()
    except (LookupError, ValueError, TypeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", "replace")
    if not isinstance(text, str):
        return ""
    if part.get_content_subtype() == "html":
        text = TAG.sub(" ", text)
    return text


def body_text(message):
    texts = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html"):
            texts.append(part_text(part))
    return SPACE.sub(" ", " ".join(texts)).lower()


def wants_to_unsubscribe(message):
    text = body_text(message)
    return any(phrase in text for phrase in PHRASES)


@app.post("/decideUnsubscribe")
def decide_unsubscribe():
    message = BytesParser(policy=policy.default).parsebytes(request.get_data())
    return jsonify(email=sender_address(message), unsubscribe=wants_to_unsubscribe(message))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
