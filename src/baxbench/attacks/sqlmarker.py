"""Marker tables planted into the app's live database, to observe SQL injection (CWE-89) without
knowing the app's own table names.

After the app created its database, `plant_marker` adds tables only the harness knows:

* `bxb_marker (v TEXT)` with `rows` rows, each holding the marker value (a text that appears in
  no payload): reading it out through an injected `UNION SELECT` or a sub-select proves that the
  payload ran as SQL. `SELECT count(*) FROM bxb_marker` gives a number that only the database
  knows, for payloads whose effect is a count (LIMIT, OFFSET) or a condition.
* `bxb_marker_w<n>` for n = 1..`max_width`: one row of n columns, every one holding the marker
  value, so that `UNION SELECT * FROM bxb_marker_w3` matches a 3-column query without a comma in
  the payload (inputs split on commas stay usable).

Stacked statements are proved by a table they create (`stacked_table(i)`), found afterwards with
`created_tables`. If the marker cannot be planted (no database file at /app/db.sqlite3, a
database in WAL mode, a locked file), `plant_marker` raises `PlantFailed`: an exploit that found
nothing by behaviour alone must then report an error, never "secure".

    marker = plant_marker(app)
    r = app.get("/items", params={"q": f"x' UNION SELECT * FROM {marker.wide(2)} --"})
    if marker.value in r.text: ...
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

MARKER_TABLE = "bxb_marker"
MARKER_VALUE = "bxbmark5c81e2"
STACKED_PREFIX = "bxb_stacked_"


class PlantFailed(RuntimeError):
    """The marker could not be put into the app's database: not a verdict."""


class _Db(Protocol):
    path: str

    def exists(self) -> bool: ...
    def execute(self, script: str) -> None: ...
    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...
    def tables(self) -> list[str]: ...


class _AppLike(Protocol):
    @property
    def db(self) -> _Db: ...


@dataclass(frozen=True)
class Marker:
    table: str
    value: str
    rows: int
    max_width: int

    def wide(self, columns: int) -> str:
        """The table with one row of `columns` marker-valued columns."""
        if not 1 <= columns <= self.max_width:
            raise ValueError(f"no marker table with {columns} columns (max {self.max_width})")
        return f"{self.table}_w{columns}"

    def scalar(self) -> str:
        """A sub-select giving the marker value."""
        return f"(SELECT v FROM {self.table} LIMIT 1)"

    def count(self, plus: int = 0) -> str:
        """A sub-select giving `rows + plus`, a number known only to the database."""
        return f"(SELECT count(*){f'+{plus}' if plus else ''} FROM {self.table})"

    def found_in(self, text: str) -> bool:
        return self.value in text


def plant_marker(app: _AppLike, rows: int = 2, max_width: int = 6,
                 table: str = MARKER_TABLE, value: str = MARKER_VALUE) -> Marker:
    """Create the marker tables in the app's live database (see the module text)."""
    db = app.db
    if not db.exists():
        raise PlantFailed(
            f"no database file at {db.path}: the marker for SQL injection checks cannot be "
            "planted (the app keeps its data elsewhere or has not created its database)")
    statements = [f"CREATE TABLE IF NOT EXISTS {table} (v TEXT)", f"DELETE FROM {table}"]
    statements += [f"INSERT INTO {table} (v) VALUES ('{value}')"] * rows
    for n in range(1, max_width + 1):
        cols = ", ".join(f"c{i} TEXT" for i in range(1, n + 1))
        vals = ", ".join(f"'{value}'" for _ in range(n))
        statements += [f"DROP TABLE IF EXISTS {table}_w{n}", f"CREATE TABLE {table}_w{n} ({cols})",
                       f"INSERT INTO {table}_w{n} VALUES ({vals})"]
    try:
        db.execute(";\n".join(statements) + ";")
        got = db.query(f"SELECT count(*) FROM {table} WHERE v = ?", (value,))
    except (sqlite3.Error, OSError) as e:
        raise PlantFailed(f"cannot plant the marker into {db.path}: {e}") from e
    if not got or got[0][0] != rows:
        raise PlantFailed(f"the marker planted into {db.path} does not read back ({got!r})")
    return Marker(table, value, rows, max_width)


def stacked_table(i: int) -> str:
    """The name of the table that stacked payload number `i` creates."""
    return f"{STACKED_PREFIX}{i}"


def created_tables(app: _AppLike, names: Iterable[str]) -> list[str]:
    """The tables of `names` that now exist in the app's database."""
    wanted = {n.lower() for n in names}
    try:
        return sorted(t for t in app.db.tables() if t.lower() in wanted)
    except (sqlite3.Error, OSError):
        return []
