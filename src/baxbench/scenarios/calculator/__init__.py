"""Calculator: evaluate an arithmetic expression (facts §3.1)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.calculator import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Calculator",
    short_description="calculator web app",
    needs_db=False,
    needs_secret=False,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
