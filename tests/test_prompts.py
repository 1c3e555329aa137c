"""Prompt construction: sections, variants, answer format and determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baxbench.cwe import CWE
from baxbench.env import BuildResult, Env
from baxbench.prompts import (
    GENERIC_SAFETY,
    SYSTEM_PROMPT,
    SafetyKind,
    SpecKind,
    build_prompt,
    fence,
    prompt_id,
)
from baxbench.scenario import Exploit, Scenario

OPENAPI = """openapi: 3.0.3
info:
  title: Notes
  version: 1.0.0
paths:
  /notes:
    post:
      responses:
        '201':
          description: created
"""
SPEC = "The service stores notes.\n\nPOST /notes creates a note and answers 201."
MANIFEST = "Flask==3.1.0\npyjwt==2.10.1\n"


class FakeEnv(Env):
    def __init__(
        self, multi: bool = False, instructions: str = "Put everything in one file."
    ) -> None:
        self.id = "Python-Fake"
        self.language = "Python"
        self.framework = "FakeFramework"
        self.multi_file = multi
        self.code_files = ("src/main.py", "src/db.py") if multi else ("app.py",)
        self.manifest_name = "requirements.txt"
        self.manifest = MANIFEST
        self.instructions = instructions

    def setup(self, home: Path, log: object) -> None:
        pass

    def checks(self, home: Path) -> list:
        return []

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        return BuildResult(True, "", 0.0)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def _exploit(name: str, *cwes: CWE) -> Exploit:
    return Exploit(name, lambda app: None, tuple(cwes), "")


def make_scenario(folder: Path, **kw: Any) -> Scenario:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.yaml").write_text(OPENAPI)
    (folder / "spec.md").write_text(SPEC + "\n")
    defaults: dict[str, Any] = dict(
        id="Notes",
        short_description="note-keeping web app",
        folder=folder,
        functional_tests=(),
        exploits=(
            _exploit("sqli", CWE.SQL_INJECTION, CWE.XSS),
            _exploit("trav", CWE.PATH_TRAVERSAL, CWE.UNCONTROLLED_RESOURCE_CONSUMPTION),
            _exploit("val", CWE.IMPROPER_INPUT_VALIDATION),
        ),
        needs_db=True,
        needs_secret=True,
        instructions="Notes are at most 1000 characters long.",
        system_tools=("ffmpeg", "pdftotext"),
    )
    defaults.update(kw)
    return Scenario(**defaults)


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return make_scenario(tmp_path / "Notes")


def user(
    scenario: Scenario, env: Env, spec: SpecKind = "openapi", safety: SafetyKind = "none"
) -> str:
    messages = build_prompt(scenario, env, spec, safety)
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].content == SYSTEM_PROMPT
    return messages[1].content


def test_sections_come_in_order(scenario: Scenario) -> None:
    text = user(scenario, FakeEnv(), safety="specific")
    markers = [
        "Generate a note-keeping web app using the FakeFramework framework",
        "```yaml\n" + OPENAPI.strip() + "\n```",
        "Notes are at most 1000 characters long.",
        "/app/db.sqlite3",
        "APP_SECRET",
        "`requirements.txt`",
        "`ffmpeg`, `pdftotext`",
        "Put everything in one file.",
        "0.0.0.0:5000",
        GENERIC_SAFETY,
        "CWE-20:",
        "<CODE>",
    ]
    positions = [text.find(m) for m in markers]
    assert all(p >= 0 for p in positions), dict(zip(markers, positions, strict=True))
    assert positions == sorted(positions)


def test_text_spec_replaces_the_openapi(scenario: Scenario) -> None:
    text = user(scenario, FakeEnv(), spec="text")
    assert text.startswith("Generate a note-keeping web app using the FakeFramework framework")
    assert SPEC in text
    assert "openapi: 3.0.3" not in text and "```yaml" not in text


def test_manifest_is_verbatim_in_a_fence(scenario: Scenario) -> None:
    text = user(scenario, FakeEnv())
    assert "```\n" + MANIFEST.strip() + "\n```" in text
    assert "Python standard library" in text


def test_db_and_secret_only_when_needed(tmp_path: Path) -> None:
    plain = make_scenario(tmp_path / "P", needs_db=False, needs_secret=False, system_tools=())
    text = user(plain, FakeEnv())
    assert "sqlite" not in text.lower() and "APP_SECRET" not in text
    assert "command-line tools" not in text
    with_db = make_scenario(tmp_path / "D", needs_db=True, needs_secret=False)
    text = user(with_db, FakeEnv())
    assert "`db.sqlite3`" in text and "`/app/db.sqlite3`" in text and "APP_SECRET" not in text


def test_empty_instructions_leave_no_blank_sections(tmp_path: Path) -> None:
    s = make_scenario(tmp_path / "E", instructions="", needs_db=False, needs_secret=False)
    text = user(s, FakeEnv(instructions=""))
    assert "\n\n\n" not in text


def test_safety_variants(scenario: Scenario) -> None:
    none = user(scenario, FakeEnv(), safety="none")
    generic = user(scenario, FakeEnv(), safety="generic")
    specific = user(scenario, FakeEnv(), safety="specific")
    assert GENERIC_SAFETY not in none and "CWE-" not in none
    assert GENERIC_SAFETY in generic and "CWE-" not in generic
    lines = [line for line in specific.splitlines() if line.startswith("CWE-")]
    numbers = [int(line.split(":")[0].removeprefix("CWE-")) for line in lines]
    assert numbers == [20, 22, 79, 89, 400, 703]  # ascending, 703 always added
    assert f"CWE-89: {CWE.SQL_INJECTION.description}" in lines


def test_single_file_answer_format(scenario: Scenario) -> None:
    text = user(scenario, FakeEnv())
    tail = text[text.rfind("0.0.0.0:5000") :]
    assert "`app.py`" in tail and "<CODE>" in tail and "</CODE>" in tail
    assert "FILEPATH" not in text


def test_multi_file_answer_format_lists_the_files(scenario: Scenario) -> None:
    text = user(scenario, FakeEnv(multi=True))
    assert "<FILEPATH>" in text and "</FILEPATH>" in text and "<CODE>" in text
    assert "- src/main.py\n- src/db.py" in text


def test_unknown_variant_is_refused(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="spec kind"):
        build_prompt(scenario, FakeEnv(), "yaml", "none")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="safety kind"):
        build_prompt(scenario, FakeEnv(), "openapi", "paranoid")  # type: ignore[arg-type]


def test_fence_outgrows_backticks_in_the_body() -> None:
    body = "description: |\n  use ```code``` here\n"
    fenced = fence(body, "yaml")
    assert fenced.startswith("````yaml\n") and fenced.endswith("\n````")


def test_prompt_id_is_stable_and_distinguishes_variants(scenario: Scenario) -> None:
    env = FakeEnv()
    a = prompt_id(build_prompt(scenario, env, "openapi", "specific"))
    assert a == prompt_id(build_prompt(scenario, env, "openapi", "specific"))
    assert len(a) == 64 and int(a, 16) >= 0
    others = {
        prompt_id(build_prompt(scenario, env, s, f))
        for s in ("openapi", "text")
        for f in ("none", "generic", "specific")
    }
    assert len(others) == 6 and a in others


_SCRIPT = """
import sys
from pathlib import Path
from typing import Any
sys.path.insert(0, {tests!r})
from test_prompts import FakeEnv, make_scenario
from baxbench.prompts import build_prompt
s = make_scenario(Path({folder!r}))
sys.stdout.write(build_prompt(s, FakeEnv(), "openapi", "specific")[1].content)
"""


def test_prompt_is_identical_across_hash_seeds(tmp_path: Path) -> None:
    script = _SCRIPT.format(tests=str(Path(__file__).parent), folder=str(tmp_path / "S"))
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(out.stdout)
    assert len(outputs) == 1
    assert "CWE-20:" in outputs.pop()
