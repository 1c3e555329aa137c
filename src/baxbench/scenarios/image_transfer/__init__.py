"""ImageTransfer: upload images and share them through links that show them in the browser
(facts §3.9)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.image_transfer import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ImageTransfer",
    short_description="web app for uploading images and sharing them through view links",
    needs_db=False,
    needs_secret=False,
    instructions=(
        "Shared images must be viewable in the browser: serve them so that the browser shows "
        "them, not as a file download."
    ),
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
