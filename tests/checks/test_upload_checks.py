"""Upload checks: delivery counted by (ms, device), pictures per history_need_* flags, ms timestamps."""

from __future__ import annotations

from typing import Any

from conformance.checks import upload_checks as upload
from conformance.checks.scenario import ScenarioEvent
from tests.checks.pictures_data import JPEG

BASE_MS = 1_602_612_036_150
EVENTS = [
    ScenarioEvent("e1", BASE_MS, "dev-a", "u1", "Tom", 1),
    ScenarioEvent("e2", BASE_MS + 5, "dev-a", "", "", 4),
    ScenarioEvent("e3", BASE_MS + 5, "dev-b", "u2", "Ann", 2),
]


def _upload(event: ScenarioEvent, *, pictures: bool = True, **override: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "identity_id": event.identity_id,
        "timestamp": event.ts_ms,
        "out_timestamp": event.ts_ms + 2000,
        "person_type": event.person_type,
        "ep_info": {"device_id": event.device_id, "ep_type": "rtsp"},
        "reg_pic": JPEG if pictures and event.person_type != 4 else "",
        "spot_pic": JPEG if pictures else "",
        "recognize_face": JPEG if pictures else "",
    }
    payload.update(override)
    return payload


def test_delivery_passes_and_reports_lost_duplicate_unexpected() -> None:
    uploads = [_upload(e) for e in EVENTS]
    assert upload.delivery(EVENTS, uploads) == []
    [lost] = upload.delivery(EVENTS, uploads[1:])
    assert lost.evidence["lost"] == [f"{BASE_MS}@dev-a"]
    [dup] = upload.delivery(EVENTS, [*uploads, uploads[2]])
    assert dup.evidence["repeated"] == {f"{BASE_MS + 5}@dev-b": 2}
    [extra] = upload.delivery(EVENTS, [*uploads, _upload(EVENTS[0], timestamp=BASE_MS + 99)])
    assert "not expected" in extra.message


def test_delivery_correlates_seconds_timestamps_but_timestamps_check_flags_them() -> None:
    seconds = [_upload(e, timestamp=e.ts_ms / 1000) for e in EVENTS]
    assert upload.delivery(EVENTS, seconds) == []
    found = upload.timestamps(seconds)
    assert [f.evidence["field"] for f in found] == ["timestamp"]
    assert found[0].category == "unit" and found[0].check == "upload.timestamps"


def test_timestamps_pass_on_integer_ms() -> None:
    assert upload.timestamps([_upload(e) for e in EVENTS]) == []
    [found] = upload.timestamps([_upload(EVENTS[0], out_timestamp=1602612038.61)])
    assert found.evidence["field"] == "out_timestamp"
    [fractional_ms] = upload.timestamps([_upload(EVENTS[0], timestamp=BASE_MS + 0.5)])
    assert "integer" in fractional_ms.message


def test_pictures_follow_flags() -> None:
    full = [_upload(e) for e in EVENTS]
    bare = [_upload(e, pictures=False) for e in EVENTS]
    assert upload.pictures(full) == []
    assert upload.pictures(bare, False, False, False) == []
    lacking = upload.pictures(bare)
    assert {f.evidence["field"] for f in lacking} == {"reg_pic", "spot_pic", "recognize_face"}
    unasked = upload.pictures(full, need_spot_pic=False)
    assert [f.evidence["field"] for f in unasked] == ["spot_pic"]


def test_stranger_needs_no_register_picture() -> None:
    stranger = _upload(EVENTS[1])
    assert stranger["reg_pic"] == ""
    assert upload.pictures([stranger]) == []


def test_history_pairs_two_events_of_one_camera_a_millisecond_apart_with_their_own_uploads() -> None:
    """µs history, whole-ms uploads: each event of one camera in one (or adjacent) ms is delivered by its
    own upload; a second copy of one upload is still a repeat, a missing upload still a loss."""
    ms = 1_796_260_888_030
    history = [
        {"timestamp": t, "media_device_info": {"media_device_id": "dev-a"}}
        for t in (ms + 0.2, ms + 0.9, ms + 1.3)
    ]
    uploads = [{"timestamp": t, "ep_info": {"device_id": "dev-a"}} for t in (ms, ms, ms + 1)]
    assert upload.not_delivered(history, uploads) == []
    pairs, unmatched = upload.match_history(uploads, history)
    assert unmatched == [] and len({id(event) for _, event in pairs}) == 3
    pairs, _ = upload.match_history([*uploads, uploads[2]], history)
    assert len({id(event) for _, event in pairs}) == 3 and len(pairs) == 4
    assert len(upload.not_delivered(history, uploads[1:])) == 1
