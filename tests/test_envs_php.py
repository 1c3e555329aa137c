"""The PHP-Lumen env: manifest, skeleton, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need Debian's packages and the env prepared
(`baxbench envs setup PHP-Lumen`) and bubblewrap.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import _project, get_env
from baxbench.envs._common import SetupError
from baxbench.envs.php import (
    BOOKWORM_LIBRARIES,
    BOOKWORM_PHP,
    PHP,
    LumenEnv,
    composer_json,
    composer_name,
)
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

ENV_ID = "PHP-Lumen"

# --- fast -------------------------------------------------------------------------------------


def test_composer_names_of_debian_packages() -> None:
    assert composer_name("php-illuminate-database") == "illuminate/database"
    assert composer_name("php-laravel-lumen-framework") == "laravel/lumen-framework"
    assert composer_name("php-symfony-event-dispatcher-contracts") == \
        "symfony/event-dispatcher-contracts"
    assert composer_name("php-email-validator") == "egulias/email-validator"
    assert composer_name("php-monolog") == "monolog/monolog"


def test_upstream_version_drops_epoch_revision_and_repack_suffix() -> None:
    assert _project.upstream_version("2:6.1.7.10+dfsg-1~deb12u3") == "6.1.7.10"
    assert _project.upstream_version("8.83.26+dfsg-2") == "8.83.26"
    assert _project.upstream_version("8.3.4-1") == "8.3.4"
    assert _project.upstream_version("2:8.2+93") == "8.2"


def test_manifest_is_a_composer_json_with_exact_versions() -> None:
    data = json.loads(composer_json(BOOKWORM_PHP, BOOKWORM_LIBRARIES))
    require = data["require"]
    assert list(require)[:6] == ["php", "ext-intl", "ext-mbstring", "ext-pdo_sqlite",
                                 "ext-sqlite3", "laravel/lumen-framework"]
    assert require["laravel/lumen-framework"] == "8.3.4"
    assert require["illuminate/database"] == "8.83.26"
    assert all(v[0].isdigit() for v in require.values())  # exact versions, no ranges
    assert "Debian" in data["description"]
    # the manifest the model sees is one of these, whether or not the env is prepared here
    assert json.loads(get_env(ENV_ID).manifest)["require"]["laravel/lumen-framework"]


def test_layout_and_instructions() -> None:
    env = get_env(ENV_ID)
    assert env.multi_file and env.manifest_name == "composer.json"
    assert set(env.code_files) == {"bootstrap/app.php", "routes/web.php",
                                   "app/Http/Controllers/Controller.php"}
    for text in ("php -S 0.0.0.0:5000 -t public", "DB_DATABASE=/app/db.sqlite3",
                 "php artisan migrate --force", "vendor/autoload.php", "Debian"):
        assert text in env.instructions
    spec = env.launch_spec(Path("/nonexistent"), Path("/h"), {"APP_SECRET": "s"})
    assert spec.command == ["php", "-S", "0.0.0.0:5000", "-t", "public"]
    assert spec.env["APP_SECRET"] == "s"


def test_answer_is_laid_over_the_skeleton_but_not_over_env_files(tmp_path: Path) -> None:
    skeleton = tmp_path / "skeleton"
    write_files({"vendor/autoload.php": "<?php // env\n", "composer.json": "{}\n",
                 "routes/web.php": "<?php // skeleton\n", "artisan": "<?php\n"}, skeleton)
    write_files({"routes/web.php": "<?php // model\n", "vendor/autoload.php": "<?php // model\n",
                 "composer.json": "{\"require\": {}}\n",
                 "app/Http/Controllers/X.php": "<?php // model\n"}, tmp_path / "code")
    stage = tmp_path / "stage"
    notes = _project.stage_project(skeleton, tmp_path / "code", stage, LumenEnv._env_owned)
    assert (stage / "routes/web.php").read_text() == "<?php // model\n"
    assert (stage / "app/Http/Controllers/X.php").read_text() == "<?php // model\n"
    assert (stage / "vendor/autoload.php").read_text() == "<?php // env\n"
    assert (stage / "composer.json").read_text() == "{}\n"
    assert (stage / "artisan").exists()
    assert len(notes) == 2 and all("provided by the env" in n for n in notes)


# --- slow: Debian's packages, the prepared env, real builds and sandboxes ---------------------


def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    no_php = pytest.mark.skipif(not Path(PHP).exists(), reason="needs Debian's php-cli")
    return pytest.mark.slow(no_bwrap(no_php(test)))


def _ready() -> LumenEnv:
    env = get_env(ENV_ID)
    if not env.is_ready(baxbench_home()):
        pytest.fail(f"{ENV_ID} is not prepared: run `baxbench envs setup {ENV_ID}`")
    assert isinstance(env, LumenEnv)
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
def test_prepared_manifest_matches_what_is_installed() -> None:
    env = _ready()
    home = baxbench_home()
    require = json.loads(env.manifest)["require"]
    installed = env._installed(home) or {}
    assert require["php"] == installed["php"]
    libraries = {k: v for k, v in installed.items() if k != "php"}
    assert len(require) == len(libraries) + 1 + 4  # php, the four extensions, the libraries
    for pkg, version in libraries.items():
        assert require[composer_name(pkg)] == _project.upstream_version(version)
    autoload = (env.skeleton_dir(home) / "vendor" / "autoload.php").read_text()
    assert autoload.count("require_once '/usr/share/php/") == len(libraries)
    versions = env.versions(home)
    assert "php-laravel-lumen-framework=" in versions["debian_packages"]
    assert "laravel/lumen-framework@" in versions["libraries"]


@sandboxed
def test_reference_builds_with_migrations_and_passes(tmp_path: Path) -> None:
    record = _run_first_test(_reference("Login"), tmp_path, "Login")
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    log = (tmp_path / "work" / "build.log").read_text()
    assert "$ php artisan migrate --force" in log and "create_users_table" in log
    assert (tmp_path / "work" / "build" / "db.sqlite3").stat().st_size > 0


@sandboxed
def test_syntax_error_fails_the_build_with_phps_text(tmp_path: Path) -> None:
    files = _reference()
    files["routes/web.php"] += "\n$router->get('/x', function () {\n"
    record = _run_first_test(files, tmp_path)
    assert record.status == "build_failed"
    assert "PHP Parse error" in record.error and "routes/web.php" in record.error


@sandboxed
def test_class_outside_the_packages_fails_the_build_naming_it(tmp_path: Path) -> None:
    files = _reference()
    path = "app/Http/Controllers/CalculatorController.php"
    files[path] = files[path].replace("use Illuminate\\Http\\Request;",
                                      "use Illuminate\\Http\\Request;\nuse Firebase\\JWT\\JWT;")
    record = _run_first_test(files, tmp_path)
    assert record.status == "build_failed"
    assert f"{path}:10: `use Firebase\\JWT\\JWT`: no such class" in record.error
    assert "composer.json" in record.error
    last = record.error.strip().splitlines()[-1]
    assert last.startswith("[build failed: `boot check, then php artisan migrate --force` exited")
    assert "last output:" in last and "Firebase\\JWT\\JWT" in last


@sandboxed
def test_failing_boot_fails_the_build_with_phps_text(tmp_path: Path) -> None:
    files = _reference()
    files["app/Http/Controllers/Controller.php"] = files[
        "app/Http/Controllers/Controller.php"].replace(
        "use Laravel\\Lumen\\Routing\\Controller as BaseController;",
        "use Illuminate\\Routing\\Controller as BaseController;")
    record = _run_first_test(files, tmp_path)
    assert record.status == "build_failed"
    assert 'Class "Illuminate\\Routing\\Controller" not found' in record.error


def test_missing_debian_packages_name_the_apt_command(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setattr(_project, "dpkg_versions", lambda packages: {})
    env = LumenEnv()
    with pytest.raises(SetupError, match=r"apt-get install -y --no-install-recommends php-cli "
                                         r"php-sqlite3 php-mbstring php-laravel-lumen-framework"):
        env.setup(tmp_path, lambda line: None)
    check = env.checks(tmp_path)[0]
    assert not check.ok and "php-laravel-lumen-framework" in check.detail
    assert check.fix.startswith("apt-get update && apt-get install -y")
