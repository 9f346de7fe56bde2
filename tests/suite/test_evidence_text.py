"""Evidence for Allure stays small: transcripts keep head and tail, pictures and features are abbreviated."""

from __future__ import annotations

import json

from conformance.clients.exchange import ReceivedUpload, WsDirection, WsFrame, WsTranscript
from conformance.suite.evidence_text import (
    HEAD_FRAMES,
    TAIL_FRAMES,
    abbreviate,
    bounded_transcript,
    frame_summary,
    upload_as_received,
    upload_payload_text,
)

PICTURE = "/9j/4AAQSkZJRgABAQAAAQABAAD" + "A" * 100_000


def _push(number: int) -> WsFrame:
    text = json.dumps({"event_id": f"ev-{number}", "reg_pic": PICTURE, "device_id": "gate"})
    return WsFrame(WsDirection.RECEIVED, "text", number / 1000, text, len(text))


def test_a_long_session_keeps_head_and_tail_around_a_counted_marker() -> None:
    frames = [WsFrame(WsDirection.EVENT, "connect", 0.0, "connected to ws://box/")]
    frames += [_push(number) for number in range(1, 3000)]
    text = bounded_transcript(WsTranscript(url="ws://box/", frames=frames))
    lines = text.splitlines()
    assert len(lines) == 1 + HEAD_FRAMES + 1 + TAIL_FRAMES
    assert "connect connected to ws://box/" in lines[1]
    assert f"… {3000 - HEAD_FRAMES - TAIL_FRAMES} frames omitted …" in lines
    assert '"ev-2999"' in lines[-1] and '"ev-19"' in lines[HEAD_FRAMES]
    assert len(text) < 40_000


def test_frames_dropped_by_the_client_are_counted_in_the_gap_after_its_head() -> None:
    frames = [_push(n) for n in range(2)] + [_push(n) for n in range(500, 505)]
    transcript = WsTranscript(url="ws://box/", frames=frames, dropped=498, head_kept=2)
    lines = bounded_transcript(transcript).splitlines()
    assert lines[0].endswith(": 505 frames")
    assert '"ev-0"' in lines[1] and '"ev-1"' in lines[2]
    assert lines[3] == "… 498 frames omitted …"
    assert '"ev-500"' in lines[4] and '"ev-504"' in lines[-1]


def test_a_short_session_is_shown_whole() -> None:
    frames = [_push(number) for number in range(HEAD_FRAMES + TAIL_FRAMES)]
    text = bounded_transcript(WsTranscript(url="ws://box/", frames=frames))
    assert "omitted" not in text and len(text.splitlines()) == 1 + len(frames)


def test_a_picture_in_a_frame_is_abbreviated_and_later_fields_stay_visible() -> None:
    summary = frame_summary(_push(7))
    assert len(summary) < 300
    assert f"<{len(PICTURE)} characters>" in summary and '"device_id": "gate"' in summary


def test_feature_vectors_shrink_to_their_first_numbers() -> None:
    feature = [0.5] * 512
    assert abbreviate({"attr": {"feature": feature, "point": [1, 2]}}) == {
        "attr": {"feature": [0.5] * 8 + ["…<512 numbers>"], "point": [1, 2]}
    }


def _upload(**changes: object) -> ReceivedUpload:
    fields = {
        "seq": 3,
        "received_at": 0.0,
        "content_type": "multipart/form-data; boundary=x",
        "mode": "form-data",
        "payload": {"identity_id": "id-1", "spot_pic": PICTURE, "password": "hunter2"},
        "valid": True,
        "form_fields": (("identity_id", "id-1"), ("spot_pic", PICTURE), ("password", "hunter2")),
    }
    fields.update(changes)
    return ReceivedUpload(**fields)  # type: ignore[arg-type]


def test_an_upload_payload_is_json_with_the_picture_abbreviated_and_secrets_masked() -> None:
    text = upload_payload_text(_upload())
    assert text is not None and len(text) < 1000
    payload = json.loads(text)
    assert payload["identity_id"] == "id-1" and payload["password"] == "***"
    assert payload["spot_pic"].startswith("/9j/4AAQ") and payload["spot_pic"].endswith(
        f"<{len(PICTURE)} characters>"
    )


def test_form_fields_are_listed_as_received() -> None:
    text = upload_as_received(_upload())
    assert "Upload #3: form-data" in text
    assert "\n  identity_id = id-1" in text and "\n  password = ***" in text
    assert f"<{len(PICTURE)} characters>" in text and len(text) < 1000


def test_an_undecodable_upload_has_no_payload_but_says_why() -> None:
    upload = _upload(payload=None, valid=False, reason="body is not valid JSON", form_fields=None)
    assert upload_payload_text(upload) is None
    assert "reason: body is not valid JSON" in upload_as_received(upload)


def test_the_receiver_record_brings_its_form_fields() -> None:
    record = {"seq": 1, "mode": "form-data", "form_fields": [["a", "1"], ["b", ""]]}
    assert ReceivedUpload.from_record(record).form_fields == (("a", "1"), ("b", ""))
    assert ReceivedUpload.from_record({"seq": 1, "form_fields": "junk"}).form_fields is None
