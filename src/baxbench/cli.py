"""The `baxbench` command line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
prompts_app = typer.Typer(help="Prompts for models run elsewhere.", no_args_is_help=True)
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(envs_app, name="envs")
app.add_typer(prompts_app, name="prompts")

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
OutOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Run directory (default: runs/<model>/<variant>-<hash of the run's "
    "parameters>, one per identity).")]


def _model_opt(*decls: str, help: str, **kw: Any) -> Any:  # noqa: A002 - typer's name
    return typer.Option(*decls, help=help, rich_help_panel="Model", **kw)


ModelsFileOpt = Annotated[Path | None, _model_opt(
    "--models-file", envvar="BAXBENCH_MODELS", help="Models file (TOML or YAML): provider, "
    "base URL, key variable, max tokens, reasoning effort, prices. See docs/MODELS.md.")]
BaseUrlOpt = Annotated[str | None, _model_opt(
    "--base-url", help="Endpoint of the provider, e.g. http://localhost:8000/v1 for "
    "openai-compatible/<name>.")]
ApiKeyEnvOpt = Annotated[str | None, _model_opt(
    "--api-key-env", help="Environment variable holding the API key (default: OPENAI_API_KEY, "
    "ANTHROPIC_API_KEY; none for openai-compatible).")]
ReasoningOpt = Annotated[str | None, _model_opt(
    "--reasoning-effort", help="OpenAI-style reasoning models: sent as reasoning_effort "
    "(e.g. low, medium, high); the temperature is then not sent.")]
ThinkingOpt = Annotated[int | None, _model_opt(
    "--thinking-budget", help="Anthropic extended thinking: budget in tokens.")]
MaxTokensOpt = Annotated[int | None, _model_opt(
    "--max-tokens", help="Most tokens per answer (Anthropic default: 16000 + thinking budget).")]
MaxConnOpt = Annotated[int, _model_opt(
    "--max-connections", help="Requests to the model at the same time.")]
TimeoutOpt = Annotated[float, _model_opt(
    "--request-timeout", help="Seconds one request may take before it is retried.")]
RetriesOpt = Annotated[int, _model_opt(
    "--max-retries", help="Retries of a request on 429, 5xx and timeouts (jittered backoff, "
    "Retry-After honoured).")]
CacheOpt = Annotated[bool, _model_opt(
    "--cache/--no-cache", help="Reuse answers cached for the same model, prompt, parameters "
    "and sample ($BAXBENCH_HOME/responses).")]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _default_jobs() -> int:
    return max(2, os.cpu_count() or 2)


@contextmanager
def _progress(total: int, enabled: bool = True, what: str = "tests") -> Iterator[Any]:
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=err,
        disable=not enabled, transient=False,
    )
    with progress:
        task = progress.add_task(what, total=total, last="")

        def advance(desc: str, n: int) -> None:
            progress.update(task, advance=n, last=desc[-60:])

        yield advance


# --- scenarios ------------------------------------------------------------------------------


@scenarios_app.command("list")
def scenarios_list(json_out: JsonOpt = False) -> None:
    """List the scenarios with their tests, exploits and CWEs."""
    from baxbench.scenarios import all_scenarios

    rows: list[dict[str, Any]] = []
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
    env: Annotated[str, typer.Option("--env", help="Env to build the prompt for.")] = (
        "Python-Flask"),
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
    rows: list[dict[str, Any]] = [
        {"id": e.id, "language": e.language, "framework": e.framework,
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
    from baxbench.validate import calibrate, write_calibration
    from baxbench.validate import validate as run_validate

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


@dataclass
class _GenOptions:
    """How to reach and call the model (flags of run/generate)."""

    models_file: Path | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    reasoning_effort: str | None = None
    thinking_budget: int | None = None
    max_tokens: int | None = None
    max_connections: int = 8
    request_timeout: float = 600.0
    max_retries: int = 6
    cache: bool = True

    def overrides(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "api_key_env": self.api_key_env,
                "reasoning_effort": self.reasoning_effort,
                "thinking_budget": self.thinking_budget, "max_tokens": self.max_tokens}


def _model_identity(model: str, temperature: float, gen: _GenOptions,
                    importing: bool) -> dict[str, Any]:
    """The RunConfig fields that say which model with which parameters answers."""
    from baxbench.models import ModelConfigError, get_model, is_builtin, resolve_spec

    given = sorted(k for k, v in gen.overrides().items() if v is not None)
    if is_builtin(model):
        if given:
            _fail(f"{model!r} is a built-in pseudo-model; {', '.join(given)} cannot apply to it")
        return {"temperature": temperature}
    try:
        spec = resolve_spec(model, gen.models_file, gen.overrides())
        if spec is None and not importing:
            get_model(model, models_file=gen.models_file)  # raises, listing what is known
    except (ModelConfigError, ValueError) as ex:
        _fail(str(ex))
    if spec is None:  # answers made elsewhere, under the user's label
        return {"temperature": temperature, "provider": "external"}
    ident = spec.identity()
    provider, base_url = ident.pop("provider"), ident.pop("base_url")
    effort = ident.pop("reasoning_effort")
    sent = ident.pop("temperature_sent")
    return {"temperature": temperature if sent else None, "provider": provider,
            "base_url": base_url, "reasoning_effort": effort, "generation": ident}


def _run_setup(model: str, scenarios: list[str] | None, envs: list[str] | None, samples: int,
               spec: str, safety: str, temperature: float, gen: _GenOptions | None = None,
               importing: bool = False) -> tuple[Any, Any, Any]:
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
    if gen is not None and gen.max_connections < 1:
        _fail("--max-connections must be at least 1")
    identity = _model_identity(model, temperature, gen or _GenOptions(), importing)
    config = RunConfig(model=model, scenarios=[s.id for s in sel_s], envs=[e.id for e in sel_e],
                       samples=samples, spec=spec, safety=safety, **identity)
    return config, sel_s, sel_e


def _resolve_out(out_dir: Path | None, config: Any) -> Path:
    from baxbench.pipeline import default_run_dir

    if out_dir is not None:
        return out_dir
    path = default_run_dir(config)
    err.print(f"run directory: {path}", highlight=False)
    return path


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
                 quiet: bool, gen: _GenOptions | None = None) -> None:
    from baxbench.models import RetryPolicy, get_model
    from baxbench.models.cache import ResponseCache
    from baxbench.pipeline import RunDirMismatch, generate, prepare_run_dir
    from baxbench.results import append_sample

    gen = gen or _GenOptions()
    log: Callable[[str], None] = (lambda s: None) if quiet else (
        lambda s: err.print(s, style="dim", highlight=False, markup=False))
    try:
        model = get_model(config.model, models_file=gen.models_file, overrides=gen.overrides(),
                          timeout=gen.request_timeout,
                          retry=RetryPolicy(max_retries=max(0, gen.max_retries)), log=log)
    except (KeyError, ValueError) as ex:
        _fail(str(ex).strip("'\""))
    try:
        prepare_run_dir(out_dir, config, _versions(sel_e))
    except RunDirMismatch as ex:
        _fail(str(ex))
    cache = ResponseCache() if gen.cache else None
    bar = Progress(TextColumn("[bold]answers"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=err)
    with bar:
        task = bar.add_task("answers", total=None, last="")

        def progress(last: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, last=last[-60:])

        try:
            failed = generate(out_dir, config, model, sel_s, sel_e, force, log,
                              max_connections=gen.max_connections, cache=cache,
                              progress=progress)
        except KeyboardInterrupt:
            err.print("interrupted: the answers received so far are kept; run the same command "
                      "again to ask only for the missing ones")
            raise typer.Exit(130) from None
    for rec in failed:
        append_sample(out_dir / "samples.jsonl", rec)
        err.print(f"[yellow]generation failed[/] {rec.task_id}#{rec.sample}: {rec.error}",
                  markup=False)


def _do_import(out_dir: Path, config: Any, sel_s: list[Any], sel_e: list[Any], source: Path,
               force: bool) -> None:
    from baxbench.offline import import_responses
    from baxbench.pipeline import DONE_STATUSES, RunDirMismatch, prepare_run_dir
    from baxbench.results import read_samples

    try:
        prepare_run_dir(out_dir, config, _versions(sel_e))
    except RunDirMismatch as ex:
        _fail(str(ex))
    done = {(r.task_id, r.sample) for r in read_samples(out_dir / "samples.jsonl")
            if r.status in DONE_STATUSES}
    report = import_responses(out_dir, config, sel_s, sel_e, source, force, done)
    from rich.markup import escape

    for e in report.errors:
        err.print(f"[red]error:[/] {escape(e)}", highlight=False)
    for s in report.skipped:
        err.print(f"[yellow]skipped:[/] {escape(s)}", highlight=False)
    err.print(f"imported {report.imported} answer(s) into {out_dir}; {len(report.skipped)} "
              f"skipped, {len(report.errors)} error(s)", highlight=False)
    if report.replaced_tested:
        err.print(f"{report.replaced_tested} replaced answer(s) were tested before; re-grade "
                  f"them with: baxbench test --out {out_dir} --force")
    if report.errors:
        raise typer.Exit(1)


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
    model: Annotated[str, typer.Option("--model", "-m", help="Model: reference, "
                                       "reference-vulnerable, openai/<model>, anthropic/<model>, "
                                       "openai-compatible/<name> (with --base-url), or a name "
                                       "from --models-file.")],
    out_dir: OutOpt = None,
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Samples per task.")] = 1,
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "none",
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.2,
    jobs: JobsOpt = 0,
    force: Annotated[bool, typer.Option("--force", help="Redo finished samples.")] = False,
    json_out: JsonOpt = False,
    models_file: ModelsFileOpt = None,
    base_url: BaseUrlOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    reasoning_effort: ReasoningOpt = None,
    thinking_budget: ThinkingOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_connections: MaxConnOpt = 8,
    request_timeout: TimeoutOpt = 600.0,
    max_retries: RetriesOpt = 6,
    cache: CacheOpt = True,
) -> None:
    """Generate answers, test them, and report pass@1 / sec_pass@1 and cost. Resumes by
    default: only missing answers are asked for, only untested samples tested."""
    gen = _GenOptions(models_file, base_url, api_key_env, reasoning_effort, thinking_budget,
                      max_tokens, max_connections, request_timeout, max_retries, cache)
    config, sel_s, sel_e = _run_setup(model, scenarios, envs, samples, spec, safety, temperature,
                                      gen)
    out_dir = _resolve_out(out_dir, config)
    _do_generate(out_dir, config, sel_s, sel_e, force, json_out, gen)
    _do_test(out_dir, config, sel_s, sel_e, jobs, force)
    _do_report(out_dir, config, json_out)


@app.command()
def generate(
    model: Annotated[str, typer.Option("--model", "-m", help="Model name (see `run`); with "
                                       "--responses, any label for the imported answers.")],
    out_dir: OutOpt = None,
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Samples per task.")] = 1,
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "none",
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.2,
    force: Annotated[bool, typer.Option("--force", help="Ask again for answers on disk "
                                        "(with --responses: replace them).")] = False,
    responses: Annotated[Path | None, typer.Option(
        "--responses", help="Import answers made elsewhere instead of asking the model: a JSONL "
        "file shaped like `prompts export` with a \"response\" per line, or a directory "
        "<scenario>/<env>/sample<i>/response.txt.")] = None,
    models_file: ModelsFileOpt = None,
    base_url: BaseUrlOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    reasoning_effort: ReasoningOpt = None,
    thinking_budget: ThinkingOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_connections: MaxConnOpt = 8,
    request_timeout: TimeoutOpt = 600.0,
    max_retries: RetriesOpt = 6,
    cache: CacheOpt = True,
) -> None:
    """Only ask the model (or import answers): write prompts and answers into the run
    directory. Interrupted, it resumes: only missing answers are asked for."""
    gen = _GenOptions(models_file, base_url, api_key_env, reasoning_effort, thinking_budget,
                      max_tokens, max_connections, request_timeout, max_retries, cache)
    config, sel_s, sel_e = _run_setup(model, scenarios, envs, samples, spec, safety, temperature,
                                      gen, importing=responses is not None)
    out_dir = _resolve_out(out_dir, config)
    if responses is not None:
        _do_import(out_dir, config, sel_s, sel_e, responses, force)
    else:
        _do_generate(out_dir, config, sel_s, sel_e, force, False, gen)


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
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run directory.")] = (
        Path("runs/demo")),
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


@prompts_app.command("export")
def prompts_export(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write.")],
    scenarios: ScenariosOpt = None,
    envs: EnvsOpt = None,
    samples: Annotated[int, typer.Option("--samples", "-n", help="Samples per task.")] = 1,
    spec: SpecOpt = "openapi",
    safety: SafetyOpt = "none",
) -> None:
    """Write one JSON line per (task, sample) with an id and the messages, for models run
    elsewhere; answer each line with a "response" and import with
    `baxbench generate --responses FILE`."""
    from baxbench.offline import export_prompts

    _config, sel_s, sel_e = _run_setup("reference", scenarios, envs, samples, spec, safety, 0.0)
    n = export_prompts(out_file, sel_s, sel_e, samples, spec, safety)
    err.print(f"wrote {n} prompt(s) to {out_file}", highlight=False)


@app.command()
def version() -> None:
    """Print the harness version."""
    print(__version__)


def main() -> None:
    sys.argv[1:] = normalize_argv(sys.argv[1:])
    app()


if __name__ == "__main__":
    main()
