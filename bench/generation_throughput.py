"""Generation throughput: answers per second against a fake provider with fixed latency.

The whole generation path is measured: the real OpenAI SDK over HTTP to the fake server of the
test suite (tests/fake_llm_server.py, run in a process of its own; each answer ~4 KB after
`--latency` seconds), the retry wrapper, the asyncio engine with `--max-connections`, and the
writes into a run directory (response.txt, meta.json, usage.json). The response cache is off.

    .venv/bin/python bench/generation_throughput.py [--latency 0.2] [--seconds 2.5] [--json]

Target on the reference machine: at least 40 answers/s at concurrency 64.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from baxbench.envs import get_env
from baxbench.models import ApiModel, ModelSpec, RetryPolicy
from baxbench.pipeline import RunConfig, generate, prepare_run_dir
from baxbench.scenarios import get_scenario

SERVER = Path(__file__).resolve().parent.parent / "tests" / "fake_llm_server.py"
SCENARIOS = ("Calculator", "Login", "SongDownloader")
ANSWER = "<CODE>\n" + "\n".join(f"line_{i} = {i} * 2  # filler" for i in range(160)) + "\n</CODE>"


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(url: str, latency: float, concurrency: int, answers: int,
            root: Path) -> dict[str, Any]:
    scenarios = [get_scenario(s) for s in SCENARIOS]
    env = get_env("Python-Flask")
    per_task = math.ceil(answers / len(scenarios))
    spec = ModelSpec(name="openai-compatible/fake", provider="openai-compatible", model="fake",
                     base_url=f"{url}/v1", price={"input": 1.0, "output": 2.0})
    model = ApiModel(spec, timeout=60, retry=RetryPolicy(max_retries=0))
    config = RunConfig(model=spec.name, scenarios=list(SCENARIOS), envs=[env.id],
                       samples=per_task, provider="openai-compatible")
    out = root / f"c{concurrency}"
    prepare_run_dir(out, config, {})
    cpu, start = cpu_seconds(), time.perf_counter()
    failed = generate(out, config, model, scenarios, [env], False, lambda s: None,
                      max_connections=concurrency)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if failed:
        raise SystemExit(f"{len(failed)} answers failed: {failed[0].error}")
    done = len(list(out.glob("tasks/*/*/sample*/response.txt")))
    return {"concurrency": concurrency, "answers": done, "seconds": round(seconds, 3),
            "answers_per_s": round(done / seconds, 1), "ideal_per_s": concurrency / latency,
            "client_cpu_ms_per_answer": round(1000 * cpu / done, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=0.2, help="server latency per request (s)")
    ap.add_argument("--seconds", type=float, default=2.5,
                    help="about how long each level runs at its ideal rate")
    ap.add_argument("--levels", default="1,8,64", help="concurrency levels")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    server = subprocess.Popen([sys.executable, str(SERVER), "--latency", str(args.latency),
                               "--answer", ANSWER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    rows = []
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="bax-bench-gen-") as tmp:
            measure(url, args.latency, 4, 8, Path(tmp) / "warmup")  # imports, connections
            for level in (int(x) for x in args.levels.split(",")):
                answers = max(level, round(args.seconds * level / args.latency))
                rows.append(measure(url, args.latency, level, answers, Path(tmp)))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"generation throughput, fake server latency {args.latency * 1000:.0f} ms per request")
    print(f"{'concurrency':>11} {'answers':>8} {'seconds':>8} {'answers/s':>10} {'ideal/s':>8}"
          f" {'efficiency':>10} {'client CPU/answer':>18}")
    for r in rows:
        print(f"{r['concurrency']:>11} {r['answers']:>8} {r['seconds']:>8.2f} "
              f"{r['answers_per_s']:>10.1f} {r['ideal_per_s']:>8.0f} "
              f"{100 * r['answers_per_s'] / r['ideal_per_s']:>9.0f}% "
              f"{r['client_cpu_ms_per_answer']:>15.2f} ms")


if __name__ == "__main__":
    main()
