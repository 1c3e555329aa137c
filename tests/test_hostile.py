"""Hostile apps against the bubblewrap sandbox: each must be contained, reported, cleaned up.

The `check_*` functions are also run with an unprivileged harness (see test_sandbox.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from test_sandbox import (
    IS_ROOT,
    PY,
    SECRET,
    app_for,
    running,
    spec,
    stop_and_check,
)

from baxbench.safefs import UnsafePathError
from baxbench.sandbox import _procs
from baxbench.sandbox.base import AppStartError, Limits
from baxbench.sandbox.bwrap import BwrapSandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("bwrap") is None,
                       reason="bubblewrap not installed (apt-get install bubblewrap)"),
    pytest.mark.skipif(not os.path.exists(PY), reason="test apps need /usr/bin/python3"),
]


@pytest.fixture(autouse=True)
def _private_uid_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAXBENCH_SANDBOX_UID_BASE", str(1_600_000 + (os.getpid() % 5000) * 64))


def _wait_for(cond: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def check_fork_bomb(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("fork_bomb.py", limits=Limits(pids=64, start_timeout_s=20)))
    try:
        inst.wait_ready()
        with app_for(inst) as app:
            assert app.get("/bomb").text == "boom"
        assert _wait_for(lambda: inst.limit_hit() == "pids"), inst.limit_hit()
        # the harness itself is fine: it can still fork and exec
        assert subprocess.run(["/bin/true"]).returncode == 0
        if "pids" in inst.cgroups.split(","):  # (the watchdog only acts every 20 ms)
            assert len(_procs.pidns_members(inst.pidns_inode or 0)) <= 64
    finally:
        stop_and_check(inst)


def check_memory_hog(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("memory_hog.py",
                         limits=Limits(memory_bytes=160 << 20, start_timeout_s=20)))
    try:
        inst.wait_ready()
        with app_for(inst) as app, contextlib.suppress(httpx.HTTPError):
            app.get("/hog", timeout=15)
        assert _wait_for(lambda: not inst.alive()), "the hog is still alive"
        assert inst.limit_hit() == "memory"
        assert inst.usage().peak_rss_bytes > 64 << 20
        assert inst.exit_code() not in (None, 0)
    finally:
        stop_and_check(inst)


def check_endless_loop_at_start(sb: BwrapSandbox) -> None:
    t0 = time.monotonic()
    inst = sb.start(spec("spin.py", limits=Limits(start_timeout_s=1.0)))
    try:
        with pytest.raises(AppStartError) as err:
            inst.wait_ready()
        assert 0.9 < time.monotonic() - t0 < 5
        assert "about to loop forever" in err.value.log
        assert err.value.exit_code is None and inst.alive()
    finally:
        stop_and_check(inst)


def check_daemonised_child(sb: BwrapSandbox) -> None:
    inst = sb.start(spec("daemon.py"))
    try:
        inst.wait_ready()
        # the app (pid 1), the setsid daemon, three sleepers
        assert _wait_for(lambda: len(_procs.pidns_members(inst.pidns_inode or 0)) >= 5)
    finally:
        stop_and_check(inst)


def check_early_forks_are_confined(sb: BwrapSandbox) -> None:
    """Children forked in the first milliseconds (before the cgroup move) end up inside too."""
    s = spec("basic.py")
    script = f"for i in 1 2 3 4 5 6; do sleep 60 & done; exec {PY} basic.py"
    early = replace(s, command=["/bin/sh", "-c", script])
    inst = sb.start(early)
    try:
        inst.wait_ready()
        tree = _procs.tree_pids(inst.pid1 or 0)
        assert len(tree) >= 7
        if inst._cg is not None:
            assert set(tree) <= set(inst._cg.members())
    finally:
        stop_and_check(inst)


def check_writes_stay_in_the_instance(sb: BwrapSandbox) -> None:
    venv = Path(tempfile.mkdtemp(prefix="baxbench-venv-"))
    venv.chmod(0o755)
    try:
        (venv / "keep.txt").write_text("intact")
        s = spec("write_root.py", limits=Limits(tmp_size_bytes=16 << 20, start_timeout_s=20),
                 ro_binds={"/venv": venv})
        inst = sb.start(s)
        try:
            inst.wait_ready()
            with app_for(inst) as app:
                res = app.get("/results").json()
            assert res["root"] == "ok" and res["tmp"] == "ok"
            for where in ("usr", "etc", "dev", "ro_bind"):
                assert res[where] == "EROFS", (where, res)
            assert res["proc_sys"] in ("EROFS", "EACCES"), res
            assert res["shadow"] == "EACCES", res
            assert res["userns"] != "ok", res
            assert res["tmp_fill"] == "ENOSPC", res
            assert (inst.root / "pwned.txt").read_text() == "pwned"
        finally:
            stop_and_check(inst)
        assert not os.path.lexists("/pwned.txt")
        assert not os.path.lexists("/usr/pwned.txt") and not os.path.lexists("/etc/pwned.txt")
        assert sorted(os.listdir(venv)) == ["keep.txt"]
    finally:
        shutil.rmtree(venv)


def _fingerprint(path: str) -> tuple[object, ...]:
    st = os.stat(path)
    digest = ""
    with contextlib.suppress(PermissionError), open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return (st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid, digest)


def check_planted_symlinks(sb: BwrapSandbox) -> None:
    before = _fingerprint("/etc/shadow")
    with running(sb, "symlinks.py") as inst, app_for(inst) as app:
        assert app.get("/").text != "linked"  # no hardlink across the read-only bind
        assert app.fs.exists("/secret.txt") and app.db.exists()
        with pytest.raises(UnsafePathError):
            app.fs.read("/secret.txt")
        with pytest.raises(UnsafePathError):
            app.db.query("SELECT 1")
        with pytest.raises(UnsafePathError):
            app.fs.read("/app/uploads/shadow")
        with pytest.raises(UnsafePathError):
            app.fs.put("/app/uploads/evil", "x")  # a symlinked parent dir is refused too
        app.fs.put("/secret.txt", "planted by the harness")  # replaces the link
        assert app.fs.read("/secret.txt") == b"planted by the harness"
    assert _fingerprint("/etc/shadow") == before
    assert not os.path.exists("/etc/evil")


def _host_ipv4() -> str | None:
    import psutil

    for addrs in psutil.net_if_addrs().values():
        for a in addrs:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return str(a.address)
    return None


def check_no_egress(sb: BwrapSandbox) -> None:
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen()
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    abstract = f"baxbench-test-{secrets.token_hex(4)}"
    unix_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_listener.bind("\0" + abstract)
    unix_listener.listen()
    unix_listener.settimeout(0.05)
    accepted: list[str] = []
    done = threading.Event()

    def accept_loop() -> None:
        while not done.is_set():
            for sock in (listener, unix_listener):
                with contextlib.suppress(TimeoutError, OSError):
                    conn, addr = sock.accept()
                    accepted.append(str(addr))
                    conn.close()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        with running(sb, "egress.py") as inst, app_for(inst) as app:
            assert app.get("/interfaces").json() == ["lo"]
            targets = ["127.0.0.1"] + ([ip] if (ip := _host_ipv4()) else [])
            for host in targets:
                r = app.get("/tcp", params={"host": host, "port": str(port)}).text
                assert r.startswith("failed"), (host, r)
            assert app.get("/unix", params={"name": abstract}).text.startswith("failed")
            for name in ("example.com", "deb.debian.org"):
                assert app.get("/dns", params={"name": name}).text.startswith("failed")
            assert app.get("/udp", params={"host": "8.8.8.8", "port": "53"}).text \
                .startswith("failed")
            # the harness's own check that the listener works at all
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                pass
            assert _wait_for(lambda: len(accepted) == 1, 2)
    finally:
        done.set()
        thread.join()
        listener.close()
        unix_listener.close()
    assert len(accepted) == 1, accepted  # only the harness's own probe


@contextlib.contextmanager
def _harness_env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def check_no_secrets_visible(sb: BwrapSandbox) -> None:
    key = os.environ.get("OPENAI_API_KEY") or "sk-harness-key-must-not-leak"
    marker = f"harness-marker-{secrets.token_hex(6)}"
    with _harness_env(OPENAI_API_KEY=key, BAXBENCH_HARNESS_MARKER=marker), \
            running(sb, "snoop.py") as inst, app_for(inst) as app:
        r = app.get("/snoop")
        found = r.json()
        assert set(found["environ"]) <= {"APP_SECRET", "PATH", "HOME", "LANG", "PWD"}
        assert found["environ"]["APP_SECRET"] == SECRET
        assert key not in r.text and marker not in r.text and "OPENAI" not in r.text
        assert len(found["procs"]) <= 3, found["procs"].keys()  # only the sandbox's processes
        assert app.leak_watch.leaks  # the App noticed its own secret in the response


# --- pytest --------------------------------------------------------------------------------------
@pytest.fixture
def sb() -> BwrapSandbox:
    return BwrapSandbox()


def test_fork_bomb(sb: BwrapSandbox) -> None:
    check_fork_bomb(sb)


def test_fork_bomb_watchdog() -> None:
    check_fork_bomb(BwrapSandbox(cgroups=False))


def test_memory_hog(sb: BwrapSandbox) -> None:
    check_memory_hog(sb)


def test_memory_hog_watchdog() -> None:
    check_memory_hog(BwrapSandbox(cgroups=False))


def test_endless_loop_at_start(sb: BwrapSandbox) -> None:
    check_endless_loop_at_start(sb)


def test_daemonised_child_is_killed(sb: BwrapSandbox) -> None:
    check_daemonised_child(sb)


def test_early_forks_are_confined(sb: BwrapSandbox) -> None:
    check_early_forks_are_confined(sb)


def test_writes_stay_in_the_instance(sb: BwrapSandbox) -> None:
    check_writes_stay_in_the_instance(sb)


def test_planted_symlinks_are_never_followed(sb: BwrapSandbox) -> None:
    check_planted_symlinks(sb)


def test_no_egress(sb: BwrapSandbox) -> None:
    check_no_egress(sb)


def test_no_harness_secrets_visible(sb: BwrapSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-" + secrets.token_hex(8))
    check_no_secrets_visible(sb)


@pytest.mark.skipif(not IS_ROOT, reason="per-slot uids exist only for a root harness")
def test_root_harness_never_runs_the_app_as_root(sb: BwrapSandbox) -> None:
    with running(sb, "basic.py", slot=3) as inst, app_for(inst) as app:
        assert inst.uid == int(os.environ["BAXBENCH_SANDBOX_UID_BASE"]) + 3
        assert app.get("/uid").text == str(inst.uid)
        assert os.stat(inst.root).st_uid == inst.uid
        with open(f"/proc/{inst.pid1}/status") as f:
            uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
        assert set(uids) == {str(inst.uid)}
