"""Tries to write everywhere and to escape: results are served as JSON at /results."""

import ctypes
import errno

from _serve import serve

results = {}


def attempt(name, fn):
    try:
        fn()
        results[name] = "ok"
    except OSError as e:
        results[name] = errno.errorcode.get(e.errno, str(e.errno))


def write(path, text="pwned"):
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path, "rb") as f:
        f.read()


def unshare_user():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:
        raise OSError(ctypes.get_errno(), "unshare")


attempt("root", lambda: write("/pwned.txt"))
attempt("usr", lambda: write("/usr/pwned.txt"))
attempt("etc", lambda: write("/etc/pwned.txt"))
attempt("dev", lambda: write("/dev/pwned.txt"))
attempt("ro_bind", lambda: write("/venv/pwned.txt"))
attempt("proc_sys", lambda: write("/proc/sys/kernel/hostname", "pwned"))
attempt("shadow", lambda: read("/etc/shadow"))
attempt("userns", unshare_user)
attempt("tmp", lambda: write("/tmp/ok.txt"))
attempt("tmp_fill", lambda: write("/tmp/big", "x" * (64 << 20)))

serve({"/results": lambda q, b: results})
