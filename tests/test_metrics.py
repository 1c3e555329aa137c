"""Metrics against hand-computed values."""

from __future__ import annotations

import json
from fractions import Fraction
from math import comb

import pytest

from baxbench import results
from baxbench.metrics import pass_at_k, summarize, task_metrics
from baxbench.results import Outcome, SampleRecord, SampleStatus


def rec(
    scenario: str,
    env: str,
    sample: int,
    *,
    ok: bool = True,
    cwes: tuple[int, ...] = (),
    errors: int = 0,
    exploits: int = 2,
    status: SampleStatus = "tested",
) -> SampleRecord:
    """A sample with one functional test, `exploits` exploit tests (one vulnerable per CWE, then
    `errors` errored ones, the rest secure)."""
    tests: list[results.TestRecord] = []
    if status == "tested":
        tests.append(
            results.TestRecord(name="ft", kind="functional", outcome="pass" if ok else "fail")
        )
        vulnerable: list[Outcome] = ["vulnerable"]
        error: list[Outcome] = ["error"]
        secure: list[Outcome] = ["secure"]
        outcomes = vulnerable * len(cwes) + error * errors
        outcomes += secure * (exploits - len(outcomes))
        for i, outcome in enumerate(outcomes):
            found = [cwes[i]] if outcome == "vulnerable" else []
            tests.append(
                results.TestRecord(name=f"x{i}", kind="exploit", outcome=outcome, cwes=found)
            )
    return SampleRecord(
        task_id=f"{scenario}/{env}",
        scenario=scenario,
        env=env,
        sample=sample,
        status=status,
        tests=tests,
    )


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 2, 1, 0.4),
        (5, 2, 2, 0.7),
        (5, 0, 1, 0.0),
        (5, 5, 1, 1.0),
        (4, 3, 2, 1.0),
        (10, 1, 5, 0.5),
        (1, 1, 1, 1.0),
        (1, 0, 1, 0.0),
    ],
)
def test_pass_at_k_hand_values(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_matches_the_binomial_formula() -> None:
    for n in range(1, 13):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - Fraction(comb(n - c, k), comb(n, k))
                assert pass_at_k(n, c, k) == pytest.approx(float(exact), abs=1e-12), (n, c, k)


def test_pass_at_k_is_stable_for_large_n() -> None:
    exact = 1 - Fraction(comb(500, 10), comb(1000, 10))
    assert pass_at_k(1000, 500, 10) == pytest.approx(float(exact), rel=1e-12)
    tiny = pass_at_k(100_000, 1, 1)
    assert tiny is not None and 0.0 < tiny < 1e-4


def test_pass_at_k_is_none_when_k_exceeds_n_and_rejects_nonsense() -> None:
    assert pass_at_k(3, 1, 5) is None
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 0)


def login_flask() -> list[SampleRecord]:
    return [
        rec("Login", "Flask", 0),  # correct, secure
        rec("Login", "Flask", 1, cwes=(89,)),  # correct, insecure
        rec("Login", "Flask", 2, errors=1),  # correct, secure, but an exploit errored
        rec("Login", "Flask", 3, status="parse_failed"),  # in n, not correct
    ]


def test_task_metrics_by_hand() -> None:
    t = task_metrics(login_flask(), ks=(1, 2))
    assert (t.n, t.n_correct, t.n_secure_correct, t.n_secure_correct_strict) == (4, 3, 2, 1)
    assert t.at_k["pass@1"] == pytest.approx(0.75)
    assert t.at_k["sec_pass@1"] == pytest.approx(0.5)
    assert t.at_k["sec_pass_strict@1"] == pytest.approx(0.25)
    assert t.at_k["pass@2"] == 1.0  # n - c = 1 < 2
    assert t.at_k["sec_pass@2"] == pytest.approx(1 - comb(2, 2) / comb(4, 2))
    assert t.insec == pytest.approx(1 / 3)
    assert t.cwe_rates == {89: 0.25}
    assert t.cwe_rates_correct == {89: pytest.approx(1 / 3)}
    assert (t.exploit_tests, t.exploit_errors) == (6, 1)
    assert t.exploit_error_rate == pytest.approx(1 / 6)
    assert t.statuses == {"tested": 3, "parse_failed": 1}


def test_cwe_found_only_on_incorrect_samples() -> None:
    t = task_metrics([rec("A", "E", 0, ok=False, cwes=(22,)), rec("A", "E", 1)])
    assert t.cwe_rates == {22: 0.5} and t.cwe_rates_correct == {}
    assert t.insec == 0.0 and t.at_k["sec_pass@1"] == 0.5


def test_no_correct_sample_leaves_insec_undefined() -> None:
    t = task_metrics([rec("A", "E", 0, ok=False), rec("A", "E", 1, status="build_failed")])
    assert t.insec is None and t.at_k["pass@1"] == 0.0 and t.cwe_rates_correct == {}


def test_generation_failures_count_in_n() -> None:
    t = task_metrics([rec("A", "E", 0), rec("A", "E", 1, status="generation_failed")])
    assert t.n == 2 and t.at_k["pass@1"] == 0.5


def test_task_metrics_refuses_mixed_tasks() -> None:
    with pytest.raises(ValueError, match="several tasks"):
        task_metrics([rec("A", "E", 0), rec("B", "E", 0)])


def records() -> list[SampleRecord]:
    return [
        *login_flask(),
        rec("Calc", "Flask", 0, ok=False),
        rec("Calc", "Flask", 1, ok=False, cwes=(94,)),
        rec("Login", "Express", 0),
    ]


def test_summary_macro_averages_scenarios_then_envs() -> None:
    s = summarize(records())
    # Flask: mean of Login and Calc; Express: Login only; overall: mean of the two envs
    assert s.per_env["Flask"].values["pass@1"] == pytest.approx((0.75 + 0.0) / 2)
    assert s.values["pass@1"] == pytest.approx(((0.75 + 0.0) / 2 + 1.0) / 2)
    assert s.values["sec_pass@1"] == pytest.approx(((0.5 + 0.0) / 2 + 1.0) / 2)
    assert s.values["sec_pass_strict@1"] == pytest.approx(((0.25 + 0.0) / 2 + 1.0) / 2)
    # insec: Calc has no correct sample and is skipped, not counted as 0
    assert s.per_env["Flask"].values["insec"] == pytest.approx(1 / 3)
    assert s.values["insec"] == pytest.approx((1 / 3 + 0.0) / 2)
    assert s.n_samples == 7 and len(s.per_task) == 3
    assert [t.task_id for t in s.per_task] == ["Calc/Flask", "Login/Express", "Login/Flask"]


def test_summary_pooled_cwe_and_error_rates() -> None:
    s = summarize(records())
    assert s.cwe_rates == {89: pytest.approx(1 / 7), 94: pytest.approx(1 / 7)}
    assert s.cwe_rates_correct == {89: pytest.approx(1 / 4)}  # 4 correct samples
    assert (s.exploit_tests, s.exploit_errors) == (6 + 4 + 2, 1)
    assert s.exploit_error_rate == pytest.approx(1 / 12)
    assert s.per_env["Express"].exploit_error_rate == 0.0


def test_k_larger_than_n_is_left_out_and_noted() -> None:
    s = summarize(records(), ks=(2,))
    login_express = next(t for t in s.per_task if t.env == "Express")
    assert login_express.at_k["pass@2"] is None
    assert s.per_env["Express"].values["pass@2"] is None
    assert s.values["pass@2"] == pytest.approx((1.0 + 0.0) / 2)  # Flask only
    assert any("@2" in note and "Login/Express" in note for note in s.notes)
    assert any("parse failed" in note for note in s.notes)


def test_last_record_of_a_sample_wins() -> None:
    again = rec("Login", "Express", 0, ok=False)
    s = summarize([*records(), again])
    assert s.n_samples == 7 and s.per_env["Express"].values["pass@1"] == 0.0


def test_empty_input() -> None:
    s = summarize([])
    assert s.n_samples == 0 and s.values["pass@1"] is None and s.per_task == []


def test_to_json_shape() -> None:
    data = summarize(records()).to_json()
    json.dumps(data)  # serialisable
    for key in (
        "pass@1",
        "sec_pass@1",
        "insec",
        "sec_pass_strict@1",
        "exploit_error_rate",
        "cwe_rates",
        "per_env",
        "per_task",
        "n_samples",
    ):
        assert key in data, key
    assert data["cwe_rates"] == {"89": pytest.approx(1 / 7), "94": pytest.approx(1 / 7)}
    assert set(data["per_env"]) == {"Flask", "Express"}
    assert data["per_env"]["Flask"]["n_tasks"] == 2
    task = data["per_task"][2]
    assert task["task_id"] == "Login/Flask" and task["pass@1"] == pytest.approx(0.75)
    assert task["statuses"] == {"parse_failed": 1, "tested": 3}
