"""The receiver judging with the real spec catalog (upload-payload and upload-form-fields schemas)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conformance.receiver.config import ReceiverConfig
from conformance.receiver.server import RunningReceiver, start_receiver_thread

from .conftest import GOOD_UPLOAD, read_log

TIMEOUT = 10


@pytest.fixture
def strict_receiver(log_path: Path) -> Iterator[RunningReceiver]:
    running = start_receiver_thread(ReceiverConfig(port=0, log_path=log_path, profile="strict"))
    yield running
    running.stop()


def _form(payload: dict[str, object]) -> dict[str, tuple[None, str]]:
    return {
        key: (None, value if isinstance(value, str) else json.dumps(value)) for key, value in payload.items()
    }


def test_documented_upload_is_valid_as_json_and_as_form(
    strict_receiver: RunningReceiver, log_path: Path
) -> None:
    assert requests.post(strict_receiver.url, json=GOOD_UPLOAD, timeout=TIMEOUT).status_code == 200
    response = requests.post(strict_receiver.url, files=_form(GOOD_UPLOAD), timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert [record["valid"] for record in read_log(log_path)] == [True, True]


def test_seconds_timestamp_names_erratum_e11(strict_receiver: RunningReceiver, log_path: Path) -> None:
    upload = {**GOOD_UPLOAD, "timestamp": 1565771454.932}
    response = requests.post(strict_receiver.url, json=upload, timeout=TIMEOUT)
    assert response.status_code == 400
    findings = read_log(log_path)[-1]["findings"]
    assert findings and all(finding["instance_path"] == "/timestamp" for finding in findings)
    assert all("E11" in finding["errata"] for finding in findings)


def test_form_text_that_is_not_canonical_is_found_by_the_form_schema(
    strict_receiver: RunningReceiver, log_path: Path
) -> None:
    fields = {**_form(GOOD_UPLOAD), "timestamp": (None, "01565771454932")}
    response = requests.post(strict_receiver.url, files=fields, timeout=TIMEOUT)
    assert response.status_code == 400
    record = read_log(log_path)[-1]
    assert record["payload"]["timestamp"] == 1565771454932  # shaped, and fine as a number
    assert [finding.get("schema") for finding in record["findings"]] == ["upload-form-fields"]
