"""Per env: median time to build one sample and to start one app (launch -> listening).

    .venv/bin/python bench/env_timings.py [--envs A,B] [--scenario Calculator] [--repeat 5] [--json]

Builds use the scenario's secure reference for the env; the env must be prepared (warm cache).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from baxbench.envs import all_envs
from baxbench.parse import write_files
from baxbench.paths import baxbench_home
from baxbench.sandbox import get_sandbox
from baxbench.scenarios import get_scenario


def measure(env_id: str, scenario_id: str, repeat: int) -> dict[str, object]:
    env = all_envs()[env_id]
    home = baxbench_home()
    ref = get_scenario(scenario_id).reference(env.id)
    if ref is None:
        return {"env": env.id, "error": f"no {scenario_id} reference"}
    if not env.is_ready(home):
        return {"env": env.id, "error": f"not prepared: baxbench envs setup {env.id}"}
    sandbox = get_sandbox()
    builds, starts = [], []
    tmp = Path(tempfile.mkdtemp(prefix="bax-bench-"))
    for i in range(repeat):
        code = tmp / f"code{i}"
        code.mkdir()
        write_files(ref.files, code)
        t = time.monotonic()
        result = env.build(code, tmp / f"build{i}", home)
        builds.append(time.monotonic() - t)
        if not result.ok:
            return {"env": env.id, "error": "build failed: " + result.log[-500:]}
    build_dir = tmp / "build0"
    for _ in range(repeat):
        spec = env.launch_spec(build_dir, home, {"APP_SECRET": secrets.token_hex(8)})
        t = time.monotonic()
        inst = sandbox.start(spec, 0)
        try:
            inst.wait_ready()
            starts.append(time.monotonic() - t)
        finally:
            inst.stop()
    return {"env": env.id, "scenario": scenario_id, "repeat": repeat,
            "build_median_s": round(statistics.median(builds), 3),
            "build_max_s": round(max(builds), 3),
            "start_median_s": round(statistics.median(starts), 3),
            "start_max_s": round(max(starts), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--envs", default="", help="comma-separated env ids (default: all)")
    ap.add_argument("--scenario", default="Calculator")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    ids = [e for e in args.envs.split(",") if e] or list(all_envs())
    rows = [measure(e, args.scenario, args.repeat) for e in ids]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'env':24} {'build median':>13} {'build max':>10} "
          f"{'start median':>13} {'start max':>10}")
    for r in rows:
        if "error" in r:
            print(f"{r['env']:24} {r['error']}")
        else:
            print(f"{r['env']:24} {r['build_median_s']:>12}s {r['build_max_s']:>9}s "
                  f"{r['start_median_s']:>12}s {r['start_max_s']:>9}s")


if __name__ == "__main__":
    main()
