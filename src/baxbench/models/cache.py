"""A response cache: answers keyed on (model identity, prompt, parameters, sample index).

Asking a provider model again for sample i of the same prompt with the same parameters gives
back the stored answer, in any run directory: deleting a run, moving it, or re-running it under a
new harness version costs nothing for the answers already paid for. Only answers are stored,
never failures. Default location: `$BAXBENCH_RESPONSE_CACHE`, else `$BAXBENCH_HOME/responses`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from baxbench.models.base import Answer, Message
from baxbench.paths import baxbench_home
from baxbench.prompts import prompt_id

FORMAT = 1


def default_cache_dir() -> Path:
    env = os.environ.get("BAXBENCH_RESPONSE_CACHE")
    return Path(env).expanduser() if env else baxbench_home() / "responses"


def cache_key(model: Mapping[str, Any], messages: Sequence[Message],
              params: Mapping[str, Any], sample: int) -> str:
    canonical = json.dumps(
        {"format": FORMAT, "model": dict(model), "prompt": prompt_id(messages),
         "params": dict(params), "sample": sample},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResponseCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str, sample: int) -> Answer | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # absent, or a torn write: ask again
        text = data.get("text")
        if not isinstance(text, str):
            return None
        meta = dict(data.get("meta") or {})
        meta["cached"] = True
        return Answer(sample, text, meta=meta)

    def put(self, key: str, answer: Answer) -> None:
        if answer.text is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {k: v for k, v in answer.meta.items() if k != "cached"}
        payload = json.dumps({"text": answer.text, "meta": meta})
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
