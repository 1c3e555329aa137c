"""Per-test harness overhead of the bubblewrap sandbox.

For each app, alternates N bare and N sandboxed runs and reports medians:

* bare: `Popen` of the app on the host (on a free port), polled every 2 ms via sock_diag
  (as the sandbox does) until it listens ("ready"), then SIGKILL + wait ("kill").
* sandbox: `BwrapSandbox().start()` + `wait_ready()` + `stop()` (fresh root, app copy,
  cgroups, uid drop, netns, ... all included), plus the first HTTP request through the
  sandbox transport (reported separately, not part of the overhead).

overhead = median(sandbox start+ready+teardown) - median(bare launch->listening), and the same
with minima (less sensitive to other load on the machine).

Apps: (a) a stdlib http.server app; (b) a Flask app, with the venv prepared by
`baxbench envs setup Python-Flask`, or else a temporary venv (flask==3.1.0) made here.

    .venv/bin/python bench/sandbox_overhead.py [--runs 20] [--json] [--connect helper]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from baxbench.paths import baxbench_home
from baxbench.sandbox._netns import diag_socket_here, listening_sockets
from baxbench.sandbox.base import LaunchSpec, Limits
from baxbench.sandbox.bwrap import BwrapSandbox

PY = "/usr/bin/python3"
POLL_S = 0.002

STDLIB_APP = """\
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "5000"))), H).serve_forever()
"""

FLASK_APP = """\
import os
from flask import Flask
app = Flask(__name__)
@app.get("/")
def index():
    return "ok"
app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(diag: socket.socket, port: int) -> bool:
    return bool(listening_sockets(diag, port))


def bare_run(python: str, app_dir: Path, env: dict[str, str]) -> dict[str, float]:
    port = _free_port()
    diag = diag_socket_here()  # the same cheap sock_diag poll the sandbox uses
    t0 = time.monotonic()
    proc = subprocess.Popen([python, str(app_dir / "app.py")], cwd=app_dir,
                            env={**env, "PORT": str(port)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while not _listening(diag, port):
            if proc.poll() is not None or time.monotonic() - t0 > 30:
                raise RuntimeError("bare app did not start")
            time.sleep(POLL_S)
        t_ready = time.monotonic()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        diag.close()
    t_end = time.monotonic()
    return {"ready_ms": (t_ready - t0) * 1000, "kill_ms": (t_end - t_ready) * 1000}


def sandbox_run(sb: BwrapSandbox, spec: LaunchSpec) -> dict[str, float]:
    t0 = time.monotonic()
    inst = sb.start(spec)
    t_started = time.monotonic()
    try:
        inst.wait_ready()
        t_ready = time.monotonic()
        with httpx.Client(transport=inst.http_transport()) as client:
            assert client.get("http://localhost:5000/").text == "ok"
        t_req = time.monotonic()
    finally:
        t_stop = time.monotonic()
        inst.stop()
        t_end = time.monotonic()
    return {
        "start_ms": (t_started - t0) * 1000,
        "spawn_ms": inst.timings.spawn_ms,
        "ready_ms": (t_ready - t0) * 1000,
        "teardown_ms": (t_end - t_stop) * 1000,
        "total_ms": (t_ready - t0 + t_end - t_stop) * 1000,
        "first_request_ms": (t_req - t_ready) * 1000,
    }


@contextlib.contextmanager
def flask_venv() -> Iterator[tuple[Path, str]]:
    prepared = baxbench_home() / "envs" / "Python-Flask" / "venv"
    if (prepared / "bin" / "python").exists():
        yield prepared, f"prepared env {prepared}"
        return
    tmp = Path(tempfile.mkdtemp(prefix="baxbench-bench-venv-"))
    try:
        venv = tmp / "venv"
        subprocess.run([PY, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "flask==3.1.0"], check=True)
        os.chmod(tmp, 0o755)
        yield venv, f"temporary venv {venv} (flask==3.1.0)"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(name: str, source: str, runs: int, sb: BwrapSandbox, python_bare: str,
          python_sandbox: str, ro_binds: dict[str, Path], env: dict[str, str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="baxbench-bench-app-") as tmp:
        app_dir = Path(tmp)
        os.chmod(app_dir, 0o755)
        (app_dir / "app.py").write_text(source)
        spec = LaunchSpec(app_dir=app_dir, command=[python_sandbox, "/app/app.py"],
                          ro_binds=ro_binds, env=env, limits=Limits(start_timeout_s=30))
        bare_env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
        # warm-up (page cache, bwrap, first cgroup creation)
        bare_run(python_bare, app_dir, bare_env)
        sandbox_run(sb, spec)
        bare: list[dict[str, float]] = []
        boxed: list[dict[str, float]] = []
        for _ in range(runs):  # interleaved, so machine load drifts hit both alike
            bare.append(bare_run(python_bare, app_dir, bare_env))
            boxed.append(sandbox_run(sb, spec))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return round(statistics.median(r[key] for r in rows), 2)

    result: dict[str, object] = {"app": name, "runs": runs}
    for key in ("ready_ms", "kill_ms"):
        result[f"bare_{key}"] = med(bare, key)
    for key in ("start_ms", "spawn_ms", "ready_ms", "teardown_ms", "total_ms",
                "first_request_ms"):
        result[f"sandbox_{key}"] = med(boxed, key)
    result["overhead_ms"] = round(med(boxed, "total_ms") - med(bare, "ready_ms"), 2)
    result["overhead_vs_bare_incl_kill_ms"] = round(
        med(boxed, "total_ms") - statistics.median(r["ready_ms"] + r["kill_ms"] for r in bare), 2)
    result["sandbox_total_ms_min_max"] = [round(min(r["total_ms"] for r in boxed), 1),
                                          round(max(r["total_ms"] for r in boxed), 1)]
    # the minima are the least disturbed by other load on the machine
    result["overhead_of_minima_ms"] = round(
        min(r["total_ms"] for r in boxed) - min(r["ready_ms"] for r in bare), 2)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--connect", choices=("auto", "setns", "helper"), default="auto")
    ap.add_argument("--no-cgroups", action="store_true")
    ap.add_argument("--skip-flask", action="store_true")
    args = ap.parse_args()
    sb = BwrapSandbox(cgroups=not args.no_cgroups, connect=args.connect)
    results = [bench("stdlib http.server", STDLIB_APP, args.runs, sb, PY, PY, {}, {})]
    flask_source = ""
    if not args.skip_flask:
        with flask_venv() as (venv, flask_source):
            results.append(bench(
                "Flask 3.1", FLASK_APP, args.runs, sb, str(venv / "bin" / "python"),
                "/venv/bin/python", {"/venv": venv},
                {"PATH": "/venv/bin:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
            ))
    meta = {"uid": os.geteuid(), "connect": args.connect, "cgroups": not args.no_cgroups,
            "load_avg": os.getloadavg(), "cpus": os.cpu_count(), "flask": flask_source}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
        return 0
    print(f"uid {meta['uid']}, connect={args.connect}, cgroups={meta['cgroups']}, "
          f"{meta['cpus']} cpus, load avg {' '.join(f'{x:.1f}' for x in meta['load_avg'])}")
    if flask_source:
        print(f"Flask venv: {flask_source}")
    cols = [("app", "app"), ("bare_ready_ms", "bare ready"), ("bare_kill_ms", "bare kill"),
            ("sandbox_start_ms", "sb start()"), ("sandbox_ready_ms", "sb ready"),
            ("sandbox_teardown_ms", "sb stop()"), ("sandbox_total_ms", "sb total"),
            ("overhead_ms", "OVERHEAD"), ("overhead_of_minima_ms", "ovh(min)"),
            ("sandbox_first_request_ms", "1st req")]
    widths = [max(len(h), 18 if k == "app" else 9) for k, h in cols]
    print("  ".join(h.ljust(w) if k == "app" else h.rjust(w)
                    for (k, h), w in zip(cols, widths, strict=True)))
    for r in results:
        print("  ".join(str(r[k]).ljust(w) if k == "app" else f"{r[k]:.1f}".rjust(w)
                        for (k, _), w in zip(cols, widths, strict=True)))
    print(f"medians of {args.runs} interleaved runs (ms); OVERHEAD = sb total (start+ready+stop)"
          " - bare launch->listening; ovh(min) = the same with minima; target <= 30 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
