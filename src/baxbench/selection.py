"""Turning --scenarios/--envs selectors into registry objects, with clear errors."""

from __future__ import annotations

from baxbench.env import Env
from baxbench.envs import all_envs
from baxbench.scenario import Scenario
from baxbench.scenarios import all_scenarios

LIST_OPTIONS = ("--scenarios", "--envs", "--exclude-scenarios", "--exclude-envs")


def split_values(values: list[str] | None) -> list[str]:
    """`--scenarios A,B --scenarios C` -> [A, B, C]."""
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def normalize_argv(argv: list[str]) -> list[str]:
    """Accept `--scenarios A B C` as `--scenarios A,B,C` (space-separated lists)."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok in LIST_OPTIONS:
            vals = []
            j = i + 1
            while j < len(argv) and not argv[j].startswith("-"):
                vals.append(argv[j])
                j += 1
            out.append(tok)
            if vals:
                out.append(",".join(vals))
            i = j
            continue
        out.append(tok)
        i += 1
    return out


class SelectionError(ValueError):
    pass


def select_scenarios(names: list[str] | None, exclude: list[str] | None = None) -> list[Scenario]:
    known = all_scenarios()
    wanted = split_values(names) or list(known)
    lower = {k.lower(): k for k in known}
    out = []
    for name in wanted:
        key = lower.get(name.lower())
        if key is None:
            from baxbench.scenarios import scenario_errors

            broken = {k: v for k, v in scenario_errors().items()
                      if k.replace("_", "") == name.lower()}
            if broken:
                error = next(iter(broken.values()))
                raise SelectionError(f"scenario {name!r} failed to load: {error}")
            raise SelectionError(f"unknown scenario {name!r}; known: {', '.join(known)}")
        out.append(known[key])
    skip = {x.lower() for x in split_values(exclude)}
    return [s for s in out if s.id.lower() not in skip]


def select_envs(names: list[str] | None, exclude: list[str] | None = None) -> list[Env]:
    known = all_envs()
    wanted = split_values(names) or list(known)
    out = []
    for name in wanted:
        env = next((e for e in known.values()
                    if name.lower() in (e.id.lower(), e.dirname.lower())), None)
        if env is None:
            raise SelectionError(f"unknown env {name!r}; known: {', '.join(known)}")
        out.append(env)
    skip = {x.lower() for x in split_values(exclude)}
    return [e for e in out if e.id.lower() not in skip and e.dirname.lower() not in skip]
