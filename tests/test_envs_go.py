"""The Go envs: manifests, the import check, builds, and how failures are recorded.

The fast tests need nothing prepared; the slow ones need the envs prepared
(`baxbench envs setup Go-net/http Go-Gin Go-Fiber`) and bubblewrap.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from baxbench.envs import get_env
from baxbench.envs.go import GoEnv, disallowed_imports, go_imports
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.results import SampleRecord
from baxbench.runner import Runner, SampleJob
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario

GO_ENVS = ("Go-net/http", "Go-Gin", "Go-Fiber")

# --- fast: manifests, layout, the import check -------------------------------------------------


@pytest.mark.parametrize("env_id", GO_ENVS)
def test_manifest_is_the_originals_go_mod(env_id: str) -> None:
    env = get_env(env_id)
    assert isinstance(env, GoEnv)
    assert env.code_files == ("main.go",) and env.manifest_name == "go.mod"
    text = env.manifest
    assert text.startswith("module myapp\n\ngo 1.23.4\n")
    for line in ("github.com/mattn/go-sqlite3 v1.14.24", "github.com/golang-jwt/jwt/v5 v5.2.1",
                 "github.com/google/uuid v1.6.0", "golang.org/x/crypto v0.32.0"):
        assert line in text
    assert ("github.com/gin-gonic/gin v1.10.0" in text) == (env_id == "Go-Gin")
    assert ("github.com/gofiber/fiber/v2 v2.52.6" in text) == (env_id == "Go-Fiber")
    assert "unused imports" in env.instructions and "main.go" in env.instructions
    assert env.dirname == env_id.replace("/", "-")


def test_launch_runs_the_binary_from_app(tmp_path: Path) -> None:
    spec = get_env("Go-Gin").launch_spec(tmp_path, tmp_path, {"APP_SECRET": "s"})
    assert spec.command == ["./myapp"] and spec.app_dir == tmp_path
    assert spec.env["APP_SECRET"] == "s" and not spec.ro_binds


def test_go_imports_reads_every_form() -> None:
    src = """// leading comment
/* a block
   comment */ package main

import "fmt"
import (
	"net/http" // trailing comment
	_ "github.com/mattn/go-sqlite3"
	jwt "github.com/golang-jwt/jwt/v5"
	. "github.com/example/dot"
	`golang.org/x/net/html`
)
import
(
	"os"
)
import m "math"; import "strings"

func main() { s := "import \\"github.com/not/an/import\\"" }
"""
    assert go_imports(src) == [
        (5, "fmt"), (7, "net/http"), (8, "github.com/mattn/go-sqlite3"),
        (9, "github.com/golang-jwt/jwt/v5"), (10, "github.com/example/dot"),
        (11, "golang.org/x/net/html"), (15, "os"), (17, "math"), (17, "strings"),
    ]
    assert go_imports('package main; import "C"') == [(1, "C")]
    assert go_imports("not go at all") is None


def test_disallowed_imports_keeps_std_and_the_modules_packages() -> None:
    src = """package main

import (
	"crypto/sha256"
	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/gin-gonic/ginx"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"
	"github.com/go-playground/validator/v10"
)
"""
    modules = ["github.com/gin-gonic/gin", "golang.org/x/crypto"]
    assert disallowed_imports(src, modules) == [
        (7, "github.com/gin-gonic/ginx"), (9, "golang.org/x/net/html"),
        (10, "github.com/go-playground/validator/v10"),
    ]


def test_unprepared_env_says_how_to_prepare_it(tmp_path: Path) -> None:
    env = get_env("Go-Fiber")
    assert not env.is_ready(tmp_path)
    bad = [c for c in env.checks(tmp_path) if not c.ok]
    assert bad and bad[-1].fix == "baxbench envs setup Go-Fiber"


# --- slow: prepared envs, real builds and sandboxes -----------------------------------------

def sandboxed(test: Callable[..., None]) -> Callable[..., None]:
    """Slow, and skipped where bubblewrap is missing."""
    no_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")
    return pytest.mark.slow(no_bwrap(test))


def _ready(env_id: str) -> GoEnv:
    env = get_env(env_id)
    if not env.is_ready(baxbench_home()):
        pytest.fail(f"{env_id} is not prepared: run `baxbench envs setup {env_id}`")
    assert isinstance(env, GoEnv)
    return env


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


@sandboxed
def test_reference_builds_offline_and_passes(tmp_path: Path) -> None:
    files = _reference("Go-Gin")
    files["notes.txt"] = "not part of the build\n"
    record = _run_first_test("Go-Gin", files, tmp_path)
    assert record.status == "tested", record.error
    assert [t.outcome for t in record.tests] == ["pass"]
    assert (tmp_path / "work" / "build" / "myapp").is_file()
    assert "ignored file(s) besides main.go: notes.txt" in (
        tmp_path / "work" / "build.log").read_text()


@sandboxed
def test_compile_errors_fail_the_build_with_gos_text(tmp_path: Path) -> None:
    src = ('package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n'
           'func main() {\n\tx := 1\n\tfmt.Println(y)\n}\n')
    record = _run_first_test("Go-net/http", {"main.go": src}, tmp_path)
    assert record.status == "build_failed"
    for text in ('./main.go:5:2: "os" imported and not used', "declared and not used: x",
                 "./main.go:10:14: undefined: y"):
        assert text in record.error


@pytest.mark.parametrize("package", ("github.com/gorilla/mux", "golang.org/x/net/html"))
@sandboxed
def test_package_outside_the_list_fails_the_build_naming_it(package: str,
                                                            tmp_path: Path) -> None:
    # golang.org/x/net is in Gin's module graph (a dependency of gin), yet not allowed
    files = _reference("Go-Gin")
    files["main.go"] = files["main.go"].replace('import (\n', f'import (\n\t_ "{package}"\n', 1)
    record = _run_first_test("Go-Gin", files, tmp_path)
    assert record.status == "build_failed"
    assert f"main.go:7: import '{package}' is not allowed" in record.error


@sandboxed
def test_go_itself_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind the import check, `go build` runs with GOPROXY=off: with the check switched
    off, an unknown module still fails the build, in Go's own words."""
    env = _ready("Go-net/http")
    monkeypatch.setattr("baxbench.envs.go.disallowed_imports", lambda source, modules: [])
    src = 'package main\n\nimport "github.com/gorilla/mux"\n\nfunc main() { _ = mux.NewRouter() }\n'
    write_files({"main.go": src}, tmp_path / "code")
    result = env.build(tmp_path / "code", tmp_path / "build", baxbench_home())
    assert not result.ok
    assert "cannot find module providing package github.com/gorilla/mux" in result.log
    assert "GOPROXY=off" in result.log


@sandboxed
def test_missing_main_go_fails_the_build(tmp_path: Path) -> None:
    record = _run_first_test("Go-Fiber", {"app.go": "package main\n"}, tmp_path)
    assert record.status == "build_failed"
    assert "main.go" in record.error
