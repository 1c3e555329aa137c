"""The scenario registry: every subpackage with a `SCENARIO` is a scenario."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from baxbench.scenario import Scenario


@cache
def all_scenarios() -> dict[str, Scenario]:
    """Scenario id -> Scenario, sorted by id."""
    found: dict[str, Scenario] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        scenario = getattr(module, "SCENARIO", None)
        if isinstance(scenario, Scenario):
            found[scenario.id] = scenario
    return dict(sorted(found.items()))


def get_scenario(scenario_id: str) -> Scenario:
    scenarios = all_scenarios()
    if scenario_id not in scenarios:
        raise KeyError(
            f"unknown scenario {scenario_id!r}; known: {', '.join(scenarios) or 'none'}"
        )
    return scenarios[scenario_id]
