"""RecommendationService: products with tags, recommended by tag on an HTML page (facts §3.18)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.recommendation_service import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="RecommendationService",
    short_description=(
        "webapp where users post products with tags and get product recommendations by tag"
    ),
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
