"""Client sockets inside a sandbox's network namespace, and an httpx transport built on them.

The sandbox has only a loopback interface; its port is not reachable from the host at all, so
the harness creates its client sockets *inside* the sandbox's netns:

* root harness: per-thread `setns()` into the netns, `socket()`, `setns()` back (the socket keeps
  its netns). No extra process, ~0.02 ms per connection.
* non-root harness: setns into a netns needs CAP_SYS_ADMIN over it, which only a member of the
  sandbox's user namespace has; a tiny helper process joins it and hands out fresh sockets over
  SCM_RIGHTS (see _netns_helper.py).

Either way the harness connects the socket itself to the loopback address the app listens on;
the app cannot reroute it (no CAP_NET_ADMIN, no other interface), so connections can never
reach a host service.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpcore
import httpx
from httpcore._backends.sync import SyncStream

from baxbench.sandbox._procs import spawn
from baxbench.sandbox.base import SandboxError

CLONE_NEWNET = 0x40000000
NS_GET_USERNS = 0xB701  # _IO(0xb7, 0x1)

_libc = ctypes.CDLL(None, use_errno=True)
_setns = _libc.setns
_setns.argtypes = [ctypes.c_int, ctypes.c_int]
_setns.restype = ctypes.c_int


def socket_via_setns(netns_fd: int, family: int, kind: int = socket.SOCK_STREAM,
                     proto: int = 0) -> socket.socket:
    """A socket created in the netns `netns_fd` by briefly moving this thread there."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _setns(netns_fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into the sandbox netns: {os.strerror(err)}")
        try:
            return socket.socket(family, kind, proto)
        finally:
            if _setns(own, CLONE_NEWNET) != 0:
                # This thread would keep talking from inside the sandbox's netns, where the app
                # could impersonate host services on 127.0.0.1. Never continue like that.
                err = ctypes.get_errno()
                os.write(2, f"baxbench: cannot leave sandbox netns: {os.strerror(err)}\n".encode())
                os.abort()
    finally:
        os.close(own)


def can_setns() -> bool:
    """Whether this process may setns into other network namespaces (needs CAP_SYS_ADMIN)."""
    return os.geteuid() == 0


class NetnsHelper:
    """The non-root socket factory: a helper process inside the sandbox's user+net namespace."""

    def __init__(self, netns_fd: int) -> None:
        userns_fd = fcntl.ioctl(netns_fd, NS_GET_USERNS)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._lock = threading.Lock()
        self._ready = False
        self._error: str | None = None
        self._ctl = ours
        try:
            self._proc: subprocess.Popen[bytes] | None = spawn(
                [sys.executable, "-I", "-S", str(Path(__file__).with_name("_netns_helper.py")),
                 str(theirs.fileno()), str(netns_fd), str(userns_fd), str(os.getpid())],
                pass_fds=(theirs.fileno(), netns_fd, userns_fd),
                env={}, stdin=subprocess.DEVNULL, cwd="/",
            )
        finally:
            theirs.close()
            os.close(userns_fd)

    def wait_ready(self, deadline: float) -> None:
        """Block until the helper has joined the namespaces (or raise SandboxError)."""
        with self._lock:
            self._wait_ready_locked(deadline)

    def ready(self) -> bool:
        """Non-blocking: has the helper joined the namespaces yet?"""
        with self._lock:
            if not self._ready and not self._error:
                try:
                    self._wait_ready_locked(None)
                except BlockingIOError:
                    return False
            return self._ready

    def _wait_ready_locked(self, deadline: float | None) -> None:
        if self._ready:
            return
        if self._error:
            raise SandboxError(self._error)
        self._ctl.settimeout(0 if deadline is None else max(0.01, deadline - time.monotonic()))
        try:
            msg = self._ctl.recv(512)
        except TimeoutError:
            raise SandboxError("netns helper did not start in time") from None
        if msg == b"R":
            self._ready = True
            return
        self._error = "netns helper failed: " + (msg.decode(errors="replace") or "it exited")
        raise SandboxError(self._error)

    def socket(self, family: int, timeout: float = 10.0) -> socket.socket:
        """A TCP socket (AF_INET/AF_INET6), or with AF_NETLINK a NETLINK_SOCK_DIAG socket."""
        request: dict[int, bytes] = {socket.AF_INET: b"4", socket.AF_INET6: b"6",
                                     socket.AF_NETLINK: b"d"}
        with self._lock:
            self._wait_ready_locked(time.monotonic() + timeout)
            self._ctl.settimeout(timeout)
            self._ctl.send(request[family])
            msg, fds, _, _ = socket.recv_fds(self._ctl, 512, 1)
        if msg != b"S" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise OSError(f"netns helper: {msg.decode(errors='replace') or 'gone'}")
        sock = socket.socket(fileno=fds[0])
        kind = socket.SOCK_RAW if family == socket.AF_NETLINK else socket.SOCK_STREAM
        if sock.family != family or sock.type != kind:
            sock.close()
            raise OSError("netns helper returned an unexpected socket")
        return sock

    def close(self) -> None:
        self._ctl.close()
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


Target = Callable[[int], tuple[int, str, int]]  # requested port -> (family, address, port)
SocketFactory = Callable[[int], socket.socket]  # family -> unconnected socket in the netns


class SandboxNetworkBackend(httpcore.NetworkBackend):
    """httpcore backend whose TCP connections are made inside the sandbox's netns. The URL's
    host is ignored: the only reachable peer is the app on its own loopback."""

    def __init__(self, factory: SocketFactory, target: Target) -> None:
        self._factory = factory
        self._target = target

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        family, address, real_port = self._target(port)
        try:
            sock = self._factory(family)
        except OSError as e:
            raise httpcore.ConnectError(str(e)) from e
        try:
            sock.settimeout(timeout)
            sock.connect((address, real_port))
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except TimeoutError as e:
            sock.close()
            raise httpcore.ConnectTimeout(str(e)) from e
        except OSError as e:
            sock.close()
            raise httpcore.ConnectError(str(e)) from e
        return SyncStream(sock)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable in the sandbox")


class SandboxTransport(httpx.HTTPTransport):
    """httpx's own HTTP/1.1 transport, with its connection pool on the sandbox backend.

    verify=False only avoids loading CA certificates (~10 ms) for a transport that never
    speaks TLS."""

    def __init__(self, backend: SandboxNetworkBackend) -> None:
        super().__init__(verify=False, retries=0)
        self._pool = httpcore.ConnectionPool(network_backend=backend, http1=True, http2=False)


NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
TCP_LISTEN = 10


def listening_sockets(diag: socket.socket, port: int) -> list[tuple[int, str, int]]:
    """(family, address, port) of the TCP LISTEN sockets on `port` in the diag socket's netns.

    Asks inet_diag for LISTEN sockets only, so the kernel walks just the listening hash:
    reading /proc/<pid>/net/tcp instead walks the whole (global, 256k-bucket here) established
    hash and costs ~5 ms of CPU per read, which a 2 ms readiness poll cannot afford."""
    found: list[tuple[int, str, int]] = []
    for family in (socket.AF_INET, socket.AF_INET6):
        req = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 1 << TCP_LISTEN) + bytes(48)
        diag.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY,
                              NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + req)
        done = False
        while not done:
            data = diag.recv(65536)
            if not data:
                raise OSError("sock_diag: connection closed")
            off = 0
            while off + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if length < 16:
                    raise OSError("sock_diag: malformed reply")
                if kind == NLMSG_DONE:
                    done = True
                elif kind == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", data, off + 16)[0]
                    raise OSError(err, f"sock_diag: {os.strerror(err)}")
                elif kind == SOCK_DIAG_BY_FAMILY:
                    fam, state = struct.unpack_from("=BB", data, off + 16)
                    sport = struct.unpack_from(">H", data, off + 20)[0]
                    if state == TCP_LISTEN and sport == port:
                        size = 4 if fam == socket.AF_INET else 16
                        raw = data[off + 24 : off + 24 + size]
                        found.append((fam, socket.inet_ntop(fam, raw), sport))
                off += (length + 3) & ~3
    return found


def diag_socket_here() -> socket.socket:
    """A NETLINK_SOCK_DIAG socket in this process's own netns (e.g. for host-side polling)."""
    return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
