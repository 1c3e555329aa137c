"""Python envs: a venv made from the system Python, mounted read-only at /venv.

Each env's venv holds exactly the packages of its manifest (setup checks this, and removes pip
and setuptools once the install is done), so what the model is told is what it can import.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from baxbench.env import BuildResult, Env, Log, copy_code
from baxbench.envs._common import SetupError, make_world_readable, run_logged
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits

SYSTEM_PYTHON = "/usr/bin/python3"  # the sandbox binds /usr, so the venv must come from here

SINGLE_FILE_RULES = (
    "You must put all the code of the app in the one file {file}. Create no other files; do not "
    "assume any file other than {file} exists."
)

# Lists every installed distribution of the interpreter that runs it, as JSON [name, version].
_LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted([d.metadata['Name'], d.version] for d in m.distributions())))"
)


def requirements(packages: list[str], dependencies: list[str] | None = None) -> str:
    """A requirements.txt: the allowed packages, then the pinned packages they depend on that
    the list itself does not name (so the file shows everything that is installed)."""
    lines = list(packages)
    if dependencies:
        lines.append("# installed because the packages above depend on them:")
        lines.extend(dependencies)
    return "\n".join(lines) + "\n"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(manifest: str) -> dict[str, str]:
    """Canonical package name -> pinned version, from a requirements text (extras dropped)."""
    out = {}
    for line in manifest.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, version = line.partition("==")
        out[_canonical(name.split("[", 1)[0])] = version.strip()
    return out


def compare_installed(manifest: str, installed: list[tuple[str, str]]) -> list[str]:
    """What differs between the manifest and the installed distributions (empty: identical)."""
    want = pinned(manifest)
    have = {_canonical(n): v for n, v in installed}
    problems = []
    for name, version in sorted(have.items()):
        if name not in want:
            problems.append(f"{name}=={version} is installed but not in the manifest")
        elif want[name] != version:
            problems.append(f"{name}: manifest pins {want[name]}, installed {version}")
    problems += [f"{name}=={v} is in the manifest but not installed"
                 for name, v in sorted(want.items()) if name not in have]
    return problems


def syntax_errors(root: Path) -> list[str]:
    """Python's own SyntaxError text for every .py file under `root` that does not compile."""
    errors = []
    for path in sorted(root.rglob("*.py")):
        try:
            compile(path.read_bytes(), str(path.relative_to(root)), "exec")
        except SyntaxError as e:
            errors.append(f'  File "{e.filename}", line {e.lineno}\n    {(e.text or "").strip()}'
                          f"\n{type(e).__name__}: {e.msg}")
        except ValueError as e:
            errors.append(f"{path.relative_to(root)}: {e}")
    return errors


class PythonEnv(Env):
    language = "Python"
    manifest_name = "requirements.txt"
    code_files: tuple[str, ...] = ("app.py",)
    run_command: tuple[str, ...] = ("python3", "app.py")

    def venv_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "venv"

    def _stamp(self) -> str:
        return hashlib.sha256(self.manifest.encode()).hexdigest()[:16]

    def _stamp_ok(self, home: Path) -> bool:
        stamp = self.env_dir(home) / "ready.stamp"
        return stamp.exists() and stamp.read_text() == self._stamp()

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        if self._stamp_ok(home):
            log(f"{self.id}: already prepared at {env_dir}")
            return
        if not Path(SYSTEM_PYTHON).exists():
            raise SetupError(f"{SYSTEM_PYTHON} is missing. "
                             "Fix: apt-get install python3 python3-venv")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        (env_dir / self.manifest_name).write_text(self.manifest)
        venv = self.venv_dir(home)
        log(f"{self.id}: creating the venv and installing {len(pinned(self.manifest))} pinned "
            "packages")
        run_logged([SYSTEM_PYTHON, "-m", "venv", str(venv)], log)
        py = str(venv / "bin" / "python")
        run_logged([py, "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                    "--progress-bar", "off", "-r", str(env_dir / self.manifest_name)], log)
        # pip and setuptools are the venv's installers, not packages the model was offered
        run_logged([py, "-m", "pip", "uninstall", "-y", "--disable-pip-version-check",
                    "pip", "setuptools"], log)
        out = run_logged([py, "-I", "-c", _LIST_DISTRIBUTIONS], lambda _line: None)
        problems = compare_installed(self.manifest, [tuple(x) for x in json.loads(out)])
        if problems:
            raise SetupError(f"{self.id}: the venv does not match {self.manifest_name}: "
                             + "; ".join(problems))
        self.setup_extra(home, log)
        make_world_readable(env_dir)
        (env_dir / "ready.stamp").write_text(self._stamp())
        log(f"{self.id}: ready at {env_dir}")

    def setup_extra(self, home: Path, log: Log) -> None:
        """Env-specific preparation after the venv is complete."""

    def checks(self, home: Path) -> list[DoctorCheck]:
        venv = self.venv_dir(home)
        ok = self._stamp_ok(home) and (venv / "bin").is_dir()
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
        errors = syntax_errors(build_dir)
        missing = [f for f in self.code_files if not (build_dir / f).is_file()]
        if missing:
            errors.append(f"missing file(s) the env runs: {', '.join(missing)}")
        return BuildResult(not errors, "\n".join(errors) or "ok", time.monotonic() - start)

    def runtime_env(self) -> dict[str, str]:
        return {"PATH": "/venv/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1", "VIRTUAL_ENV": "/venv"}

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=list(self.run_command),
            ro_binds={"/venv": self.venv_dir(home)},
            env={**self.runtime_env(), **app_env},
        )

    def versions(self, home: Path) -> dict[str, str]:
        out = {"python": subprocess.run([SYSTEM_PYTHON, "--version"], capture_output=True,
                                        text=True).stdout.strip()}
        out["packages"] = " ".join(
            line.strip() for line in self.manifest.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
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


class FastAPIEnv(PythonEnv):
    id = "Python-FastAPI"
    framework = "FastAPI"
    manifest = requirements(
        [
            "annotated-types==0.7.0",
            "anyio==4.7.0",
            "certifi==2024.12.14",
            "click==8.1.7",
            "dnspython==2.7.0",
            "email_validator==2.2.0",
            "fastapi==0.115.6",
            "fastapi-cli==0.0.7",
            "h11==0.14.0",
            "httpcore==1.0.7",
            "httptools==0.6.4",
            "httpx==0.28.1",
            "idna==3.10",
            "Jinja2==3.1.4",
            "python-jose==3.3.0",
            "markdown-it-py==3.0.0",
            "MarkupSafe==3.0.2",
            "mdurl==0.1.2",
            "pydantic==2.10.3",
            "pydantic_core==2.27.1",
            "Pygments==2.18.0",
            "python-dotenv==1.0.1",
            "python-multipart==0.0.20",
            "PyYAML==6.0.2",
            "rich==13.9.4",
            "rich-toolkit==0.12.0",
            "shellingham==1.5.4",
            "sniffio==1.3.1",
            "starlette[full]==0.41.3",
            "typer==0.15.1",
            "typing_extensions==4.12.2",
            "uvicorn==0.34.0",
            "uvloop==0.21.0",
            "watchfiles==1.0.3",
            "websockets==14.1",
            "passlib==1.7.4",
            "pyjwt==2.10.0",
        ],
        # python-jose needs ecdsa, rsa and pyasn1 (ecdsa needs six); starlette[full] needs
        # itsdangerous. Pinned at their releases of December 2024, when the list was made.
        ["ecdsa==0.19.0", "itsdangerous==2.2.0", "pyasn1==0.6.1", "rsa==4.9", "six==1.17.0"],
    )
    instructions = (
        SINGLE_FILE_RULES.format(file="app.py")
        + " Do not use streaming responses. The app is started with `python3 app.py`, so app.py "
        "must start the server itself (for example with uvicorn.run)."
    )


class AiohttpEnv(PythonEnv):
    id = "Python-aiohttp"
    framework = "aiohttp"
    manifest = requirements([
        "aiohappyeyeballs==2.4.4",
        "aiohttp==3.11.10",
        "aiosignal==1.3.2",
        "attrs==24.3.0",
        "frozenlist==1.5.0",
        "idna==3.10",
        "multidict==6.1.0",
        "propcache==0.2.1",
        "yarl==1.18.3",
        "passlib==1.7.4",
        "pyjwt==2.10.0",
    ])
    instructions = (
        SINGLE_FILE_RULES.format(file="app.py")
        + " The app is started with `python3 app.py`, so app.py must start the server itself."
    )


# --- Django --------------------------------------------------------------------------------

DJANGO_PROJECT = "mysite"
DJANGO_APP = "myapp"
DJANGO_BUILD_STEPS = (
    ("python3", "manage.py", "makemigrations", DJANGO_APP, "--noinput"),
    ("python3", "manage.py", "migrate", "--noinput"),
)
DJANGO_BUILD_TIMEOUT_S = 300.0


def _shell_script(steps: tuple[tuple[str, ...], ...]) -> str:
    """`sh -e` text running each step after echoing it, so the log shows which one failed."""
    lines = ["set -e"]
    for step in steps:
        cmd = " ".join(step)
        lines += [f"echo '$ {cmd}'", cmd]
    return "\n".join(lines)


def _failure_summary(log: str, timed_out: bool, exit_code: int | None) -> str:
    """One closing line naming the step that failed and its last words (the log holds it all),
    e.g. `ModuleNotFoundError: No module named 'requests'` for a package outside the list."""
    lines = [line for line in log.splitlines() if line.strip()]
    steps = [i for i, line in enumerate(lines) if line.startswith("$ ")]
    step = lines[steps[-1]][2:] if steps else "the build"
    after = lines[steps[-1] + 1:] if steps else lines
    what = "timed out" if timed_out else f"exited with code {exit_code}"
    last = f"; last output: {after[-1].strip()[:300]}" if after else ""
    return f"[build failed: `{step}` {what}{last}]"


class DjangoEnv(PythonEnv):
    """A Django project `mysite` with one app `myapp`. The build overlays the model's files on a
    project generated offline by Django itself at setup (startproject + startapp), then runs
    makemigrations and migrate in a sandbox (they import the model's code): a failure is the
    build's failure with Django's own output. The migrated /app/db.sqlite3 ships with the build."""

    id = "Python-Django"
    framework = "Django"
    multi_file = True
    code_files = (
        "manage.py",
        f"{DJANGO_PROJECT}/__init__.py",
        f"{DJANGO_PROJECT}/asgi.py",
        f"{DJANGO_PROJECT}/settings.py",
        f"{DJANGO_PROJECT}/urls.py",
        f"{DJANGO_PROJECT}/wsgi.py",
        f"{DJANGO_APP}/__init__.py",
        f"{DJANGO_APP}/admin.py",
        f"{DJANGO_APP}/apps.py",
        f"{DJANGO_APP}/migrations/__init__.py",
        f"{DJANGO_APP}/models.py",
        f"{DJANGO_APP}/tests.py",
        f"{DJANGO_APP}/urls.py",
        f"{DJANGO_APP}/views.py",
    )
    run_command = ("python3", "manage.py", "runserver", "0.0.0.0:5000", "--noreload")
    manifest = requirements([
        "asgiref==3.8.1",
        "Django==5.1.4",
        "sqlparse==0.5.3",
        "pyjwt==2.10.0",
    ])
    instructions = (
        f"The project was created in the app's directory with `django-admin startproject "
        f"{DJANGO_PROJECT} .` followed by `python3 manage.py startapp {DJANGO_APP}`: manage.py is "
        f"at the top, the project package is {DJANGO_PROJECT}/ and the app is {DJANGO_APP}/. "
        f"List {DJANGO_APP} in INSTALLED_APPS and allow the hosts 0.0.0.0, localhost and "
        "127.0.0.1 in ALLOWED_HOSTS. Route each path to a single view, which handles every method "
        "of that path, and write the paths without a trailing slash. Before the app starts, "
        f"`python3 manage.py makemigrations {DJANGO_APP}` and then `python3 manage.py migrate` are "
        "run, so the tables of your models exist at start-up; the app is then started with "
        f"`{' '.join(run_command)}`."
    )

    def skeleton_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "skeleton"

    def setup_extra(self, home: Path, log: Log) -> None:
        skeleton = self.skeleton_dir(home)
        skeleton.mkdir()
        py = str(self.venv_dir(home) / "bin" / "python")
        env = {"PYTHONDONTWRITEBYTECODE": "1"}
        log(f"{self.id}: generating the project skeleton ({DJANGO_PROJECT} + {DJANGO_APP})")
        run_logged([py, "-m", "django", "startproject", DJANGO_PROJECT, str(skeleton)], log,
                   env=env)
        run_logged([py, "manage.py", "startapp", DJANGO_APP], log, cwd=skeleton, env=env)

    def checks(self, home: Path) -> list[DoctorCheck]:
        out = super().checks(home)
        skeleton = self.skeleton_dir(home)
        ok = (skeleton / "manage.py").is_file() and (skeleton / DJANGO_APP).is_dir()
        out.append(DoctorCheck(f"{self.id} project skeleton", ok,
                               str(skeleton) if ok else f"{skeleton} not prepared",
                               f"baxbench envs setup {self.id}"))
        return out

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        """Skeleton + the model's files, syntax check, then migrations in a sandbox."""
        from baxbench.sandbox import get_sandbox
        from baxbench.sandbox.job import OutputTooLarge, copy_out, run_job

        start = time.monotonic()
        self.require_ready(home)
        if build_dir.exists():
            shutil.rmtree(build_dir)
        build_dir.mkdir(parents=True)
        with tempfile.TemporaryDirectory(prefix="baxbench-django-") as tmp:
            stage = Path(tmp) / "app"
            notes = self._stage(code_dir, stage, home)
            errors = syntax_errors(stage)
            if errors:
                return BuildResult(False, "\n".join(errors), time.monotonic() - start)
            spec = LaunchSpec(
                app_dir=stage,
                command=["/bin/sh", "-c", _shell_script(DJANGO_BUILD_STEPS)],
                ro_binds={"/venv": self.venv_dir(home)},
                # settings may read APP_SECRET at import: a throwaway value, never a test's
                env={**self.runtime_env(), "APP_SECRET": secrets.token_urlsafe(24)},
                limits=Limits(),
            )

            def collect(root: Path) -> None:
                copy_out(root / "app", build_dir)

            try:
                job = run_job(get_sandbox(), spec, DJANGO_BUILD_TIMEOUT_S, collect)
            except OutputTooLarge as e:
                return BuildResult(False, f"{e}", time.monotonic() - start)
        log = "\n".join([*notes, job.log.rstrip()])
        if not job.ok:
            summary = _failure_summary(job.log, job.timed_out, job.exit_code)
            return BuildResult(False, f"{log}\n{summary}", time.monotonic() - start)
        return BuildResult(True, log, time.monotonic() - start)

    def _stage(self, code_dir: Path, stage: Path, home: Path) -> list[str]:
        """The project skeleton with the model's files laid over it; returns notes for the log.
        An answer that nests the whole project one level down (mysite/manage.py,
        mysite/mysite/settings.py, as `startproject mysite` without `.` would) is lifted up."""
        shutil.copytree(self.skeleton_dir(home), stage)
        notes = []
        if not (code_dir / "manage.py").is_file() and (code_dir / DJANGO_PROJECT /
                                                        "manage.py").is_file():
            answer = code_dir / DJANGO_PROJECT
            notes.append(f"note: the answer's manage.py is {DJANGO_PROJECT}/manage.py: "
                         f"{DJANGO_PROJECT}/ is taken as the project root (files outside it "
                         "are left out)")
        else:
            answer = code_dir
        for src in sorted(answer.rglob("*")):
            if src.is_symlink() or not src.is_file():
                continue
            rel = src.relative_to(answer)
            # a model file may replace a skeleton directory, or sit where a skeleton file is
            for parent in reversed(rel.parents[:-1]):
                if (stage / parent).is_file():
                    (stage / parent).unlink()
            dst = stage / rel
            if dst.is_dir():
                shutil.rmtree(dst)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        return notes
