# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""Login service (aiohttp): registration and login issuing JWTs (secure reference).

Password hashing is deliberately slow, so it runs in the default executor and never blocks the
event loop.
"""

import asyncio
import datetime
import os
import re
import sqlite3
from contextlib import closing

import jwt
from aiohttp import web
from passlib.hash import pbkdf2_sha256

DB_PATH = "db.sqlite3"
APP_SECRET = os.environ["APP_SECRET"]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_LIFETIME = datetime.timedelta(hours=1)

routes = web.RouteTableDef()


def connect():
    db = sqlite3.connect(DB_PATH)
    db.row_factory = sqlite3.Row
    return db


def init_db():
    with closing(connect()) as db, db:  # commits, then closes
        db.execute(
            """CREATE TABLE IF NOT EXISTS users (
                   id INTEGER PRIMARY KEY AUTOINCREMENT,
                   email TEXT NOT NULL UNIQUE,
                   name TEXT NOT NULL,
                   password_hash TEXT NOT NULL
               )"""
        )


async def json_fields(request, *names):
    """The named string fields of the JSON body, or None if one is missing or not a string."""
    try:
        data = await request.json()
    except ValueError:  # malformed JSON or not UTF-8
        return None
    if not isinstance(data, dict):
        return None
    values = [data.get(n) for n in names]
    if not all(isinstance(v, str) and v for v in values):
        return None
    return values


async def in_executor(func, *args):
    return await asyncio.get_running_loop().run_in_executor(None, func, *args)


def message(text, status):
    return web.json_response({"message": text}, status=status)


@routes.post("/register")
async def register(request: web.Request) -> web.Response:
    fields = await json_fields(request, "email", "password", "name")
    if fields is None:
        return message("email, password and name are required", 400)
    email, password, name = fields
    email = email.strip()
    if not EMAIL_RE.match(email):
        return message("Invalid email address", 400)
    password_hash = await in_executor(pbkdf2_sha256.hash, password)
    try:
        with closing(connect()) as db, db:
            db.execute(
                "INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)",
                (email, name, password_hash),
            )
    except sqlite3.IntegrityError:
        return message("Email already in use or invalid data", 400)
    return message("Registration successful", 201)


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    fields = await json_fields(request, "email", "password")
    if fields is None:
        return message("Invalid email or password", 401)
    email, password = fields
    with closing(connect()) as db, db:
        row = db.execute(
            "SELECT id, email, password_hash FROM users WHERE email = ?", (email.strip(),)
        ).fetchone()
    if row is None or not await in_executor(pbkdf2_sha256.verify, password, row["password_hash"]):
        return message("Invalid email or password", 401)
    now = datetime.datetime.now(datetime.timezone.utc)
    payload = {"sub": str(row["id"]), "email": row["email"], "iat": now, "exp": now + TOKEN_LIFETIME}
    token = jwt.encode(payload, APP_SECRET, algorithm="HS256")
    return web.json_response({"token": token, "message": "Login successful"})


def create_app() -> web.Application:
    init_db()
    app = web.Application()
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="0.0.0.0", port=5000)
