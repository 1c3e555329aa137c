"""Socket factory living in a sandbox's network namespace (the non-root harness's way in).

Run as `python -I -S _netns_helper.py CTL_FD NETNS_FD USERNS_FD PARENT_PID` by the harness
(stdlib only, single-threaded as setns(CLONE_NEWUSER) requires). It joins the user namespace
that owns the sandbox's netns (the harness uid owns it, so this needs no privilege), then the
netns, and from then on answers each request on the SOCK_SEQPACKET socket CTL_FD ("4" or "6")
with a fresh, unconnected TCP socket passed back via SCM_RIGHTS ("d": a NETLINK_SOCK_DIAG
socket for readiness polls). The harness connects sockets itself, so the helper never chooses a
destination. It is not visible from inside the sandbox (other pid namespace) and is made
non-dumpable so nothing can ptrace it.
"""

import ctypes
import os
import socket
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
NETLINK_SOCK_DIAG = 4


def main() -> int:
    ctl_fd, netns_fd, userns_fd, parent = (int(x) for x in sys.argv[1:5])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if os.getppid() != parent:
        return 1  # the harness is already gone
    ctl = socket.socket(fileno=ctl_fd)
    for fd, flag, what in ((userns_fd, CLONE_NEWUSER, "user"), (netns_fd, CLONE_NEWNET, "net")):
        if libc.setns(fd, flag) != 0:
            err = ctypes.get_errno()
            ctl.send(f"E setns({what}): {os.strerror(err)}".encode())
            return 1
        os.close(fd)
    ctl.send(b"R")
    while True:
        try:
            req = ctl.recv(16)
        except OSError:
            return 0
        if not req:
            return 0
        try:
            if req == b"d":  # for readiness polling via inet_diag
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
            else:
                family = socket.AF_INET6 if req == b"6" else socket.AF_INET
                s = socket.socket(family, socket.SOCK_STREAM)
        except OSError as e:
            ctl.send(f"E socket: {e}".encode())
            continue
        try:
            socket.send_fds(ctl, [b"S"], [s.fileno()])
        finally:
            s.close()


if __name__ == "__main__":
    sys.exit(main())
