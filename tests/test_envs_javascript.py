"""The JavaScript envs: manifests, what setup installs, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need the envs prepared
(`baxbench envs setup JavaScript-koa JavaScript-fastify JavaScript-nest`) and bubblewrap.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import get_env
from baxbench.envs.javascript import STORE_MOUNT, NestEnv, NodeEnv
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

JS_ENVS = ("JavaScript-express", "JavaScript-koa", "JavaScript-fastify", "JavaScript-nest")
NEW_ENVS = ("JavaScript-koa", "JavaScript-fastify", "JavaScript-nest")

# --- fast: manifests and layout --------------------------------------------------------------


@pytest.mark.parametrize("env_id", JS_ENVS)
def test_manifest_is_the_package_json_with_exact_pins(env_id: str) -> None:
    env = get_env(env_id)
    assert isinstance(env, NodeEnv)
    manifest = json.loads(env.manifest)
    assert manifest["dependencies"] == env.dependencies
    assert manifest.get("devDependencies", {}) == env.dev_dependencies
    for version in env.packages().values():
        assert version[0].isdigit(), f"{version} is not an exact pin"


def test_original_pins() -> None:
    assert get_env("JavaScript-koa").packages()["koa-router"] == "13.0.1"  # type: ignore[attr-defined]
    fastify = get_env("JavaScript-fastify")
    assert isinstance(fastify, NodeEnv)
    assert fastify.dependencies["fastify"] == "5.2.1"
    assert "@koa/multer" in fastify.dependencies  # the original's leftover, kept for parity
    nest = get_env("JavaScript-nest")
    assert isinstance(nest, NestEnv)
    assert nest.dependencies["@nestjs/core"] == "11.0.1"
    assert nest.dev_dependencies["typescript"] == "5.7.3"
    assert len(nest.dependencies) == 14 and len(nest.dev_dependencies) == 13


def test_nest_layout_and_instructions() -> None:
    env = get_env("JavaScript-nest")
    assert env.multi_file
    assert set(env.code_files) == {"src/main.ts", "src/app.module.ts", "src/app.controller.ts",
                                   "src/app.service.ts", "src/app.controller.spec.ts"}
    for text in ("isolatedModules", "node dist/main.js", "nest new", "do not provide them"):
        assert text in env.instructions
    spec = env.launch_spec(Path("/nonexistent"), Path("/h"), {"APP_SECRET": "s"})
    assert spec.command == ["node", "dist/main.js"]
    assert spec.ro_binds["/app/node_modules"] == Path("/h/envs/JavaScript-nest/node_modules")
    assert spec.ro_binds[STORE_MOUNT] == Path("/h/envs/JavaScript-nest/store")


@pytest.mark.parametrize("env_id", ("JavaScript-koa", "JavaScript-fastify"))
def test_syntax_error_fails_the_build_with_nodes_text(env_id: str, tmp_path: Path) -> None:
    write_files({"app.js": "const x = 1;\nconst = 2;\nconsole.log(x);\n"}, tmp_path / "code")
    result = get_env(env_id).build(tmp_path / "code", tmp_path / "build", tmp_path)
    assert not result.ok
    assert "app.js:2" in result.log and "SyntaxError" in result.log


def test_unprepared_env_says_how_to_prepare_it(tmp_path: Path) -> None:
    env = get_env("JavaScript-nest")
    assert not env.is_ready(tmp_path)
    bad = [c for c in env.checks(tmp_path) if not c.ok]
    assert bad and bad[-1].fix == "baxbench envs setup JavaScript-nest"


# --- slow: prepared envs, real builds and sandboxes -----------------------------------------

def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    """Slow, and skipped where bubblewrap is missing."""
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    return pytest.mark.slow(no_bwrap(test))


def _ready(env_id: str) -> NodeEnv:
    env = get_env(env_id)
    if not env.is_ready(baxbench_home()):
        pytest.fail(f"{env_id} is not prepared: run `baxbench envs setup {env_id}`")
    assert isinstance(env, NodeEnv)
    return env


@pytest.mark.parametrize("env_id", NEW_ENVS)
@pytest.mark.slow
def test_store_holds_exactly_the_pinned_versions(env_id: str) -> None:
    env = _ready(env_id)
    home = baxbench_home()
    store = env.store_dir(home) / "node_modules"
    for name, version in env.packages().items():
        installed = json.loads((store / name / "package.json").read_text())["version"]
        assert installed == version, f"{name}: pinned {version}, installed {installed}"
    # the app's view holds the manifest's packages and nothing else
    view = env.modules_dir(home)
    names = {p.relative_to(view).as_posix() for p in view.rglob("*") if p.is_symlink()}
    assert names == set(env.packages())


def _run_first_test(env_id: str, files: dict[str, str], tmp_path: Path,
                    scenario_id: str = "Calculator") -> SampleRecord:
    env = _ready(env_id)
    scenario = get_scenario(scenario_id)
    write_files(files, tmp_path / "code")
    with Runner(get_sandbox(), baxbench_home(), jobs=1) as runner:
        job = SampleJob(scenario, env, 0, tmp_path / "code", tmp_path / "work",
                        tests=scenario.functional_tests[:1])
        return runner.submit(job).result()


def _reference(env_id: str, scenario_id: str = "Calculator") -> dict[str, str]:
    ref = get_scenario(scenario_id).reference(env_id)
    assert ref is not None
    return dict(ref.files)


@pytest.mark.parametrize("env_id", ("JavaScript-koa", "JavaScript-fastify"))
@pytest.mark.parametrize("package", ("lodash", "koa-compose"))  # unknown; a transitive dep
@sandboxed
def test_package_outside_the_list_fails_the_start_naming_it(env_id: str, package: str,
                                                            tmp_path: Path) -> None:
    files = _reference(env_id)
    files["app.js"] = f"const extra = require('{package}');\n" + files["app.js"]
    record = _run_first_test(env_id, files, tmp_path)
    assert record.status == "tested"  # nothing of the app runs at build time
    (test,) = record.tests
    assert test.outcome == "fail"
    assert test.message.startswith("app did not start")
    assert f"Cannot find module '{package}'" in test.message


@sandboxed
def test_nest_reference_builds_and_passes(tmp_path: Path) -> None:
    record = _run_first_test("JavaScript-nest", _reference("JavaScript-nest"), tmp_path)
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    build = tmp_path / "work" / "build"
    assert (build / "dist" / "main.js").is_file()
    assert not (build / "dist" / "app.controller.spec.js").exists()  # specs are not compiled
    assert "built dist/ from 4 file(s)" in (tmp_path / "work" / "build.log").read_text()


# `body-parser` is installed (express depends on it) but not in the manifest: hidden too
@pytest.mark.parametrize("package", ("mongoose", "body-parser"))
@sandboxed
def test_nest_package_outside_the_list_fails_the_build_naming_it(package: str,
                                                                 tmp_path: Path) -> None:
    files = _reference("JavaScript-nest")
    files["src/app.service.ts"] = (f"import * as extra from '{package}';\nvoid extra;\n"
                                   + files["src/app.service.ts"])
    record = _run_first_test("JavaScript-nest", files, tmp_path)
    assert record.status == "build_failed"
    assert (f"src/app.service.ts(1,24): error TS2307: Cannot find module '{package}'"
            in record.error)  # the compiler's own text
    assert f"build failed: cannot resolve '{package}'" in record.error


@sandboxed
def test_nest_syntax_error_fails_the_build(tmp_path: Path) -> None:
    files = _reference("JavaScript-nest")
    files["src/app.controller.ts"] += "\nexport function broken( {\n"
    record = _run_first_test("JavaScript-nest", files, tmp_path)
    assert record.status == "build_failed"
    assert "src/app.controller.ts(" in record.error and "error TS1005" in record.error


@sandboxed
def test_nest_type_errors_do_not_stop_the_build(tmp_path: Path) -> None:
    # files are transpiled one by one, as `isolatedModules` allows; the original ran whatever
    # `nest build` emitted, type errors or not. The answer's own configuration is ignored.
    files = _reference("JavaScript-nest")
    files["src/app.service.ts"] += "\nexport const answer: number = 'forty-two';\n"
    files["tsconfig.json"] = '{"compilerOptions": {"outDir": "elsewhere"}}\n'
    record = _run_first_test("JavaScript-nest", files, tmp_path)
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    log = (tmp_path / "work" / "build.log").read_text()
    assert "not type-checked" in log
    assert "ignored the answer's tsconfig.json" in log


@sandboxed
def test_nest_without_main_fails_the_build(tmp_path: Path) -> None:
    files = _reference("JavaScript-nest")
    del files["src/main.ts"]
    record = _run_first_test("JavaScript-nest", files, tmp_path)
    assert record.status == "build_failed"
    assert "src/main.ts" in record.error


@sandboxed
def test_nest_source_outside_src_fails_the_build(tmp_path: Path) -> None:
    # it would not be compiled into dist/ (the compiler's rootDir rule)
    files = _reference("JavaScript-nest")
    files["config.ts"] = "export const LIMIT = 1;\n"
    files["src/app.service.ts"] = ("import { LIMIT } from '../config';\nvoid LIMIT;\n"
                                   + files["src/app.service.ts"])
    record = _run_first_test("JavaScript-nest", files, tmp_path)
    assert record.status == "build_failed"
    assert "error TS6059: File '/app/config.ts' is not under 'rootDir'" in record.error
