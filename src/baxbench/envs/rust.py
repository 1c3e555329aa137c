"""Rust Actix env: a toolchain, vendored crates and a target dir with every dependency compiled.

Setup copies the Rust toolchain (without its docs) into the env cache, vendors the crates of
Cargo.toml at the versions of the Cargo.lock shipped beside this module (the only step that uses
the network), then compiles every dependency once, in a sandbox, with the exact environment of a
sample's build. A sample's build (in a sandbox, offline: build scripts and proc macros run
there) sees that target dir through a tree of symlinks (`cp -rs`), so cargo finds every
dependency fresh and compiles only the sample's main.rs; the new files land beside the links.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from baxbench.env import BuildResult, Env, Log
from baxbench.envs._common import SetupError, make_world_readable, run_logged
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits

TOOLCHAIN_ENV = "BAXBENCH_RUST_TOOLCHAIN"  # a toolchain dir (with bin/cargo and bin/rustc)
LOCKFILE = Path(__file__).parent / "actix" / "Cargo.lock"
PACKAGE = "server"
PROFILE = "release"  # or "dev"; see docs/ENVS.md for the measurements behind the choice
PROFILE_FLAG = " --release" if PROFILE == "release" else ""
PROFILE_DIR = "release" if PROFILE == "release" else "debug"  # under the target dir

# Sandbox paths of the prepared trees (setup's prebuild uses the same ones).
SB_TOOLCHAIN = "/opt/rust"
SB_VENDOR = "/opt/vendor"
SB_TARGET = "/opt/target"

BUILD_TIMEOUT_S = 900.0
PREBUILD_TIMEOUT_S = 5400.0
BUILD_LIMITS = Limits(memory_bytes=6 * 1024**3, pids=4096, tmp_size_bytes=2 * 1024**3,
                      file_size_bytes=2 * 1024**3, open_files=8192,
                      address_space_bytes=64 * 1024**3, start_timeout_s=0)

# The original's Cargo.toml (facts §2.6), with concrete versions where it had "*". Cargo reads
# these as minimum versions; the Cargo.lock pins what is built.
CARGO_TOML = """\
[package]
name = "server"
version = "0.1.0"
edition = "2021"

[dependencies]
actix-web = "4.9.0"
actix-multipart = "0.7.2"
clap = { version = "4", features = ["derive"] }
tempdir = "0.3"
serde = { version = "1.0", features = ["derive"] }
serde_json = "1.0"
tokio = { version = "1", features = ["full", "macros", "rt-multi-thread"] }
current_platform = "0.2.0"
chrono = "0.4.39"
nix = { version = "0.29.0", features = ["signal"] }
rusqlite = { version = "0.33.0", features = ["bundled", "modern-full"] }
env_logger = "0.11.6"
uuid = { version = "1.11.0", features = ["v4", "fast-rng", "macro-diagnostics"] }
"""

CARGO_CONFIG = f"""\
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "{SB_VENDOR}"

[net]
offline = true

# The dependencies are prebuilt at opt-level 3 (the release profile); the sample's own crate is
# compiled at opt-level 1: about 30% less CPU than 3 for the one compile each sample pays for.
[profile.release.package.server]
opt-level = 1
"""

PREBUILD_MAIN = "fn main() {}\n"


def host_toolchain() -> Path | None:
    """The toolchain to copy: $BAXBENCH_RUST_TOOLCHAIN, else the sysroot of `rustc` on PATH
    (rustup's default toolchain)."""
    env = os.environ.get(TOOLCHAIN_ENV)
    if env:
        return Path(env)
    rustc = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")
    try:
        out = subprocess.run([rustc, "--print", "sysroot"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    sysroot = out.stdout.strip()
    return Path(sysroot) if out.returncode == 0 and sysroot else None


def _version(binary: Path) -> str:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                             timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link a toolchain file (no space taken; rustup replaces files, never edits them),
    else copy it."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _shell(*cmds: str) -> str:
    lines = ["set -e"]
    for c in cmds:
        lines += [f"echo '$ {c}'", c]
    return "\n".join(lines)


def finish_target(target: Path) -> None:
    """Make the copied-out target dir one that a sample's build reads and never writes.

    * Drop what a sample's build writes itself: the prebuild's own package (its fingerprint dir
      has the same name in every build, and a link to a read-only file cannot be rewritten),
      cargo's lock file and its rustc-info cache.
    * Give every file one modification time: cargo calls a unit stale when a dependency's output
      is newer than its own, and the copy out of the sandbox does not keep the times. Equal
      times are never "newer", and all are later than the vendored sources.
    """
    out = target / PROFILE_DIR
    for path in (target / ".rustc_info.json", out / ".cargo-lock", out / PACKAGE,
                 out / f"{PACKAGE}.d"):
        path.unlink(missing_ok=True)
    for pattern in (f".fingerprint/{PACKAGE}-*", f"deps/{PACKAGE}-*", f"build/{PACKAGE}-*"):
        for path in out.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    now = time.time()
    for dirpath, dirnames, filenames in os.walk(target):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (now, now), follow_symlinks=False)


class ActixEnv(Env):
    id = "Rust-Actix"
    language = "Rust"
    framework = "Actix"
    code_files = ("main.rs",)
    manifest_name = "Cargo.toml"
    manifest = CARGO_TOML
    instructions = (
        "You must put all the code of the app in the one file main.rs. Create no other files; do "
        "not assume any file other than main.rs exists. It is the src/main.rs of the package "
        f"`{PACKAGE}` whose Cargo.toml is shown above. The app is built with "
        f"`cargo build{PROFILE_FLAG}` and the binary is started from the app's directory."
    )

    # --- paths --------------------------------------------------------------------------
    def toolchain_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "toolchain"

    def vendor_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "vendor"

    def target_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "target"

    def skeleton_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "skeleton"

    def _stamp(self, home: Path) -> str:
        """What the prepared env was made from (its own toolchain copy is frozen with it)."""
        parts = [self.manifest, LOCKFILE.read_text() if LOCKFILE.exists() else "", PROFILE,
                 CARGO_CONFIG, str(sorted(self.cargo_env().items()))]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def _stamp_ok(self, home: Path) -> bool:
        stamp = self.env_dir(home) / "ready.stamp"
        return stamp.exists() and stamp.read_text() == self._stamp(home)

    # --- environment ----------------------------------------------------------------------
    def cargo_env(self) -> dict[str, str]:
        """The environment of builds in the sandbox (setup's prebuild uses it too)."""
        return {
            "PATH": f"{SB_TOOLCHAIN}/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "CARGO_HOME": "/tmp/cargo-home",
            "RUSTC": f"{SB_TOOLCHAIN}/bin/rustc",
            "CARGO_TARGET_DIR": "/app/target",
            "CARGO_TERM_COLOR": "never",
            "CARGO_TERM_PROGRESS_WHEN": "never",
            "CARGO_INCREMENTAL": "0",
            "RUSTFLAGS": "-A warnings",
            "CC": "gcc",
            "CXX": "g++",
        }

    def sandbox_binds(self, home: Path) -> dict[str, Path]:
        return {SB_TOOLCHAIN: self.toolchain_dir(home), SB_VENDOR: self.vendor_dir(home)}

    def cargo_build(self) -> str:
        return f"cargo build --offline --locked{PROFILE_FLAG}"

    # --- setup ----------------------------------------------------------------------------
    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        if self._stamp_ok(home):
            log(f"{self.id}: already prepared at {env_dir}")
            return
        tc = host_toolchain()
        if tc is None or not (tc / "bin" / "cargo").exists() or not (tc / "bin" / "rustc").exists():
            raise SetupError("no Rust toolchain found (rustc --print sysroot). Fix: install Rust "
                             f"with rustup, or set {TOOLCHAIN_ENV} to a toolchain directory")
        if not shutil.which("gcc"):
            raise SetupError("gcc is missing (linker, bundled SQLite). Fix: apt-get install gcc "
                             "libc6-dev")
        if not LOCKFILE.exists():
            raise SetupError(f"{LOCKFILE} is missing from the installation")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        log(f"{self.id}: copying the toolchain {tc} ({_version(tc / 'bin' / 'rustc')})")
        shutil.copytree(tc, self.toolchain_dir(home), symlinks=True,
                        copy_function=_link_or_copy, ignore=shutil.ignore_patterns("share"))
        skeleton = self.skeleton_dir(home)
        (skeleton / "src").mkdir(parents=True)
        (skeleton / ".cargo").mkdir()
        (skeleton / "Cargo.toml").write_text(self.manifest)
        shutil.copyfile(LOCKFILE, skeleton / "Cargo.lock")
        (skeleton / ".cargo" / "config.toml").write_text(CARGO_CONFIG)
        log(f"{self.id}: vendoring the crates of Cargo.lock")
        with tempfile.TemporaryDirectory(prefix="baxbench-cargo-") as tmp:
            work = Path(tmp) / "project"
            (work / "src").mkdir(parents=True)
            (work / "Cargo.toml").write_text(self.manifest)
            shutil.copyfile(LOCKFILE, work / "Cargo.lock")
            (work / "src" / "main.rs").write_text(PREBUILD_MAIN)
            cargo = str(tc / "bin" / "cargo")
            vendor = str(self.vendor_dir(home))
            run_logged([cargo, "vendor", "--locked", "--versioned-dirs", vendor], log, cwd=work,
                       env={"CARGO_HOME": str(Path(tmp) / "cargo-home"),
                            "RUSTC": str(tc / "bin" / "rustc"), "CARGO_TERM_COLOR": "never"})
        make_world_readable(env_dir)
        log(f"{self.id}: compiling every dependency ({PROFILE} profile), in a sandbox: this "
            "takes several minutes")
        self._prebuild(home, log)
        finish_target(self.target_dir(home))
        make_world_readable(env_dir)
        (env_dir / "ready.stamp").write_text(self._stamp(home))
        log(f"{self.id}: ready at {env_dir}")

    def _prebuild(self, home: Path, log: Log) -> None:
        from baxbench.sandbox import get_sandbox
        from baxbench.sandbox.job import copy_out, run_job

        with tempfile.TemporaryDirectory(prefix="baxbench-cargo-") as tmp:
            stage = Path(tmp) / "app"
            shutil.copytree(self.skeleton_dir(home), stage)
            (stage / "src" / "main.rs").write_text(PREBUILD_MAIN)
            spec = LaunchSpec(
                app_dir=stage,
                command=["/bin/sh", "-c", _shell(self.cargo_build(), "rustc --version")],
                ro_binds=self.sandbox_binds(home),
                env=self.cargo_env(),
                limits=BUILD_LIMITS,
            )
            target = self.target_dir(home)

            def collect(root: Path) -> None:
                copy_out(root / "app" / "target", target, max_bytes=16 * 1024**3)

            start = time.monotonic()
            job = run_job(get_sandbox(), spec, PREBUILD_TIMEOUT_S, collect)
        for line in job.log.splitlines():
            log(line)
        if not job.ok:
            raise SetupError(f"{self.id}: compiling the dependencies failed "
                             f"(exit {job.exit_code}):\n{job.log[-4000:]}")
        log(f"{self.id}: dependencies compiled in {time.monotonic() - start:.0f} s")

    # --- doctor ---------------------------------------------------------------------------
    def checks(self, home: Path) -> list[DoctorCheck]:
        ok = self._stamp_ok(home) and self.target_dir(home).is_dir()
        own = _version(self.toolchain_dir(home) / "bin" / "rustc")
        if own:  # the env's frozen copy is what builds use
            toolchain = DoctorCheck("rust toolchain", True,
                                    f"{own} (copy in {self.toolchain_dir(home)})")
        else:  # setup copies the machine's one
            tc = host_toolchain()
            version = _version(tc / "bin" / "rustc") if tc else ""
            toolchain = DoctorCheck("rust toolchain", bool(version),
                                    f"{version} ({tc})" if version else "rustc not found",
                                    f"install Rust with rustup (or set {TOOLCHAIN_ENV})")
        return [
            toolchain,
            DoctorCheck("gcc (linker)", bool(shutil.which("gcc")),
                        shutil.which("gcc") or "gcc not found", "apt-get install gcc libc6-dev"),
            DoctorCheck(f"{self.id} toolchain, crates and prebuilt target", ok,
                        str(self.env_dir(home)) if ok else "not prepared (or prepared for "
                        "another toolchain or manifest)", f"baxbench envs setup {self.id}"),
        ]

    # --- build ----------------------------------------------------------------------------
    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """The env's package + the model's main.rs; `cargo build` offline in a sandbox over a
        symlink tree of the prebuilt target dir; the binary and the sources go to
        `build_dir`."""
        from baxbench.sandbox import get_sandbox
        from baxbench.sandbox.job import OutputTooLarge, copy_out, run_job

        start = time.monotonic()
        self.require_ready(home)
        if build_dir.exists():
            shutil.rmtree(build_dir)
        build_dir.mkdir(parents=True)  # exists even when the build fails (the runner logs there)

        def fail(msg: str) -> BuildResult:
            return BuildResult(False, msg, time.monotonic() - start)

        main = code_dir / "main.rs"
        if not main.is_file() or main.is_symlink():
            return fail("missing file the env builds: main.rs")
        ignored = sorted(p.relative_to(code_dir).as_posix() for p in code_dir.rglob("*")
                         if p.is_file() and p != main)
        notes = [f"note: ignored file(s) besides main.rs: {', '.join(ignored)}"] if ignored else []
        with tempfile.TemporaryDirectory(prefix="baxbench-cargo-") as tmp:
            stage = Path(tmp) / "app"
            shutil.copytree(self.skeleton_dir(home), stage)
            shutil.copyfile(main, stage / "src" / "main.rs")
            binary = f"target/{PROFILE_DIR}/{PACKAGE}"
            spec = LaunchSpec(
                app_dir=stage,
                command=["/bin/sh", "-c",
                         f"cp -rs {SB_TARGET} target && {self.cargo_build()} && "
                         f"cp {binary} {PACKAGE} && rm -rf target"],
                ro_binds={**self.sandbox_binds(home), SB_TARGET: self.target_dir(home)},
                env=self.cargo_env(),
                limits=BUILD_LIMITS,
            )

            def collect(root: Path) -> None:
                copy_out(root / "app", build_dir, max_bytes=1024**3)

            try:
                job = run_job(get_sandbox(), spec, BUILD_TIMEOUT_S, collect)
            except OutputTooLarge as e:
                return fail(str(e))
        log = "\n".join([*notes, job.log.strip()]).strip()
        if not job.ok:
            why = "timed out" if job.timed_out else f"exited with code {job.exit_code}"
            return fail(f"{log}\n[cargo build {why}]")
        if not (build_dir / PACKAGE).is_file():
            return fail(f"{log}\n[cargo build produced no {PACKAGE} binary]")
        return BuildResult(True, log or "ok", time.monotonic() - start)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=[f"./{PACKAGE}"],
            env={"PATH": "/usr/bin:/bin", "RUST_BACKTRACE": "1", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        tc = self.toolchain_dir(home)
        return {"rustc": _version(tc / "bin" / "rustc"), "cargo": _version(tc / "bin" / "cargo"),
                "profile": PROFILE}
