"""The env registry."""

from __future__ import annotations

from functools import cache

from baxbench.env import Env


@cache
def all_envs() -> dict[str, Env]:
    """Env id -> Env, in the original's order of languages."""
    from baxbench.envs.go import FiberEnv, GinEnv, GoNetHttpEnv
    from baxbench.envs.javascript import ExpressEnv, FastifyEnv, KoaEnv, NestEnv
    from baxbench.envs.php import LumenEnv
    from baxbench.envs.python import AiohttpEnv, DjangoEnv, FastAPIEnv, FlaskEnv
    from baxbench.envs.ruby import RailsEnv
    from baxbench.envs.rust import ActixEnv

    envs: list[Env] = [FlaskEnv(), FastAPIEnv(), AiohttpEnv(), DjangoEnv(), ExpressEnv(),
                       KoaEnv(), FastifyEnv(), NestEnv(),
                       GoNetHttpEnv(), GinEnv(), FiberEnv(),
                       LumenEnv(), RailsEnv(), ActixEnv()]
    return {e.id: e for e in envs}


def get_env(env_id: str) -> Env:
    envs = all_envs()
    for e in envs.values():
        if env_id in (e.id, e.dirname):
            return e
    raise KeyError(f"unknown env {env_id!r}; known: {', '.join(envs)}")
