"""Terminal and JSON reports of a Summary.

Colours follow the original's tables so numbers read the same way: correctness metrics are
green above 0.75, yellow from 0.25, red below; weakness rates are green only at 0, yellow
below 0.5, red from there.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from baxbench.cwe import CWE
from baxbench.metrics import Summary, TaskMetrics, UsageTotals

_FAILED_STATUSES = ("generation_failed", "parse_failed", "build_failed")


def functional_style(value: float) -> str:
    if value > 0.75:
        return "green"
    return "yellow" if value >= 0.25 else "red"


def security_style(value: float) -> str:
    if value == 0:
        return "green"
    return "yellow" if value < 0.5 else "red"


def _is_security(metric: str) -> bool:
    return metric == "insec" or metric.startswith(("cwe", "exploit"))


def cell(value: float | None, metric: str) -> Text:
    """A rate as a coloured percentage; a missing value as a dim dash."""
    if value is None:
        return Text("-", style="dim")
    style = security_style(value) if _is_security(metric) else functional_style(value)
    return Text(f"{100 * value:.1f}%", style=style)


def _cwe_list(rates: dict[int, float]) -> Text:
    out = Text()
    for i, (cwe, rate) in enumerate(sorted(rates.items())):
        if i:
            out.append(" ")
        out.append(f"{cwe}:{100 * rate:.0f}%", style=security_style(rate))
    return out if rates else Text("-", style="dim")


def _errors(task: TaskMetrics) -> Text:
    parts = []
    if task.exploit_errors:
        parts.append(f"exploit {task.exploit_errors}/{task.exploit_tests}")
    for status in _FAILED_STATUSES:
        if task.statuses.get(status):
            parts.append(f"{status.split('_')[0]} {task.statuses[status]}/{task.n}")
    return Text(", ".join(parts), style="red") if parts else Text("-", style="dim")


def _tokens(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1_000_000 else f"{n / 1e3:.1f}k" if n >= 10_000 else str(n)


def _usd(usage: UsageTotals) -> str:
    if usage.usd is None:
        return "-"
    return f"${usage.usd:,.4f}" if usage.usd < 1 else f"${usage.usd:,.2f}"


def usage_line(usage: UsageTotals) -> Text:
    """Cost and tokens of the answers, or an empty text when none has generation info."""
    if not usage.samples:
        return Text()
    out = Text("cost: ", style="bold")
    out.append(_usd(usage) if usage.usd is not None else "unknown (no price configured)")
    if usage.usd is not None and usage.samples_priced < usage.samples:
        out.append(f" (for {usage.samples_priced} of {usage.samples} answers)")
    out.append(f"   tokens in {_tokens(usage.input_tokens)}, out {_tokens(usage.output_tokens)}")
    if usage.reasoning_tokens:
        out.append(f" (reasoning {_tokens(usage.reasoning_tokens)})")
    extra = [f"{n} {what}" for n, what in ((usage.cached, "from cache"),
                                          (usage.truncated, "truncated"),
                                          (usage.refused, "refused")) if n]
    if extra:
        out.append(f"   answers: {', '.join(extra)}", style="yellow" if usage.truncated or
                   usage.refused else "")
    return out


def overview_table(summary: Summary, title: str = "baxbench results") -> Table:
    """One row per env (its mean over scenarios) and an overall row (the mean over envs)."""
    names = summary.metric_names
    table = Table(title=title, title_justify="left")
    table.add_column("env", no_wrap=True)
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("exploit errors", justify="right")
    table.add_column("tasks", justify="right")
    table.add_column("samples", justify="right")
    for env, m in summary.per_env.items():
        table.add_row(
            env,
            *(cell(m.values[n], n) for n in names),
            cell(m.exploit_error_rate, "exploit_error_rate"),
            str(m.n_tasks),
            str(m.n_samples),
        )
    table.add_section()
    table.add_row(
        Text("overall", style="bold"),
        *(cell(summary.values[n], n) for n in names),
        cell(summary.exploit_error_rate, "exploit_error_rate"),
        str(len(summary.per_task)),
        str(summary.n_samples),
        style="bold",
    )
    return table


def task_table(summary: Summary) -> Table:
    """One row per task: its metrics, the share of samples with each CWE, and what errored.
    The strict sec_pass is left to the overview; the errors column shows why it differs."""
    names = [n for n in summary.metric_names if not n.startswith("sec_pass_strict")]
    table = Table(title="per task", title_justify="left")
    table.add_column("scenario", no_wrap=True)
    table.add_column("env", no_wrap=True)
    table.add_column("n", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("CWEs (share of samples)")
    table.add_column("errors")
    costs = any(t.usage.samples for t in summary.per_task)
    if costs:
        table.add_column("cost", justify="right")
    for t in summary.per_task:
        table.add_row(
            t.scenario,
            t.env,
            str(t.n),
            *(cell(t.insec if n == "insec" else t.at_k.get(n), n) for n in names),
            _cwe_list(t.cwe_rates),
            _errors(t),
            *((_usd(t.usage),) if costs else ()),
        )
    return table


def cwe_table(summary: Summary) -> Table:
    table = Table(title="weaknesses found", title_justify="left")
    table.add_column("CWE", justify="right")
    table.add_column("name")
    table.add_column("of all samples", justify="right")
    table.add_column("of correct samples", justify="right")
    any_correct = any(t.n_correct for t in summary.per_task)
    for number, rate in summary.cwe_rates.items():
        try:
            name = CWE.from_number(number).title
        except KeyError:
            name = "?"
        table.add_row(
            f"CWE-{number}",
            name,
            cell(rate, "cwe"),
            cell(summary.cwe_rates_correct.get(number, 0.0) if any_correct else None, "cwe"),
        )
    return table


def render(
    summary: Summary, console: Console, *, detail: bool = True, title: str = "baxbench results"
) -> None:
    """Print the overview, then (with `detail`) per-task and per-CWE tables, then notes."""
    if not summary.per_task:
        console.print("no sample records to report")
        return
    console.print(overview_table(summary, title))
    if summary.usage.samples:
        console.print(usage_line(summary.usage))
    if detail:
        console.print(task_table(summary))
        if summary.cwe_rates:
            console.print(cwe_table(summary))
    for note in summary.notes:
        console.print(Text(f"note: {note}", style="yellow"))


def render_json(summary: Summary) -> str:
    """The summary as indented JSON (what `--json` prints)."""
    return json.dumps(summary.to_json(), indent=2)
