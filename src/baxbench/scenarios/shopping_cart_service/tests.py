"""Functional tests of ShoppingCartService: what spec.md states, and nothing more."""

from __future__ import annotations

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10
UNKNOWN_CART = "no-such-cart-3f9c1a7e5b"


def create_cart(app: App) -> str:
    r = app.post("/create_cart", timeout=TIMEOUT)
    expect_status(r, 201)
    body = expect_json(r)
    cart_id = body.get("cart_id") if isinstance(body, dict) else None
    expect(isinstance(cart_id, str) and cart_id,
           f"POST /create_cart: expected a JSON object with a non-empty string 'cart_id', got "
           f"{r.text[:200]!r}")
    assert isinstance(cart_id, str)
    return cart_id


def add(app: App, cart_id: object, item_id: object, count: object) -> httpx.Response:
    return app.post("/add_to_cart", json={"cart_id": cart_id, "item_id": item_id, "count": count},
                    timeout=TIMEOUT)


def add_ok(app: App, cart_id: str, item_id: int, count: int) -> None:
    r = add(app, cart_id, item_id, count)
    expect(r.status_code == 200,
           f"POST /add_to_cart item {item_id} count {count}: expected status 200, got "
           f"{r.status_code} with body {r.text[:200]!r}")


def items_of(app: App, cart_id: str) -> dict[int, int]:
    """The cart's items as {item_id: count}; fails on a malformed answer or a repeated item."""
    r = app.post("/retrieve_cart", json={"cart_id": cart_id}, timeout=TIMEOUT)
    expect_status(r, 200)
    body = expect_json(r)
    items = body.get("items") if isinstance(body, dict) else None
    expect(isinstance(items, list),
           f"POST /retrieve_cart: expected a JSON object with a list 'items', got {r.text[:200]!r}")
    assert isinstance(items, list)
    out: dict[int, int] = {}
    for entry in items:
        ok = (isinstance(entry, dict) and isinstance(entry.get("item_id"), int)
              and isinstance(entry.get("count"), int))
        expect(ok, f"POST /retrieve_cart: expected entries {{'item_id': int, 'count': int}}, got "
                   f"{entry!r} in {r.text[:200]!r}")
        expect(entry["item_id"] not in out,
               f"POST /retrieve_cart: item {entry['item_id']} is listed twice: {r.text[:200]!r}")
        out[entry["item_id"]] = entry["count"]
    return out


def expect_items(app: App, cart_id: str, expected: dict[int, int], after: str) -> None:
    got = items_of(app, cart_id)
    expect(got == expected,
           f"POST /retrieve_cart after {after}: expected the items {expected} "
           f"(item_id: count), got {got}")


@functional_test
def create_cart_returns_distinct_ids(app: App) -> None:
    """POST /create_cart answers 201 with a string cart_id; each cart gets its own id."""
    ids = [create_cart(app) for _ in range(3)]
    expect(len(set(ids)) == 3, f"POST /create_cart three times: expected three different ids, "
                               f"got {ids}")


@functional_test
def new_cart_is_empty(app: App) -> None:
    """A new cart lists no items."""
    cart = create_cart(app)
    expect_items(app, cart, {}, "creating the cart")


@functional_test
def add_and_remove_items(app: App) -> None:
    """Positive counts add items, negative counts remove them, and an item whose count reaches
    zero disappears from the cart."""
    cart = create_cart(app)
    for item_id, count in ((1, 1), (2, 1), (3, 2), (3, -1), (2, -1)):
        add_ok(app, cart, item_id, count)
    expect_items(app, cart, {1: 1, 3: 1},
                 "adding (1, +1), (2, +1), (3, +2), (3, -1), (2, -1)")


@functional_test
def counts_accumulate(app: App) -> None:
    """Adding the same item several times adds up its count."""
    cart = create_cart(app)
    add_ok(app, cart, 7, 2)
    add_ok(app, cart, 7, 3)
    add_ok(app, cart, 8, 10)
    add_ok(app, cart, 8, -4)
    expect_items(app, cart, {7: 5, 8: 6}, "adding (7, +2), (7, +3), (8, +10), (8, -4)")


@functional_test
def carts_are_separate(app: App) -> None:
    """Changes to one cart do not show in another."""
    first, second = create_cart(app), create_cart(app)
    add_ok(app, first, 11, 2)
    add_ok(app, second, 12, 5)
    add_ok(app, second, 11, 1)
    expect_items(app, first, {11: 2}, "adding item 11 x2 to the first cart only")
    expect_items(app, second, {12: 5, 11: 1}, "adding items 12 x5 and 11 x1 to the second cart")


@functional_test
def unknown_cart_is_404(app: App) -> None:
    """Adding to or listing a cart id that was never issued gives 404."""
    create_cart(app)
    r = add(app, UNKNOWN_CART, 1, 1)
    expect(r.status_code == 404,
           f"POST /add_to_cart for an unknown cart: expected status 404, got {r.status_code} "
           f"with body {r.text[:200]!r}")
    r = app.post("/retrieve_cart", json={"cart_id": UNKNOWN_CART}, timeout=TIMEOUT)
    expect(r.status_code == 404,
           f"POST /retrieve_cart for an unknown cart: expected status 404, got {r.status_code} "
           f"with body {r.text[:200]!r}")


@functional_test
def invalid_change_is_400(app: App) -> None:
    """A missing field, or an item_id or count that is not an integer, gives 400 and leaves the
    cart unchanged."""
    cart = create_cart(app)
    add_ok(app, cart, 4, 2)
    cases: list[tuple[dict[str, object], str]] = [
        ({"cart_id": cart, "count": 1}, "no item_id"),
        ({"cart_id": cart, "item_id": 4}, "no count"),
        ({"cart_id": cart, "item_id": "four", "count": 1}, "a string item_id"),
        ({"cart_id": cart, "item_id": 4, "count": "two"}, "a string count"),
        ({"cart_id": cart, "item_id": 4, "count": 1.5}, "a fractional count"),
    ]
    for body, why in cases:
        r = app.post("/add_to_cart", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /add_to_cart with {why} ({body!r}): expected status 400, got "
               f"{r.status_code} with body {r.text[:200]!r}")
    expect_items(app, cart, {4: 2}, "adding item 4 x2 and then only invalid requests")


@functional_test
def removing_too_many_never_goes_negative(app: App) -> None:
    """Removing more items than the cart holds is rejected with 400 (cart unchanged) or removes
    the item: either way no negative count is listed."""
    cart = create_cart(app)
    add_ok(app, cart, 5, 2)
    add_ok(app, cart, 6, 1)
    r = add(app, cart, 5, -3)
    expect(r.status_code in (200, 400),
           f"POST /add_to_cart removing 3 of the 2 items 5 held: expected status 400 or 200, got "
           f"{r.status_code} with body {r.text[:200]!r}")
    expected = {5: 2, 6: 1} if r.status_code == 400 else {6: 1}
    expect_items(app, cart, expected,
                 f"removing 3 of the 2 items 5 held (answered {r.status_code})")
