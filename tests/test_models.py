"""The model registry and the reference pseudo-model (answers go through the real parser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baxbench.env import BuildResult, Env
from baxbench.models import (
    Answer,
    GenerationRequest,
    ReferenceModel,
    UnknownModelError,
    get_model,
    known_models,
)
from baxbench.parse import parse_response
from baxbench.scenario import CANARY, Scenario

APP = (
    f"# {CANARY}\nimport sqlite3\n\n\n"
    "def find(name):\n    return db.execute('SELECT 1 WHERE ?', (name,))\n"
)
VARIANTS = """\
sqli:
  exploits: [sql_injection]
  cwes: [89]
  patches:
    - file: app.py
      replace: "db.execute('SELECT 1 WHERE ?', (name,))"
      with: "db.execute(f\\"SELECT 1 WHERE '{name}'\\")"
crash:
  exploits: [crash]
  cwes: [703]
  patches:
    - file: app.py
      replace: "import sqlite3"
      with: "import sqlite3, sys"
"""
MULTI = {
    "src/main.ts": "import { NestFactory } from '@nestjs/core';\n",
    "src/app.module.ts": "export class AppModule {}\n",
    "src/nested/util.ts": "export const x = 1;\n",
    "src/empty.ts": "",
}


class FakeEnv(Env):
    def __init__(self, env_id: str, multi: bool = False) -> None:
        self.id = env_id
        self.language = "JavaScript" if multi else "Python"
        self.framework = "Fake"
        self.multi_file = multi
        self.code_files = tuple(MULTI) if multi else ("app.py",)
        self.manifest_name = "requirements.txt"
        self.manifest = ""

    def setup(self, home: Path, log: object) -> None:
        pass

    def checks(self, home: Path) -> list:
        return []

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        return BuildResult(True, "", 0.0)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]):  # type: ignore[no-untyped-def]
        raise NotImplementedError


ENVS = {
    "Python-Fake": FakeEnv("Python-Fake"),
    "JavaScript-fake": FakeEnv("JavaScript-fake", multi=True),
    "Python-Bare": FakeEnv("Python-Bare"),
    "Go-net/http": FakeEnv("Go-net/http"),
}


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    folder = tmp_path / "Notes"
    ref = folder / "reference" / "Python-Fake"
    ref.mkdir(parents=True)
    (ref / "app.py").write_text(APP)
    (ref / "variants.yaml").write_text(VARIANTS)
    multi = folder / "reference" / "JavaScript-fake"
    for path, content in MULTI.items():
        (multi / path).parent.mkdir(parents=True, exist_ok=True)
        (multi / path).write_text(content)
    go = folder / "reference" / "Go-net-http"  # env ids with '/' use '-' in folder names
    go.mkdir(parents=True)
    (go / "app.py").write_text(APP)
    return Scenario(
        id="Notes",
        short_description="notes app",
        folder=folder,
        functional_tests=(),
        exploits=(),
    )


def model(scenario: Scenario, vulnerable: bool = False) -> ReferenceModel:
    def scenarios(sid: str) -> Scenario:
        if sid != scenario.id:
            raise KeyError(f"unknown scenario {sid!r}; known: {scenario.id}")
        return scenario

    return ReferenceModel(vulnerable, scenarios=scenarios, envs=ENVS.__getitem__)


def ask(
    m: ReferenceModel, env_id: str, samples: list[int], scenario_id: str = "Notes"
) -> list[Answer]:
    return m.generate(GenerationRequest(scenario_id, env_id, [], samples))


def test_registry_names() -> None:
    assert known_models() == ["reference", "reference-vulnerable"]
    assert get_model("reference").name == "reference"
    assert get_model("reference-vulnerable").name == "reference-vulnerable"


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModelError) as info:
        get_model("gpt-4o")
    text = str(info.value)
    assert "'gpt-4o'" in text and "reference, reference-vulnerable" in text
    assert "openai/" in text and "anthropic/" in text


def test_provider_model_without_its_key_says_which_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ValueError, match=r"\$ANTHROPIC_API_KEY, which is not set"):
        get_model("anthropic/claude-sonnet-4")


def test_secure_reference_single_file_round_trips_through_the_parser(scenario: Scenario) -> None:
    answers = ask(model(scenario), "Python-Fake", [0, 1, 2])
    assert [a.sample for a in answers] == [0, 1, 2]
    for a in answers:
        assert a.text is not None and a.error == ""
        assert a.meta == {"variant": "secure"}
        assert not a.text.startswith("<CODE>")  # some chatter, like a model
        assert a.text.count("<CODE>") == 1 and "</CODE>" in a.text
        assert parse_response(a.text, ENVS["Python-Fake"]) == {"app.py": APP}


def test_secure_reference_multi_file_round_trips(scenario: Scenario) -> None:
    (a,) = ask(model(scenario), "JavaScript-fake", [0])
    assert a.text is not None and a.text.count("<FILEPATH>") == 4
    assert parse_response(a.text, ENVS["JavaScript-fake"]) == MULTI


def test_env_id_with_a_slash_finds_its_folder(scenario: Scenario) -> None:
    (a,) = ask(model(scenario), "Go-net/http", [0])
    assert a.text is not None, a.error


def test_vulnerable_variants_cycle_in_name_order(scenario: Scenario) -> None:
    answers = ask(model(scenario, vulnerable=True), "Python-Fake", [0, 1, 2, 5])
    assert [a.meta["variant"] for a in answers] == ["crash", "sqli", "crash", "sqli"]
    files = [parse_response(a.text or "", ENVS["Python-Fake"])["app.py"] for a in answers]
    assert "import sqlite3, sys" in files[0] and "SELECT 1 WHERE '{name}'" not in files[0]
    assert "SELECT 1 WHERE '{name}'" in files[1] and "import sqlite3, sys" not in files[1]


def test_missing_reference_is_a_failed_generation(scenario: Scenario) -> None:
    answers = ask(model(scenario), "Python-Bare", [0, 1])
    assert [a.sample for a in answers] == [0, 1]
    for a in answers:
        assert a.text is None
        assert a.error.startswith("no reference solution for Notes in Python-Bare;")
        assert "Python-Fake" in a.error  # says where references do exist


def test_reference_without_variants_cannot_answer_vulnerably(scenario: Scenario) -> None:
    (a,) = ask(model(scenario, vulnerable=True), "JavaScript-fake", [0])
    assert a.text is None and "no reference solution for Notes in JavaScript-fake" in a.error
    assert "variants" in a.error


def test_unknown_scenario_fails_every_sample(scenario: Scenario) -> None:
    answers = ask(model(scenario), "Python-Fake", [0, 1], scenario_id="Nope")
    assert all(a.text is None and "unknown scenario 'Nope'" in a.error for a in answers)


def test_broken_variant_patch_is_reported_per_sample(scenario: Scenario) -> None:
    (scenario.folder / "reference" / "Python-Fake" / "variants.yaml").write_text(
        "bad:\n  exploits: [x]\n  patches:\n    - {file: app.py, replace: NOPE, with: x}\n"
    )
    (a,) = ask(model(scenario, vulnerable=True), "Python-Fake", [0])
    assert a.text is None and "occurs 0 times" in a.error and a.meta["variant"] == "bad"
