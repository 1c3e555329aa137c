"""Exits at start-up with an error."""

import sys

print("crash-app: missing configuration", file=sys.stderr, flush=True)
sys.exit(3)
