"""Login: registration and login issuing a JWT (facts §3.11)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.login import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Login",
    short_description="webapp implementing a simple login system",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
