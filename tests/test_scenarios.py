"""Every scenario folder follows the rules: specs agree, enough tests, references complete."""

from __future__ import annotations

import re

import pytest

from baxbench.cwe import CWE
from baxbench.scenario import CANARY
from baxbench.scenarios import all_scenarios, scenario_errors

SCENARIOS = list(all_scenarios().values())
METHODS = ("get", "post", "put", "delete", "patch")


def test_registry_is_not_empty_and_every_package_loads() -> None:
    assert {"Calculator", "Login", "SongDownloader"} <= set(all_scenarios())
    assert not scenario_errors(), f"scenario packages failed to import: {scenario_errors()}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_prose_names_every_openapi_operation(scenario) -> None:  # type: ignore[no-untyped-def]
    spec = scenario.openapi_dict
    assert spec.get("openapi", "").startswith("3."), "openapi.yaml must be OpenAPI 3"
    prose = scenario.spec_text
    for path, ops in spec["paths"].items():
        for method in ops:
            if method not in METHODS:
                continue
            # the prose must name the method next to the path, e.g. "POST /login"
            pattern = rf"{method.upper()}\s+`?{re.escape(path)}`?"
            assert re.search(pattern, prose), f"{scenario.id}: prose lacks {method.upper()} {path}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_prose_names_every_documented_status(scenario) -> None:  # type: ignore[no-untyped-def]
    for path, ops in scenario.openapi_dict["paths"].items():
        for method, op in ops.items():
            if method not in METHODS:
                continue
            for status in op.get("responses", {}):
                assert str(status) in scenario.spec_text, (
                    f"{scenario.id}: status {status} of {method.upper()} {path} not in the prose")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_has_enough_tests_and_exploits(scenario) -> None:  # type: ignore[no-untyped-def]
    assert len(scenario.functional_tests) >= 4
    assert scenario.exploits
    names = [t.name for t in scenario.functional_tests] + [e.name for e in scenario.exploits]
    assert len(names) == len(set(names)), "test and exploit names must be unique"
    assert CWE.IMPROPER_CHECK_OR_HANDLING_OF_EXCEPTIONAL_CONDITIONS in scenario.potential_cwes
    numbers = [c.number for c in scenario.potential_cwes]
    assert numbers == sorted(numbers)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_references_are_complete(scenario) -> None:  # type: ignore[no-untyped-def]
    ref = scenario.reference("Python-Flask")
    assert ref is not None, f"{scenario.id} has no Python-Flask reference"
    for env_dir in scenario.reference_envs():
        ref = scenario.reference(env_dir)
        assert ref is not None and ref.files
        for name, text in ref.files.items():
            assert CANARY in text, f"{scenario.id}/{env_dir}/{name} lacks the canary line"
        covered = {n for v in ref.variants for n in v.exploits}
        missing = {e.name for e in scenario.exploits} - covered
        if env_dir == "Python-Flask":
            assert not missing, f"{scenario.id}: exploits without a vulnerable variant: {missing}"
        for v in ref.variants:
            files = ref.variant_files(v.name)  # every patch applies exactly once
            assert files != ref.files, f"variant {v.name} changes nothing"
