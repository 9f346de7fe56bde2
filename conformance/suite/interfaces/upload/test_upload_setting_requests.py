"""Upload setting requests (reference history-event-url-config): a bad body is refused with a 4xx in the v1
envelope, and a changed setting reads back as set (then is put back)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.envelopes import expect_client_status, expect_v1_error
from conformance.suite.support.search_sandbox import read_upload_setting, write_upload_setting
from conformance.target.target import HISTORY_EVENT_URL_PATH, Target

GOOD_SETTING: dict[str, Any] = {
    "history_upload_event_url": ["http://127.0.0.1:9/upload"],
    "content-type": "json",
    "reported_peroid": 60,
}
BAD_SETTINGS: dict[str, dict[str, Any]] = {
    **{f"missing-{key}": {k: v for k, v in GOOD_SETTING.items() if k != key} for key in GOOD_SETTING},
    "content-type-xml": {**GOOD_SETTING, "content-type": "xml"},
    "reported_peroid-text": {**GOOD_SETTING, "reported_peroid": "often"},
    "urls-number": {**GOOD_SETTING, "history_upload_event_url": 5},
}


@pytest.fixture(scope="module")
def upload_setting_kept(target: Target, http_client: RecordingHttpClient) -> Iterator[None]:
    """The box's HistoryEventUrl setting is put back if a refused request changed it anyway."""
    if not target.capabilities.history_event_url:
        pytest.skip("the box has no HistoryEventUrl interface")
    saved = read_upload_setting(http_client)
    yield
    if saved is not None and read_upload_setting(http_client) != saved:
        write_upload_setting(http_client, saved)


@pytest.mark.req("UPC-ERR-001", "UPC-ERR-002")
@pytest.mark.writes_box
@pytest.mark.parametrize("body", list(BAD_SETTINGS.values()), ids=list(BAD_SETTINGS))
def test_upload_setting_bad_body_is_refused(
    upload_setting_kept: None, http_client: RecordingHttpClient, body: dict[str, Any]
) -> None:
    answer = http_client.post_json(HISTORY_EVENT_URL_PATH, body)
    expect_client_status(answer, ["UPC-ERR-001", "UPC-ERR-002"])
    expect_v1_error(answer, None, ["UPC-ERR-001", "UPC-ERR-002"], status=answer.status or 0)


@pytest.mark.req("UPC-CONFIG-010")
@pytest.mark.writes_box
def test_upload_setting_reads_back_as_set(
    upload_setting_kept: None, http_client: RecordingHttpClient
) -> None:
    """GET answers the configuration in force: a changed reported_peroid reads back (then is put back)."""
    current = read_upload_setting(http_client)
    if current is None:
        pytest.skip(
            "GET HistoryEventUrl answered no setting to change (see test_upload_setting_reads_conform)"
        )
    lacking = sorted(set(GOOD_SETTING) - set(current))
    fail_unless(not lacking, f"GET HistoryEventUrl lacks {lacking}", ["UPC-CONFIG-010"])
    period = current.get("reported_peroid")
    changed = {**current, "reported_peroid": 61 if period != 61 else 62}
    posted = http_client.post_json(HISTORY_EVENT_URL_PATH, changed)
    fail_unless(
        posted.status == 200,
        f"HTTP {posted.status} for a valid setting",
        ["UPC-CONFIG-010"],
        [posted.exchange],
    )
    answer = http_client.get(HISTORY_EVENT_URL_PATH)
    body = answer.json()
    data = body.get("data") if isinstance(body, dict) else None
    differs = [key for key, value in changed.items() if not isinstance(data, dict) or data.get(key) != value]
    fail_unless(
        not differs,
        f"GET after POST answers other values for {differs}",
        ["UPC-CONFIG-010"],
        [posted.exchange, answer.exchange],
    )
