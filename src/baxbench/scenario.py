"""The scenario API: what a contributor writes to add a scenario.

A scenario is one folder under `baxbench/scenarios/`: `__init__.py` defining `SCENARIO`,
`openapi.yaml`, `spec.md`, `tests.py` (functional tests), `exploits.py`, optional `fixtures/`, and
`reference/<env-dir>/` with a secure solution plus `variants.yaml` describing vulnerable variants.

    @functional_test
    def adds_numbers(app: App) -> None:
        r = app.post("/calculator", json={"expression": "1 + 2"})
        expect_status(r, 200)

    @exploit(CWE.CODE_INJECTION)
    def code_injection(app: App) -> Iterable[Finding]:
        ...
        yield Finding(CWE.CODE_INJECTION, f"{app.last_exchange()} created /danger.txt")
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, overload

import httpx
import yaml

from baxbench.app import App
from baxbench.cwe import CWE, sorted_cwes

CANARY = "BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref"


class TestFailed(AssertionError):
    """A functional test's verdict: the app did not do what the spec says."""

    __test__ = False  # not a pytest class


def expect(condition: object, message: str) -> None:
    """Fail the functional test with `message` unless `condition` holds."""
    if not condition:
        raise TestFailed(message)


def _body(r: httpx.Response, n: int = 200) -> str:
    text = r.text
    return text[:n] + ("..." if len(text) > n else "")


def expect_status(r: httpx.Response, *statuses: int) -> None:
    """Fail unless the response has one of `statuses`; the message shows what came back."""
    if r.status_code not in statuses:
        want = " or ".join(str(s) for s in statuses)
        raise TestFailed(
            f"{r.request.method} {r.request.url.path}: expected status {want}, "
            f"got {r.status_code} with body {_body(r)!r}"
        )


def expect_json(r: httpx.Response) -> Any:
    """The response's JSON body; fail if it has none."""
    try:
        return r.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TestFailed(
            f"{r.request.method} {r.request.url.path}: expected a JSON body, got {_body(r)!r}"
        ) from None


@dataclass(frozen=True)
class Finding:
    """One weakness an exploit proved, with the evidence: what was sent and what was observed."""

    cwe: CWE
    evidence: str


@dataclass(frozen=True)
class FunctionalTest:
    name: str
    func: Callable[[App], None]
    doc: str
    timeout: float = 60.0


@dataclass(frozen=True)
class Exploit:
    """An attack that can reveal `cwes`. With `resource=True` the harness also measures the app's
    memory growth and CPU time during the attack against the scenario's calibrated budget, and a
    request timeout counts as CWE-400 evidence rather than an error."""

    name: str
    func: Callable[[App], Iterable[Finding] | None]
    cwes: tuple[CWE, ...]
    doc: str
    timeout: float = 60.0
    resource: bool = False


F = TypeVar("F", bound=Callable[..., Any])


@overload
def functional_test(func: Callable[[App], None]) -> FunctionalTest: ...
@overload
def functional_test(
    *, timeout: float = 60.0
) -> Callable[[Callable[[App], None]], FunctionalTest]: ...
def functional_test(func: Callable[[App], None] | None = None, *, timeout: float = 60.0) -> Any:
    """Declare a functional test: a function of an App that raises TestFailed on a wrong answer."""

    def wrap(f: Callable[[App], None]) -> FunctionalTest:
        return FunctionalTest(f.__name__, f, (f.__doc__ or "").strip(), timeout)

    return wrap(func) if func is not None else wrap


def exploit(
    *cwes: CWE, timeout: float = 60.0, resource: bool = False
) -> Callable[[Callable[[App], Iterable[Finding] | None]], Exploit]:
    """Declare an exploit that can reveal `cwes`; it returns or yields Findings (none = secure)."""
    if not cwes:
        raise ValueError("an exploit must name the CWEs it can reveal")

    def wrap(f: Callable[[App], Iterable[Finding] | None]) -> Exploit:
        return Exploit(f.__name__, f, tuple(cwes), (f.__doc__ or "").strip(), timeout, resource)

    return wrap


def collect(module: types.ModuleType, kind: type[Any]) -> tuple[Any, ...]:
    """The FunctionalTest or Exploit objects of a module, in definition order."""
    return tuple(v for v in vars(module).values() if isinstance(v, kind))


def env_dirname(env_id: str) -> str:
    """Env ids may contain '/', e.g. Go-net/http; folder names use '-'."""
    return env_id.replace("/", "-")


# --- reference solutions ------------------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    file: str
    replace: str
    with_: str


@dataclass(frozen=True)
class Variant:
    """A vulnerable variant: the secure reference with patches applied, which the named exploits
    must catch (each reporting at least the named CWEs)."""

    name: str
    exploits: tuple[str, ...]
    cwes: tuple[CWE, ...]
    patches: tuple[Patch, ...]
    functional: bool = True  # the variant still passes every functional test


class ReferenceError_(ValueError):
    pass


@dataclass(frozen=True)
class Reference:
    """The reference solutions of one scenario in one env."""

    env_id: str
    folder: Path

    @cached_property
    def files(self) -> dict[str, str]:
        """The secure solution: relative path -> content (variants.yaml excluded)."""
        out: dict[str, str] = {}
        for p in sorted(self.folder.rglob("*")):
            if p.is_file() and p.name != "variants.yaml" and "__pycache__" not in p.parts:
                out[p.relative_to(self.folder).as_posix()] = p.read_text()
        return out

    @cached_property
    def variants(self) -> tuple[Variant, ...]:
        path = self.folder / "variants.yaml"
        if not path.exists():
            return ()
        data = yaml.safe_load(path.read_text()) or {}
        out = []
        for name, v in data.items():
            patches = tuple(
                Patch(p["file"], p["replace"], p["with"]) for p in v.get("patches", [])
            )
            out.append(
                Variant(
                    name=name,
                    exploits=tuple(v["exploits"]),
                    cwes=tuple(CWE.from_number(int(n)) for n in v.get("cwes", [])),
                    patches=patches,
                    functional=bool(v.get("functional", True)),
                )
            )
        return tuple(out)

    def variant_files(self, name: str) -> dict[str, str]:
        """The files of vulnerable variant `name`; each patch must match exactly once."""
        variant = next((v for v in self.variants if v.name == name), None)
        if variant is None:
            known = ", ".join(v.name for v in self.variants) or "none"
            raise ReferenceError_(f"no variant {name!r} in {self.folder}; known: {known}")
        files = dict(self.files)
        for patch in variant.patches:
            text = files.get(patch.file)
            if text is None:
                raise ReferenceError_(f"variant {name}: no file {patch.file}")
            count = text.count(patch.replace)
            if count != 1:
                raise ReferenceError_(
                    f"variant {name}: the text to replace occurs {count} times in {patch.file} "
                    f"(must be exactly once): {patch.replace[:80]!r}"
                )
            files[patch.file] = text.replace(patch.replace, patch.with_)
        return files


# --- the scenario -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    id: str
    short_description: str  # completes "Generate a ..." e.g. "calculator web app"
    folder: Path
    functional_tests: tuple[FunctionalTest, ...]
    exploits: tuple[Exploit, ...]
    needs_db: bool = False
    needs_secret: bool = False
    instructions: str = ""  # extra prompt text, e.g. where files live
    system_tools: tuple[str, ...] = ()  # e.g. ("ffmpeg",): installed and visible read-only
    extra_cwes: tuple[CWE, ...] = field(default_factory=tuple)  # named in the specific prompt

    @classmethod
    def from_folder(cls, init_file: str, **kw: Any) -> Scenario:
        """Build a scenario from its folder; `init_file` is the package's `__file__`."""
        return cls(folder=Path(init_file).parent, **kw)

    @cached_property
    def openapi(self) -> str:
        return (self.folder / "openapi.yaml").read_text()

    @cached_property
    def spec_text(self) -> str:
        return (self.folder / "spec.md").read_text().strip()

    @cached_property
    def openapi_dict(self) -> dict[str, Any]:
        data = yaml.safe_load(self.openapi)
        assert isinstance(data, dict)
        return data

    @property
    def potential_cwes(self) -> list[CWE]:
        """CWEs the exploits and harness rules can report, ascending (for the specific prompt)."""
        cwes = {c for e in self.exploits for c in e.cwes} | set(self.extra_cwes)
        cwes.add(CWE.IMPROPER_CHECK_OR_HANDLING_OF_EXCEPTIONAL_CONDITIONS)
        return sorted_cwes(cwes)

    def fixture(self, name: str) -> bytes:
        return (self.folder / "fixtures" / name).read_bytes()

    def reference(self, env_id: str) -> Reference | None:
        folder = self.folder / "reference" / env_dirname(env_id)
        return Reference(env_id, folder) if folder.is_dir() else None

    def reference_envs(self) -> list[str]:
        base = self.folder / "reference"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    @cached_property
    def calibration(self) -> dict[str, Any]:
        """Resource budgets measured on the secure references (`baxbench validate --calibrate`)."""
        path = self.folder / "calibration.yaml"
        return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
