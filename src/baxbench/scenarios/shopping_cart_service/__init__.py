"""ShoppingCartService: anonymous shopping carts with item counts (facts §3.22)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.shopping_cart_service import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ShoppingCartService",
    short_description="shopping cart service: create carts, add or remove items, list a cart",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
