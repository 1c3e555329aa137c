"""`baxbench validate`: prove every functional test and exploit on the reference solutions.

Secure reference: every functional test passes, no finding, no error. Vulnerable variant: each
named exploit reports the named CWEs (and, unless the variant says otherwise, every functional
test still passes). With `calibrate`, resource exploits are measured on the secure references and
their budgets are written to the scenario's calibration.yaml.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from baxbench.env import Env
from baxbench.parse import write_files
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.scenario import Exploit, FunctionalTest, Reference, Scenario

MB = 1024 * 1024
# budget = max(floor, margin x the most the secure references used)
CALIBRATION_MARGIN = 5.0
MEMORY_FLOOR_MB = 64.0
CPU_FLOOR_S = 2.0


@dataclass
class ValidationResult:
    scenario: str
    env: str
    variant: str  # "secure" or the variant name
    ok: bool
    problems: list[str] = field(default_factory=list)
    record: SampleRecord | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.scenario, "env": self.env,
                               "variant": self.variant, "ok": self.ok, "problems": self.problems}
        if self.record is not None:
            out["tests"] = [
                {"name": t.name, "kind": t.kind, "outcome": t.outcome, "cwes": t.cwes,
                 "message": t.message[:500],
                 "findings": [{"cwe": f.cwe, "source": f.source, "evidence": f.evidence[:300]}
                              for f in t.findings],
                 "ms": round(t.timings.start_ms + t.timings.test_ms + t.timings.teardown_ms, 1)}
                for t in self.record.tests
            ]
        return out


def check_secure(record: SampleRecord) -> list[str]:
    if record.status != "tested":
        return [f"{record.status}: {record.error[:1000]}"]
    problems = []
    for t in record.tests:
        if t.kind == "functional" and t.outcome != "pass":
            problems.append(f"functional test {t.name} failed: {t.message[:800]}")
        elif t.kind == "exploit" and t.outcome != "secure":
            detail = "; ".join(f"CWE-{f.cwe} ({f.source}): {f.evidence[:300]}" for f in t.findings)
            problems.append(f"exploit {t.name} -> {t.outcome}: {detail or t.message[:800]}")
        elif t.kind == "functional" and t.cwes:
            problems.append(f"functional test {t.name} triggered CWEs {t.cwes}: "
                            + "; ".join(f.evidence[:300] for f in t.findings))
    return problems


def check_variant(record: SampleRecord, exploits: tuple[str, ...], cwes: tuple[int, ...],
                  functional: bool) -> list[str]:
    if record.status != "tested":
        return [f"{record.status}: {record.error[:1000]}"]
    problems = []
    by_name = {t.name: t for t in record.tests}
    for name in exploits:
        t = by_name.get(name)
        if t is None:
            problems.append(f"exploit {name} does not exist")
            continue
        missing = sorted(set(cwes) - set(t.cwes))
        if t.outcome != "vulnerable" or missing:
            problems.append(f"exploit {name} did not catch the variant: outcome {t.outcome}, "
                            f"CWEs {t.cwes}, expected {sorted(cwes)}; {t.message[:500]}")
    if functional:
        for t in record.tests:
            if t.kind == "functional" and t.outcome != "pass":
                problems.append(
                    f"functional test {t.name} failed on the variant: {t.message[:500]}")
    return problems


def _job(scenario: Scenario, env: Env, files: dict[str, str], tmp: Path, label: str,
         tests: list[FunctionalTest | Exploit] | None, variant: str) -> SampleJob:
    work = tmp / scenario.id / env.dirname / label
    code = work / "code"
    code.mkdir(parents=True)
    write_files(files, code)
    return SampleJob(scenario=scenario, env=env, sample=0, code_dir=code, work_dir=work,
                     tests=tests, variant=variant)


def validate(scenarios: list[Scenario], envs: list[Env], runner: Runner,
             repeat: int = 1) -> list[ValidationResult]:
    """Validate every (scenario, env, variant) that has a reference; `repeat` runs each again."""
    tmp = Path(tempfile.mkdtemp(prefix="baxbench-validate-"))
    pending: list[tuple[Scenario, Env, str, Future[SampleRecord], Any]] = []
    results: list[ValidationResult] = []
    for scenario in scenarios:
        for env in envs:
            ref = scenario.reference(env.id)
            if ref is None:
                continue
            for r in range(repeat):
                _submit_reference(scenario, env, ref, runner, tmp, r, pending, results)
    try:
        for scenario, env, variant, fut, check in pending:
            record = fut.result()
            problems = check(record)
            results.append(ValidationResult(scenario.id, env.id, variant, not problems, problems,
                                            record))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def _submit_reference(scenario: Scenario, env: Env, ref: Reference, runner: Runner, tmp: Path,
                      r: int, pending: list[Any], results: list[ValidationResult]) -> None:
    job = _job(scenario, env, ref.files, tmp, f"secure-{r}", None, "secure")
    pending.append((scenario, env, "secure", runner.submit(job), check_secure))
    exploits = {e.name: e for e in scenario.exploits}
    try:
        variants = ref.variants
    except Exception as e:  # noqa: BLE001 - a malformed variants.yaml is a validation problem
        results.append(ValidationResult(scenario.id, env.id, "variants.yaml", False,
                                        [f"cannot read variants.yaml: {e}"]))
        return
    covered = {name for v in variants for name in v.exploits}
    for name in sorted(set(exploits) - covered):
        if r == 0:
            results.append(ValidationResult(scenario.id, env.id, f"(exploit {name})", False,
                                            [f"no vulnerable variant proves exploit {name}"]))
    for v in variants:
        try:
            files = ref.variant_files(v.name)
        except Exception as e:  # noqa: BLE001
            results.append(ValidationResult(scenario.id, env.id, v.name, False, [str(e)]))
            continue
        tests: list[FunctionalTest | Exploit] = []
        if v.functional:
            tests.extend(scenario.functional_tests)
        unknown = [n for n in v.exploits if n not in exploits]
        if unknown:
            results.append(ValidationResult(scenario.id, env.id, v.name, False,
                                            [f"unknown exploit(s) {unknown}"]))
            continue
        tests.extend(exploits[n] for n in v.exploits)
        job = _job(scenario, env, files, tmp, f"{v.name}-{r}", tests, v.name)
        cwes = tuple(c.number for c in v.cwes)

        def check(rec: SampleRecord, v: Any = v, cwes: tuple[int, ...] = cwes) -> list[str]:
            return check_variant(rec, v.exploits, cwes, v.functional)

        pending.append((scenario, env, v.name, runner.submit(job), check))


def calibrate(scenario: Scenario, results: list[ValidationResult]) -> dict[str, Any] | None:
    """Budgets for the scenario's resource exploits from the secure runs in `results`."""
    resource = [e for e in scenario.exploits if e.resource]
    if not resource:
        return None
    data: dict[str, Any] = {}
    for e in resource:
        measured: dict[str, dict[str, float]] = {}
        for res in results:
            if res.scenario != scenario.id or res.variant != "secure" or res.record is None:
                continue
            for t in res.record.tests:
                if t.name == e.name and t.resources is not None:
                    m = measured.setdefault(res.env, {"memory_growth_mb": 0.0, "cpu_seconds": 0.0})
                    m["memory_growth_mb"] = round(max(m["memory_growth_mb"],
                                                      t.resources.memory_growth_bytes / MB), 1)
                    m["cpu_seconds"] = round(max(m["cpu_seconds"], t.resources.cpu_seconds), 2)
        if not measured:
            continue
        mem = max(v["memory_growth_mb"] for v in measured.values())
        cpu = max(v["cpu_seconds"] for v in measured.values())
        data[e.name] = {"measured": measured, "budget": _budget(mem, cpu)}
    return data


def _budget(memory_mb: float, cpu_s: float) -> dict[str, float]:
    return {"memory_growth_mb": round(max(MEMORY_FLOOR_MB, memory_mb * CALIBRATION_MARGIN), 1),
            "cpu_seconds": round(max(CPU_FLOOR_S, cpu_s * CALIBRATION_MARGIN), 2)}


def write_calibration(scenario: Scenario, data: dict[str, Any]) -> Path:
    path = scenario.folder / "calibration.yaml"
    old = scenario.calibration
    merged = {**old, **data}
    for name, entry in data.items():  # keep measurements of envs not validated this time
        prev = old.get(name, {}).get("measured", {})
        entry["measured"] = {**prev, **entry["measured"]}
        mem = max(v["memory_growth_mb"] for v in entry["measured"].values())
        cpu = max(v["cpu_seconds"] for v in entry["measured"].values())
        entry["budget"] = _budget(mem, cpu)
        merged[name] = entry
    header = ("# Resource budgets for CWE-400, written by `baxbench validate --calibrate`:\n"
              f"# budget = max(floor, {CALIBRATION_MARGIN:g} x the most a secure reference "
              "used).\n")
    path.write_text(header + yaml.safe_dump(merged, sort_keys=True))
    return path
