"""The receiver under concurrent uploads, a SIGKILL mid-load and hostile bodies: no acknowledged loss."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.paths import PROJECT_ROOT
from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import RunningReceiver, start_receiver_thread
from conformance.receiver.validation import no_validation

LOAD_SCRIPT = PROJECT_ROOT / "benchmarks" / "reliability_receiver_load.py"
TIMEOUT = (5.0, 30.0)
NESTING = 100_000


def _load(*extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(LOAD_SCRIPT), "--quick", "--json", *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_concurrent_uploads_are_all_logged_once() -> None:
    result = _load()
    assert result["uploads"] == 200 and result["acknowledged"] == 200, result
    assert (result["lost"], result["duplicated"]) == (0, 0), result


def test_every_acknowledged_upload_survives_sigkill() -> None:
    """Killed mid-load: whatever got its 200 is in the log (the 200 comes after fsync)."""
    result = _load("--uploads", "50", "--kill-after-logged", "100")
    assert result["killed"], result
    assert 0 < result["acknowledged"] < result["uploads"], result  # the kill really landed mid-load
    assert result["lost"] == 0, result


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[RunningReceiver]:
    config = ReceiverConfig(port=0, log_path=tmp_path / "uploads.jsonl", profile=None)
    running = start_receiver_thread(config, judge=no_validation())
    yield running
    running.stop()


def _log(running: RunningReceiver) -> list[dict[str, Any]]:
    lines = running.config.log_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


HOSTILE: dict[str, tuple[bytes, str]] = {
    "not-json": (b"this is not json", "application/json"),
    "invalid-utf8": (b'{"identity_id": "\xff\xfe\xfa"}', "application/json"),
    "deeply-nested-json": (b"[" * NESTING + b"]" * NESTING, "application/json"),
    "truncated-multipart": (
        b'--XyZ\r\nContent-Disposition: form-data; name="identity_id"\r\n\r\n123\r\n--XyZ\r\nContent-Disp',
        "multipart/form-data; boundary=XyZ",
    ),
    "body-25mb": (b"{" + b" " * (25 * 1024 * 1024) + b"}", "application/json"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_upload_is_refused_logged_and_survived(receiver: RunningReceiver, name: str) -> None:
    body, content_type = HOSTILE[name]
    response = requests.post(receiver.url, data=body, headers={"Content-Type": content_type}, timeout=TIMEOUT)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    records = _log(receiver)
    assert len(records) == 1 and records[0]["valid"] is False, records
    assert not str(records[0].get("reason", "")).startswith("harness"), records[0]  # refused, not crashed
    good = requests.post(receiver.url, json={"identity_id": "after"}, timeout=TIMEOUT)
    assert good.status_code == 200, good.text  # still serving


def test_a_valid_upload_is_not_refused(receiver: RunningReceiver) -> None:
    """Negative case for the hostile test: a decodable upload is answered 200 and logged valid."""
    response = requests.post(receiver.url, json={"identity_id": "ok"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert _log(receiver)[0]["valid"] is True
