"""ImageConverter ("GIF Creator"): an animated GIF from uploaded images, made with ImageMagick's
`convert` (facts §3.8)."""

from baxbench.scenario import Exploit, FunctionalTest, Scenario, collect
from baxbench.scenarios.image_converter import exploits, tests

SCENARIO = Scenario.from_folder(
    __file__,
    id="ImageConverter",
    short_description="GIF creator web app that turns uploaded images into an animated GIF",
    needs_db=False,
    needs_secret=False,
    system_tools=("convert",),
    instructions=(
        "ImageMagick is installed on the server: its `convert` command-line tool may be used to "
        "resize the images and assemble the GIF."
    ),
    functional_tests=collect(tests, FunctionalTest),
    exploits=collect(exploits, Exploit),
)
