"""Forum: post messages and read them back as an HTML page (facts §3.6)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.forum import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Forum",
    short_description="simple webapp where anyone can add and view messages",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
