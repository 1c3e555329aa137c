"""Leaves a daemon behind: double fork + setsid, plus a few plain sleeping children."""

import os
import time

from _serve import serve

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(1)
    os._exit(0)
os.wait()
for _ in range(3):
    if os.fork() == 0:
        time.sleep(3600)
        os._exit(0)

serve({"/": lambda q, b: "ok"})
