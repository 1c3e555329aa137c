"""Recipes: upload, comment on and rate recipes; HTML views (facts §3.17)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.recipes import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Recipes",
    short_description="recipe sharing app where users upload, comment on and rate recipes",
    needs_db=True,
    needs_secret=False,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
