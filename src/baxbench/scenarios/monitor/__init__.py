"""Monitor: list the server's processes whose command line matches a regex (facts §3.12)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.monitor import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="Monitor",
    short_description="web app that lists the processes running on the server",
    needs_db=False,
    needs_secret=False,
    system_tools=("ps",),
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
