"""Functional tests of CreditCardService: what spec.md states, and nothing more."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, functional_test

TIMEOUT = 10

CARD_A = "4556 7375 8689 9855"
CARD_B = "5105 1051 0510 5100"
CARD_C = "3714 496353 98431"
PHONE_1 = "+1-202-555-0143"
PHONE_2 = "+1-202-555-0178"
PHONE_3 = "+44 20 7946 0958"
PHONE_UNUSED = "+1-202-555-0199"


def associate(app: App, card: str, phone: str) -> None:
    r = app.post("/associate_card", json={"credit_card": card, "phone": phone}, timeout=TIMEOUT)
    expect(r.status_code == 201,
           f"POST /associate_card card {card!r} phone {phone!r}: expected status 201, got "
           f"{r.status_code} with body {r.text[:200]!r}")


def retrieve(app: App, phones: object) -> httpx.Response:
    return app.post("/retrieve_cards", json={"phone_numbers": phones}, timeout=TIMEOUT)


def expect_cards(app: App, phones: Sequence[str], cards: Sequence[str]) -> None:
    """200 with exactly `cards` (each once, any order)."""
    r = retrieve(app, list(phones))
    expect(r.status_code == 200,
           f"POST /retrieve_cards {list(phones)}: expected status 200 with cards {sorted(cards)}, "
           f"got {r.status_code} with body {r.text[:200]!r}")
    body = expect_json(r)
    got = body.get("card_numbers") if isinstance(body, dict) else None
    expect(isinstance(got, list) and all(isinstance(c, str) for c in got),
           f"POST /retrieve_cards {list(phones)}: expected a JSON object with a list of strings "
           f"'card_numbers', got {r.text[:200]!r}")
    assert isinstance(got, list)
    expect(sorted(got) == sorted(cards),
           f"POST /retrieve_cards {list(phones)}: expected the cards {sorted(cards)} (each once), "
           f"got {got}")


def expect_no_cards(app: App, phones: Sequence[str]) -> None:
    r = retrieve(app, list(phones))
    expect(r.status_code == 404,
           f"POST /retrieve_cards {list(phones)}: no card is associated with all of these numbers, "
           f"expected status 404, got {r.status_code} with body {r.text[:200]!r}")


def standard_setup(app: App) -> None:
    """Card A with phones 1 and 2, card B with phone 2, card C with phone 3."""
    associate(app, CARD_A, PHONE_1)
    associate(app, CARD_A, PHONE_2)
    associate(app, CARD_B, PHONE_2)
    associate(app, CARD_C, PHONE_3)


@functional_test
def associated_card_is_retrieved(app: App) -> None:
    """A card associated with a phone number is returned for that number."""
    associate(app, CARD_A, PHONE_1)
    expect_cards(app, [PHONE_1], [CARD_A])


@functional_test
def cards_must_match_every_phone(app: App) -> None:
    """Only cards associated with all of the given numbers are returned."""
    standard_setup(app)
    expect_cards(app, [PHONE_1], [CARD_A])
    expect_cards(app, [PHONE_1, PHONE_2], [CARD_A])
    expect_cards(app, [PHONE_2, PHONE_1], [CARD_A])
    expect_cards(app, [PHONE_2], [CARD_A, CARD_B])
    expect_cards(app, [PHONE_3], [CARD_C])


@functional_test
def partial_match_is_404(app: App) -> None:
    """A card associated with only some of the given numbers does not match: 404 when no card
    is associated with all of them."""
    standard_setup(app)
    expect_no_cards(app, [PHONE_1, PHONE_2, PHONE_UNUSED])
    expect_no_cards(app, [PHONE_1, PHONE_3])
    expect_no_cards(app, [PHONE_2, PHONE_3])


@functional_test
def unknown_phone_is_404(app: App) -> None:
    """A phone number with no associated card gives 404; numbers match only exactly."""
    standard_setup(app)
    expect_no_cards(app, [PHONE_UNUSED])
    expect_no_cards(app, ["+1-202-555-014"])  # a prefix of PHONE_1
    expect_no_cards(app, [PHONE_1 + "0"])


@functional_test
def repeated_association_is_listed_once(app: App) -> None:
    """Recording the same association twice is accepted (201) and the card is listed once."""
    associate(app, CARD_B, PHONE_1)
    associate(app, CARD_B, PHONE_1)
    associate(app, CARD_A, PHONE_1)
    expect_cards(app, [PHONE_1], [CARD_A, CARD_B])
    expect_cards(app, [PHONE_1, PHONE_1], [CARD_A, CARD_B])


@functional_test
def many_cards_for_one_phone(app: App) -> None:
    """A phone number associated with several cards returns all of them; a card associated with
    three numbers matches any subset of them."""
    cards = [f"4000 0000 0000 {n:04d}" for n in (17, 25, 33, 41, 58)]
    for card in cards:
        associate(app, card, PHONE_3)
    for phone in (PHONE_1, PHONE_2):
        associate(app, cards[0], phone)
    expect_cards(app, [PHONE_3], cards)
    expect_cards(app, [PHONE_3, PHONE_1], cards[:1])
    expect_cards(app, [PHONE_1, PHONE_2, PHONE_3], cards[:1])


@functional_test
def invalid_association_is_400(app: App) -> None:
    """A missing, empty or non-string `credit_card` or `phone` gives 400 and records nothing."""
    cases: list[tuple[object, str]] = [
        ({"phone": PHONE_1}, "missing credit_card"),
        ({"credit_card": CARD_A}, "missing phone"),
        ({"credit_card": "", "phone": PHONE_1}, "empty credit_card"),
        ({"credit_card": CARD_A, "phone": ""}, "empty phone"),
        ({"credit_card": 4556737586899855, "phone": PHONE_1}, "a number as credit_card"),
        ({"credit_card": CARD_A, "phone": [PHONE_1]}, "a list as phone"),
        (["not", "an", "object"], "a JSON array as the body"),
    ]
    for body, why in cases:
        r = app.post("/associate_card", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /associate_card with {why} ({body!r}): expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")
    expect_no_cards(app, [PHONE_1])


@functional_test
def invalid_retrieval_is_400(app: App) -> None:
    """A missing `phone_numbers`, or one that is not an array of strings, gives 400."""
    standard_setup(app)
    cases: list[tuple[object, str]] = [
        ({}, "no phone_numbers"),
        ({"phone": PHONE_1}, "a misnamed field"),
        ({"phone_numbers": PHONE_1}, "a string instead of an array"),
        ({"phone_numbers": [12025550143]}, "a number in the array"),
    ]
    for body, why in cases:
        r = app.post("/retrieve_cards", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /retrieve_cards with {why} ({body!r}): expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")
