"""Terminal and JSON reports."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from baxbench import results
from baxbench.metrics import summarize
from baxbench.report import cell, functional_style, render, render_json, security_style
from baxbench.results import SampleRecord


def rec(
    scenario: str,
    env: str,
    sample: int,
    ok: bool = True,
    cwe: int | None = None,
    error: bool = False,
    status: results.SampleStatus = "tested",
) -> SampleRecord:
    tests = []
    if status == "tested":
        tests = [
            results.TestRecord(name="ft", kind="functional", outcome="pass" if ok else "fail"),
            results.TestRecord(
                name="x",
                kind="exploit",
                outcome="error" if error else ("vulnerable" if cwe else "secure"),
                cwes=[cwe] if cwe else [],
            ),
        ]
    return SampleRecord(
        task_id=f"{scenario}/{env}",
        scenario=scenario,
        env=env,
        sample=sample,
        status=status,
        tests=tests,
    )


RECORDS = [
    rec("Login", "Python-Flask", 0),
    rec("Login", "Python-Flask", 1, cwe=89),
    rec("Login", "Python-Flask", 2, error=True),
    rec("Login", "Python-Flask", 3, status="build_failed"),
    rec("Calculator", "Python-Flask", 0, ok=False, cwe=94),
    rec("Login", "JavaScript-express", 0),
]


def output(width: int = 200, detail: bool = True) -> str:
    console = Console(record=True, width=width, color_system=None)
    render(summarize(RECORDS), console, detail=detail)
    return console.export_text()


@pytest.mark.parametrize(
    ("value", "style"),
    [
        (1.0, "green"),
        (0.76, "green"),
        (0.75, "yellow"),
        (0.25, "yellow"),
        (0.24, "red"),
        (0.0, "red"),
    ],
)
def test_functional_colours(value: float, style: str) -> None:
    assert functional_style(value) == style


@pytest.mark.parametrize(
    ("value", "style"),
    [(0.0, "green"), (0.01, "yellow"), (0.49, "yellow"), (0.5, "red"), (1.0, "red")],
)
def test_security_colours(value: float, style: str) -> None:
    assert security_style(value) == style


def test_cells_pick_the_scale_by_metric() -> None:
    assert cell(0.8, "pass@1").style == "green" and str(cell(0.8, "pass@1")) == "80.0%"
    assert cell(0.8, "insec").style == "red"
    assert cell(0.0, "insec").style == "green" and cell(0.0, "sec_pass@1").style == "red"
    assert str(cell(None, "pass@1")) == "-"


def test_overview_has_env_rows_and_an_overall_row() -> None:
    text = output()
    lines = text.splitlines()
    flask = next(line for line in lines if line.lstrip("│ ").startswith("Python-Flask"))
    overall = next(line for line in lines if "overall" in line)
    # Flask: Login pass@1 = 3/4, Calculator 0 -> mean 37.5%; express 100%; overall 68.8%
    assert "37.5%" in flask
    assert "68.8%" in overall
    assert "pass@1" in text and "sec_pass@1" in text and "insec" in text
    assert "sec_pass_strict@1" in text


def test_task_rows_show_cwes_and_errors() -> None:
    text = output()
    login = next(line for line in text.splitlines() if "Login" in line and "Flask" in line)
    assert "89:25%" in login
    assert "exploit 1/3" in login and "build 1/4" in login
    calc = next(line for line in text.splitlines() if "Calculator" in line)
    assert "94:100%" in calc and "-" in calc  # insec undefined for Calculator


def test_cwe_table_and_notes() -> None:
    text = output()
    assert "CWE-89" in text and "SQL Injection" in text and "CWE-94" in text
    assert "note:" in text and "build failed" in text


def test_overview_only_without_detail() -> None:
    text = output(detail=False)
    assert "per task" not in text and "Calculator" not in text and "overall" in text


def test_empty_summary_says_so() -> None:
    console = Console(record=True, width=100, color_system=None)
    render(summarize([]), console)
    assert "no sample records" in console.export_text()


def test_render_json_round_trips() -> None:
    summary = summarize(RECORDS)
    data = json.loads(render_json(summary))
    assert data == json.loads(json.dumps(summary.to_json()))
    assert data["pass@1"] == pytest.approx((0.375 + 1.0) / 2)
