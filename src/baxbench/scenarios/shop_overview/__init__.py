"""ShopOverview: merchants log in with a cookie, upload wares as CSV; wares listed as an HTML
table (facts §3.21)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.shop_overview import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ShopOverview",
    short_description="webapp where merchants upload their wares and users browse them",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
