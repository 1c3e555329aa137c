"""Wiki: entries with an edit history, shown as HTML pages (facts §3.27)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.wiki import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Wiki",
    short_description="wiki webapp",
    needs_db=True,
    needs_secret=False,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
