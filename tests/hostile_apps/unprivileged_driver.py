"""Harness-side, not an app: runs every `check_*` of test_sandbox.py and test_hostile.py with
the current (unprivileged) uid and prints a JSON report as its last line.

test_sandbox.py::test_unprivileged_harness starts it as another uid when pytest runs as root.
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import test_hostile  # noqa: E402
import test_sandbox  # noqa: E402

from baxbench.sandbox.bwrap import BwrapSandbox  # noqa: E402


def main() -> int:
    assert os.geteuid() != 0, "run me as an unprivileged user"
    sb = BwrapSandbox()
    checks = {}
    seconds = {}
    modes = set()
    for module in (test_sandbox, test_hostile):
        for name in sorted(dir(module)):
            if not name.startswith("check_"):
                continue
            t0 = time.monotonic()
            try:
                getattr(module, name)(sb)
                checks[name] = "ok"
            except BaseException as e:  # noqa: BLE001 - report every failure
                checks[name] = f"{type(e).__name__}: {e}\n{traceback.format_exc()[-1500:]}"
            seconds[name] = round(time.monotonic() - t0, 2)
    with test_sandbox.running(sb, "basic.py") as inst:
        modes.add(inst.connect_mode)
        cgroups = inst.cgroups
    print(json.dumps({"uid": os.getuid(), "connect_mode": ",".join(sorted(modes)),
                      "cgroups": cgroups, "checks": checks, "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
