"""Looks for secrets: its environment and everything readable under /proc."""

import os

from _serve import serve


def snoop(q, body):
    found = {"environ": dict(os.environ), "procs": {}}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        entry = {}
        for name in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    entry[name] = f.read().decode("utf-8", "replace")
            except OSError as e:
                entry[name] = f"error: {e}"
        found["procs"][pid] = entry
    return found


serve({"/snoop": snoop})
