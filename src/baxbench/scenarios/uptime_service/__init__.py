"""UptimeService: services send heartbeats under a token; token holders list their services
(facts §3.25)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.uptime_service import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="UptimeService",
    short_description="service monitoring API that records heartbeats of services",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
