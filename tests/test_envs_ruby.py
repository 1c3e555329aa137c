"""The Ruby-Rails env: manifest, skeleton, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need Debian's packages and the env prepared
(`baxbench envs setup Ruby-Rails`) and bubblewrap.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import _project, get_env
from baxbench.envs._common import SetupError
from baxbench.envs.ruby import (
    BOOKWORM_GEMS,
    BOOKWORM_LOCKED,
    BOOKWORM_RUBY,
    RAILS,
    RailsEnv,
    gemfile,
    locked_dependencies,
)
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

ENV_ID = "Ruby-Rails"
GEM_LINE = re.compile(r'^gem "([a-z0-9_-]+)", "([0-9.]+)"$')

# --- fast -------------------------------------------------------------------------------------


def test_manifest_is_a_gemfile_pinning_exact_versions() -> None:
    text = gemfile(BOOKWORM_GEMS, BOOKWORM_LOCKED, BOOKWORM_RUBY)
    gems = dict(m.groups() for line in text.splitlines() if (m := GEM_LINE.match(line)))
    assert gems == {"rails": "6.1.7.10", "sqlite3": "1.4.2", "puma": "5.6.5",
                    "bcrypt": "3.1.18", "jwt": "2.5.0"}
    assert "Debian" in text and "activerecord 6.1.7.10" in text and "rack 2.2.22" in text
    code = [x for x in text.splitlines() if x and not x.startswith("#")]
    assert code[0] == 'source "https://rubygems.org"' and len(code) == 1 + len(gems)
    assert all(len(x) <= 100 for x in text.splitlines())
    # the manifest the model sees is one of these, whether or not the env is prepared here
    assert 'gem "rails", "6.1.' in get_env(ENV_ID).manifest


def test_locked_dependencies_lists_the_specs_of_a_lockfile() -> None:
    lock = ("GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (6.1.7.10)\n"
            "      actionpack (= 6.1.7.10)\n    actionpack (6.1.7.10)\n      rack (~> 2.0)\n"
            "    rack (2.2.22)\n\nPLATFORMS\n  x86_64-linux\n")
    assert locked_dependencies(lock, {"rails": "6.1.7.10"}) == \
        "actionpack 6.1.7.10, rack 2.2.22"


def test_layout_and_instructions() -> None:
    env = get_env(ENV_ID)
    assert env.multi_file and env.manifest_name == "Gemfile"
    assert set(env.code_files) == {"config/routes.rb", "app/controllers/application_controller.rb"}
    for text in ("bin/rails server -b 0.0.0.0 -p 5000", "/app/db.sqlite3", "db/migrate",
                 "bin/rails db:migrate zeitwerk:check", "--api", "Debian", "Gemfile.lock"):
        assert text in env.instructions
    spec = env.launch_spec(Path("/nonexistent"), Path("/h"), {"APP_SECRET": "s"})
    assert spec.command == ["bin/rails", "server", "-b", "0.0.0.0", "-p", "5000"]
    assert spec.env["APP_SECRET"] == "s" and spec.env["RAILS_ENV"] == "development"


def test_answer_cannot_replace_the_gemfile(tmp_path: Path) -> None:
    skeleton = tmp_path / "skeleton"
    write_files({"Gemfile": "# env\n", "Gemfile.lock": "# env\n", "bin/rails": "#!ruby\n",
                 "config/routes.rb": "# skeleton\n"}, skeleton)
    write_files({"Gemfile": "gem 'httparty'\n", "config/routes.rb": "# model\n",
                 "app/models/user.rb": "# model\n"}, tmp_path / "code")
    stage = tmp_path / "stage"
    notes = _project.stage_project(skeleton, tmp_path / "code", stage, RailsEnv._env_owned)
    assert (stage / "Gemfile").read_text() == "# env\n"
    assert (stage / "config/routes.rb").read_text() == "# model\n"
    assert (stage / "app/models/user.rb").read_text() == "# model\n"
    assert notes == ["note: Gemfile is provided by the env; the answer's version is ignored"]


# --- slow: Debian's packages, the prepared env, real builds and sandboxes ---------------------


def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    no_rails = pytest.mark.skipif(not Path(RAILS).exists(), reason="needs Debian's ruby-rails")
    return pytest.mark.slow(no_bwrap(no_rails(test)))


def _ready() -> RailsEnv:
    env = get_env(ENV_ID)
    if not env.is_ready(baxbench_home()):
        pytest.fail(f"{ENV_ID} is not prepared: run `baxbench envs setup {ENV_ID}`")
    assert isinstance(env, RailsEnv)
    return env


def _reference(scenario: str = "Calculator") -> dict[str, str]:
    ref = get_scenario(scenario).reference(ENV_ID)
    assert ref is not None
    return dict(ref.files)


def _run_first_test(files: dict[str, str], tmp_path: Path,
                    scenario_id: str = "Calculator") -> SampleRecord:
    env = _ready()
    scenario = get_scenario(scenario_id)
    write_files(files, tmp_path / "code")
    with Runner(get_sandbox(), baxbench_home(), jobs=1) as runner:
        job = SampleJob(scenario, env, 0, tmp_path / "code", tmp_path / "work",
                        tests=scenario.functional_tests[:1])
        return runner.submit(job).result()


@sandboxed
def test_prepared_manifest_matches_the_lockfile() -> None:
    env = _ready()
    home = baxbench_home()
    lock = (env.skeleton_dir(home) / "Gemfile.lock").read_text()
    locked = dict(re.findall(r"^    ([A-Za-z0-9_.-]+) \(([^)]+)\)$", lock, re.M))
    manifest = env.manifest
    top = dict(m.groups() for line in manifest.splitlines() if (m := GEM_LINE.match(line)))
    assert set(top) == {"rails", "sqlite3", "puma", "bcrypt", "jwt"}
    for name, version in locked.items():
        assert (top.get(name) == version if name in top else f"{name} {version}" in manifest)
    assert (env.skeleton_dir(home) / "Gemfile").read_text() == manifest
    assert "gems" in env.versions(home) and "ruby-rails=" in env.versions(home)["debian_packages"]


@sandboxed
def test_reference_builds_with_migrations_and_passes(tmp_path: Path) -> None:
    record = _run_first_test(_reference("Login"), tmp_path, "Login")
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    log = (tmp_path / "work" / "build.log").read_text()
    assert "$ bin/rails db:migrate zeitwerk:check" in log and "CreateUsers: migrated" in log
    build = tmp_path / "work" / "build"
    assert (build / "db.sqlite3").stat().st_size > 0  # made by db:migrate inside the sandbox
    assert not (build / "tmp" / "pids").exists()


@sandboxed
def test_syntax_error_fails_the_build_with_rubys_text(tmp_path: Path) -> None:
    files = _reference()
    files["config/routes.rb"] += "\ndef broken(\n"
    record = _run_first_test(files, tmp_path)
    assert record.status == "build_failed"
    assert "config/routes.rb" in record.error and "syntax error" in record.error


@sandboxed
def test_gem_outside_the_gemfile_fails_the_build_naming_it(tmp_path: Path) -> None:
    # webrick is installed on the system (a Debian package) but not in the Gemfile: Bundler
    # keeps it out, exactly as it keeps out a gem that is not installed at all
    files = _reference()
    path = "app/controllers/calculator_controller.rb"
    for gem in ("webrick", "httparty"):
        files[path] = f'require "{gem}"\n' + _reference()[path]
        record = _run_first_test(files, tmp_path / gem)
        assert record.status == "build_failed"
        assert f"LoadError: cannot load such file -- {gem}" in record.error
        assert f"/app/{path}:1" in record.error
        last = record.error.strip().splitlines()[-1]
        assert last == ("[build failed: `bin/rails db:migrate zeitwerk:check` exited with code 1; "
                        f"last output: LoadError: cannot load such file -- {gem}]")


def test_missing_debian_packages_name_the_apt_command(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(_project, "dpkg_versions", lambda packages: {})
    env = RailsEnv()
    with pytest.raises(SetupError, match=r"apt-get install -y --no-install-recommends ruby "
                                         r"ruby-rails ruby-sqlite3 puma ruby-bcrypt ruby-jwt"):
        env.setup(tmp_path, lambda line: None)
    check = env.checks(tmp_path)[0]
    assert not check.ok and "ruby-rails" in check.detail
    assert check.fix.startswith("apt-get update && apt-get install -y")
