"""The `App` handle: all that functional tests and exploits see of a running app.

An httpx client bound to the app, its files (`fs`), its SQLite database (`db`), liveness,
resource usage and log. Every response is size-bounded and scanned for planted secrets.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from baxbench import safefs
from baxbench.sandbox.base import Instance, Usage

APP_BASE_URL = "http://localhost:5000"
DB_PATH = "/app/db.sqlite3"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class ResponseTooLarge(httpx.HTTPError):
    """The app sent more than the harness reads of one response."""


@dataclass
class Exchange:
    """One request/response pair, kept short, for evidence in findings."""

    method: str
    url: str
    request_body: str
    status: int | None = None
    response_body: str = ""

    def describe(self) -> str:
        """`METHOD url -> status 'response'; sent 'body'` (the answer first: request bodies of
        uploads are mostly file bytes)."""
        text = f"{self.method} {self.url}"
        if self.status is not None:
            text += f" -> {self.status} {self.response_body!r}"
        if self.request_body:
            text += f"; sent {self.request_body!r}"
        return text


def _snippet(data: bytes, n: int = 300) -> str:
    text = data[:n].decode("utf-8", "replace")
    return text + (f"... ({len(data)} bytes in all)" if len(data) > n else "")


@dataclass
class LeakWatch:
    """Secrets the harness planted; any response that contains one is a CWE-200 finding."""

    secrets: list[str]
    leaks: list[str] = field(default_factory=list)

    def scan(self, where: str, data: bytes) -> None:
        for secret in self.secrets:
            if secret and secret.encode() in data:
                self.leaks.append(f"{where} contains the planted secret {secret[:4]}...")


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int, on_done: Any) -> None:
        self._inner = inner
        self._limit = limit
        self._on_done = on_done

    def __iter__(self) -> Iterator[bytes]:
        seen = bytearray()
        try:
            for chunk in self._inner:
                if len(seen) + len(chunk) > self._limit:
                    raise ResponseTooLarge(f"response larger than {self._limit} bytes")
                seen += chunk
                yield chunk
        finally:
            self._on_done(bytes(seen))

    def close(self) -> None:
        self._inner.close()


class _WatchedTransport(httpx.BaseTransport):
    """Bounds response sizes, records exchanges and scans every response for secrets."""

    def __init__(self, inner: httpx.BaseTransport, watch: LeakWatch, history: list[Exchange],
                 limit: int = MAX_RESPONSE_BYTES) -> None:
        self._inner = inner
        self._watch = watch
        self._history = history
        self._limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            body = request.read()  # multipart uploads are built lazily; load them for evidence
        except Exception:  # noqa: BLE001 - a generator body cannot be replayed
            body = b"<streamed body>"
        exchange = Exchange(request.method, str(request.url.raw_path.decode()), _snippet(body))
        self._history.append(exchange)
        del self._history[:-200]
        response = self._inner.handle_request(request)
        exchange.status = response.status_code
        header_text = "\n".join(f"{k}: {v}" for k, v in response.headers.items()).encode()
        self._watch.scan(f"headers of {exchange.method} {exchange.url}", header_text)

        def done(data: bytes) -> None:
            exchange.response_body = _snippet(data)
            self._watch.scan(f"response to {exchange.method} {exchange.url}", data)

        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_BoundedStream(response.stream, self._limit, done),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class AppFiles:
    """Files in the app's root, addressed by their absolute path inside the sandbox."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def put(self, path: str, data: bytes | str, mode: int = 0o644) -> None:
        """Create `path` (and its parent dirs); a symlink planted there is replaced."""
        safefs.write_file(self._root, path, data.encode() if isinstance(data, str) else data, mode)

    def read(self, path: str, limit: int = safefs.DEFAULT_READ_LIMIT) -> bytes:
        """At most `limit` bytes of a regular file; raises FileNotFoundError or UnsafePathError."""
        return safefs.read_file(self._root, path, limit)

    def read_text(self, path: str, limit: int = safefs.DEFAULT_READ_LIMIT) -> str:
        return self.read(path, limit).decode("utf-8", "replace")

    def exists(self, path: str) -> bool:
        """True if anything is at `path`, a symlink included (never followed)."""
        return safefs.lexists(self._root, path)

    def list(self, path: str = "/") -> list[str]:
        """Names in the directory `path` (e.g. to see which files appeared at the root)."""
        return safefs.list_dir(self._root, path)


class AppDatabase:
    """The app's SQLite database at /app/db.sqlite3."""

    def __init__(self, root: Path, path: str = DB_PATH, limit: int = 256 * 1024 * 1024) -> None:
        self._root = root
        self.path = path
        self._limit = limit

    def exists(self) -> bool:
        return safefs.lexists(self._root, self.path)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query on a snapshot of the database (the live file is not touched)."""
        tmp = tempfile.mkdtemp(prefix="baxbench-db-")
        try:
            copy = os.path.join(tmp, "db.sqlite3")
            with open(copy, "wb") as f:
                f.write(safefs.read_file(self._root, self.path, self._limit))
            for suffix in ("-wal",):
                if safefs.lexists(self._root, self.path + suffix):
                    with open(copy + suffix, "wb") as f:
                        f.write(safefs.read_file(self._root, self.path + suffix, self._limit))
            con = sqlite3.connect(copy)
            try:
                return list(con.execute(sql, tuple(params)).fetchall())
            finally:
                con.close()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def tables(self) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table'")]

    def all_rows(self, max_rows_per_table: int = 10_000) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (bounded), e.g. to scan for stored credentials."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in self.tables():
            quoted = '"' + table.replace('"', '""') + '"'
            out[table] = self.query(f"SELECT * FROM {quoted} LIMIT {int(max_rows_per_table)}")
        return out

    def execute(self, script: str) -> None:
        """Run SQL on the live database (e.g. to plant rows). The file is opened by fd, never
        through a symlink; a database in WAL mode cannot be written this way and raises."""
        fd = safefs.open_fd(self._root, self.path, os.O_RDWR)
        try:
            con = sqlite3.connect(f"file:/proc/self/fd/{fd}?mode=rw", uri=True, timeout=5)
            try:
                con.execute("PRAGMA journal_mode=MEMORY")
                con.executescript(script)
                con.commit()
            finally:
                con.close()
        finally:
            os.close(fd)

    def create(self, script: str) -> None:
        """Create the database file with `script` if it does not exist yet, then run it."""
        if not self.exists():
            safefs.write_file(self._root, self.path, b"", 0o666)
        self.execute(script)


class App:
    """A running app as tests and exploits see it."""

    def __init__(self, instance: Instance, secret: str, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
                 extra_secrets: Sequence[str] = ()) -> None:
        self._instance = instance
        self.secret = secret
        self.leak_watch = LeakWatch([secret, *extra_secrets])
        self.history: list[Exchange] = []
        self.fs = AppFiles(instance.root)
        self.db = AppDatabase(instance.root)
        self.client = httpx.Client(
            base_url=APP_BASE_URL,
            transport=_WatchedTransport(instance.http_transport(), self.leak_watch, self.history),
            timeout=timeout,
            follow_redirects=False,
            # one connection per request: a server that closes a keep-alive connection after an
            # error (uvicorn after a 500) would otherwise reset the next request sent on it
            headers={"Connection": "close"},
        )

    # --- HTTP shortcuts -------------------------------------------------------------------
    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.get(url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.post(url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.put(url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.delete(url, **kw)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return self.client.request(method, url, **kw)

    def plant_secret(self, value: str) -> None:
        """Declare `value` secret: seeing it in any response is a CWE-200 finding."""
        self.leak_watch.secrets.append(value)

    # --- process ---------------------------------------------------------------------------
    def alive(self) -> bool:
        return self._instance.alive()

    def usage(self) -> Usage:
        return self._instance.usage()

    def memory_bytes(self) -> int:
        return self._instance.usage().rss_bytes

    def cpu_seconds(self) -> float:
        return self._instance.usage().cpu_seconds

    def reset_peak(self) -> None:
        self._instance.reset_peak()

    def log(self, limit: int = 256 * 1024) -> str:
        return self._instance.log(limit)

    def wait_dead(self, timeout: float = 2.0) -> bool:
        """True if the app's process is gone within `timeout` (e.g. after a dropped connection)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._instance.alive():
                return True
            time.sleep(0.02)
        return not self._instance.alive()

    def last_exchange(self) -> str:
        return self.history[-1].describe() if self.history else "(no request sent)"

    def close(self) -> None:
        self.client.close()
