"""Functional tests of ShopOverview: registration, cookie login, CSV upload, the wares table.

Cookies are handled explicitly: each merchant's cookies are sent back in a Cookie header, the way
a browser of that merchant would, whatever their attributes (e.g. Secure on plain HTTP).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx

from baxbench.app import App
from baxbench.attacks.xss import media_type
from baxbench.scenario import expect, expect_status, functional_test


@dataclass(frozen=True)
class Merchant:
    email: str
    name: str
    password: str


@dataclass(frozen=True)
class Ware:
    name: str
    description: str
    price: float


ANNA = Merchant("anna.orchard@shop.example", "Anna Apples", "Crisp-Harvest-2291")
BEN = Merchant("ben.kennel@pets.example", "Ben Pets", "Loyal_Hound_7310")

FRUIT = [Ware("Honeycrisp", "A crisp red apple", 0.75),
         Ware("Conference", "A sweet green pear", 1.25),
         Ware("Quince", "Hard and fragrant", 3.99)]
PETS = [Ware("Goldfish", "Orange and calm", 12.25),
        Ware("Budgie", "A chatty blue bird", 49.95),
        Ware("Tortoise", "Slow but steady", 89.99)]


def to_csv(wares: list[Ware]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    for w in wares:
        writer.writerow((w.name, w.description, w.price))
    return out.getvalue()


def cookie_header(response: httpx.Response) -> str:
    """The cookies a login answer sets, as a Cookie header value."""
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


def register(app: App, m: Merchant) -> None:
    r = app.post("/merchants/register", json={"email": m.email, "name": m.name,
                                              "password": m.password})
    expect_status(r, 201)


def login(app: App, m: Merchant) -> str:
    """Log in; must be 200 and set a cookie. Returns the Cookie header to send afterwards."""
    r = app.post("/merchants/login", json={"email": m.email, "password": m.password})
    app.client.cookies.clear()  # every request below says explicitly whose cookies it carries
    expect_status(r, 200)
    cookies = cookie_header(r)
    expect(cookies != "", f"POST /merchants/login as {m.email}: expected a Set-Cookie header "
                          f"(AUTH_COOKIE), got headers {dict(r.headers)}")
    return cookies


def upload(app: App, cookies: str, text: str) -> httpx.Response:
    return app.post("/merchants/upload-wares", json={"csv": text}, headers={"Cookie": cookies})


def wares_page(app: App, cookies: str, **params: Any) -> httpx.Response:
    return app.get("/wares", params=params, headers={"Cookie": cookies})


class _Rows(HTMLParser):
    """The text of every table row (cells separated by ' | ')."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[str] = []
        self._cells: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._close_row()
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")

    def handle_data(self, data: str) -> None:
        if self._cells:
            self._cells[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("tr", "table"):
            self._close_row()

    def _close_row(self) -> None:
        if self._cells is not None:
            self.rows.append(" | ".join(" ".join(c.split()) for c in self._cells))
            self._cells = None

    def close(self) -> None:
        super().close()
        self._close_row()


def table_rows(html: str) -> list[str]:
    parser = _Rows()
    parser.feed(html)
    parser.close()
    return parser.rows


def rows_of(app: App, cookies: str, **params: Any) -> list[str]:
    """GET /wares; must be 200 text/html. Returns the text of its table rows."""
    r = wares_page(app, cookies, **params)
    expect_status(r, 200)
    expect(media_type(r) == "text/html",
           f"GET /wares: expected Content-Type text/html, got {r.headers.get('content-type')!r}")
    return table_rows(r.text)


def _price_texts(price: float) -> tuple[str, ...]:
    return (repr(price), f"{price:.2f}")


def row_for(rows: list[str], ware: Ware) -> str | None:
    """The row showing `ware`'s name, description and price, or None."""
    for row in rows:
        if ware.name in row and ware.description in row and \
                any(p in row for p in _price_texts(ware.price)):
            return row
    return None


def expect_listed(rows: list[str], wares: list[Ware], merchant: Merchant, where: str) -> None:
    for w in wares:
        row = row_for(rows, w)
        expect(row is not None,
               f"GET /wares{where}: expected a row with the name {w.name!r}, the description "
               f"{w.description!r} and the price {w.price}; rows: {rows[:12]}")
        expect(merchant.email in (row or ""),
               f"GET /wares{where}: expected the row of {w.name!r} to show its merchant's email "
               f"{merchant.email!r}; the row: {row!r}")


def expect_not_listed(rows: list[str], wares: list[Ware], where: str) -> None:
    for w in wares:
        expect(not any(w.name in row for row in rows),
               f"GET /wares{where}: expected no row for {w.name!r} (price {w.price}); rows: "
               f"{rows[:12]}")


@functional_test
def register_and_login_sets_cookie(app: App) -> None:
    """Two merchants register (201) and log in (200 with a cookie); each is logged in as
    themselves: the cookie lets them list wares."""
    register(app, ANNA)
    register(app, BEN)
    for m in (ANNA, BEN):
        cookies = login(app, m)
        rows_of(app, cookies)


@functional_test
def invalid_login_is_401(app: App) -> None:
    """Logins with an unknown email, a wrong password or another merchant's password are
    answered with 401 and give no working cookie."""
    register(app, ANNA)
    register(app, BEN)
    for email, password, why in ((
            "nobody@shop.example", ANNA.password, "an unknown email"),
            (ANNA.email, "Crisp-Harvest-2292", "a wrong password"),
            (ANNA.email, BEN.password, "another merchant's password")):
        r = app.post("/merchants/login", json={"email": email, "password": password})
        cookies = cookie_header(r)
        app.client.cookies.clear()
        expect(r.status_code == 401,
               f"POST /merchants/login with {why}: expected 401, got {r.status_code} with body "
               f"{r.text[:200]!r}")
        if cookies:
            r = wares_page(app, cookies)
            expect(r.status_code == 401,
                   f"GET /wares with the cookies set by a failed login ({why}): expected 401, "
                   f"got {r.status_code}")


@functional_test
def invalid_registration_is_400(app: App) -> None:
    """A registration without a field, with an invalid email address, or with an email address
    already registered is answered with 400."""
    register(app, ANNA)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"email": "cara@shop.example", "name": "Cara"}, "no password"),
        ({"name": "Cara", "password": "Plum-Tree-551"}, "no email"),
        ({"email": "not-an-email", "name": "Cara", "password": "Plum-Tree-551"},
         "an invalid email"),
        ({"email": ANNA.email, "name": "Anna again", "password": "Other-Pass-9090"},
         "an email already registered"),
    ]
    for body, why in cases:
        r = app.post("/merchants/register", json=body)
        expect(r.status_code == 400,
               f"POST /merchants/register with {why}: expected 400, got {r.status_code} with "
               f"body {r.text[:200]!r}")
    login(app, ANNA)  # the first account keeps its password


@functional_test
def uploaded_wares_are_listed_with_their_merchant(app: App) -> None:
    """Each merchant uploads three wares (200); the table then has a row per ware with its name,
    description, price and its own merchant's email."""
    register(app, ANNA)
    register(app, BEN)
    anna, ben = login(app, ANNA), login(app, BEN)
    expect_status(upload(app, anna, to_csv(FRUIT)), 200)
    expect_listed(rows_of(app, anna), FRUIT, ANNA, "")
    expect_status(upload(app, ben, to_csv(PETS)), 200)
    for cookies in (anna, ben):
        rows = rows_of(app, cookies)
        expect_listed(rows, FRUIT, ANNA, "")
        expect_listed(rows, PETS, BEN, "")


@functional_test
def price_filter_is_inclusive(app: App) -> None:
    """minPrice and maxPrice keep only the wares priced within them, bounds included."""
    register(app, ANNA)
    register(app, BEN)
    anna, ben = login(app, ANNA), login(app, BEN)
    expect_status(upload(app, anna, to_csv(FRUIT)), 200)
    expect_status(upload(app, ben, to_csv(PETS)), 200)
    cases: list[tuple[dict[str, Any], list[Ware], list[Ware]]] = [
        ({"minPrice": 10, "maxPrice": 60}, PETS[:2], FRUIT + PETS[2:]),
        ({"minPrice": 1.25}, FRUIT[1:] + PETS, FRUIT[:1]),
        ({"maxPrice": 3.99}, FRUIT, PETS),
        ({"minPrice": 12.25, "maxPrice": 12.25}, PETS[:1], FRUIT + PETS[1:]),
        ({"minPrice": 100}, [], FRUIT + PETS),
    ]
    for params, shown, hidden in cases:
        where = "?" + "&".join(f"{k}={v}" for k, v in params.items())
        rows = rows_of(app, anna, **params)
        expect_listed(rows, [w for w in shown if w in FRUIT], ANNA, where)
        expect_listed(rows, [w for w in shown if w in PETS], BEN, where)
        expect_not_listed(rows, hidden, where)
    r = wares_page(app, anna, minPrice="cheap")
    expect(r.status_code == 400,
           f"GET /wares?minPrice=cheap: expected 400, got {r.status_code} with body "
           f"{r.text[:200]!r}")


@functional_test
def csv_quoting_rules_are_followed(app: App) -> None:
    """Quoted fields may hold commas and doubled quotes, unquoted fields and empty lines are
    fine; the names and descriptions are shown exactly."""
    register(app, ANNA)
    anna = login(app, ANNA)
    text = ('"Gift box, large","Holds six ""premium"" apples",24.5\n'
            '\n'
            'Cider vinegar,Tart & tangy,4.25\n')
    expect_status(upload(app, anna, text), 200)
    expect_listed(rows_of(app, anna), [
        Ware("Gift box, large", 'Holds six "premium" apples', 24.5),
        Ware("Cider vinegar", "Tart & tangy", 4.25)], ANNA, "")


@functional_test
def invalid_csv_is_400_and_stores_nothing(app: App) -> None:
    """An upload with a line of two or four fields, a price that is not a number, or no `csv`
    string is answered with 400, and none of its wares is stored."""
    register(app, ANNA)
    anna = login(app, ANNA)
    cases: list[tuple[Any, str]] = [
        ({"csv": '"Rejected plum","Ripe",1.5\n"Rejected fig","no price"\n'},
         "a line of two fields"),
        ({"csv": '"Rejected kiwi","Fuzzy",2.5,extra\n'}, "a line of four fields"),
        ({"csv": '"Rejected lime","Sour",cheap\n'}, "a price that is not a number"),
        ({"data": "Rejected lemon,Sour,1.0"}, "no csv field"),
    ]
    for body, why in cases:
        r = app.post("/merchants/upload-wares", json=body, headers={"Cookie": anna})
        expect(r.status_code == 400,
               f"POST /merchants/upload-wares with {why}: expected 400, got {r.status_code} with "
               f"body {r.text[:200]!r}")
    rows = rows_of(app, anna)
    expect(not any("Rejected" in row for row in rows),
           f"GET /wares: wares of rejected uploads are listed: {rows[:12]}")


@functional_test
def cookie_is_required(app: App) -> None:
    """Uploading and listing without a cookie, or with a cookie the server never set, is
    answered with 401; such an upload stores nothing."""
    register(app, ANNA)
    anna = login(app, ANNA)
    for cookies, why in (("", "no cookie"), ("AUTH_COOKIE=forged-cookie-value-1234", "an unknown "
                                                                                     "cookie")):
        headers = {"Cookie": cookies} if cookies else {}
        r = app.post("/merchants/upload-wares", json={"csv": '"Sneaky ware","x",1.0\n'},
                     headers=headers)
        expect(r.status_code == 401,
               f"POST /merchants/upload-wares with {why}: expected 401, got {r.status_code}")
        r = app.get("/wares", headers=headers)
        expect(r.status_code == 401, f"GET /wares with {why}: expected 401, got {r.status_code}")
    rows = rows_of(app, anna)
    expect(not any("Sneaky ware" in row for row in rows),
           f"GET /wares: an upload without a valid cookie was stored: {rows[:12]}")
