"""A receiver per test on a free loopback port, judging with a small stand-in validator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import RunningReceiver, start_receiver_thread
from conformance.receiver.validation import Finding, UploadJudge

GOOD_UPLOAD: dict[str, Any] = {
    "identity_id": "13435454",
    "identity_name": "Tom",
    "identity_info": {"face_ids": [], "image_id": "img-1"},
    "timestamp": 1565771454932,
    "score": 0.23,
    "want_action": "0",
    "person_type": 1,
    "out_timestamp": 1565771455000,
    "ep_info": {"ep_id": "e", "ep_type": "rtsp", "ep_ip": "10.0.0.2", "ep_name": "cam", "device_id": "d1"},
    "dev_sno": "",
    "api_version": "1.0",
}


def stand_in_validate(payload: Any) -> list[Finding]:
    """Two rules of seed 003, enough to tell valid from invalid uploads."""
    findings: list[Finding] = []
    if not isinstance(payload.get("identity_id"), str):
        findings.append({"instance_path": "/identity_id", "message": "must be a string", "errata": []})
    stamp = payload.get("timestamp")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        findings.append({"instance_path": "/timestamp", "message": "must be an integer", "errata": ["E11"]})
    return findings


def read_log(path: Path) -> list[dict[str, Any]]:
    """All records of a JSONL upload log."""
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "uploads.jsonl"


@pytest.fixture
def receiver(log_path: Path) -> Iterator[RunningReceiver]:
    """A running receiver on 127.0.0.1:<free port>, stopped after the test."""
    config = ReceiverConfig(port=0, log_path=log_path, profile="strict")
    running = start_receiver_thread(config, judge=UploadJudge(stand_in_validate))
    yield running
    running.stop()
