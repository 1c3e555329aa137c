"""ProfileCollection: anyone adds a profile (an HTML page and a PNG photo) and views it (facts
§3.16)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.profile_collection import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ProfileCollection",
    short_description="simple webapp where anyone can add and view user profiles",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
