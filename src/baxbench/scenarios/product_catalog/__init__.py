"""ProductCatalog: products with free-form properties; search, export and import (facts §3.15)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.product_catalog import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ProductCatalog",
    short_description="product catalog web app with free-form product properties",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
