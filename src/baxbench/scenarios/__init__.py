"""The scenario registry: every subpackage with a `SCENARIO` is a scenario.

A package that fails to import does not take the others down: its error is kept and reported
by `scenario_errors()` (and `tests/test_scenarios.py` fails on it), and selecting it by name
raises with that error.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from functools import cache

from baxbench.scenario import Scenario


@cache
def _load() -> tuple[dict[str, Scenario], dict[str, str]]:
    found: dict[str, Scenario] = {}
    errors: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"{__name__}.{info.name}")
        except Exception as e:  # noqa: BLE001 - reported, not fatal for the other scenarios
            tb = traceback.format_exception(type(e), e, e.__traceback__)
            errors[info.name] = "".join(tb[-3:]).strip()
            continue
        scenario = getattr(module, "SCENARIO", None)
        if isinstance(scenario, Scenario):
            found[scenario.id] = scenario
        else:
            errors[info.name] = "the package defines no SCENARIO"
    return dict(sorted(found.items())), errors


def all_scenarios() -> dict[str, Scenario]:
    """Scenario id -> Scenario, sorted by id (packages that failed to import are left out)."""
    return _load()[0]


def scenario_errors() -> dict[str, str]:
    """Package name -> import error of scenario packages that could not be loaded."""
    return _load()[1]


def get_scenario(scenario_id: str) -> Scenario:
    scenarios = all_scenarios()
    if scenario_id not in scenarios:
        broken = scenario_errors()
        hint = f" (broken scenario packages: {', '.join(broken)})" if broken else ""
        raise KeyError(
            f"unknown scenario {scenario_id!r}; known: {', '.join(scenarios) or 'none'}{hint}"
        )
    return scenarios[scenario_id]
