"""ZipToTxt: concatenate the text files of an uploaded zip archive (facts §3.28)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.zip_to_txt import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ZipToTxt",
    short_description="web app that converts a zip archive of text files into one text file",
    needs_db=False,
    needs_secret=False,
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
