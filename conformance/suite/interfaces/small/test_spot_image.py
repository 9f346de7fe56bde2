"""Spot image (reference v2-getspotimage): the pictures an event names are served for the event's own
timestamp; a missing or malformed timestamp is refused with a 4xx in the v2 envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.envelopes import expect_v2_client_error
from conformance.suite.support.query_data import BoxWindow
from conformance.target.target import Target

SPOT_IMAGE_PATH = "/sophon/v2/face/getspotimage"
JPEG_MAGIC = b"\xff\xd8\xff"
MISSING_OR_INVALID = ("MISSING_ARGUMENTS", "INVALID_ARGUMENTS")


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
    not_exercised("no stored event names both a spot_image_id and a recognize_face_image_id")


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
    request: pytest.FixtureRequest,
    target: Target,
    http_client: RecordingHttpClient,
    pictured_event: dict[str, Any],
) -> None:
    """The v2 event's spot_image_id is a picture getspotimage serves for the event's own timestamp."""
    lenient = target.profile == "lenient"
    _expect_picture(
        http_client, pictured_event, "spot_image_id", lenient, ["IMG-TIME-001", "V2EV-SCHEMA-006"]
    )
    judged(request, "pictures", 1)


@pytest.mark.req("IMG-SCHEMA-002", "V2EV-SCHEMA-005")
def test_face_picture_id_is_served_too(
    request: pytest.FixtureRequest,
    target: Target,
    http_client: RecordingHttpClient,
    pictured_event: dict[str, Any],
) -> None:
    """recognize_face_image_id is an image id of getspotimage as much as spot_image_id is."""
    lenient = target.profile == "lenient"
    ids = ["IMG-SCHEMA-002", "V2EV-SCHEMA-005"]
    _expect_picture(http_client, pictured_event, "recognize_face_image_id", lenient, ids)
    judged(request, "pictures", 1)


@pytest.mark.req("IMG-ERR-002")
@pytest.mark.parametrize("timestamp", [None, "yesterday"], ids=["missing", "not-a-number"])
def test_spot_image_bad_timestamp_is_refused(
    http_client: RecordingHttpClient, pictured_event: dict[str, Any], timestamp: str | None
) -> None:
    params = {} if timestamp is None else {"timestamp": timestamp}
    answer = http_client.get(f"{SPOT_IMAGE_PATH}/{pictured_event['spot_image_id']}", params)
    expect_v2_client_error(answer, MISSING_OR_INVALID, ["IMG-ERR-002"])
