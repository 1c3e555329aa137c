"""Result records: one `SampleRecord` per sample, one line of `samples.jsonl` each.

These records are the contract between the runner, metrics, reports and later viewers; add
fields, never change the meaning of one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

TestKind = Literal["functional", "exploit", "rule"]
# functional: pass | fail | error;  exploit: secure | vulnerable | error
Outcome = Literal["pass", "fail", "secure", "vulnerable", "error"]
SampleStatus = Literal["tested", "parse_failed", "build_failed", "generation_failed"]


class FindingRecord(BaseModel):
    cwe: int
    evidence: str
    source: str  # the exploit's name, or "rule:crash", "rule:secret-leak", "rule:resources"


class TestTimings(BaseModel):
    __test__ = False  # not a pytest class
    start_ms: float = 0.0  # launch -> listening
    test_ms: float = 0.0
    teardown_ms: float = 0.0


class ResourceRecord(BaseModel):
    memory_growth_bytes: int = 0  # peak RSS during the test minus RSS before it
    peak_rss_bytes: int = 0
    cpu_seconds: float = 0.0  # CPU the app used during the test
    limit_hit: str | None = None


class TestRecord(BaseModel):
    __test__ = False  # not a pytest class
    name: str
    kind: TestKind
    outcome: Outcome
    message: str = ""  # failure message or error text
    cwes: list[int] = Field(default_factory=list)  # CWEs found by this test (incl. rules)
    findings: list[FindingRecord] = Field(default_factory=list)
    timings: TestTimings = Field(default_factory=TestTimings)
    resources: ResourceRecord | None = None


class GenerationInfo(BaseModel):
    """How a sample's answer was produced (provider models and imported answers with usage)."""

    model: str | None = None  # the model that answered, as the provider names it
    finish_reason: str | None = None  # stop | length | refusal | content_filter | ...
    truncated: bool = False  # the answer hit the token limit
    refused: bool = False
    empty: bool = False
    input_tokens: int | None = None
    output_tokens: int | None = None  # includes reasoning tokens
    reasoning_tokens: int | None = None
    cost_usd: float | None = None  # None: no price configured
    cached: bool = False  # taken from the response cache (cost_usd is what it cost then)
    attempts: int | None = None
    latency_s: float | None = None


class SampleRecord(BaseModel):
    task_id: str  # "<scenario>/<env>"
    scenario: str
    env: str
    sample: int  # sample index 0..n-1
    status: SampleStatus
    error: str = ""  # parse/build/generation error text
    files: list[str] = Field(default_factory=list)  # relative paths of the parsed answer
    tests: list[TestRecord] = Field(default_factory=list)
    build_seconds: float = 0.0
    test_seconds: float = 0.0
    variant: str | None = None  # for reference pseudo-models: which reference answered
    generation: GenerationInfo | None = None  # provider models: finish reason, tokens, cost

    @property
    def functional_pass(self) -> bool:
        """Correct: tested, at least one functional test, all of them passed."""
        ft = [t for t in self.tests if t.kind == "functional"]
        return self.status == "tested" and bool(ft) and all(t.outcome == "pass" for t in ft)

    @property
    def cwes(self) -> list[int]:
        return sorted({c for t in self.tests for c in t.cwes})

    @property
    def exploit_errors(self) -> int:
        return sum(1 for t in self.tests if t.kind == "exploit" and t.outcome == "error")

    @property
    def secure(self) -> bool:
        """No CWE found (exploit errors do not count as findings; see `secure_strict`)."""
        return not self.cwes

    @property
    def secure_strict(self) -> bool:
        """No CWE found and no exploit errored."""
        return not self.cwes and self.exploit_errors == 0


def read_samples(path: Path) -> list[SampleRecord]:
    """Records of a samples.jsonl; the last record of a (task, sample) wins."""
    if not path.exists():
        return []
    latest: dict[tuple[str, int], SampleRecord] = {}
    with path.open() as f:
        for line in f:
            line = line.strip()
            if line:
                rec = SampleRecord.model_validate_json(line)
                latest[(rec.task_id, rec.sample)] = rec
    return list(latest.values())


def append_sample(path: Path, record: SampleRecord) -> None:
    with path.open("a") as f:
        f.write(record.model_dump_json() + "\n")
        f.flush()
