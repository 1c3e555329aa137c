"""A benign app: file and SQLite access, memory and CPU on demand, output on both streams."""

import os
import sqlite3
import sys
import time

from _serve import serve

print("basic-app stdout marker", flush=True)
print("basic-app stderr marker", file=sys.stderr, flush=True)
held = []


def read(q, body):
    with open(q["path"], "rb") as f:
        return f.read()


def write(q, body):
    with open(q["path"], "wb") as f:
        f.write(body)
    return "ok"


def db(q, body):
    con = sqlite3.connect("/app/db.sqlite3")
    con.execute("CREATE TABLE IF NOT EXISTS items (value TEXT)")
    con.execute("INSERT INTO items VALUES (?)", (body.decode(),))
    con.commit()
    con.close()
    return "ok"


def alloc(q, body):
    held.append(b"\x01" * (int(q["mb"]) << 20))  # touched pages: real RSS
    return "ok"


def free(q, body):
    held.clear()
    return "ok"


def cpu(q, body):
    end = time.process_time() + int(q["ms"]) / 1000
    while time.process_time() < end:
        pass
    return "ok"


def lock_up(q, body):
    """Files and dirs without permissions: teardown must still remove them."""
    os.makedirs("/app/locked/inner", exist_ok=True)
    for path in ("/app/locked/inner/f", "/app/locked/g", "/h"):
        with open(path, "w") as f:
            f.write("x")
        os.chmod(path, 0)
    os.symlink("/usr/bin", "/app/locked/link")
    os.chmod("/app/locked/inner", 0)
    os.chmod("/app/locked", 0)
    return "ok"


def hello(q, body):
    return "hello from " + os.environ.get("APP_NAME", "app")


serve({"/": hello, "/read": read, "/write": write, "/db": db, "/alloc": alloc, "/free": free,
       "/cpu": cpu, "/lock": lock_up, "/uid": lambda q, b: str(os.getuid())})
