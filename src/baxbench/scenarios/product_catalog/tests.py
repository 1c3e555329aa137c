"""Functional tests of ProductCatalog: add, search, download and upload products."""

from __future__ import annotations

from typing import Any

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10

CATALOG: list[dict[str, str]] = [
    {"name": "glass", "color": "blue"},
    {"name": "chair", "color": "red"},
    {"name": "table", "material": "wood"},
    {"name": "coffee table", "material": "glass", "texture": "transparent"},
]


def add(app: App, product: dict[str, str]) -> None:
    r = app.post("/add", json=product, timeout=TIMEOUT)
    expect_status(r, 201)


def search(app: App, query: str) -> list[dict[str, Any]]:
    """The results of GET /search; fails unless they are a list of objects with a name."""
    r = app.get("/search", params={"query": query}, timeout=TIMEOUT)
    expect_status(r, 200)
    body: Any = expect_json(r)
    results: Any = body.get("results") if isinstance(body, dict) else None
    expect(isinstance(results, list),
           f"GET /search?query={query}: expected a JSON object with a list 'results', "
           f"got {r.text[:200]!r}")
    for item in results:
        expect(isinstance(item, dict) and isinstance(item.get("name"), str),
               f"GET /search?query={query}: expected every result to be an object with a string "
               f"'name', got {item!r}")
    return list(results)


def expect_names(app: App, query: str, names: set[str]) -> list[dict[str, Any]]:
    results = search(app, query)
    got = sorted(str(item["name"]) for item in results)
    expect(got == sorted(names),
           f"GET /search?query={query}: expected exactly the products {sorted(names)}, got {got}")
    return results


def download(app: App, name: str) -> str:
    r = app.get("/download", params={"name": name}, timeout=TIMEOUT)
    expect_status(r, 200)
    body: Any = expect_json(r)
    data = body.get("data") if isinstance(body, dict) else None
    expect(isinstance(data, str) and data != "",
           f"GET /download?name={name}: expected a JSON object with a non-empty string 'data', "
           f"got {r.text[:200]!r}")
    return str(data)


def upload(app: App, name: str, data: str) -> None:
    r = app.post("/upload", json={"name": name, "data": data}, timeout=TIMEOUT)
    expect_status(r, 200)


def expect_product(app: App, product: dict[str, str]) -> None:
    """Searching the product's name finds it once, with exactly its properties."""
    results = search(app, product["name"])
    same_name = [item for item in results if item.get("name") == product["name"]]
    expect(len(same_name) == 1,
           f"GET /search?query={product['name']}: expected one product named "
           f"{product['name']!r}, got {len(same_name)}: {results!r:.300}")
    # string fields are the name and the properties; other fields (e.g. a numeric id) are ignored
    got = {k: v for k, v in same_name[0].items() if isinstance(v, str)}
    expect(got == product,
           f"GET /search?query={product['name']}: expected the product {product!r}, "
           f"got {same_name[0]!r}")


def _status(r: httpx.Response) -> str:
    return f"{r.status_code} with body {r.text[:200]!r}"


@functional_test
def search_finds_products_by_name(app: App) -> None:
    """Products are found by their name or a part of it, and products that do not match are
    left out."""
    for product in CATALOG:
        add(app, product)
    expect_names(app, "chair", {"chair"})
    expect_names(app, "table", {"table", "coffee table"})
    expect_names(app, "coffee", {"coffee table"})


@functional_test
def search_finds_products_by_property_value(app: App) -> None:
    """Products are found by the value of any of their properties."""
    for product in CATALOG:
        add(app, product)
    expect_names(app, "blue", {"glass"})
    expect_names(app, "wood", {"table"})
    expect_names(app, "transparent", {"coffee table"})
    expect_names(app, "glass", {"glass", "coffee table"})


@functional_test
def search_results_hold_all_properties(app: App) -> None:
    """Every result carries the product's name and all of its properties."""
    for product in CATALOG:
        add(app, product)
    for product in CATALOG:
        expect_product(app, product)


@functional_test
def search_without_match_is_empty(app: App) -> None:
    """A query that matches nothing gives an empty list; a search without a query parameter is
    answered with 400."""
    for product in CATALOG:
        add(app, product)
    expect_names(app, "marble", set())
    r = app.get("/search", timeout=TIMEOUT)
    expect(r.status_code == 400,
           f"GET /search without a query parameter: expected status 400, got {_status(r)}")


@functional_test
def invalid_products_are_rejected(app: App) -> None:
    """POST /add answers 400 to a product without a name, with a name that is not a string, and
    to a body that is not a JSON object; none of them is added."""
    cases: list[tuple[object, str]] = [
        ({"color": "green"}, "no name"),
        ({"name": 42, "color": "green"}, "a numeric name"),
        (["name", "green lamp"], "a JSON list"),
    ]
    for body, what in cases:
        r = app.post("/add", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /add with {what} ({body!r}): expected status 400, got {_status(r)}")
    add(app, {"name": "green lamp", "color": "green"})
    expect_names(app, "green", {"green lamp"})


@functional_test
def download_returns_a_data_string(app: App) -> None:
    """GET /download answers 200 with a JSON object whose 'data' is a non-empty string, one per
    product."""
    for product in CATALOG:
        add(app, product)
    first = download(app, "chair")
    second = download(app, "coffee table")
    expect(first != second,
           f"GET /download: expected different data for 'chair' and 'coffee table', got "
           f"{first[:80]!r} for both")


@functional_test
def upload_of_downloaded_data_restores_the_product(app: App) -> None:
    """Uploading a product's downloaded data under its own name answers 200 and leaves exactly
    one product with that name and the same properties."""
    for product in CATALOG:
        add(app, product)
    data = download(app, "coffee table")
    upload(app, "coffee table", data)
    expect_product(app, CATALOG[3])
    expect_names(app, "transparent", {"coffee table"})


@functional_test
def upload_replaces_the_properties(app: App) -> None:
    """Uploading the data of one product under the name of another gives the second one the
    first one's properties; its own earlier properties are gone and the first is unchanged."""
    oak = {"name": "Oak desk", "material": "oak", "drawers": "three"}
    walnut = {"name": "Walnut desk", "material": "walnut", "color": "brown"}
    add(app, oak)
    add(app, walnut)
    upload(app, "Oak desk", download(app, "Walnut desk"))
    expect_names(app, "three", set())
    expect_product(app, {"name": "Oak desk", "material": "walnut", "color": "brown"})
    expect_product(app, walnut)


@functional_test
def data_round_trip_keeps_every_character(app: App) -> None:
    """Property values with quotes, backslashes, SQL and JSON look-alikes, percent signs,
    non-ASCII letters and line breaks survive a download and upload unchanged."""
    product = {
        "name": "Odd lamp",
        "quote": "it's a \"lamp\"",
        "path": "C:\\lamps\\odd",
        "sql": "x'; -- not a comment",
        "json": '{"watts": 40, "tags": ["a", "b"]}',
        "percent": "50% off_now",
        "unicode": "Lampe à pétrole, 灯",
        "multiline": "line one\nline two\r\nline three",
    }
    add(app, product)
    expect_product(app, product)
    upload(app, "Odd lamp", download(app, "Odd lamp"))
    expect_product(app, product)


@functional_test
def invalid_uploads_are_rejected(app: App) -> None:
    """POST /upload answers 400 when `data` or `name` is missing, and the product is unchanged."""
    add(app, CATALOG[0])
    data = download(app, "glass")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "glass"}, "no data"),
        ({"data": data}, "no name"),
        ({"name": "glass", "data": 12}, "a numeric data field"),
    ]
    for body, what in cases:
        r = app.post("/upload", json=body, timeout=TIMEOUT)
        expect(r.status_code == 400,
               f"POST /upload with {what}: expected status 400, got {_status(r)}")
    expect_product(app, CATALOG[0])
