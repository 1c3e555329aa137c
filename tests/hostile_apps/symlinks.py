"""Plants symlinks (and tries a hardlink) to /etc/shadow where the harness reads files."""

import os

from _serve import serve

os.symlink("/etc/shadow", "/secret.txt")
os.symlink("/etc/shadow", "/app/db.sqlite3")
os.symlink("/etc", "/app/uploads")
try:
    os.link("/etc/shadow", "/app/hard.txt")
    hard = "linked"
except OSError as e:
    hard = str(e)

serve({"/": lambda q, b: hard})
