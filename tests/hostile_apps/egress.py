"""Tries to reach the outside: TCP to host listeners, a host abstract socket, DNS, UDP."""

import socket

from _serve import serve


def tcp(q, body):
    try:
        with socket.create_connection((q["host"], int(q["port"])), timeout=1):
            return "connected"
    except OSError as e:
        return f"failed: {e}"


def unix(q, body):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0" + q["name"])
        return "connected"
    except OSError as e:
        return f"failed: {e}"
    finally:
        s.close()


def dns(q, body):
    try:
        return f"resolved: {socket.getaddrinfo(q['name'], 80)[0][4]}"
    except OSError as e:
        return f"failed: {e}"


def udp(q, body):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"x", (q["host"], int(q["port"])))
        return "sent"
    except OSError as e:
        return f"failed: {e}"
    finally:
        s.close()


def interfaces(q, body):
    return [name for _, name in socket.if_nameindex()]


serve({"/tcp": tcp, "/unix": unix, "/dns": dns, "/udp": udp, "/interfaces": interfaces})
