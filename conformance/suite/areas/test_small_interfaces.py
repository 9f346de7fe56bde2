"""The small interfaces (references): login, software version, device list, spot image and the upload
setting answer as documented and refuse bad input with a 4xx in their envelope, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.spec.traceability import schema_requirement_ids
from conformance.suite.areas.envelopes import (
    expect_client_status,
    expect_v1_error,
    expect_v2_client_error,
)
from conformance.suite.areas.query_data import (  # noqa: F401 - fixtures
    BoxWindow,
    box_window_fixture,
    v2_reads_seconds_fixture,
)
from conformance.suite.areas.search_findings import fail_on_schema, fail_unless
from conformance.suite.areas.search_sandbox import read_upload_setting, write_upload_setting
from conformance.target.target import DEVICES_PATH, HISTORY_EVENT_URL_PATH, LOGIN_PATH, Target

SPOT_IMAGE_PATH = "/sophon/v2/face/getspotimage"
JPEG_MAGIC = b"\xff\xd8\xff"
MISSING_OR_INVALID = ("MISSING_ARGUMENTS", "INVALID_ARGUMENTS")
WRONG_PASSWORD = "sophon-conformance-wrong-password"  # deliberately wrong


# --- login (reference v2-login) ------------------------------------------------------------------


@pytest.mark.req("LOGIN-ERR-002", "ERR-ERR-003")
@pytest.mark.parametrize("missing", ["username", "password"])
def test_login_missing_argument_is_named(http_client: RecordingHttpClient, missing: str) -> None:
    ids = ["LOGIN-ERR-002", "ERR-ERR-003"]
    body = {key: "admin" for key in ("username", "password") if key != missing}
    answer = http_client.post_json(LOGIN_PATH, body)
    error = expect_v2_client_error(answer, ("MISSING_ARGUMENTS",), ids)
    fail_unless(
        error.get("message") == missing,
        f"error.message is {error.get('message')!r}, expected the missing key {missing!r}",
        ids,
        [answer.exchange],
    )


@pytest.mark.req("LOGIN-ERR-001")
@pytest.mark.writes_box  # a refused login may count toward a lock-out on a real box: one attempt per run
def test_login_wrong_password_is_refused(target: Target, http_client: RecordingHttpClient) -> None:
    username = target.config.username or "admin"
    answer = http_client.post_json(LOGIN_PATH, {"username": username, "password": WRONG_PASSWORD})
    if answer.status != 200:
        expect_v2_client_error(answer, ("PASSWORD_ERROR",), ["LOGIN-ERR-001"])
        return
    body = answer.json()
    fail_unless(
        isinstance(body, dict) and body.get("result") is False,
        f"a wrong password answered 200 with {body!r:.120}, expected result false",
        ["LOGIN-ERR-001"],
        [answer.exchange],
    )


# --- software version (reference system-software-version, port 8888) ---------------------------


@pytest.fixture(scope="module")
def version_url(target: Target, http_client: RecordingHttpClient) -> str:
    """The version service's URL; skips when nothing listens there (it is optional on a box)."""
    url = target.config.default_version_url
    if http_client.post_json(url, {}).status is None:
        pytest.skip(f"no software-version service at {url}")
    return url


@pytest.mark.req("VER-SCHEMA-001", *schema_requirement_ids("software-version-response"))
def test_software_version_is_a_json_object(
    version_url: str, http_client: RecordingHttpClient, target: Target
) -> None:
    answer = http_client.post_json(version_url, {})
    body = answer.json()
    fail_unless(
        answer.status == 200, f"HTTP {answer.status}, expected 200", ["VER-SCHEMA-001"], [answer.exchange]
    )
    fail_unless(
        isinstance(body, dict),
        f"the answer is not a JSON object (content-type {answer.headers.get('content-type')!r})",
        ["VER-SCHEMA-001"],
        [answer.exchange],
    )
    fail_on_schema(
        "software-version-response", body, target.profile, [], [answer.exchange], what="version answer"
    )


def _expect_version_error(answer: RecordedResponse, ids: Sequence[str]) -> None:
    """A 4xx with {"error": {"code", "message"}} (the table types code as int, its codes are strings)."""
    expect_client_status(answer, ids)
    body = answer.json()
    error = body.get("error") if isinstance(body, dict) else None
    fail_unless(
        isinstance(error, dict) and "code" in error and isinstance(error.get("message"), str),
        'the refusal has no error envelope {"error": {"code", "message"}}',
        ids,
        [answer.exchange],
    )


@pytest.mark.req("VER-ERR-001")
def test_software_version_bad_requests_are_client_errors(
    version_url: str, http_client: RecordingHttpClient
) -> None:
    """A body that is not JSON is ignored (200) or refused with a 4xx envelope; a GET is refused so."""
    broken = http_client.post_raw(version_url, b'{"page":', "application/json")
    if broken.status != 200:
        _expect_version_error(broken, ["VER-ERR-001"])
    _expect_version_error(http_client.get(version_url), ["VER-ERR-001"])


# --- device list (reference devices-get) -------------------------------------------------------


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
    if target.has_control:
        request.getfixturevalue("core_scenario")
    return http_client.get(DEVICES_PATH)


@pytest.mark.req("DEV-SCHEMA-002")
def test_device_ids_are_unique_non_empty_strings(device_list: RecordedResponse) -> None:
    ids = [item.get("device_id") if isinstance(item, dict) else None for item in _devices(device_list)]
    if not ids:
        pytest.skip("the box lists no devices")
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
    device_list: RecordedResponse, http_client: RecordingHttpClient
) -> None:
    """Without device_id every device is listed, with it only that one; no preview list unless asked."""
    ids = ["DEV-FILT-001", "DEV-FILT-002"]
    everyone = [
        item["device_id"] for item in _devices(device_list) if isinstance(item, dict) and "device_id" in item
    ]
    if not everyone:
        pytest.skip("the box lists no devices")
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


# --- spot image (reference v2-getspotimage) ------------------------------------------------------


def _image(http_client: RecordingHttpClient, image_id: str, timestamp: Any) -> RecordedResponse:
    return http_client.get(f"{SPOT_IMAGE_PATH}/{image_id}", {"timestamp": str(timestamp)})


def _is_jpeg(answer: RecordedResponse) -> bool:
    return (
        answer.status == 200
        and answer.exchange.response is not None
        and answer.exchange.response.body.startswith(JPEG_MAGIC)
    )


def _fetch_image(
    http_client: RecordingHttpClient, image_id: str, event: dict[str, Any], lenient: bool
) -> list[RecordedResponse]:
    """The picture asked for with the event's own timestamp; under lenient also with float seconds (E30)."""
    value: Any = event.get("timestamp")
    tried = [_image(http_client, image_id, value)]
    if lenient and not _is_jpeg(tried[0]) and classify_timestamp(value) != "unknown":
        tried.append(_image(http_client, image_id, to_ms(value) / 1000.0))
    return tried


@pytest.fixture(scope="module")
def pictured_event(box_window: BoxWindow) -> dict[str, Any]:
    """The newest event that names both a spot and a face picture."""
    for event in box_window.events:
        if event.get("spot_image_id") and event.get("recognize_face_image_id"):
            return dict(event)
    pytest.skip("no stored event names both a spot_image_id and a recognize_face_image_id")


def _expect_picture(
    http_client: RecordingHttpClient, event: dict[str, Any], kind: str, lenient: bool, ids: Sequence[str]
) -> None:
    """The event's picture of that kind is served as a JPEG for the event's own timestamp."""
    tried = _fetch_image(http_client, str(event[kind]), event, lenient)
    reading = "the event's timestamp, then float seconds (E30)" if len(tried) > 1 else "the event's timestamp"
    fail_unless(
        _is_jpeg(tried[-1]),
        f"{kind} {event[kind]!r} asked with {reading} answered HTTP {tried[-1].status}, not a JPEG",
        ids,
        [answer.exchange for answer in tried],
    )


@pytest.mark.req("IMG-TIME-001", "V2EV-SCHEMA-006")
def test_spot_image_found_by_the_event_timestamp(
    target: Target, http_client: RecordingHttpClient, pictured_event: dict[str, Any]
) -> None:
    """The v2 event's spot_image_id is a picture getspotimage serves for the event's own timestamp."""
    lenient = target.profile == "lenient"
    _expect_picture(
        http_client, pictured_event, "spot_image_id", lenient, ["IMG-TIME-001", "V2EV-SCHEMA-006"]
    )


@pytest.mark.req("IMG-SCHEMA-002", "V2EV-SCHEMA-005")
def test_face_picture_id_is_served_too(
    target: Target, http_client: RecordingHttpClient, pictured_event: dict[str, Any]
) -> None:
    """recognize_face_image_id is an image id of getspotimage as much as spot_image_id is."""
    lenient = target.profile == "lenient"
    ids = ["IMG-SCHEMA-002", "V2EV-SCHEMA-005"]
    _expect_picture(http_client, pictured_event, "recognize_face_image_id", lenient, ids)


@pytest.mark.req("IMG-ERR-002")
@pytest.mark.parametrize("timestamp", [None, "yesterday"], ids=["missing", "not-a-number"])
def test_spot_image_bad_timestamp_is_refused(
    http_client: RecordingHttpClient, pictured_event: dict[str, Any], timestamp: str | None
) -> None:
    params = {} if timestamp is None else {"timestamp": timestamp}
    answer = http_client.get(f"{SPOT_IMAGE_PATH}/{pictured_event['spot_image_id']}", params)
    expect_v2_client_error(answer, MISSING_OR_INVALID, ["IMG-ERR-002"])


# --- upload setting (reference history-event-url-config) ----------------------------------------

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
