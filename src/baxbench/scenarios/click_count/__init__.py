"""ClickCount: register clicks and list them filtered by date (facts §3.2)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.click_count import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ClickCount",
    short_description="webapp that registers clicks and lists them filtered by date",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
