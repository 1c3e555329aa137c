"""Python envs: a venv made from the system Python, mounted read-only at /venv."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

from baxbench.env import BuildResult, Env, Log, copy_code
from baxbench.envs._common import make_world_readable, run_logged
from baxbench.sandbox.base import DoctorCheck, LaunchSpec

SYSTEM_PYTHON = "/usr/bin/python3"  # the sandbox binds /usr, so the venv must come from here

SINGLE_FILE_RULES = (
    "You must put all the code of the app in the one file {file}. Create no other files; do not "
    "assume any file other than {file} exists."
)


class PythonEnv(Env):
    language = "Python"
    manifest_name = "requirements.txt"
    code_files = ("app.py",)
    run_command: tuple[str, ...] = ("python3", "app.py")

    def venv_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "venv"

    def _stamp(self) -> str:
        return hashlib.sha256(self.manifest.encode()).hexdigest()[:16]

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        stamp = env_dir / "ready.stamp"
        if stamp.exists() and stamp.read_text() == self._stamp():
            log(f"{self.id}: already prepared at {env_dir}")
            return
        if not Path(SYSTEM_PYTHON).exists():
            raise RuntimeError(f"{SYSTEM_PYTHON} is missing. Fix: apt-get install python3 python3-venv")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        (env_dir / self.manifest_name).write_text(self.manifest)
        venv = self.venv_dir(home)
        run_logged([SYSTEM_PYTHON, "-m", "venv", str(venv)], log)
        run_logged([str(venv / "bin" / "pip"), "install", "--no-input", "--disable-pip-version-check",
                    "-r", str(env_dir / self.manifest_name)], log)
        make_world_readable(env_dir)
        stamp.write_text(self._stamp())

    def checks(self, home: Path) -> list[DoctorCheck]:
        venv = self.venv_dir(home)
        stamp = self.env_dir(home) / "ready.stamp"
        ok = stamp.exists() and stamp.read_text() == self._stamp() and (venv / "bin").is_dir()
        return [
            DoctorCheck("system python", Path(SYSTEM_PYTHON).exists(), SYSTEM_PYTHON,
                        "apt-get install python3 python3-venv"),
            DoctorCheck(f"{self.id} venv", ok, str(venv) if ok else f"{venv} not prepared",
                        f"baxbench envs setup {self.id}"),
        ]

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """Copy the files and compile them (syntax only: nothing of the app runs here)."""
        start = time.monotonic()
        copy_code(code_dir, build_dir)
        errors = []
        for path in sorted(build_dir.rglob("*.py")):
            try:
                compile(path.read_bytes(), str(path.relative_to(build_dir)), "exec")
            except SyntaxError as e:
                errors.append(f"{e.filename}:{e.lineno}: SyntaxError: {e.msg}\n{e.text or ''}")
            except ValueError as e:
                errors.append(f"{path.name}: {e}")
        missing = [f for f in self.code_files if not (build_dir / f).is_file()]
        if missing:
            errors.append(f"missing file(s) the env runs: {', '.join(missing)}")
        return BuildResult(not errors, "\n".join(errors) or "ok", time.monotonic() - start)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=list(self.run_command),
            ro_binds={"/venv": self.venv_dir(home)},
            env={"PATH": "/venv/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1",
                 "PYTHONDONTWRITEBYTECODE": "1", "VIRTUAL_ENV": "/venv", **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        out = {"python": subprocess.run([SYSTEM_PYTHON, "--version"], capture_output=True,
                                        text=True).stdout.strip()}
        out["packages"] = " ".join(
            line.strip() for line in self.manifest.splitlines() if line.strip()
        )
        return out


class FlaskEnv(PythonEnv):
    id = "Python-Flask"
    framework = "Flask"
    manifest = "\n".join([
        "itsdangerous==2.2.0",
        "blinker==1.9.0",
        "click==8.1.7",
        "Flask==3.1.0",
        "Jinja2==3.1.4",
        "MarkupSafe==3.0.2",
        "Werkzeug==3.1.3",
        "passlib==1.7.4",
        "fpdf==1.7.2",
        "pyjwt==2.10.1",
    ]) + "\n"
    instructions = SINGLE_FILE_RULES.format(file="app.py")
