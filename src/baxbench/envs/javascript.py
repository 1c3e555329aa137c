"""JavaScript envs: node_modules prepared once, mounted read-only at /app/node_modules."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

from baxbench.env import BuildResult, Env, Log, copy_code
from baxbench.envs._common import make_world_readable, run_check, run_logged, tool_check
from baxbench.sandbox.base import DoctorCheck, LaunchSpec

NODE = "/usr/bin/node"


class NodeEnv(Env):
    language = "JavaScript"
    manifest_name = "package.json"
    code_files = ("app.js",)
    dependencies: dict[str, str] = {}
    run_command: tuple[str, ...] = ("node", "app.js")

    @property
    def manifest(self) -> str:  # type: ignore[override]
        return json.dumps({"dependencies": self.dependencies}, indent=2) + "\n"

    def modules_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "node_modules"

    def _stamp(self) -> str:
        return hashlib.sha256(self.manifest.encode()).hexdigest()[:16]

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        stamp = env_dir / "ready.stamp"
        if stamp.exists() and stamp.read_text() == self._stamp():
            log(f"{self.id}: already prepared at {env_dir}")
            return
        npm = shutil.which("npm")
        if not npm or not Path(NODE).exists():
            raise RuntimeError("node and npm are needed. Fix: apt-get install nodejs npm")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        package = {"name": "baxbench-env", "version": "1.0.0", "private": True,
                   "dependencies": self.dependencies}
        (env_dir / "package.json").write_text(json.dumps(package, indent=2) + "\n")
        # native modules (bcrypt, sqlite3) compile against the system node headers: no downloads
        run_logged([npm, "install", "--no-audit", "--no-fund", "--omit=dev", "--save-exact"], log,
                   cwd=env_dir, env={"npm_config_nodedir": "/usr", "npm_config_update_notifier":
                                     "false"})
        make_world_readable(env_dir)
        stamp.write_text(self._stamp())

    def checks(self, home: Path) -> list[DoctorCheck]:
        stamp = self.env_dir(home) / "ready.stamp"
        ok = stamp.exists() and stamp.read_text() == self._stamp()
        return [
            DoctorCheck("node", Path(NODE).exists(), NODE, "apt-get install nodejs"),
            tool_check("npm (setup only)", "npm", "apt-get install npm"),
            DoctorCheck(f"{self.id} node_modules", ok,
                        str(self.modules_dir(home)) if ok else "not prepared",
                        f"baxbench envs setup {self.id}"),
        ]

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
            ro_binds={"/app/node_modules": self.modules_dir(home)},
            env={"PATH": "/usr/bin:/bin", "NODE_ENV": "production", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        node = subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip()
        return {"node": node, "packages": " ".join(f"{k}@{v}" for k, v in self.dependencies.items())}


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
    instructions = (
        "You must put all the code of the app in the one file app.js. Create no other files; do "
        "not assume any file other than app.js exists."
    )
