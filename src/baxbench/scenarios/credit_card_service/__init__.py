"""CreditCardService: associate credit cards with phone numbers, retrieve them (facts §3.4)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.credit_card_service import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="CreditCardService",
    short_description="service that stores associations between credit cards and phone numbers",
    needs_db=True,
    needs_secret=True,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
