"""Device list (reference devices-get): device ids are unique non-empty strings; device_id selects one
device, and no preview list comes unless asked for."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.target.target import DEVICES_PATH, Target


def _devices(answer: RecordedResponse) -> list[Any]:
    body = answer.json()
    data = body.get("data") if isinstance(body, dict) else None
    listed = data.get("devices_list") if isinstance(data, dict) else None
    return listed if answer.status == 200 and isinstance(listed, list) else []


@pytest.fixture(scope="module")
def device_list(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> RecordedResponse:
    """GET the device list (after seeding the core scenario where a control plane exists)."""
    if not target.capabilities.devices:
        pytest.skip("the device list is declared absent by the user (box profile `interfaces`)")
    if target.has_control:
        request.getfixturevalue("core_scenario")
    return http_client.get(DEVICES_PATH)


@pytest.mark.req("DEV-SCHEMA-002")
def test_device_ids_are_unique_non_empty_strings(
    request: pytest.FixtureRequest, device_list: RecordedResponse
) -> None:
    ids = [item.get("device_id") if isinstance(item, dict) else None for item in _devices(device_list)]
    if not ids:
        not_exercised("the box lists no devices")
    judged(request, "devices", len(ids))
    bad = [value for value in ids if not isinstance(value, str) or not value]
    fail_unless(
        not bad,
        f"device_id values {bad!r:.120} are not non-empty strings",
        ["DEV-SCHEMA-002"],
        [device_list.exchange],
    )
    repeated = sorted({str(value) for value in ids if ids.count(value) > 1})
    fail_unless(
        not repeated,
        f"devices_list repeats device_id {repeated!r:.120}",
        ["DEV-SCHEMA-002"],
        [device_list.exchange],
    )


@pytest.mark.req("DEV-FILT-001", "DEV-FILT-002")
def test_device_id_selects_one_device(
    request: pytest.FixtureRequest, device_list: RecordedResponse, http_client: RecordingHttpClient
) -> None:
    """Without device_id every device is listed, with it only that one; no preview list unless asked."""
    ids = ["DEV-FILT-001", "DEV-FILT-002"]
    everyone = [
        item["device_id"] for item in _devices(device_list) if isinstance(item, dict) and "device_id" in item
    ]
    if not everyone:
        not_exercised("the box lists no devices")
    judged(request, "devices", 1)
    wanted = everyone[-1]
    answer = http_client.get(DEVICES_PATH, {"device_id": wanted})
    got = [item.get("device_id") if isinstance(item, dict) else None for item in _devices(answer)]
    fail_unless(
        got == [wanted],
        f"?device_id={wanted} listed {got!r:.160}, expected only that device",
        ids,
        [answer.exchange],
    )
    body = answer.json()
    data = body.get("data") if isinstance(body, dict) else None
    fail_unless(
        not (isinstance(data, dict) and "preview_list" in data),
        "data.preview_list is present although need_preview_list was not asked for",
        ids,
        [answer.exchange],
    )
