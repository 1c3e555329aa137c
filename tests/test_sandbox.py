"""The bubblewrap sandbox backend, end to end with real bwrap (no mocks).

Apps are tiny stdlib servers from tests/hostile_apps run by /usr/bin/python3 inside the sandbox.
As root, the unprivileged-harness path is also exercised by re-running a driver as another uid.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from baxbench.app import App
from baxbench.sandbox import _cgroups, _procs
from baxbench.sandbox.base import AppStartError, LaunchSpec, Limits, SandboxError
from baxbench.sandbox.bwrap import BwrapInstance, BwrapSandbox

APPS = Path(__file__).parent / "hostile_apps"
PY = "/usr/bin/python3"
SECRET = "app-secret-7f3a9c"
IS_ROOT = os.geteuid() == 0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("bwrap") is None,
                       reason="bubblewrap not installed (apt-get install bubblewrap)"),
    pytest.mark.skipif(not os.path.exists(PY), reason="test apps need /usr/bin/python3"),
]


@pytest.fixture(autouse=True)
def _private_uid_range(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own slot uids, so leftover checks do not see other harnesses on this machine."""
    monkeypatch.setenv("BAXBENCH_SANDBOX_UID_BASE", str(1_600_000 + (os.getpid() % 5000) * 64))


def spec(app: str, limits: Limits | None = None, **kw: object) -> LaunchSpec:
    env = {"APP_SECRET": SECRET, **kw.pop("env", {})}  # type: ignore[dict-item]
    return LaunchSpec(app_dir=APPS, command=[PY, f"/app/{app}"], env=env,
                      limits=limits or Limits(start_timeout_s=20), **kw)  # type: ignore[arg-type]


@contextlib.contextmanager
def running(sb: BwrapSandbox, app: str, slot: int = 0, **kw: object) -> Iterator[BwrapInstance]:
    inst = sb.start(spec(app, **kw), slot=slot)  # type: ignore[arg-type]
    try:
        inst.wait_ready()
        yield inst
    finally:
        inst.stop()


@contextlib.contextmanager
def app_for(inst: BwrapInstance) -> Iterator[App]:
    app = App(inst, SECRET)
    try:
        yield app
    finally:
        app.close()


def cgroup_dirs(inst: BwrapInstance) -> list[Path]:
    return list(inst._cg.dirs.values()) if inst._cg else []


def pin_pidns(inst: BwrapInstance) -> int | None:
    """An fd holding the sandbox's pid ns, so its inode cannot be recycled by another sandbox
    (other harnesses may run on this machine) while we look for leftovers."""
    try:
        return os.open(f"/proc/{inst.pid1}/ns/pid", os.O_RDONLY) if inst.pid1 else None
    except OSError:
        return None  # pid 1 already gone: so is its pid ns


def assert_nothing_left(inst: BwrapInstance, pin: int | None,
                        cgdirs: list[Path] | None = None) -> None:
    """No process in the sandbox's pid ns or of its uid, no root, log or cgroup left."""
    try:
        if pin is not None:
            assert _procs.pidns_members(os.fstat(pin).st_ino) == []
    finally:
        if pin is not None:
            os.close(pin)
    if inst.as_root:
        assert _procs.uid_members(inst.uid) == []
    assert not os.path.lexists(inst.root)
    assert not os.path.lexists(inst._log_path)
    for d in cgdirs or []:
        assert not d.exists(), d
    assert not inst.alive()


def stop_and_check(inst: BwrapInstance) -> None:
    pin, cgdirs = pin_pidns(inst), cgroup_dirs(inst)
    inst.stop()
    assert_nothing_left(inst, pin, cgdirs)


# --- checks shared with the unprivileged driver -----------------------------------------------
def check_serves_and_files(sb: BwrapSandbox) -> None:
    with running(sb, "basic.py", env={"APP_NAME": "one"}) as inst, app_for(inst) as app:
        assert app.get("/").text == "hello from one"
        assert inst.timings.spawn_ms > 0 and inst.timings.ready_ms >= inst.timings.spawn_ms
        # harness -> app
        app.fs.put("/app/data/in.txt", "from the harness")
        assert app.get("/read", params={"path": "/app/data/in.txt"}).text == "from the harness"
        # app -> harness
        assert app.post("/write", params={"path": "/app/out.txt"}, content=b"from the app").text \
            == "ok"
        assert app.fs.read("/app/out.txt") == b"from the app"
        assert app.fs.read_text("/app/out.txt", limit=4) == "from"
        assert app.fs.exists("/app/out.txt") and not app.fs.exists("/app/nothing.txt")
        assert app.fs.exists("/app/basic.py")  # the app dir was copied to /app
        # sqlite written by the app, read by the harness
        for value in ("alpha", "beta"):
            assert app.post("/db", content=value.encode()).text == "ok"
        assert app.db.tables() == ["items"]
        assert app.db.query("SELECT value FROM items ORDER BY value") == [("alpha",), ("beta",)]
        assert inst.alive() and inst.exit_code() is None and inst.limit_hit() is None
        # the app got its rlimits (and, where available, its cgroups) before it ran
        lim = inst._limits
        with open(f"/proc/{inst.pid1}/limits") as f:
            limits = {line[:26].strip(): line[26:].split()[:2] for line in f}
        assert limits["Max address space"] == [str(lim.address_space_bytes)] * 2
        assert limits["Max file size"] == [str(lim.file_size_bytes)] * 2
        assert limits["Max open files"] == [str(lim.open_files)] * 2
        assert limits["Max core file size"] == ["0", "0"]
        for d in cgroup_dirs(inst):
            assert str(inst.pid1) in (d / "cgroup.procs").read_text().split()


def check_usage(sb: BwrapSandbox) -> None:
    with running(sb, "basic.py") as inst, app_for(inst) as app:
        base = inst.usage()
        assert 3 << 20 < base.rss_bytes < 200 << 20
        assert app.get("/alloc", params={"mb": "120"}).text == "ok"
        held = inst.usage()
        assert held.rss_bytes > base.rss_bytes + (100 << 20)
        assert held.peak_rss_bytes >= held.rss_bytes
        app.get("/free")
        inst.reset_peak()
        after = inst.usage()
        assert after.rss_bytes < held.rss_bytes - (100 << 20)
        assert after.peak_rss_bytes < held.peak_rss_bytes - (100 << 20)
        # a short spike between two samples still shows in the peak
        app.get("/alloc", params={"mb": "80"})
        app.get("/free")
        time.sleep(0.1)
        assert inst.usage().peak_rss_bytes > after.peak_rss_bytes + (60 << 20)
        cpu0 = inst.usage().cpu_seconds
        app.get("/cpu", params={"ms": "300"})
        assert inst.usage().cpu_seconds >= cpu0 + 0.25


def check_log(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("basic.py"))
    try:
        inst.wait_ready()
        log = inst.log()
        assert "basic-app stdout marker" in log and "basic-app stderr marker" in log
        assert len(inst.log(limit=10).encode()) <= 10
        assert log.endswith(inst.log(limit=10))
    finally:
        inst.stop()
    assert "basic-app stderr marker" in inst.log()  # still there after teardown


def check_teardown(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("basic.py"))
    inst.wait_ready()
    with app_for(inst) as app:
        assert app.get("/lock").text == "ok"  # files/dirs chmod 000 inside the root
    members = _procs.pidns_members(inst.pidns_inode or 0)
    assert len(members) >= 1  # the app is pid 1 of its pid ns
    transport = inst.http_transport()
    stop_and_check(inst)
    assert inst.timings.teardown_ms > 0
    inst.stop()  # idempotent
    with pytest.raises(httpx.ConnectError), httpx.Client(transport=transport) as client:
        client.get("http://localhost:5000/")


def check_parallel(sb: BwrapSandbox, n: int = 8) -> None:
    insts: list[BwrapInstance] = []
    try:
        for slot in range(n):
            insts.append(sb.start(spec("basic.py", env={"APP_NAME": f"app{slot}"}), slot=slot))
        for slot, inst in enumerate(insts):
            inst.wait_ready()
            inst_app = App(inst, SECRET)
            inst_app.fs.put("/secret.txt", f"secret of {slot}")
            inst_app.close()
        errors: list[str] = []

        def hammer(slot: int, inst: BwrapInstance) -> None:
            with app_for(inst) as app:
                for _ in range(20):
                    got = app.get("/read", params={"path": "/secret.txt"}).text
                    if got != f"secret of {slot}" or app.get("/").text != f"hello from app{slot}":
                        errors.append(f"slot {slot} saw {got!r}")

        threads = [threading.Thread(target=hammer, args=(s, i)) for s, i in enumerate(insts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len({i.netns_inode for i in insts}) == n
    finally:
        pins = [pin_pidns(i) for i in insts]
        cgdirs = [cgroup_dirs(i) for i in insts]
        for inst in insts:
            inst.stop()
    for inst, pin, d in zip(insts, pins, cgdirs, strict=True):
        assert_nothing_left(inst, pin, d)


# --- pytest --------------------------------------------------------------------------------------
@pytest.fixture
def sb() -> BwrapSandbox:
    return BwrapSandbox()


def test_serves_requests_and_shares_files(sb: BwrapSandbox) -> None:
    check_serves_and_files(sb)


def test_usage_peak_and_cpu(sb: BwrapSandbox) -> None:
    check_usage(sb)


def test_usage_with_watchdog_only() -> None:
    check_usage(BwrapSandbox(cgroups=False))


def test_log(sb: BwrapSandbox) -> None:
    check_log(sb)


def test_teardown_leaves_nothing(sb: BwrapSandbox) -> None:
    check_teardown(sb)


def test_eight_parallel_instances_on_port_5000(sb: BwrapSandbox) -> None:
    check_parallel(sb)


def test_app_that_exits_at_start(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("crash.py"))
    try:
        with pytest.raises(AppStartError) as err:
            inst.wait_ready()
        assert err.value.exit_code == 3
        assert "missing configuration" in err.value.log
        assert not inst.alive() and inst.exit_code() == 3
    finally:
        stop_and_check(inst)


def test_missing_command_is_reported(sb: BwrapSandbox) -> None:
    inst = sb.start(LaunchSpec(app_dir=APPS, command=["/no/such/binary"]))
    try:
        with pytest.raises(AppStartError) as err:
            inst.wait_ready()
        assert "/no/such/binary" in err.value.log
    finally:
        inst.stop()


def test_bad_specs_raise_sandbox_error(sb: BwrapSandbox, tmp_path: Path) -> None:
    with pytest.raises(SandboxError):
        sb.start(LaunchSpec(app_dir=tmp_path / "missing", command=[PY]))
    with pytest.raises(SandboxError):
        sb.start(LaunchSpec(app_dir=APPS, command=[PY], ro_binds={"/venv": tmp_path / "nope"}))
    assert list(tmp_path.iterdir()) == []


def test_ro_binds_and_custom_port(sb: BwrapSandbox, tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # the bind sources must be readable by the sandbox uid (not parents)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "marker.txt").write_text("venv content")
    mods = tmp_path / "node_modules"
    mods.mkdir()
    (mods / "pkg.js").write_text("module")
    limits = Limits(start_timeout_s=20)
    s = LaunchSpec(app_dir=APPS, command=[PY, "/app/basic.py"], env={"PORT": "8080"},
                   ro_binds={"/venv": venv, "/app/node_modules": mods}, port=8080, limits=limits)
    inst = sb.start(s)
    try:
        inst.wait_ready()
        # As root, the sandbox uid cannot traverse pytest's 0700 tmp root: the binds go through
        # a private bind mount made before the uid drop.
        assert inst._bridge_dir.is_dir() == (IS_ROOT and tmp_path.parent.stat().st_mode & 1 == 0)
        with app_for(inst) as app:  # App always says localhost:5000; it reaches port 8080
            assert app.get("/read", params={"path": "/venv/marker.txt"}).text == "venv content"
            assert app.get("/read", params={"path": "/app/node_modules/pkg.js"}).text == "module"
            r = app.post("/write", params={"path": "/venv/x"}, content=b"x")
            assert r.status_code == 500 and "Read-only" in r.text
            assert app.get("/uid").text == str(inst.uid)
    finally:
        stop_and_check(inst)
    assert not inst._bridge_dir.exists()
    assert not (venv / "x").exists() and (venv / "marker.txt").read_text() == "venv content"


@pytest.mark.parametrize("bind", ["::", "::1", "127.0.0.2"])
def test_connects_where_the_app_listens(sb: BwrapSandbox, bind: str) -> None:
    with running(sb, "basic.py", env={"BIND": bind}) as inst, app_for(inst) as app:
        assert app.get("/").text == "hello from app"
        assert inst._listen is not None and inst._listen[1] == ("::1" if bind == "::" else bind)


@pytest.mark.skipif(not IS_ROOT, reason="the setns/helper choice only exists for a root harness")
def test_helper_connection_mode_as_root() -> None:
    sb = BwrapSandbox(connect="helper")
    with running(sb, "basic.py") as inst, app_for(inst) as app:
        assert inst.connect_mode == "helper"
        assert app.get("/").text == "hello from app"
        helper = inst._helper
        assert helper is not None
        sock = helper.socket(socket.AF_INET)
        try:  # the socket really lives in the sandbox's netns (SIOCGSKNS)
            import fcntl

            nsfd = fcntl.ioctl(sock.fileno(), 0x894C)
            try:
                assert os.fstat(nsfd).st_ino == inst.netns_inode
            finally:
                os.close(nsfd)
        finally:
            sock.close()


def test_doctor(sb: BwrapSandbox) -> None:
    checks = sb.doctor()
    assert [c.name for c in checks if not c.ok] == [], checks
    assert {"bwrap", "user namespaces", "cgroups", "trial sandbox"} <= {c.name for c in checks}


def test_cgroup_layout_detected_as_root() -> None:
    if not IS_ROOT:
        pytest.skip("cgroups are only writable by a root harness here")
    lay = _cgroups.layout()
    if not lay.parents:
        pytest.skip(f"no writable cgroup controllers on this machine ({lay.describe()})")
    assert {"memory", "pids"} & set(lay.parents)


# --- the same checks with an unprivileged harness -------------------------------------------------
UNPRIVILEGED_UID = 1_599_000 + os.getpid() % 900
NEEDED_PACKAGES = ("httpx", "httpcore", "h11", "idna", "certifi", "anyio", "sniffio", "psutil",
                   "typing_extensions", "exceptiongroup", "pytest", "_pytest", "pluggy",
                   "iniconfig", "packaging", "py")


def _portable_pythonpath(dest: Path) -> str:
    """Copy baxbench and its runtime deps to a world-readable dir (the venv may sit under an
    unreadable home directory)."""
    src = Path(__file__).resolve().parents[1] / "src"
    shutil.copytree(src / "baxbench", dest / "baxbench",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in NEEDED_PACKAGES:
        found = importlib.util.find_spec(name)
        if found is None or found.origin is None:
            continue
        origin = Path(found.origin)
        if found.submodule_search_locations:
            shutil.copytree(origin.parent, dest / origin.parent.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, dest / origin.name)
    for p in [dest, *dest.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return str(dest)


def test_unprivileged_harness() -> None:
    """Re-runs the checks of both test modules as a uid without any privilege (as root here,
    via tests/hostile_apps/unprivileged_driver.py): helper-process networking, watchdog limits,
    teardown of chmod-000 files by their non-root owner."""
    if not IS_ROOT:
        pytest.skip("not root and no other user to switch to: this run already exercised the "
                    "unprivileged harness (helper-process networking, watchdog limits)")
    uid = UNPRIVILEGED_UID
    with tempfile.TemporaryDirectory(prefix="baxbench-unpriv-") as tmp:
        os.chmod(tmp, 0o755)
        pythonpath = _portable_pythonpath(Path(tmp) / "lib")
        tests = Path(tmp) / "tests"
        shutil.copytree(Path(__file__).parent, tests,
                        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        for p in [tests, *tests.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        env = {"PYTHONPATH": pythonpath, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
               "OPENAI_API_KEY": "sk-harness-key-must-not-leak",
               "BAXBENCH_SCRATCH": f"{tmp}/scratch"}
        os.mkdir(f"{tmp}/scratch")
        os.chown(f"{tmp}/scratch", uid, uid)
        python, probe = None, None
        for candidate in (sys.executable, PY):
            try:
                probe = subprocess.run([candidate, "-c", "import baxbench.sandbox.bwrap, pytest"],
                                       user=uid, group=uid, extra_groups=[], env=env, cwd="/",
                                       capture_output=True)
            except PermissionError:  # e.g. a pyenv python under /root
                continue
            if probe.returncode == 0:
                python = candidate
                break
        assert python, f"no python usable by uid {uid}: {probe and probe.stderr.decode()[-800:]}"
        out = subprocess.run([python, str(tests / "hostile_apps" / "unprivileged_driver.py")],
                             user=uid, group=uid, extra_groups=[], env=env, cwd="/",
                             capture_output=True, timeout=180)
        assert out.returncode == 0, out.stderr.decode()[-3000:]
        report = json.loads(out.stdout.decode().strip().splitlines()[-1])
        failed = {k: v for k, v in report["checks"].items() if v != "ok"}
        assert failed == {}, failed
        assert report["uid"] == uid and report["connect_mode"] == "helper"
        assert report["cgroups"] == ""
        assert len(report["checks"]) >= 10, report
        assert list(Path(f"{tmp}/scratch").iterdir()) == []
    assert _procs.uid_members(uid) == []
