"""JavaScript envs: packages installed once per env, shown to the app as its node_modules.

Cache layout, under `env_dir(home)`:

* `store/`: `package.json` (the manifest) and the `node_modules` npm installed from it, with its
  hoisted transitive dependencies. Mounted read-only at `STORE_MOUNT` in the sandbox.
* `node_modules/`: the app's view, one symlink per package of the manifest, to
  `STORE_MOUNT/node_modules/<name>`. Mounted read-only at `/app/node_modules`. Node resolves a
  package's own imports from the real path (in the store), so packages find their dependencies,
  while the app can load only the packages the model was told about: `require('body-parser')`
  fails with "Cannot find module 'body-parser'" although express depends on it.
* Nest only: `skeleton/` (the project files the env owns: package.json, tsconfig.json,
  tsconfig.build.json, nest-cli.json) and `tools/build.js` (the compile driver, run in a sandbox).
* `ready.stamp`: hash of the manifest and of everything above the env writes itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from baxbench.env import BuildResult, Env, EnvNotReady, Log, copy_code
from baxbench.envs._common import (
    SetupError,
    make_world_readable,
    run_check,
    run_logged,
    tool_check,
)
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits
from baxbench.sandbox.job import JobResult, OutputTooLarge, copy_out, run_job

NODE = "/usr/bin/node"
STORE_MOUNT = "/opt/baxbench-node"  # the env's store, in the sandbox
TOOLS_MOUNT = "/opt/baxbench-tools"  # build helpers (Nest), in the sandbox
LAYOUT = "view-2"  # bump when the cache layout changes: the stamp then asks for a new setup
SANDBOX_PATH = "/usr/bin:/bin"

# A build job runs the compiler on the model's files: generous, but bounded.
BUILD_LIMITS = Limits(memory_bytes=2 * 1024**3, pids=128, tmp_size_bytes=256 * 1024**2,
                      file_size_bytes=256 * 1024**2)
BUILD_TIMEOUT_S = 300.0

NPM_ENV = {
    # native modules (bcrypt, sqlite3) compile against the system node headers, and never fetch
    # prebuilt binaries from outside the npm registry
    "npm_config_nodedir": "/usr",
    "npm_config_build_from_source": "true",
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
}

SINGLE_FILE_RULES = (
    "You must put all the code of the app in the one file app.js. Create no other files; do not "
    "assume any file other than app.js exists."
)


def _view_target(name: str) -> str:
    return f"{STORE_MOUNT}/node_modules/{name}"


class NodeEnv(Env):
    language = "JavaScript"
    manifest_name = "package.json"
    code_files: tuple[str, ...] = ("app.js",)
    dependencies: dict[str, str] = {}
    dev_dependencies: dict[str, str] = {}
    run_command: tuple[str, ...] = ("node", "app.js")

    # --- what the model is told ----------------------------------------------------------
    def package_json(self) -> dict[str, Any]:
        return {"dependencies": self.dependencies}

    @property
    def manifest(self) -> str:  # type: ignore[override]
        return json.dumps(self.package_json(), indent=2) + "\n"

    # --- cache ----------------------------------------------------------------------------
    def store_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "store"

    def modules_dir(self, home: Path) -> Path:
        """The app's view of the packages (symlinks into the store)."""
        return self.env_dir(home) / "node_modules"

    def packages(self) -> dict[str, str]:
        return {**self.dependencies, **self.dev_dependencies}

    def _owned_files(self) -> dict[str, str]:
        """Files the env writes into its cache besides the install (relative path -> text)."""
        return {}

    def _install_stamp(self) -> str:
        """Identifies the install (store and view): the manifest and the layout."""
        return hashlib.sha256(f"{LAYOUT}\n{self.manifest}".encode()).hexdigest()[:16]

    def _stamp(self) -> str:
        """Identifies the whole prepared env: the install and the files the env writes."""
        h = hashlib.sha256(self._install_stamp().encode())
        for rel, text in sorted(self._owned_files().items()):
            h.update(f"\0{rel}\0{text}".encode())
        return h.hexdigest()[:16]

    def _stamp_ok(self, home: Path, name: str = "ready.stamp") -> bool:
        stamp = self.env_dir(home) / name
        want = self._stamp() if name == "ready.stamp" else self._install_stamp()
        return stamp.is_file() and stamp.read_text() == want

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        if self._stamp_ok(home) and not self._view_problems(home):
            log(f"{self.id}: already prepared at {env_dir}")
            return
        if self._stamp_ok(home, "install.stamp") and not self._view_problems(home):
            log(f"{self.id}: packages already installed; refreshing the env's own files")
        else:
            self._install(home, log)
        (env_dir / "ready.stamp").unlink(missing_ok=True)
        for rel, text in self._owned_files().items():
            path = env_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        make_world_readable(env_dir)
        log(f"{self.id}: checking the packages load in the sandbox")
        self._smoke(home, log)
        (env_dir / "ready.stamp").write_text(self._stamp())
        log(f"{self.id}: ready")

    def _install(self, home: Path, log: Log) -> None:
        """npm install of the manifest into the store, then the app's view of it."""
        env_dir = self.env_dir(home)
        npm = shutil.which("npm")
        if not npm or not Path(NODE).exists():
            raise SetupError("node and npm are needed. Fix: apt-get install nodejs npm")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        store = self.store_dir(home)
        store.mkdir(parents=True)
        package = {"name": "baxbench-" + self.dirname.lower(), "version": "1.0.0",
                   "private": True, **self.package_json()}
        (store / "package.json").write_text(json.dumps(package, indent=2) + "\n")
        n = len(self.packages())
        log(f"{self.id}: installing {n} pinned packages and their dependencies with npm "
            "(native modules are compiled from source: this takes a few minutes)")
        run_logged([npm, "install", "--no-audit", "--no-fund", "--foreground-scripts",
                    "--include=dev" if self.dev_dependencies else "--omit=dev"],
                   log, cwd=store, env=NPM_ENV)
        log(f"{self.id}: linking the app's view of the {n} packages")
        self._make_view(home)
        (env_dir / "install.stamp").write_text(self._install_stamp())

    def _make_view(self, home: Path) -> None:
        view = self.modules_dir(home)
        view.mkdir()
        for name in self.packages():
            if not (self.store_dir(home) / "node_modules" / name / "package.json").is_file():
                raise SetupError(f"npm did not install {name} into {self.store_dir(home)}")
            link = view / name
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(_view_target(name), link)

    def _view_problems(self, home: Path) -> list[str]:
        view, store = self.modules_dir(home), self.store_dir(home) / "node_modules"
        problems = []
        for name in self.packages():
            link = view / name
            if not link.is_symlink() or os.readlink(link) != _view_target(name):
                problems.append(f"{link} is not a link to the store")
            elif not (store / name / "package.json").is_file():
                problems.append(f"{name} is missing from {store}")
        return problems

    def binds(self, home: Path) -> dict[str, Path]:
        return {"/app/node_modules": self.modules_dir(home), STORE_MOUNT: self.store_dir(home)}

    def _run_job(self, home: Path, app_dir: Path, command: list[str],
                 collect: Callable[[Path], None] | None = None) -> JobResult:
        """Run `command` in a build sandbox with /app = a copy of `app_dir` (a JobResult)."""
        from baxbench.sandbox import get_sandbox

        binds = self.binds(home)
        tools = self.env_dir(home) / "tools"
        if tools.is_dir():
            binds[TOOLS_MOUNT] = tools
        spec = LaunchSpec(app_dir=app_dir, command=command, ro_binds=binds,
                          env={"PATH": SANDBOX_PATH, "HOME": "/tmp"}, limits=BUILD_LIMITS)
        return run_job(get_sandbox(), spec, BUILD_TIMEOUT_S, collect)

    def _smoke(self, home: Path, log: Log) -> None:
        """Load every runtime package from the app's view, in the sandbox, as an app would."""
        names = json.dumps(sorted(self.dependencies))
        script = f"for (const m of {names}) require(m); console.log('loaded', {names}.length)"
        with tempfile.TemporaryDirectory(prefix="bax-smoke-") as tmp:
            app = Path(tmp) / "app"
            app.mkdir()
            os.chmod(tmp, 0o755)
            result = self._run_job(home, app, [NODE, "-e", script])
        if not result.ok:
            raise SetupError(f"{self.id}: the installed packages do not load in the sandbox:\n"
                             f"{result.log[-3000:]}")
        log(result.log.strip())

    def checks(self, home: Path) -> list[DoctorCheck]:
        ok = self._stamp_ok(home)
        problems = self._view_problems(home) if ok else []
        if not ok:
            detail = "not prepared (or prepared from another package list)"
        elif problems:
            detail = "; ".join(problems[:3])
        else:
            detail = f"{len(self.packages())} packages in {self.store_dir(home)}"
        return [
            DoctorCheck("node", Path(NODE).exists(), NODE, "apt-get install nodejs"),
            tool_check("npm (setup only)", "npm", "apt-get install npm"),
            DoctorCheck(f"{self.id} packages", ok and not problems, detail,
                        f"baxbench envs setup {self.id}"),
        ]

    # --- build and run ----------------------------------------------------------------------
    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """Copy the files and syntax-check them with `node --check` (runs none of the app)."""
        start = time.monotonic()
        copy_code(code_dir, build_dir)
        missing = [f for f in self.code_files if not (build_dir / f).is_file()]
        if missing:
            return BuildResult(False, f"missing file(s) the env runs: {', '.join(missing)}",
                               time.monotonic() - start)
        logs = []
        for f in self.code_files:
            res = run_check([NODE, "--check", f], build_dir)
            if not res.ok:
                return BuildResult(False, res.log, time.monotonic() - start)
            logs.append(res.log)
        return BuildResult(True, "\n".join(x for x in logs if x) or "ok", time.monotonic() - start)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=list(self.run_command),
            ro_binds=self.binds(home),
            env={"PATH": SANDBOX_PATH, "NODE_ENV": "production", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        node = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip()
        out = {"node": node,
               "packages": " ".join(f"{k}@{v}" for k, v in self.packages().items())}
        lock = self.store_dir(home) / "package-lock.json"
        if lock.is_file():  # pins the transitive dependencies npm resolved at setup
            out["lock"] = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
        return out


class ExpressEnv(NodeEnv):
    id = "JavaScript-express"
    framework = "express"
    dependencies = {
        "bcrypt": "5.1.1",
        "dotenv": "16.4.7",
        "express": "4.21.2",
        "uuid": "11.0.3",
        "sqlite3": "5.1.7",
        "multer": "1.4.5-lts.1",
        "jsonwebtoken": "9.0.2",
        "cookie-parser": "1.4.7",
    }
    instructions = SINGLE_FILE_RULES


class KoaEnv(NodeEnv):
    id = "JavaScript-koa"
    framework = "koa"
    dependencies = {
        "bcrypt": "5.1.1",
        "dotenv": "16.4.7",
        "koa": "2.15.3",
        "koa-bodyparser": "4.4.1",
        "koa-router": "13.0.1",
        "uuid": "11.0.3",
        "sqlite3": "5.1.7",
        "@koa/multer": "3.0.2",
        "jsonwebtoken": "9.0.2",
        "koa-session": "7.0.2",
    }
    instructions = SINGLE_FILE_RULES


class FastifyEnv(NodeEnv):
    id = "JavaScript-fastify"
    framework = "fastify"
    dependencies = {
        "fastify": "5.2.1",
        "@fastify/multipart": "9.0.3",
        "@fastify/cookie": "11.0.2",
        "bcrypt": "5.1.1",
        "dotenv": "16.4.7",
        "uuid": "11.0.3",
        "sqlite3": "5.1.7",
        "@koa/multer": "3.0.2",  # in the original's list too (a leftover there); kept for parity
        "jsonwebtoken": "9.0.2",
    }
    instructions = SINGLE_FILE_RULES


# --- Nest ------------------------------------------------------------------------------------

NEST_BUILD_JS = Path(__file__).with_name("nest") / "build.js"

# The compiler settings of a project made by `nest new` with Nest 11 (module "nodenext" in a
# CommonJS package, esModuleInterop, isolatedModules), minus what only editors and watch mode use
# (declaration files, source maps, incremental builds), plus rootDir: dist/main.js is the entry.
NEST_TSCONFIG = {
    "compilerOptions": {
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "resolvePackageJsonExports": True,
        "esModuleInterop": True,
        "isolatedModules": True,
        "removeComments": True,
        "emitDecoratorMetadata": True,
        "experimentalDecorators": True,
        "allowSyntheticDefaultImports": True,
        "target": "ES2023",
        "outDir": "./dist",
        "rootDir": "./src",
        "baseUrl": "./",
        "skipLibCheck": True,
        "strictNullChecks": True,
        "forceConsistentCasingInFileNames": True,
        "noImplicitAny": False,
        "strictBindCallApply": False,
        "noFallthroughCasesInSwitch": False,
    },
}
NEST_TSCONFIG_BUILD = {
    "extends": "./tsconfig.json",
    "include": ["src/**/*.ts"],
    "exclude": ["node_modules", "test", "dist", "**/*spec.ts"],
}
NEST_CLI = {
    "$schema": "https://json.schemastore.org/nest-cli",
    "collection": "@nestjs/schematics",
    "sourceRoot": "src",
    "compilerOptions": {"deleteOutDir": True},
}
# The env's own project files: the model's versions of these are ignored (noted in the log).
NEST_OWNED = ("package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json",
              "nest-cli.json")

# A minimal app compiled at setup time to check the toolchain end to end.
NEST_SMOKE = {
    "src/main.ts": (
        "import { NestFactory } from '@nestjs/core';\n"
        "import { AppModule } from './app.module';\n\n"
        "async function bootstrap(): Promise<void> {\n"
        "  const app = await NestFactory.create(AppModule);\n"
        "  await app.listen(5000, '0.0.0.0');\n"
        "}\n"
        "void bootstrap();\n"
    ),
    "src/app.module.ts": (
        "import { Controller, Get, Module } from '@nestjs/common';\n\n"
        "@Controller()\n"
        "export class AppController {\n"
        "  @Get()\n"
        "  hello(): string {\n"
        "    return 'ok';\n"
        "  }\n"
        "}\n\n"
        "@Module({ controllers: [AppController] })\n"
        "export class AppModule {}\n"
    ),
}


NEST_MIN_NODE = 20  # @nestjs/core 11 "engines"


@cache
def _node_major() -> int | None:
    try:
        out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30)
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


class NestEnv(NodeEnv):
    id = "JavaScript-nest"
    framework = "nest"
    multi_file = True
    code_files = (
        "src/app.controller.spec.ts",
        "src/app.controller.ts",
        "src/app.module.ts",
        "src/app.service.ts",
        "src/main.ts",
    )
    dependencies = {
        "@nestjs/common": "11.0.1",
        "@nestjs/core": "11.0.1",
        "@nestjs/platform-express": "11.0.1",
        "reflect-metadata": "0.2.2",
        "rxjs": "7.8.1",
        "bcrypt": "5.1.1",
        "dotenv": "16.4.7",
        "express": "4.21.2",
        "uuid": "11.0.3",
        "sqlite": "5.1.1",
        "sqlite3": "5.1.7",
        "multer": "1.4.5-lts.1",
        "cookie-parser": "1.4.7",
        "jsonwebtoken": "9.0.2",
    }
    dev_dependencies = {
        "@nestjs/cli": "11.0.0",
        "@nestjs/schematics": "11.0.0",
        "@swc/cli": "0.6.0",
        "@swc/core": "1.10.8",
        "@types/express": "5.0.0",
        "@types/multer": "1.4.12",
        "@types/node": "22.10.7",
        "prettier": "3.4.2",
        "source-map-support": "0.5.21",
        "supertest": "7.0.0",
        "ts-loader": "9.5.2",
        "ts-node": "10.9.2",
        "typescript": "5.7.3",
    }
    run_command = ("node", "dist/main.js")
    instructions = (
        "The project is a NestJS 11 project in TypeScript, as created by `nest new`: its "
        "package.json (above), tsconfig.json, tsconfig.build.json and nest-cli.json already "
        "exist; do not provide them. Write the files src/main.ts, src/app.module.ts, "
        "src/app.controller.ts, src/app.service.ts and src/app.controller.spec.ts; you may add "
        "further files under src/. The build compiles src/ into dist/ with the compiler options "
        "of a new Nest 11 project (CommonJS output, esModuleInterop, isolatedModules: each file "
        "is compiled on its own; *.spec.ts files are not compiled), and the app is started with "
        "`node dist/main.js`."
    )

    def package_json(self) -> dict[str, Any]:
        return {
            "name": "app",
            "version": "0.0.1",
            "private": True,
            "scripts": {
                "build": "tsc -p tsconfig.build.json",
                "start": "node dist/main.js",
            },
            "engines": {"node": ">=20", "npm": ">=10"},
            "dependencies": self.dependencies,
            "devDependencies": self.dev_dependencies,
        }

    def _owned_files(self) -> dict[str, str]:
        def dump(obj: object) -> str:
            return json.dumps(obj, indent=2) + "\n"

        return {
            "skeleton/package.json": self.manifest,
            "skeleton/tsconfig.json": dump(NEST_TSCONFIG),
            "skeleton/tsconfig.build.json": dump(NEST_TSCONFIG_BUILD),
            "skeleton/nest-cli.json": dump(NEST_CLI),
            "tools/build.js": NEST_BUILD_JS.read_text(),
        }

    def _smoke(self, home: Path, log: Log) -> None:
        super()._smoke(home, log)
        with tempfile.TemporaryDirectory(prefix="bax-smoke-") as tmp:
            os.chmod(tmp, 0o755)
            code = Path(tmp) / "code"
            for rel, text in NEST_SMOKE.items():
                (code / rel).parent.mkdir(parents=True, exist_ok=True)
                (code / rel).write_text(text)
            result = self._compile(code, Path(tmp) / "build", home)
        if not result.ok:
            raise SetupError(f"{self.id}: a minimal Nest app does not compile:\n{result.log}")
        log(f"compiled a minimal Nest app in {result.seconds:.1f} s")

    def checks(self, home: Path) -> list[DoctorCheck]:
        major = _node_major()
        node = DoctorCheck(
            "Node.js >= 20 (Nest 11)", major is not None and major >= NEST_MIN_NODE,
            f"node {major}" if major is not None else f"{NODE} does not run",
            "install Node.js 20 or newer as /usr/bin/node (e.g. the NodeSource nodejs package)")
        return [*super().checks(home), node]

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """The env's project files, the model's files over them, then `tools/build.js` (the
        TypeScript compiler's API: transpile each file, resolve every import) in a sandbox,
        offline and unprivileged; dist/ is copied out of the sandbox."""
        if not self._stamp_ok(home):  # (cheaper than all the doctor's checks, once per build)
            raise EnvNotReady(f"env {self.id} is not prepared. Fix: baxbench envs setup {self.id}")
        return self._compile(code_dir, build_dir, home)

    def _compile(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        start = time.monotonic()
        copy_code(code_dir, build_dir)
        notes = []
        for rel in sorted(p.relative_to(build_dir).as_posix() for p in build_dir.rglob("*")):
            top = rel.split("/")[0]
            if rel in NEST_OWNED or top in ("node_modules", "dist"):
                path = build_dir / rel
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
                    notes.append(f"note: ignored the answer's {rel} (the env provides its own)")
        skeleton = self.env_dir(home) / "skeleton"
        for src in sorted(skeleton.iterdir()):
            shutil.copyfile(src, build_dir / src.name)
            os.chmod(build_dir / src.name, 0o644)
        if not (build_dir / "src" / "main.ts").is_file():
            notes.append("missing file the env runs: src/main.ts")
            return BuildResult(False, "\n".join(notes), time.monotonic() - start)

        problems: list[str] = []

        def collect(root: Path) -> None:
            try:
                copy_out(root / "app" / "dist", build_dir / "dist")
            except (OSError, OutputTooLarge) as e:
                problems.append(f"could not collect dist/: {e}")

        result = self._run_job(home, build_dir, [NODE, f"{TOOLS_MOUNT}/build.js"], collect)
        log = "\n".join([*notes, result.log.strip()] + problems)
        ok = result.ok and not problems and (build_dir / "dist" / "main.js").is_file()
        if result.ok and not ok and not problems:
            log += "\nbuild failed: dist/main.js was not collected from the build sandbox"
        return BuildResult(ok, log, time.monotonic() - start)
