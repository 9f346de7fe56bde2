"""The one renderer stays within its budget: transcripts keep head and tail, pictures and features shrink."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from conformance.clients.body_preview import abbreviate, preview_body
from conformance.clients.exchange import (
    HttpExchange,
    HttpRequestRecord,
    HttpResponseRecord,
    ReceivedUpload,
    WsDirection,
    WsFrame,
    WsTranscript,
)
from conformance.clients.exchange_render import (
    ALLURE,
    TERMINAL,
    _body_text,
    evidence_parts,
    frame_summary,
    render_transcript,
    render_upload,
    upload_payload_text,
)
from conformance.clients.redact import redact_body

HEAD_FRAMES, TAIL_FRAMES = ALLURE.head_frames, ALLURE.tail_frames

PICTURE = "/9j/4AAQSkZJRgABAQAAAQABAAD" + "A" * 100_000


def _push(number: int) -> WsFrame:
    text = json.dumps({"event_id": f"ev-{number}", "reg_pic": PICTURE, "device_id": "gate"})
    return WsFrame(WsDirection.RECEIVED, "text", number / 1000, text, len(text))


def test_a_long_session_keeps_head_and_tail_around_a_counted_marker() -> None:
    frames = [WsFrame(WsDirection.EVENT, "connect", 0.0, "connected to ws://box/")]
    frames += [_push(number) for number in range(1, 3000)]
    lines = render_transcript(WsTranscript(url="ws://box/", frames=frames), ALLURE)
    text = "\n".join(lines)
    assert len(lines) == 1 + HEAD_FRAMES + 1 + TAIL_FRAMES
    assert lines[0] == "Transcript (3000 entries):"
    assert "connect connected to ws://box/" in lines[1]
    assert f"  … {3000 - HEAD_FRAMES - TAIL_FRAMES} entries omitted …" in lines
    assert '"ev-2999"' in lines[-1] and '"ev-19"' in lines[HEAD_FRAMES]
    assert len(text) < 40_000


def test_frames_dropped_by_the_client_are_counted_in_the_gap_after_its_head() -> None:
    frames = [_push(n) for n in range(2)] + [_push(n) for n in range(500, 505)]
    transcript = WsTranscript(url="ws://box/", frames=frames, dropped=498, head_kept=2)
    lines = render_transcript(transcript, ALLURE)
    assert lines[0] == "Transcript (505 entries):"
    assert '"ev-0"' in lines[1] and '"ev-1"' in lines[2]
    assert lines[3] == "  … 498 entries omitted …"
    assert '"ev-500"' in lines[4] and '"ev-504"' in lines[-1]


def test_a_short_session_is_shown_whole() -> None:
    frames = [_push(number) for number in range(HEAD_FRAMES + TAIL_FRAMES)]
    lines = render_transcript(WsTranscript(url="ws://box/", frames=frames), ALLURE)
    assert not any("omitted" in line for line in lines) and len(lines) == 1 + len(frames)
    shorter = render_transcript(WsTranscript(url="ws://box/", frames=frames), TERMINAL)
    assert len(shorter) == 1 + TERMINAL.head_frames + 1 + TERMINAL.tail_frames


def test_a_picture_in_a_frame_is_abbreviated_and_later_fields_stay_visible() -> None:
    summary = frame_summary(_push(7), TERMINAL)
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
    text = upload_payload_text(_upload(), ALLURE)
    assert text is not None and len(text) < 1000
    payload = json.loads(text)
    assert payload["identity_id"] == "id-1" and payload["password"] == "***"
    assert payload["spot_pic"].startswith("/9j/4AAQ") and payload["spot_pic"].endswith(
        f"<{len(PICTURE)} characters>"
    )


def test_form_fields_are_listed_as_received() -> None:
    text = "\n".join(render_upload(_upload(), ALLURE, with_payload=False))
    assert "Upload #3: form-data" in text and "Payload:" not in text
    assert "\n  identity_id = id-1" in text and "\n  password = ***" in text
    assert f"<{len(PICTURE)} characters>" in text and len(text) < 1000


def test_an_undecodable_upload_has_no_payload_but_says_why() -> None:
    upload = _upload(payload=None, valid=False, reason="body is not valid JSON", form_fields=None)
    assert upload_payload_text(upload, ALLURE) is None
    assert "  reason: body is not valid JSON" in render_upload(upload, ALLURE)
    assert [part.name for part in evidence_parts(upload, ALLURE)] == ["upload as received"]


def test_the_receiver_record_brings_its_form_fields() -> None:
    record = {"seq": 1, "mode": "form-data", "form_fields": [["a", "1"], ["b", ""]]}
    assert ReceivedUpload.from_record(record).form_fields == (("a", "1"), ("b", ""))
    assert ReceivedUpload.from_record({"seq": 1, "form_fields": "junk"}).form_fields is None


def test_http_parts_are_curl_request_and_response_json_with_pictures_abbreviated() -> None:
    request = HttpRequestRecord("POST", "http://h/x", (("Content-Type", "application/json"),), b'{"page": 1}')
    body = json.dumps({"events": [{"spot_pic": PICTURE, "feature": [0.5] * 512}]}).encode()
    response = HttpResponseRecord(200, "OK", (("content-type", "application/json"),), body, 0.0)
    parts = {part.name: part for part in evidence_parts(HttpExchange(request, response), ALLURE)}
    assert list(parts) == ["curl", "request", "response"]
    assert parts["curl"].text.startswith("curl -sS -i -X POST") and not parts["curl"].is_json
    assert parts["request"].is_json and json.loads(parts["request"].text) == {"page": 1}
    event = json.loads(parts["response"].text)["events"][0]
    assert parts["response"].is_json and event["spot_pic"].endswith(f"<{len(PICTURE)} characters>")
    assert event["feature"][-1] == "…<512 numbers>"


def test_a_clipped_body_is_attached_as_text_not_as_broken_json() -> None:
    tight = replace(ALLURE, body_chars=50)
    body = json.dumps({"items": [f"item {n}" for n in range(100)]}).encode()
    response = HttpResponseRecord(200, "OK", (("content-type", "application/json"),), body, 0.0)
    (_curl, answer) = evidence_parts(HttpExchange(HttpRequestRecord("GET", "http://h/x"), response), tight)
    assert answer.name == "response" and not answer.is_json and "more characters" in answer.text


def test_a_transport_error_replaces_the_response_part() -> None:
    exchange = HttpExchange(HttpRequestRecord("GET", "http://h/x"), None, error="connection refused")
    parts = evidence_parts(exchange, ALLURE)
    assert [(p.name, p.text) for p in parts][1] == ("response", "Transport error: connection refused")


_KEYS = st.sampled_from(["a", "password", "token", "pic", "x"]) | st.text(max_size=5)
_CONTENT_TYPES = [None, "application/json", "application/x-www-form-urlencoded", "text/plain"]
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


@given(
    body=st.one_of(
        _JSON_VALUES.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8")),
        st.binary(max_size=40),
        st.text(max_size=40).map(lambda text: text.encode("utf-8")),
    ),
    content_type=st.sampled_from(_CONTENT_TYPES),
    limit=st.sampled_from([30, 40_000]),
)
def test_body_text_decodes_json_once_and_shows_what_redact_then_preview_showed(
    body: bytes, content_type: str | None, limit: int
) -> None:
    """The one-decode path for JSON bodies must print exactly what redacting then previewing printed."""
    budget = replace(ALLURE, body_chars=limit)
    expected = preview_body(redact_body(body, content_type) if body else body, content_type, limit)
    assert _body_text(body, content_type, budget) == expected
