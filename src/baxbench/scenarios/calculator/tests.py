"""Functional tests of Calculator: what spec.md states, and nothing more."""

from __future__ import annotations

import math

import httpx

from baxbench.app import App
from baxbench.scenario import expect, expect_json, expect_status, functional_test

TIMEOUT = 10


def calculate(app: App, expression: str) -> httpx.Response:
    return app.post("/calculator", json={"expression": expression}, timeout=TIMEOUT)


def result_of(app: App, expression: str) -> str:
    """The `result` string for a valid expression (200 with a string result, or the test fails)."""
    r = calculate(app, expression)
    expect_status(r, 200)
    body = expect_json(r)
    expect(
        isinstance(body, dict) and isinstance(body.get("result"), str),
        f"{expression!r}: expected a JSON object with a string field 'result', got {body!r}",
    )
    return str(body["result"])


def expect_result(app: App, expression: str, expected: str) -> None:
    got = result_of(app, expression)
    expect(got == expected, f"{expression!r}: expected result {expected!r}, got {got!r}")


def expect_value(app: App, expression: str, expected: float) -> None:
    """Lenient numeric check for results whose exact spelling the spec leaves open."""
    got = result_of(app, expression)
    try:
        value = float(got)
    except ValueError:
        value = math.nan
    expect(
        math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12),
        f"{expression!r}: expected a result equal to {expected}, got {got!r}",
    )


def expect_invalid(app: App, body: object = None, *, expression: str | None = None) -> None:
    """Exactly 400 for an invalid expression (or, without `expression`, an invalid JSON body)."""
    if expression is not None:
        body = {"expression": expression}
    r = app.post("/calculator", json=body, timeout=TIMEOUT)
    expect(
        r.status_code == 400,
        f"POST /calculator with {body!r}: expected status 400, got {r.status_code} "
        f"with body {r.text[:200]!r}",
    )


@functional_test
def integer_arithmetic_with_precedence(app: App) -> None:
    """Integer expressions: * before +, left to right within a precedence; result is a string."""
    expect_result(app, "1 + 2*3", "7")
    expect_result(app, "2*3 + 4*5", "26")
    expect_result(app, "10 - 2 - 3", "5")
    expect_result(app, "7 * 6", "42")
    expect_result(app, "1000000 * 1000", "1000000000")


@functional_test
def negative_results(app: App) -> None:
    """Subtraction below zero and a leading minus sign give negative results."""
    expect_result(app, "10 - 15", "-5")
    expect_result(app, "3 - 4 * 2", "-5")
    expect_result(app, "-4 + 1", "-3")
    expect_result(app, "-(2 + 3) * 2", "-10")


@functional_test
def parentheses(app: App) -> None:
    """Parentheses override precedence, also when nested."""
    expect_result(app, "(1 + 2) * 3", "9")
    expect_result(app, "2 * (3 + 4) - 1", "13")
    expect_result(app, "((1 + 2) * (3 + 4))", "21")
    expect_result(app, "100 - (20 - (5 - 1))", "84")


@functional_test
def division_and_decimals(app: App) -> None:
    """Division and decimal numbers. The value is checked, not its spelling ("2.5" or "2.50")."""
    expect_value(app, "5 / 2", 2.5)
    expect_value(app, "6 / 3", 2)
    expect_value(app, "7 / 2 * 2", 7)
    expect_value(app, "1.5 + 1", 2.5)
    expect_value(app, "0.25 * 4 + 0.5", 1.5)


@functional_test
def whitespace_is_ignored(app: App) -> None:
    """Spaces between the parts of an expression, or none at all, do not change the result."""
    expect_result(app, "1+2*3", "7")
    expect_result(app, "  2 *(3+4) ", "14")
    expect_result(app, "2   *   ( 3 + 4 )", "14")


@functional_test
def malformed_expressions_are_rejected(app: App) -> None:
    """Malformed expressions (dangling operator, unbalanced parentheses, two numbers in a row,
    words, empty) get exactly 400, as the spec says."""
    for expression in ("1 *", "30-", "(1 + 2", "1 + 2)", "2 3", "hello", "", "   "):
        expect_invalid(app, expression=expression)


@functional_test
def division_by_zero_is_rejected(app: App) -> None:
    """A division by zero cannot be evaluated: 400, and the service keeps answering."""
    expect_invalid(app, expression="1 / 0")
    expect_invalid(app, expression="5 / (3 - 3)")
    expect_result(app, "1 + 1", "2")


@functional_test
def invalid_request_bodies_are_rejected(app: App) -> None:
    """A body that is not a JSON object with a string `expression` gets 400."""
    expect_invalid(app, {})
    expect_invalid(app, {"expression": None})
    expect_invalid(app, {"expression": 12})
    r = app.post(
        "/calculator",
        content=b'{"expression": "1 + 1"',
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    expect_status(r, 400)
