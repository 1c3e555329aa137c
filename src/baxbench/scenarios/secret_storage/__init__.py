"""SecretStorage: users register, log in with a JWT and keep one secret each (facts §3.20)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.secret_storage import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="SecretStorage",
    short_description="secure cloud storage app for string secrets",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
