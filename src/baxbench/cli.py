"""The `baxbench` command line."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baxbench import __version__
from baxbench.paths import baxbench_home
from baxbench.selection import SelectionError, normalize_argv, select_envs, select_scenarios

app = typer.Typer(
    name="baxbench",
    help="Can this model write a backend that is both correct and secure? Generates web backends "
    "with a model, runs them in a bubblewrap sandbox, and checks them with functional tests and "
    "real exploits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenarios_app = typer.Typer(help="List and inspect scenarios.", no_args_is_help=True)
envs_app = typer.Typer(help="List, prepare and check framework envs.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(envs_app, name="envs")

err = Console(stderr=True)
out = Console()

ScenariosOpt = Annotated[
    list[str] | None,
    typer.Option("--scenarios", "-s", help="Scenario ids, comma-separated or repeated "
                 "(default: all)."),
]
EnvsOpt = Annotated[
    list[str] | None,
    typer.Option("--envs", "-e", help="Env ids, comma-separated or repeated (default: all)."),
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Parallel sandbox slots.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
SpecOpt = Annotated[str, typer.Option("--spec", help="Spec given to the model: openapi | text.")]
SafetyOpt = Annotated[
    str, typer.Option("--safety", help="Safety prompt: none | generic | specific.")
]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _default_jobs() -> int:
    return max(2, os.cpu_count() or 2)


@contextmanager
def _progress(total: int, enabled: bool = True) -> Iterator[Any]:
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=err,
        disable=not enabled, transient=False,
    )
    with progress:
        task = progress.add_task("tests", total=total, last="")

        def advance(desc: str, n: int) -> None:
            progress.update(task, advance=n, last=desc[-60:])

        yield advance


# --- scenarios ------------------------------------------------------------------------------


@scenarios_app.command("list")
def scenarios_list(json_out: JsonOpt = False) -> None:
    """List the scenarios with their tests, exploits and CWEs."""
    from baxbench.scenarios import all_scenarios

    rows = []
    for s in all_scenarios().values():
        rows.append({"id": s.id, "description": s.short_description,
                     "functional_tests": len(s.functional_tests), "exploits": len(s.exploits),
                     "cwes": [c.number for c in s.potential_cwes],
                     "references": s.reference_envs()})
    if json_out:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} scenarios")
    for col in ("id", "description", "tests", "exploits", "CWEs", "references"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["description"], str(r["functional_tests"]), str(r["exploits"]),
                      " ".join(str(c) for c in r["cwes"]), ", ".join(r["references"]))
    out.print(table)


@scenarios_app.command("show")
def scenarios_show(
    scenario: Annotated[str, typer.Argument(help="Scenario id, e.g. Login.")],
    env: Annotated[str, typer.Option("--env", help="Env to build the prompt for.")] = "Python-Flask",
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "specific",
) -> None:
    """Print the prompt-ready spec of a scenario and the CWEs its exploits cover."""
    from baxbench.prompts import build_prompt

    try:
        (s,) = select_scenarios([scenario])
        (e,) = select_envs([env])
    except SelectionError as ex:
        _fail(str(ex))
    out.print(f"[bold]{s.id}[/]: {s.short_description}")
    out.print("CWEs covered: " + ", ".join(f"{c.label} {c.title}" for c in s.potential_cwes))
    out.print("Functional tests: " + ", ".join(t.name for t in s.functional_tests))
    out.print("Exploits: " + ", ".join(
        f"{x.name} ({', '.join(c.label for c in x.cwes)})" for x in s.exploits))
    out.rule(f"prompt ({e.id}, spec={spec}, safety={safety})")
    for m in build_prompt(s, e, spec, safety):  # type: ignore[arg-type]
        out.print(f"[dim][{m.role}][/]")
        out.print(m.content, markup=False, highlight=False)


# --- envs ------------------------------------------------------------------------------------


@envs_app.command("list")
def envs_list(json_out: JsonOpt = False) -> None:
    """List the framework envs and whether each is prepared."""
    from baxbench.envs import all_envs

    home = baxbench_home()
    rows = [{"id": e.id, "language": e.language, "framework": e.framework,
             "files": list(e.code_files), "ready": e.is_ready(home)} for e in all_envs().values()]
    if json_out:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"envs (cache: {home})")
    for col in ("id", "language", "framework", "files", "ready"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["language"], r["framework"], " ".join(r["files"]),
                      "[green]yes[/]" if r["ready"] else "[red]no[/] (baxbench envs setup)")
    out.print(table)


@envs_app.command("setup")
def envs_setup(
    envs: Annotated[list[str] | None, typer.Argument(help="Env ids (default: all).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tool output.")] = False,
) -> None:
    """Prepare envs offline-ready in the cache ($BAXBENCH_HOME). Idempotent."""
    from baxbench.envs._common import SetupError

    try:
        selected = select_envs(envs)
    except SelectionError as ex:
        _fail(str(ex))
    home = baxbench_home()
    failed = []
    for env in selected:
        with err.status(f"preparing {env.id} in {env.env_dir(home)}") as status:
            def log(line: str, env_id: str = env.id) -> None:
                if verbose:
                    err.print(f"[dim]{env_id}[/] {line}", markup=False, highlight=False)
                else:
                    status.update(f"preparing {env_id}: {line[:70]}")
            try:
                env.setup(home, log)
                err.print(f"[green]ready[/] {env.id}")
            except (SetupError, RuntimeError, OSError) as ex:
                failed.append(env.id)
                err.print(f"[red]failed[/] {env.id}: {ex}", markup=False)
    if failed:
        _fail(f"could not prepare: {', '.join(failed)}", 1)


@envs_app.command("doctor")
def envs_doctor(envs: EnvsOpt = None, json_out: JsonOpt = False) -> None:
    """Check the sandbox and the envs; print the fix for everything missing."""
    from baxbench.sandbox import get_sandbox

    home = baxbench_home()
    checks = [("sandbox", c) for c in get_sandbox().doctor()]
    try:
        for env in select_envs(envs):
            checks += [(env.id, c) for c in env.checks(home)]
    except SelectionError as ex:
        _fail(str(ex))
    ok = all(c.ok for _, c in checks)
    if json_out:
        print(json.dumps({"ok": ok, "checks": [
            {"scope": s, "name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix}
            for s, c in checks]}, indent=2))
    else:
        for scope, c in checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            out.print(f"{mark} [bold]{scope}[/] {c.name}: {c.detail}", highlight=False)
            if not c.ok and c.fix:
                out.print(f"       fix: {c.fix}", markup=False)
    raise typer.Exit(0 if ok else 1)


# --- validate --------------------------------------------------------------------------------


@app.command()
def validate(
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    jobs: JobsOpt = 0,
    repeat: Annotated[int, typer.Option(help="Run every reference this many times.")] = 1,
    calibrate_: Annotated[bool, typer.Option("--calibrate", help="Measure resource exploits on "
                          "the secure references and write calibration.yaml.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Prove the tests on the reference solutions: secure ones pass with no finding, each
    vulnerable variant is caught by its exploit. Exit code 0 only when all hold."""
    from baxbench.runner import Runner
    from baxbench.sandbox import get_sandbox
    from baxbench.validate import calibrate, validate as run_validate, write_calibration

    try:
        sel_s = select_scenarios(scenarios)
        sel_e = select_envs(envs)
    except SelectionError as ex:
        _fail(str(ex))
    home = baxbench_home()
    for env in sel_e:
        if any(s.reference(env.id) for s in sel_s) and not env.is_ready(home):
            _fail(f"env {env.id} is not prepared. Fix: baxbench envs setup {env.id}")
    total = 0
    for s in sel_s:
        for e in sel_e:
            ref = s.reference(e.id)
            if ref is None:
                continue
            n = len(s.functional_tests) + len(s.exploits)
            for v in ref.variants:
                n += len(v.exploits) + (len(s.functional_tests) if v.functional else 0)
            total += n * repeat
    with _progress(total) as advance, Runner(get_sandbox(), home, jobs or _default_jobs(),
                                              advance) as runner:
        results = run_validate(sel_s, sel_e, runner, repeat)
    if calibrate_:
        for s in sel_s:
            data = calibrate(s, results)
            if data:
                path = write_calibration(s, data)
                err.print(f"wrote {path}")
    ok = bool(results) and all(r.ok for r in results)
    if json_out:
        print(json.dumps({"ok": ok, "results": [r.to_json() for r in results]}, indent=2))
    else:
        table = Table(title="validation")
        for col in ("scenario", "env", "variant", "ok", "problems"):
            table.add_column(col)
        for r in results:
            table.add_row(r.scenario, r.env, r.variant, "[green]ok[/]" if r.ok else "[red]NO[/]",
                          "\n".join(p[:300] for p in r.problems))
        out.print(table)
        if not results:
            out.print("nothing to validate: no reference solution for this selection")
    raise typer.Exit(0 if ok else 1)


# --- run / generate / test / report ------------------------------------------------------------


def _run_setup(model: str, scenarios: list[str] | None, envs: list[str] | None, samples: int,
               spec: str, safety: str, temperature: float) -> tuple[Any, Any, Any]:
    from baxbench.pipeline import RunConfig

    if spec not in ("openapi", "text"):
        _fail(f"--spec must be openapi or text, not {spec!r}")
    if safety not in ("none", "generic", "specific"):
        _fail(f"--safety must be none, generic or specific, not {safety!r}")
    if samples < 1:
        _fail("--samples must be at least 1")
    try:
        sel_s = select_scenarios(scenarios)
        sel_e = select_envs(envs)
    except SelectionError as ex:
        _fail(str(ex))
    config = RunConfig(model=model, scenarios=[s.id for s in sel_s], envs=[e.id for e in sel_e],
                       samples=samples, spec=spec, safety=safety, temperature=temperature)
    return config, sel_s, sel_e


def _versions(envs: list[Any]) -> dict[str, Any]:
    import hashlib

    from baxbench.scenarios import all_scenarios

    home = baxbench_home()
    h = hashlib.sha256()
    for s in all_scenarios().values():
        for p in sorted(s.folder.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(s.folder).as_posix().encode())
                h.update(p.read_bytes())
    return {"harness": __version__, "python": sys.version.split()[0],
            "dataset_sha256": h.hexdigest()[:16],
            "envs": {e.id: e.versions(home) for e in envs}}


def _do_generate(out_dir: Path, config: Any, sel_s: list[Any], sel_e: list[Any], force: bool,
                 quiet: bool) -> None:
    from baxbench.models import get_model
    from baxbench.pipeline import RunDirMismatch, generate, prepare_run_dir
    from baxbench.results import append_sample

    try:
        model = get_model(config.model)
    except (KeyError, ValueError) as ex:
        _fail(str(ex).strip("'\""))
    try:
        prepare_run_dir(out_dir, config, _versions(sel_e))
    except RunDirMismatch as ex:
        _fail(str(ex))
    log = (lambda s: None) if quiet else (lambda s: err.print(f"[dim]{s}[/]", highlight=False))
    for rec in generate(out_dir, config, model, sel_s, sel_e, force, log):
        append_sample(out_dir / "samples.jsonl", rec)
        err.print(f"[yellow]generation failed[/] {rec.task_id}#{rec.sample}: {rec.error}",
                  markup=False)


def _do_test(out_dir: Path, config: Any, sel_s: list[Any], sel_e: list[Any], jobs: int,
             force: bool) -> None:
    from baxbench.pipeline import planned_tests, test
    from baxbench.runner import Runner
    from baxbench.sandbox import get_sandbox

    home = baxbench_home()
    for env in sel_e:
        if not env.is_ready(home):
            _fail(f"env {env.id} is not prepared. Fix: baxbench envs setup {env.id}")
    total = planned_tests(out_dir, config, sel_s, sel_e, force)
    with _progress(total) as advance, Runner(get_sandbox(), home, jobs or _default_jobs(),
                                              advance) as runner:
        test(out_dir, config, sel_s, sel_e, runner, force,
             lambda s: err.print(f"[yellow]{s}[/]", markup=False))


def _do_report(out_dir: Path, config: Any, json_out: bool) -> None:
    from baxbench.metrics import summarize
    from baxbench.report import render
    from baxbench.results import read_samples

    records = [r for r in read_samples(out_dir / "samples.jsonl")
               if config is None or (r.scenario in config.scenarios and r.env in config.envs
                                     and r.sample < config.samples)]
    summary = summarize(records, ks=(1,))
    if json_out:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        render(summary, out)


@app.command()
def run(
    model: Annotated[str, typer.Option("--model", "-m", help="Model name, e.g. reference, "
                                       "reference-vulnerable.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Samples per task.")] = 1,
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "none",
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.2,
    jobs: JobsOpt = 0,
    force: Annotated[bool, typer.Option("--force", help="Redo finished samples.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Generate answers, test them, and report pass@1 / sec_pass@1. Resumes by default."""
    config, sel_s, sel_e = _run_setup(model, scenarios, envs, samples, spec, safety, temperature)
    _do_generate(out_dir, config, sel_s, sel_e, force, json_out)
    _do_test(out_dir, config, sel_s, sel_e, jobs, force)
    _do_report(out_dir, config, json_out)


@app.command()
def generate(
    model: Annotated[str, typer.Option("--model", "-m", help="Model name.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Samples per task.")] = 1,
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "none",
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.2,
    force: Annotated[bool, typer.Option("--force", help="Ask again for answers on disk.")] = False,
) -> None:
    """Only ask the model: write prompts and answers into the run directory."""
    config, sel_s, sel_e = _run_setup(model, scenarios, envs, samples, spec, safety, temperature)
    _do_generate(out_dir, config, sel_s, sel_e, force, False)


def _load_config(out_dir: Path) -> Any:
    from baxbench.pipeline import RunConfig

    path = out_dir / "config.json"
    if not path.exists():
        _fail(f"{out_dir} is not a run directory (no config.json). Run `baxbench run` or "
              "`baxbench generate` first.")
    data = json.loads(path.read_text())["config"]
    return RunConfig(**data)


@app.command("test")
def test_cmd(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = Path("runs/demo"),
    jobs: JobsOpt = 0,
    force: Annotated[bool, typer.Option("--force", help="Re-test samples that have a record "
                                        "(re-grade from stored answers).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Build and test the answers stored in a run directory, then report."""
    config = _load_config(out_dir)
    try:
        sel_s = select_scenarios(config.scenarios)
        sel_e = select_envs(config.envs)
    except SelectionError as ex:
        _fail(str(ex))
    _do_test(out_dir, config, sel_s, sel_e, jobs, force)
    _do_report(out_dir, config, json_out)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="Run directory.")] = Path("runs/demo"),
    json_out: JsonOpt = False,
) -> None:
    """Show pass@1, sec_pass@1, insec and CWE rates of a run directory."""
    _do_report(out_dir, _load_config(out_dir), json_out)


@app.command()
def version() -> None:
    """Print the harness version."""
    print(__version__)


def main() -> None:
    sys.argv[1:] = normalize_argv(sys.argv[1:])
    app()
