"""The Rust env: the manifest and its lock, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need the env prepared
(`baxbench envs setup Rust-Actix`) and bubblewrap. Each slow test compiles one main.rs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import get_env
from baxbench.envs.rust import LOCKFILE, ActixEnv
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

# --- fast: manifest, lock, layout ---------------------------------------------------------------


def test_manifest_is_the_originals_cargo_toml_with_concrete_versions() -> None:
    env = get_env("Rust-Actix")
    assert isinstance(env, ActixEnv)
    assert env.code_files == ("main.rs",) and env.manifest_name == "Cargo.toml"
    text = env.manifest
    assert 'name = "server"' in text and 'edition = "2021"' in text
    for line in ('actix-web = "4.9.0"', 'actix-multipart = "0.7.2"', 'nix = { version = "0.29.0"',
                 'rusqlite = { version = "0.33.0", features = ["bundled", "modern-full"] }',
                 'env_logger = "0.11.6"', 'uuid = { version = "1.11.0"'):
        assert line in text
    assert '"*"' not in text  # the original's unpinned chrono and current_platform
    assert 'chrono = "0.4.39"' in text and 'current_platform = "0.2.0"' in text
    assert "main.rs" in env.instructions and "Cargo.toml" in env.instructions


def test_lock_pins_every_dependency_at_or_above_the_manifest() -> None:
    """The shipped Cargo.lock resolves each dependency of Cargo.toml (cargo --locked fails
    otherwise): one locked version per crate, within the manifest's requirement."""
    lock = LOCKFILE.read_text()
    locked: dict[str, list[str]] = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', lock):
        locked.setdefault(name, []).append(version)
    manifest = get_env("Rust-Actix").manifest.split("[dependencies]", 1)[1]
    for name, requirement in re.findall(r'^([\w-]+) = (?:\{ version = )?"([^"]+)"', manifest,
                                        re.M):
        assert name in locked, f"{name} is not in Cargo.lock"
        major = requirement.split(".")[0]
        assert any(v.split(".")[0] == major for v in locked[name]), (name, locked[name])


def test_launch_runs_the_binary_from_app(tmp_path: Path) -> None:
    spec = get_env("Rust-Actix").launch_spec(tmp_path, tmp_path, {"APP_SECRET": "s"})
    assert spec.command == ["./server"] and spec.app_dir == tmp_path
    assert spec.env["APP_SECRET"] == "s" and not spec.ro_binds


def test_unprepared_env_says_how_to_prepare_it(tmp_path: Path) -> None:
    env = get_env("Rust-Actix")
    assert not env.is_ready(tmp_path)
    bad = [c for c in env.checks(tmp_path) if not c.ok]
    assert bad and bad[-1].fix == "baxbench envs setup Rust-Actix"


# --- slow: the prepared env, real builds and sandboxes --------------------------------------

def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    """Slow, and skipped where bubblewrap is missing."""
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    return pytest.mark.slow(no_bwrap(test))


def _ready() -> ActixEnv:
    env = get_env("Rust-Actix")
    if not env.is_ready(baxbench_home()):
        pytest.fail("Rust-Actix is not prepared: run `baxbench envs setup Rust-Actix`")
    assert isinstance(env, ActixEnv)
    return env


def _run_first_test(files: dict[str, str], tmp_path: Path) -> SampleRecord:
    env = _ready()
    scenario = get_scenario("Calculator")
    write_files(files, tmp_path / "code")
    with Runner(get_sandbox(), baxbench_home(), jobs=1) as runner:
        job = SampleJob(scenario, env, 0, tmp_path / "code", tmp_path / "work",
                        tests=scenario.functional_tests[:1])
        return runner.submit(job).result()


def _reference() -> dict[str, str]:
    ref = get_scenario("Calculator").reference("Rust-Actix")
    assert ref is not None
    return dict(ref.files)


@sandboxed
def test_reference_builds_offline_compiling_only_main(tmp_path: Path) -> None:
    files = _reference()
    files["Cargo.toml"] = '[package]\nname = "other"\n'  # the env's own Cargo.toml wins
    record = _run_first_test(files, tmp_path)
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    assert (tmp_path / "work" / "build" / "server").is_file()
    log = (tmp_path / "work" / "build.log").read_text()
    assert "ignored file(s) besides main.rs: Cargo.toml" in log
    compiled = re.findall(r"Compiling (\S+)", log)
    assert compiled == ["server"], f"dependencies were recompiled: {compiled}"


@sandboxed
def test_compile_errors_fail_the_build_with_rustcs_text(tmp_path: Path) -> None:
    src = "fn main() {\n    let x: u32 = \"text\";\n    println!(\"{}\", y);\n}\n"
    record = _run_first_test({"main.rs": src}, tmp_path)
    assert record.status == "build_failed"
    assert "error[E0425]: cannot find value `y` in this scope" in record.error
    assert "error[E0308]: mismatched types" in record.error
    assert "src/main.rs:3:" in record.error


@sandboxed
def test_crate_outside_the_list_fails_the_build_naming_it(tmp_path: Path) -> None:
    # reqwest is unknown; bytes is compiled (actix-web depends on it) but not in Cargo.toml
    files = _reference()
    files["main.rs"] = "use reqwest::Client;\nuse bytes::Bytes;\n" + files["main.rs"]
    record = _run_first_test(files, tmp_path)
    assert record.status == "build_failed"
    for crate in ("reqwest", "bytes"):
        assert re.search(rf"error\[E0432\]: unresolved import `{crate}`", record.error), \
            record.error[-2000:]
