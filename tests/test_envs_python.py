"""The Python envs: manifests, what setup installs, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need the envs prepared
(`baxbench envs setup Python-FastAPI Python-aiohttp Python-Django`) and bubblewrap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import get_env
from baxbench.envs.python import (
    DjangoEnv,
    PythonEnv,
    compare_installed,
    pinned,
    requirements,
)
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

NEW_ENVS = ("Python-FastAPI", "Python-aiohttp", "Python-Django")

# --- fast: manifests and layout --------------------------------------------------------------


@pytest.mark.parametrize("env_id", ("Python-Flask", *NEW_ENVS))
def test_manifest_pins_every_package(env_id: str) -> None:
    env = get_env(env_id)
    lines = [x for x in env.manifest.splitlines() if x.strip() and not x.startswith("#")]
    assert lines and all("==" in x for x in lines), lines
    assert len(pinned(env.manifest)) == len(lines)  # no package given twice


def test_fastapi_manifest_is_the_originals_plus_its_dependencies() -> None:
    want = pinned(get_env("Python-FastAPI").manifest)
    assert want["fastapi"] == "0.115.6" and want["starlette"] == "0.41.3"
    assert want["pyjwt"] == "2.10.0" and want["uvicorn"] == "0.34.0"
    # python-jose and starlette[full] pull these in: the model is told about them too
    for dep in ("ecdsa", "rsa", "pyasn1", "six", "itsdangerous"):
        assert dep in want
    assert "streaming" in get_env("Python-FastAPI").instructions


def test_django_layout_and_instructions() -> None:
    env = get_env("Python-Django")
    assert env.multi_file
    assert {"manage.py", "mysite/settings.py", "myapp/views.py", "myapp/urls.py",
            "myapp/migrations/__init__.py"} <= set(env.code_files)
    for text in ("makemigrations myapp", "migrate", "runserver 0.0.0.0:5000 --noreload",
                 "INSTALLED_APPS", "ALLOWED_HOSTS"):
        assert text in env.instructions
    spec = env.launch_spec(Path("/nonexistent"), Path("/h"), {"APP_SECRET": "s"})
    assert spec.command == ["python3", "manage.py", "runserver", "0.0.0.0:5000", "--noreload"]


def test_compare_installed_names_every_difference() -> None:
    manifest = requirements(["Flask==3.1.0", "starlette[full]==0.41.3"], ["six==1.17.0"])
    assert pinned(manifest) == {"flask": "3.1.0", "starlette": "0.41.3", "six": "1.17.0"}
    same = [("flask", "3.1.0"), ("Starlette", "0.41.3"), ("six", "1.17.0")]
    assert compare_installed(manifest, same) == []
    problems = compare_installed(manifest, [("Flask", "3.0.0"), ("six", "1.17.0"),
                                            ("requests", "2.32.3")])
    assert problems == ["flask: manifest pins 3.1.0, installed 3.0.0",
                        "requests==2.32.3 is installed but not in the manifest",
                        "starlette==0.41.3 is in the manifest but not installed"]


@pytest.mark.parametrize("env_id", ("Python-FastAPI", "Python-aiohttp"))
def test_syntax_error_fails_the_build_with_pythons_text(env_id: str, tmp_path: Path) -> None:
    write_files({"app.py": "import os\n\ndef broken(:\n    pass\n"}, tmp_path / "code")
    result = get_env(env_id).build(tmp_path / "code", tmp_path / "build", tmp_path)
    assert not result.ok
    assert 'File "app.py", line 3' in result.log and "SyntaxError" in result.log


def test_django_answer_is_laid_over_the_skeleton(tmp_path: Path) -> None:
    env = DjangoEnv()
    skeleton = env.skeleton_dir(tmp_path)
    write_files({"manage.py": "# skeleton\n", "mysite/settings.py": "# skeleton\n",
                 "myapp/views.py": "# skeleton\n", "myapp/migrations/__init__.py": ""}, skeleton)
    # the whole project one level down, as `startproject mysite` without `.` would make it
    write_files({"mysite/manage.py": "# model\n", "mysite/mysite/settings.py": "# model\n",
                 "mysite/myapp/views.py": "# model\n", "notes.txt": "left out\n"},
                tmp_path / "code")
    stage = tmp_path / "stage"
    notes = env._stage(tmp_path / "code", stage, tmp_path)
    assert notes and "project root" in notes[0]
    assert (stage / "manage.py").read_text() == "# model\n"
    assert (stage / "mysite" / "settings.py").read_text() == "# model\n"
    assert (stage / "myapp" / "views.py").read_text() == "# model\n"
    assert (stage / "myapp" / "migrations" / "__init__.py").exists()  # from the skeleton
    assert not (stage / "notes.txt").exists()


# --- slow: prepared envs, real builds and sandboxes -----------------------------------------

def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    """Slow, and skipped where bubblewrap is missing."""
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    return pytest.mark.slow(no_bwrap(test))


def _ready(env_id: str) -> PythonEnv:
    env = get_env(env_id)
    if not env.is_ready(baxbench_home()):
        pytest.fail(f"{env_id} is not prepared: run `baxbench envs setup {env_id}`")
    assert isinstance(env, PythonEnv)
    return env


@pytest.mark.parametrize("env_id", NEW_ENVS)
@pytest.mark.slow
def test_venv_holds_exactly_the_manifest(env_id: str) -> None:
    env = _ready(env_id)
    py = env.venv_dir(baxbench_home()) / "bin" / "python"
    out = subprocess.run(
        [str(py), "-I", "-c", "import importlib.metadata as m, json; print(json.dumps("
         "[[d.metadata['Name'], d.version] for d in m.distributions()]))"],
        capture_output=True, text=True, check=True).stdout
    assert compare_installed(env.manifest, [tuple(x) for x in json.loads(out)]) == []


def _run_first_test(env_id: str, files: dict[str, str], tmp_path: Path) -> SampleRecord:
    env = _ready(env_id)
    scenario = get_scenario("Calculator")
    write_files(files, tmp_path / "code")
    with Runner(get_sandbox(), baxbench_home(), jobs=1) as runner:
        job = SampleJob(scenario, env, 0, tmp_path / "code", tmp_path / "work",
                        tests=scenario.functional_tests[:1])
        return runner.submit(job).result()


def _reference(env_id: str) -> dict[str, str]:
    ref = get_scenario("Calculator").reference(env_id)
    assert ref is not None
    return dict(ref.files)


@pytest.mark.parametrize("env_id", ("Python-FastAPI", "Python-aiohttp"))
@sandboxed
def test_package_outside_the_list_fails_the_start_naming_it(env_id: str,
                                                            tmp_path: Path) -> None:
    files = _reference(env_id)
    files["app.py"] = "import requests\n" + files["app.py"]
    record = _run_first_test(env_id, files, tmp_path)
    assert record.status == "tested"  # nothing of the app runs at build time
    (test,) = record.tests
    assert test.outcome == "fail"
    assert test.message.startswith("app did not start")
    assert "ModuleNotFoundError: No module named 'requests'" in test.message.splitlines()[0]


@sandboxed
def test_django_reference_builds_with_migrations_and_passes(tmp_path: Path) -> None:
    record = _run_first_test("Python-Django", _reference("Python-Django"), tmp_path)
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    build = tmp_path / "work" / "build"
    assert (build / "db.sqlite3").is_file()  # made by migrate inside the sandbox
    log = (tmp_path / "work" / "build.log").read_text()
    assert "$ python3 manage.py makemigrations myapp" in log
    assert "$ python3 manage.py migrate" in log


@sandboxed
def test_django_package_outside_the_list_fails_the_build_naming_it(tmp_path: Path) -> None:
    files = _reference("Python-Django")
    files["myapp/views.py"] = "import requests\n" + files["myapp/views.py"]
    record = _run_first_test("Python-Django", files, tmp_path)
    assert record.status == "build_failed"
    last = record.error.strip().splitlines()[-1]
    assert "makemigrations myapp" in last
    assert "ModuleNotFoundError: No module named 'requests'" in last
    assert 'File "/app/myapp/views.py", line 1' in record.error  # Python's own traceback


@sandboxed
def test_django_syntax_error_fails_the_build(tmp_path: Path) -> None:
    files = _reference("Python-Django")
    files["myapp/views.py"] += "\ndef broken(:\n"
    record = _run_first_test("Python-Django", files, tmp_path)
    assert record.status == "build_failed"
    assert 'File "myapp/views.py"' in record.error and "SyntaxError" in record.error


@sandboxed
def test_django_start_failure_is_recorded_with_djangos_text(tmp_path: Path) -> None:
    # the WSGI module is only imported by runserver: the build passes, the start fails
    files = _reference("Python-Django")
    files["mysite/wsgi.py"] = "import requests\n" + files["mysite/wsgi.py"]
    record = _run_first_test("Python-Django", files, tmp_path)
    assert record.status == "tested", record.error
    (test,) = record.tests
    assert test.message.startswith("app did not start")
    assert "No module named 'requests'" in test.message
