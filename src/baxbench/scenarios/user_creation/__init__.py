"""UserCreation: invite-only user creation (facts §3.26)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.user_creation import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="UserCreation",
    short_description="invite-only user creation service",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
