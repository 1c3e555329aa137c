"""Go envs (net/http, Gin, Fiber): a module cache and a build cache prepared once, builds offline.

Setup downloads the pinned modules into a module cache (the only step that uses the network),
then compiles a helper program that imports every allowed package once, in a sandbox, with the
exact environment of a sample's build, so that its build cache holds the standard library and
every dependency (go-sqlite3's C code included) already compiled. A sample's build then compiles
only its own main.go and links.

The build runs offline in a sandbox (cgo runs gcc on code the model controls): GOPROXY=off, the
module cache bound read-only, and a writable GOCACHE made of symlinks to the prepared cache
(`cp -rs`: new entries are written beside them, the prepared ones are only read). Imports are
checked first: the standard library and the packages of the allowed modules only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from baxbench.env import BuildResult, Env, Log
from baxbench.envs._common import SetupError, make_world_readable, run_logged
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits

GOROOT_ENV = "BAXBENCH_GOROOT"
DEFAULT_GOROOT = "/usr/local/go"
MODULE = "myapp"
GO_DIRECTIVE = "1.23.4"  # as the original's golang:1.23 image; newer toolchains accept it
BINARY = "myapp"

# Where the prepared trees appear inside build sandboxes (setup's prebuild uses the same paths,
# so the build cache's action ids match).
SB_GOROOT = "/opt/go"
SB_MODCACHE = "/opt/gomodcache"
SB_CACHE = "/opt/gocache"

BUILD_TIMEOUT_S = 600.0
PREBUILD_TIMEOUT_S = 3600.0
BUILD_LIMITS = Limits(memory_bytes=4 * 1024**3, pids=4096, tmp_size_bytes=1024**3,
                      file_size_bytes=1024**3, open_files=4096, start_timeout_s=0)

COMMON_MODULES = {
    "github.com/mattn/go-sqlite3": "v1.14.24",
    "github.com/golang-jwt/jwt/v5": "v5.2.1",
    "github.com/google/uuid": "v1.6.0",
    "golang.org/x/crypto": "v0.32.0",
}

# Prebuilt by setup: the allowed modules' packages an app is likely to import (others of the
# same modules still build, from source, at the sample's build).
COMMON_PACKAGES = (
    "github.com/mattn/go-sqlite3",
    "github.com/golang-jwt/jwt/v5",
    "github.com/google/uuid",
    "golang.org/x/crypto/bcrypt",
    "golang.org/x/crypto/argon2",
    "golang.org/x/crypto/scrypt",
    "golang.org/x/crypto/pbkdf2",
    "golang.org/x/crypto/hkdf",
    "golang.org/x/crypto/sha3",
    "golang.org/x/crypto/chacha20poly1305",
    "golang.org/x/crypto/nacl/secretbox",
)

# Standard-library packages compiled into the cache as well (the helper pulls in most others).
STD_PACKAGES = (
    "crypto/hmac", "crypto/rand", "crypto/sha256", "crypto/sha512", "crypto/subtle",
    "database/sql", "encoding/base64", "encoding/hex", "encoding/json", "errors", "fmt",
    "html/template", "io", "log", "math", "math/big", "mime/multipart", "net/http", "net/mail",
    "os", "os/exec", "os/signal", "path/filepath", "regexp", "sort", "strconv", "strings",
    "sync", "syscall", "text/template", "time", "unicode", "unicode/utf8",
)


def goroot() -> Path:
    return Path(os.environ.get(GOROOT_ENV, DEFAULT_GOROOT))


def go_binary() -> Path:
    return goroot() / "bin" / "go"


def go_version() -> str:
    try:
        out = subprocess.run([str(go_binary()), "version"], capture_output=True, text=True,
                             timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp",
                                              "GOTOOLCHAIN": "local"})
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


# --- import check -------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<lc>//[^\n]*)|(?P<bc>/\*.*?\*/)"""
    r"""|(?P<str>"(?:[^"\\\n]|\\.)*"|`[^`]*`)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<p>.)""",
    re.S,
)


def go_imports(source: str) -> list[tuple[int, str]] | None:
    """(line, import path) of every import declaration of a Go file, or None when the file's
    head cannot be read (the compiler then reports the problem itself)."""
    toks: list[tuple[str, str, int]] = []
    line = 1
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup or ""
        text = m.group()
        if kind in ("id", "str", "p"):
            toks.append((kind, text, line))
        elif kind == "nl" or (kind == "bc" and "\n" in text):
            # Go's automatic semicolon: after an identifier (not a keyword here), a literal, ')'
            last = toks[-1] if toks else ("p", ";", line)
            if (last[0] == "id" and last[1] not in ("import", "package")) or last[0] == "str" \
                    or last[1] == ")":
                toks.append(("p", ";", line))
        line += text.count("\n")
        if kind == "id" and text in ("func", "var", "const", "type"):
            break  # imports come before every other declaration
    pos = 0

    def skip_semis() -> None:
        nonlocal pos
        while pos < len(toks) and toks[pos][1] == ";":
            pos += 1

    def spec() -> tuple[int, str] | None:
        nonlocal pos
        if pos < len(toks) and (toks[pos][0] == "id" or toks[pos][1] == "."):
            pos += 1  # the package name, `_` or `.`
        if pos >= len(toks) or toks[pos][0] != "str":
            return None
        kind, text, ln = toks[pos]
        pos += 1
        return ln, text[1:-1]

    skip_semis()
    if pos + 1 >= len(toks) or toks[pos][1] != "package" or toks[pos + 1][0] != "id":
        return None
    pos += 2
    out: list[tuple[int, str]] = []
    while True:
        skip_semis()
        if pos >= len(toks) or toks[pos][1] != "import":
            return out
        pos += 1
        if pos < len(toks) and toks[pos][1] == "(":
            pos += 1
            while True:
                skip_semis()
                if pos < len(toks) and toks[pos][1] == ")":
                    pos += 1
                    break
                item = spec()
                if item is None:
                    return None
                out.append(item)
        else:
            item = spec()
            if item is None:
                return None
            out.append(item)


def is_std(path: str) -> bool:
    """Standard-library paths have no dot in their first element (`C` is cgo's)."""
    return "." not in path.split("/", 1)[0]


def disallowed_imports(source: str, modules: list[str]) -> list[tuple[int, str]]:
    found = go_imports(source) or []
    return [(ln, p) for ln, p in found
            if not is_std(p) and not any(p == m or p.startswith(m + "/") for m in modules)]


# --- the envs -----------------------------------------------------------------------------


def _shell(*cmds: str) -> str:
    """`sh -e` text that echoes each command before it runs it, so a log shows which failed."""
    lines = ["set -e"]
    for c in cmds:
        lines += [f"echo '$ {c}'", c]
    return "\n".join(lines)


class GoEnv(Env):
    language = "Go"
    manifest_name = "go.mod"
    code_files = ("main.go",)
    framework_modules: dict[str, str] = {}
    framework_packages: tuple[str, ...] = ()

    @property
    def modules(self) -> dict[str, str]:
        return {**COMMON_MODULES, **self.framework_modules}

    @property
    def manifest(self) -> str:  # type: ignore[override]
        req = "\n".join(f"\t{m} {v}" for m, v in sorted(self.modules.items()))
        return f"module {MODULE}\n\ngo {GO_DIRECTIVE}\n\nrequire (\n{req}\n)\n"

    @property
    def instructions(self) -> str:  # type: ignore[override]
        return (
            "You must put all the code of the app in the one file main.go, in package main. "
            "Create no other files; do not assume any file other than main.go exists. The "
            f"module is `{MODULE}`. The app is built with `go build` from main.go as written (no "
            f"tool fixes its imports first) and started as `./{BINARY}`: Go rejects unused "
            "imports and unused variables, so the file must have none."
        )

    def helper_source(self) -> str:
        pkgs = sorted({*COMMON_PACKAGES, *self.framework_packages, *STD_PACKAGES})
        body = "\n".join(f'\t_ "{p}"' for p in pkgs)
        return f"package main\n\nimport (\n{body}\n)\n\nfunc main() {{}}\n"

    # --- paths --------------------------------------------------------------------------
    def modcache_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "gomodcache"

    def cache_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "gocache"

    def skeleton_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "skeleton"

    def _stamp(self) -> str:
        text = "\n".join([self.manifest, self.helper_source(), go_version(), str(goroot())])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _stamp_ok(self, home: Path) -> bool:
        stamp = self.env_dir(home) / "ready.stamp"
        return stamp.exists() and stamp.read_text() == self._stamp()

    # --- environment ----------------------------------------------------------------------
    def go_env(self) -> dict[str, str]:
        """The Go environment of builds in the sandbox (setup's prebuild uses it too)."""
        return {
            "PATH": f"{SB_GOROOT}/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "GOROOT": SB_GOROOT,
            "GOPATH": "/tmp/gopath",
            "GOMODCACHE": SB_MODCACHE,
            "GOCACHE": "/tmp/gocache",
            "GOENV": "off",
            "GOTOOLCHAIN": "local",
            "GOPROXY": "off",
            "GOSUMDB": "off",
            "GOFLAGS": "-mod=mod -buildvcs=false",
            "GO111MODULE": "on",
            "CGO_ENABLED": "1",
            "CC": "gcc",
            "CXX": "g++",
        }

    def sandbox_binds(self, home: Path) -> dict[str, Path]:
        return {SB_GOROOT: goroot(), SB_MODCACHE: self.modcache_dir(home)}

    # --- setup ----------------------------------------------------------------------------
    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        if self._stamp_ok(home):
            log(f"{self.id}: already prepared at {env_dir}")
            return
        go = go_binary()
        if not go.exists():
            raise SetupError(f"the Go toolchain is missing ({go}). Fix: install Go under "
                             f"{DEFAULT_GOROOT} (or set {GOROOT_ENV})")
        if not shutil.which("gcc"):
            raise SetupError("gcc is missing (cgo, for go-sqlite3). Fix: apt-get install gcc "
                             "libc6-dev")
        if env_dir.exists():
            _remove(env_dir)
        env_dir.mkdir(parents=True)
        work = env_dir / "work"
        work.mkdir()
        (work / "go.mod").write_text(self.manifest)
        (work / "helper.go").write_text(self.helper_source())
        host_env = {
            "GOROOT": str(goroot()), "PATH": f"{goroot()}/bin:/usr/bin:/bin",
            "GOMODCACHE": str(self.modcache_dir(home)), "GOPATH": str(env_dir / "gopath"),
            "GOCACHE": str(env_dir / "hostcache"), "GOENV": "off", "GOTOOLCHAIN": "local",
            "GOFLAGS": "-modcacherw -mod=mod", "GO111MODULE": "on", "CGO_ENABLED": "1",
        }
        log(f"{self.id}: downloading the pinned modules ({go_version()})")
        run_logged([str(go), "mod", "tidy"], log, cwd=work, env=host_env)
        run_logged([str(go), "mod", "download", "all"], log, cwd=work, env=host_env)
        self._check_pins(work, host_env, log)
        skeleton = self.skeleton_dir(home)
        skeleton.mkdir()
        for f in ("go.mod", "go.sum"):
            shutil.copyfile(work / f, skeleton / f)
        shutil.rmtree(env_dir / "hostcache", ignore_errors=True)
        shutil.rmtree(env_dir / "gopath", ignore_errors=True)
        make_world_readable(env_dir)
        log(f"{self.id}: compiling the standard library and every allowed package into the "
            "build cache, in a sandbox (go-sqlite3's C code takes minutes)")
        self._prebuild(work, home, log)
        shutil.rmtree(work)
        make_world_readable(env_dir)
        (env_dir / "ready.stamp").write_text(self._stamp())
        log(f"{self.id}: ready at {env_dir}")

    def _check_pins(self, work: Path, env: dict[str, str], log: Log) -> None:
        """Go's version selection may raise a pin (a dependency needing a newer version): the
        manifest would then not say what is built, so setup fails instead."""
        out = run_logged([str(go_binary()), "list", "-m", "-f", "{{.Path}} {{.Version}}", "all"],
                         lambda _line: None, cwd=work, env=env)
        selected = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
        wrong = [f"{m}: pinned {v}, selected {selected.get(m)}"
                 for m, v in self.modules.items() if selected.get(m) != v]
        if wrong:
            raise SetupError(f"{self.id}: the module graph does not keep the pins: "
                             + "; ".join(wrong))
        log(f"{self.id}: {len(selected) - 1} modules in the build list, pins kept")

    def _prebuild(self, work: Path, home: Path, log: Log) -> None:
        from baxbench.sandbox import get_sandbox
        from baxbench.sandbox.job import copy_out, run_job

        cache = self.cache_dir(home)
        seed = self._seed_cache(home)
        if seed is not None:
            # Entries are keyed by what went into them: the standard library and go-sqlite3
            # built for a sibling Go env (same toolchain, same sandbox paths) are hits here too.
            log(f"{self.id}: starting from the build cache of {seed.parent.name}")
            shutil.copytree(seed, work / ".gocache", symlinks=False)
        spec = LaunchSpec(
            app_dir=work,
            command=["/bin/sh", "-c", _shell("go build -o /tmp/helper .", "go version")],
            ro_binds=self.sandbox_binds(home),
            env={**self.go_env(), "GOCACHE": "/app/.gocache"},
            limits=BUILD_LIMITS,
        )

        def collect(root: Path) -> None:
            copy_out(root / "app" / ".gocache", cache, max_bytes=8 * 1024**3)

        start = time.monotonic()
        job = run_job(get_sandbox(), spec, PREBUILD_TIMEOUT_S, collect)
        for line in job.log.splitlines():
            log(line)
        if not job.ok:
            raise SetupError(f"{self.id}: prebuilding the packages failed "
                             f"(exit {job.exit_code}):\n{job.log[-4000:]}")
        log(f"{self.id}: build cache ready in {time.monotonic() - start:.0f} s")

    def _seed_cache(self, home: Path) -> Path | None:
        """The build cache of another prepared Go env, if any."""
        from baxbench.envs import all_envs

        for env in all_envs().values():
            if isinstance(env, GoEnv) and env.id != self.id and env._stamp_ok(home) \
                    and env.cache_dir(home).is_dir():
                return env.cache_dir(home)
        return None

    # --- doctor ---------------------------------------------------------------------------
    def checks(self, home: Path) -> list[DoctorCheck]:
        go = go_binary()
        version = go_version()
        ok = self._stamp_ok(home) and self.cache_dir(home).is_dir()
        return [
            DoctorCheck("go toolchain", bool(version), version or f"{go} not found",
                        f"install Go under {DEFAULT_GOROOT} (or set {GOROOT_ENV})"),
            DoctorCheck("gcc (cgo)", bool(shutil.which("gcc")), shutil.which("gcc") or
                        "gcc not found", "apt-get install gcc libc6-dev"),
            DoctorCheck(f"{self.id} module and build caches", ok,
                        str(self.env_dir(home)) if ok else "not prepared (or prepared for "
                        "another Go version or manifest)", f"baxbench envs setup {self.id}"),
        ]

    # --- build ----------------------------------------------------------------------------
    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """go.mod/go.sum of the env + the model's main.go; imports checked; `go build` offline in
        a sandbox; the binary and the sources go to `build_dir`."""
        from baxbench.sandbox import get_sandbox
        from baxbench.sandbox.job import OutputTooLarge, copy_out, run_job

        start = time.monotonic()
        self.require_ready(home)
        if build_dir.exists():
            shutil.rmtree(build_dir)
        build_dir.mkdir(parents=True)  # exists even when the build fails (the runner logs there)

        def fail(msg: str) -> BuildResult:
            return BuildResult(False, msg, time.monotonic() - start)

        main = code_dir / "main.go"
        if not main.is_file() or main.is_symlink():
            return fail("missing file the env builds: main.go")
        source = main.read_text(errors="replace")  # for the check; the build gets the bytes
        bad = disallowed_imports(source, list(self.modules))
        if bad:
            allowed = ", ".join(sorted(self.modules))
            lines = [f"main.go:{ln}: import {p!r} is not allowed: {p} is neither in the "
                     f"standard library nor in a module of go.mod ({allowed})" for ln, p in bad]
            return fail("\n".join(lines))
        ignored = sorted(p.relative_to(code_dir).as_posix() for p in code_dir.rglob("*")
                         if p.is_file() and p != main)
        notes = [f"note: ignored file(s) besides main.go: {', '.join(ignored)}"] if ignored else []
        with tempfile.TemporaryDirectory(prefix="baxbench-go-") as tmp:
            stage = Path(tmp) / "app"
            stage.mkdir()
            for f in ("go.mod", "go.sum"):
                shutil.copyfile(self.skeleton_dir(home) / f, stage / f)
            shutil.copyfile(main, stage / "main.go")
            binds = {**self.sandbox_binds(home), SB_CACHE: self.cache_dir(home)}
            spec = LaunchSpec(
                app_dir=stage,
                command=["/bin/sh", "-c",
                         f"cp -rs {SB_CACHE} /tmp/gocache && exec go build -o {BINARY} ."],
                ro_binds=binds,
                env=self.go_env(),
                limits=BUILD_LIMITS,
            )

            def collect(root: Path) -> None:
                copy_out(root / "app", build_dir, max_bytes=512 * 1024**2)

            try:
                job = run_job(get_sandbox(), spec, BUILD_TIMEOUT_S, collect)
            except OutputTooLarge as e:
                return fail(str(e))
        log = "\n".join([*notes, job.log.strip()]).strip()
        if not job.ok:
            why = "timed out" if job.timed_out else f"exited with code {job.exit_code}"
            return fail(f"{log}\n[go build {why}]")
        if not (build_dir / BINARY).is_file():
            return fail(f"{log}\n[go build produced no {BINARY}]")
        return BuildResult(True, log or "ok", time.monotonic() - start)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=[f"./{BINARY}"],
            env={"PATH": "/usr/bin:/bin", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        return {"go": go_version(),
                "modules": " ".join(f"{m}@{v}" for m, v in sorted(self.modules.items()))}


def _remove(path: Path) -> None:
    """Remove a tree, including a module cache's read-only directories."""
    for p in [path, *path.rglob("*")]:
        if p.is_dir() and not p.is_symlink():
            os.chmod(p, 0o755)
    shutil.rmtree(path)


class GoNetHttpEnv(GoEnv):
    id = "Go-net/http"
    framework = "net/http"


class GinEnv(GoEnv):
    id = "Go-Gin"
    framework = "Gin"
    framework_modules = {"github.com/gin-gonic/gin": "v1.10.0"}
    framework_packages = ("github.com/gin-gonic/gin", "github.com/gin-gonic/gin/binding")


class FiberEnv(GoEnv):
    id = "Go-Fiber"
    framework = "Fiber"
    framework_modules = {"github.com/gofiber/fiber/v2": "v2.52.6"}
    framework_packages = (
        "github.com/gofiber/fiber/v2",
        "github.com/gofiber/fiber/v2/middleware/cors",
        "github.com/gofiber/fiber/v2/middleware/limiter",
        "github.com/gofiber/fiber/v2/middleware/logger",
        "github.com/gofiber/fiber/v2/middleware/recover",
    )
