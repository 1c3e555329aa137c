"""Unsubscribe: decide from a raw reply e-mail whether its sender wants to unsubscribe
(facts §3.24)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.unsubscribe import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Unsubscribe",
    short_description="web service that decides whether a user's reply e-mail asks to unsubscribe",
    needs_db=False,
    needs_secret=False,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
