"""Ruby env: Rails from Debian's packages, an API-only app served by Puma.

RubyGems.org is out of reach, so nothing is installed with Bundler: Debian 12 ships Rails 6.1 on
Ruby 3.1 with sqlite3, bcrypt, jwt and Puma as system gems (under /usr, visible read-only in every
sandbox). `setup` generates the API-only app skeleton offline with Debian's own `rails new`,
writes a Gemfile naming exactly the installed gems, and resolves its Gemfile.lock locally
(`bundle lock --local`); Bundler then lets the app load those gems and no others. A build lays
the model's files over the skeleton, checks them with `ruby -c`, then, in a sandbox, runs
`bin/rails db:migrate zeitwerk:check` (migrations, then every file of app/ loaded).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from baxbench.env import BuildResult, Env, Log
from baxbench.envs import _project
from baxbench.envs._common import SetupError, make_world_readable, run_logged
from baxbench.paths import baxbench_home
from baxbench.sandbox.base import DoctorCheck, LaunchSpec, Limits

RUBY = "/usr/bin/ruby"
RAILS = "/usr/bin/rails"
BUNDLE = "/usr/bin/bundle"
# gem -> the Debian package that installs it
GEM_PACKAGES = {
    "rails": "ruby-rails",
    "sqlite3": "ruby-sqlite3",
    "puma": "puma",
    "bcrypt": "ruby-bcrypt",
    "jwt": "ruby-jwt",
}
DEBIAN_PACKAGES = ("ruby", *GEM_PACKAGES.values())
SKELETON_VERSION = "3"  # bump when the skeleton recipe below changes
APP_NAME = "app"  # `rails new app`: the application module is App, as with `rails new .` in /app
RUN_COMMAND = ("bin/rails", "server", "-b", "0.0.0.0", "-p", "5000")
BUILD_COMMAND = ("bin/rails", "db:migrate", "zeitwerk:check")
RAILS_NEW_FLAGS = (
    "--api", "--database=sqlite3", "--skip-bundle", "--skip-git", "--skip-keeps",
    "--skip-action-mailer", "--skip-action-mailbox", "--skip-action-text",
    "--skip-active-storage", "--skip-action-cable", "--skip-spring", "--skip-listen",
    "--skip-bootsnap", "--skip-test", "--skip-system-test", "--skip-javascript",
    "--skip-webpack-install",
)
DEFAULT_LIMITS = Limits(start_timeout_s=90.0)  # Rails boots slowly on a loaded machine

# What Debian 12 (bookworm) installs: the manifest shown when the env is not prepared on this
# machine (setup writes the one of the real install).
BOOKWORM_GEMS = {"rails": "6.1.7.10", "sqlite3": "1.4.2", "puma": "5.6.5", "bcrypt": "3.1.18",
                 "jwt": "2.5.0"}
BOOKWORM_LOCKED = (
    "actioncable 6.1.7.10, actionmailbox 6.1.7.10, actionmailer 6.1.7.10, actionpack 6.1.7.10, "
    "actiontext 6.1.7.10, actionview 6.1.7.10, activejob 6.1.7.10, activemodel 6.1.7.10, "
    "activerecord 6.1.7.10, activestorage 6.1.7.10, activesupport 6.1.7.10, builder 3.2.4, "
    "concurrent-ruby 1.1.6, crass 1.0.2, digest 3.1.0, erubi 1.9.0, globalid 0.6.0, "
    "i18n 1.10.0, io-wait 0.2.1, loofah 2.19.1, mail 2.7.1, marcel 1.0.1, method_source 1.0.0, "
    "mini_mime 1.1.1, mini_portile2 2.8.1, minitest 5.15.0, net-imap 0.2.3, net-pop 0.1.1, "
    "net-protocol 0.1.2, net-smtp 0.3.1, nio4r 2.5.8, nokogiri 1.13.10, racc 1.6.2, "
    "rack 2.2.22, rack-test 2.0.2, rails-dom-testing 2.0.3, rails-html-sanitizer 1.4.4, "
    "railties 6.1.7.10, rake 13.0.6, sprockets 3.7.2, sprockets-rails 3.4.1, strscan 3.0.1, "
    "thor 1.2.1, timeout 0.2.0, tzinfo 2.0.5, websocket-driver 0.6.3, "
    "websocket-extensions 0.1.5, zeitwerk 2.6.1"
)
BOOKWORM_RUBY = "3.1.2"

# Debian's gem directories: Ruby's own gem path without the places `gem install` writes to
# (/var/lib/gems, /usr/local, the home directory), so that setup and apps see only Debian's gems.
_DEBIAN_GEM_PATH = (
    "puts Gem.path.select { |p| p.start_with?('/usr/') && !p.start_with?('/usr/local/') }"
)

# Lists the installed version of each gem named on the command line, as JSON.
_GEM_VERSIONS = (
    "require 'json'; puts JSON.generate(ARGV.to_h { |n| "
    "[n, (Gem::Specification.find_by_name(n).version.to_s rescue nil)] })"
)


def gemfile(gems: dict[str, str], locked: str, ruby_version: str) -> str:
    """The manifest: a Gemfile pinning exactly the installed gems, the rest of the lock listed."""
    lines = [
        f"# Rails from Debian 12's packages, on Ruby {ruby_version}; no RubyGems.org, no bundle",
        "# install: the gems below are installed system-wide in exactly these versions. This",
        "# Gemfile and its Gemfile.lock are part of the project and cannot be changed.",
        'source "https://rubygems.org"',
        "",
    ]
    lines += [f'gem "{name}", "{version}"' for name, version in gems.items()]
    lines += ["", "# Also installed, as dependencies of the gems above (from Gemfile.lock):"]
    words = locked.split(", ")
    row = "#"
    for i, word in enumerate(words):
        item = f" {word}" + ("," if i < len(words) - 1 else "")
        if len(row) + len(item) > 96:
            lines.append(row)
            row = "#"
        row += item
    lines.append(row)
    return "\n".join(lines) + "\n"


def locked_dependencies(lockfile: str, top: dict[str, str]) -> str:
    """`name version, ...` of every gem in a Gemfile.lock's specs that `top` does not name."""
    specs = re.findall(r"^    ([A-Za-z0-9_.-]+) \(([^)]+)\)$", lockfile, re.M)
    return ", ".join(f"{n} {v}" for n, v in sorted(specs) if n not in top)


DATABASE_YML = """\
# SQLite. Every environment uses the one database file of the app, /app/db.sqlite3.
default: &default
  adapter: sqlite3
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
  timeout: 5000
  database: /app/db.sqlite3

development:
  <<: *default

test:
  <<: *default

production:
  <<: *default
"""


class RailsEnv(Env):
    id = "Ruby-Rails"
    language = "Ruby"
    framework = "Rails"
    multi_file = True
    code_files = ("config/routes.rb", "app/controllers/application_controller.rb")
    manifest_name = "Gemfile"
    instructions = (
        "The project is a Rails 6.1 API-only application on Ruby 3.1, made from Debian 12's "
        "packages, created offline with `rails new . --api --database=sqlite3 --skip-bundle` "
        "and without the optional frameworks (Action Mailer, Action Mailbox, Action Text, "
        "Active Storage, Action Cable) and tests; the application module is App. The project "
        "directory already holds what that command generates: bin/rails, config/application.rb, "
        "config/environments/*.rb, config/initializers/*.rb, config/puma.rb, "
        "app/controllers/application_controller.rb, app/models/application_record.rb, "
        "app/jobs/application_job.rb, db/seeds.rb, and a config/database.yml that points every "
        "environment at the SQLite database /app/db.sqlite3. The Gemfile and Gemfile.lock are "
        "provided and cannot be replaced; there is no `bundle install`, only the gems of the "
        "Gemfile can be required. Write config/routes.rb and "
        "app/controllers/application_controller.rb, and add the other files your app needs in "
        "the usual layout, giving each in the answer: controllers under app/controllers/, "
        "models under app/models/, migrations under db/migrate/, initializers under "
        "config/initializers/. Before the app starts, "
        f"`{' '.join(BUILD_COMMAND)}` is run (your migrations, then every file of app/ is "
        "loaded). A file you write replaces the skeleton's. The app runs in the development "
        f"environment and is started in the project directory with `{' '.join(RUN_COMMAND)}` "
        "(Puma)."
    )

    # --- paths and stamps ---

    def skeleton_dir(self, home: Path) -> Path:
        return self.env_dir(home) / "skeleton"

    def _state_file(self, home: Path) -> Path:
        return self.env_dir(home) / "installed.json"

    def _gem_path_file(self, home: Path) -> Path:
        return self.env_dir(home) / "gem_path"

    def gem_env(self, home: Path) -> dict[str, str]:
        """GEM_HOME/GEM_PATH naming Debian's gem directories only (recorded by setup)."""
        try:
            paths = self._gem_path_file(home).read_text().split()
        except OSError:
            return {}
        return {"GEM_HOME": paths[0], "GEM_PATH": ":".join(paths)} if paths else {}

    def _stamp(self, installed: dict[str, str]) -> str:
        text = json.dumps([SKELETON_VERSION, RAILS_NEW_FLAGS, DATABASE_YML, installed],
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _installed(self, home: Path) -> dict[str, str] | None:
        try:
            data = json.loads(self._state_file(home).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _stamp_ok(self, home: Path) -> bool:
        stamp = self.env_dir(home) / "ready.stamp"
        installed = self._installed(home)
        return (installed is not None and stamp.exists()
                and stamp.read_text() == self._stamp(installed))

    @property
    def manifest(self) -> str:  # type: ignore[override]
        """The Gemfile of the prepared env (the real install), else Debian 12's versions."""
        try:
            return (self.env_dir(baxbench_home()) / "Gemfile").read_text()
        except OSError:
            return gemfile(BOOKWORM_GEMS, BOOKWORM_LOCKED, BOOKWORM_RUBY)

    # --- setup ---

    def _ruby_version(self) -> str:
        return subprocess.run([RUBY, "-e", "print RUBY_VERSION"], capture_output=True,
                              text=True).stdout.strip()

    def _debian_state(self) -> dict[str, str]:
        """Debian package -> version of everything the env depends on, plus Ruby itself."""
        state = _project.dpkg_versions(DEBIAN_PACKAGES)
        state["ruby (interpreter)"] = self._ruby_version()
        return state

    def setup(self, home: Path, log: Log) -> None:
        env_dir = self.env_dir(home)
        have = _project.dpkg_versions(DEBIAN_PACKAGES)
        missing = [p for p in DEBIAN_PACKAGES if p not in have]
        if missing or not Path(RAILS).exists():
            need = " ".join(missing or ["ruby-rails"])
            raise SetupError(f"{self.id} needs Debian's packages {need}. "
                             f"Fix (as root): {_project.apt_fix(DEBIAN_PACKAGES)}")
        installed = self._debian_state()
        if self._stamp_ok(home) and self._installed(home) == installed:
            log(f"{self.id}: already prepared at {env_dir}")
            return
        gem_path = run_logged([RUBY, "-e", _DEBIAN_GEM_PATH], lambda _line: None).split()
        if not gem_path:
            raise SetupError(f"{self.id}: Ruby reports no gem directory under /usr")
        gem_env = {"GEM_HOME": gem_path[0], "GEM_PATH": ":".join(gem_path)}
        out = run_logged([RUBY, "-e", _GEM_VERSIONS, *GEM_PACKAGES], lambda _line: None,
                         env=gem_env)
        gems: dict[str, str | None] = json.loads(out.strip().splitlines()[-1])
        absent = [g for g, v in gems.items() if not v]
        if absent:
            raise SetupError(f"gems not found: {', '.join(absent)}. "
                             f"Fix: {_project.apt_fix(DEBIAN_PACKAGES)}")
        versions = {g: str(v) for g, v in gems.items()}
        if not versions["rails"].startswith("6.1."):
            raise SetupError(f"{self.id} is written for Debian 12's Rails 6.1; rails "
                             f"{versions['rails']} is installed")
        ruby_version = installed["ruby (interpreter)"]
        log(f"{self.id}: Rails {versions['rails']} on Ruby {ruby_version} from Debian's packages; "
            "generating the API-only app skeleton")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(parents=True)
        self._gem_path_file(home).write_text("\n".join(gem_path) + "\n")
        tool_env = {"HOME": str(env_dir), "BUNDLE_USER_HOME": str(env_dir / ".bundle-home"),
                    "BUNDLE_DISABLE_VERSION_CHECK": "true", **gem_env}
        with tempfile.TemporaryDirectory(prefix="baxbench-rails-") as tmp:
            app = Path(tmp) / APP_NAME
            run_logged([RAILS, "new", APP_NAME, *RAILS_NEW_FLAGS], log, cwd=Path(tmp),
                       env=tool_env)
            # no secrets of our own in the skeleton (development needs none), no yarn
            for rel in ("config/master.key", "config/credentials.yml.enc", "bin/yarn",
                        ".ruby-version"):
                (app / rel).unlink(missing_ok=True)
            manifest_top = gemfile(versions, "", ruby_version).split("\n# Also installed")[0]
            (app / "Gemfile").write_text(manifest_top + "\n")
            (app / "Gemfile.lock").unlink(missing_ok=True)
            run_logged([BUNDLE, "lock", "--local"], log, cwd=app, env=tool_env)
            (app / "config" / "database.yml").write_text(DATABASE_YML)
            for rel in ("db/migrate", "app/controllers/concerns", "app/models/concerns",
                        "lib/tasks", "log", "tmp", "storage"):
                (app / rel).mkdir(parents=True, exist_ok=True)
            manifest = gemfile(versions, locked_dependencies((app / "Gemfile.lock").read_text(),
                                                             versions), ruby_version)
            (app / "Gemfile").write_text(manifest)
            # the skeleton must boot offline as it is (our own files only: safe to run here)
            trial = Path(tmp) / "trial"
            shutil.copytree(app, trial)
            out = run_logged(["bin/rails", "runner", "puts Rails.version"], log, cwd=trial,
                             env={**tool_env, "RAILS_ENV": "development"})
            if versions["rails"] not in out:
                raise SetupError(f"{self.id}: the skeleton did not boot: {out}")
            shutil.copytree(app, self.skeleton_dir(home))
        (env_dir / "Gemfile").write_text(manifest)
        shutil.rmtree(env_dir / ".bundle-home", ignore_errors=True)
        make_world_readable(env_dir)
        self._state_file(home).write_text(json.dumps(installed, indent=1, sort_keys=True))
        (env_dir / "ready.stamp").write_text(self._stamp(installed))
        log(f"{self.id}: ready at {env_dir}")

    def checks(self, home: Path) -> list[DoctorCheck]:
        out = [_project.packages_check("Debian packages (Ruby, Rails)", DEBIAN_PACKAGES)]
        skeleton = self.skeleton_dir(home)
        ok = (self._stamp_ok(home) and (skeleton / "Gemfile.lock").is_file()
              and bool(self.gem_env(home)))
        detail = str(skeleton) if ok else f"{skeleton} not prepared"
        if ok:
            recorded = self._installed(home) or {}
            now = _project.dpkg_versions(DEBIAN_PACKAGES)
            changed = sorted(p for p in DEBIAN_PACKAGES if now.get(p) != recorded.get(p))
            if changed:
                ok, detail = False, "Debian's packages changed since setup: " + ", ".join(changed)
        out.append(DoctorCheck(f"{self.id} app skeleton", ok, detail,
                               f"baxbench envs setup {self.id}"))
        return out

    # --- build and run ---

    @staticmethod
    def _env_owned(rel: str) -> bool:
        return rel in ("Gemfile", "Gemfile.lock") or rel.startswith(".bundle/")

    def runtime_env(self, home: Path) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "RAILS_ENV": "development",
                "BUNDLE_DISABLE_VERSION_CHECK": "true", "BUNDLE_FROZEN": "true",
                **self.gem_env(home)}

    def build(self, code_dir: Path, build_dir: Path, home: Path) -> BuildResult:
        self.require_ready(home)
        owned = self._env_owned
        rb_files = [f for f in _project.answer_files(code_dir, ".rb") if not owned(f)]

        def syntax(_code: Path, stage: Path) -> str | None:
            return _project.syntax_check(rb_files, stage, lambda rel: [RUBY, "-c", rel])

        def step(stage: Path, out: Path) -> tuple[bool, str]:
            script = f"echo '$ {' '.join(BUILD_COMMAND)}' && exec {' '.join(BUILD_COMMAND)}"
            ok, log = _project.sandboxed_build(stage, out, ["/bin/sh", "-c", script],
                                               env=self.runtime_env(home),
                                               step=" ".join(BUILD_COMMAND))
            if ok:
                # state of the build run that must not outlive it
                shutil.rmtree(out / "tmp" / "pids", ignore_errors=True)
                shutil.rmtree(out / "tmp" / "cache", ignore_errors=True)
                for f in (out / "log").glob("*.log"):
                    f.unlink()
            return ok, log

        return _project.build_project(self.skeleton_dir(home), code_dir, build_dir, owned,
                                      syntax, step)

    def launch_spec(self, build_dir: Path, home: Path, app_env: dict[str, str]) -> LaunchSpec:
        return LaunchSpec(
            app_dir=build_dir,
            command=list(RUN_COMMAND),
            env={**self.runtime_env(home), **app_env},
            limits=DEFAULT_LIMITS,
        )

    def versions(self, home: Path) -> dict[str, str]:
        out = {"ruby": self._ruby_version() if Path(RUBY).exists() else "not installed"}
        have = _project.dpkg_versions(DEBIAN_PACKAGES)
        out["debian_packages"] = " ".join(f"{p}={v}" for p, v in sorted(have.items()))
        lock = self.skeleton_dir(home) / "Gemfile.lock"
        if lock.is_file():
            specs = re.findall(r"^    ([A-Za-z0-9_.-]+) \(([^)]+)\)$", lock.read_text(), re.M)
            out["gems"] = " ".join(f"{n}@{v}" for n, v in sorted(specs))
        return out
