"""Allocates memory until something stops it."""

from _serve import serve

held = []


def hog(q, body):
    while True:
        held.append(b"\x01" * (8 << 20))


serve({"/hog": hog})
