"""Identical child runs against fresh embedded emulators are made once per test session, not once per caller.

The kill tests ask for the same run from several places: the shared clean runs of every family, and a
batch of push-side faults from the kill test of each fault in it. Under `pytest -n 2` those callers sit in
two processes, each of which used to make the run itself. When `SHARED_RUNS_ENV` names a folder (the
project's tests/conftest.py makes one per session), the first caller makes the run under a file lock and
writes its outcome there as JSON; the others wait for the lock and read it (child_run.run_suite).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SHARED_RUNS_ENV = "SOPHON_SHARED_CHILD_RUNS"


def shared_folder(env: Mapping[str, str] = os.environ) -> Path | None:
    """The session's folder of shared runs, None when runs are not shared."""
    folder = env.get(SHARED_RUNS_ENV, "")
    return Path(folder) if folder else None


def run_key(spec: Mapping[str, Any]) -> str:
    """A file name for a run: the hash of everything that decides what it does."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def made_once(folder: Path, spec: Mapping[str, Any], make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The run's result from `folder`, made by `make` under a lock by the first caller of this spec."""
    folder.mkdir(parents=True, exist_ok=True)
    key = run_key(spec)
    stored = folder / f"{key}.json"
    with (folder / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when `make` raises
        if stored.is_file():
            result: dict[str, Any] = json.loads(stored.read_text(encoding="utf-8"))
            return result
        result = make()
        partial = stored.with_suffix(".part")
        partial.write_text(json.dumps(result), encoding="utf-8")
        partial.replace(stored)
        return result
