"""render_failure golden texts (HTTP with curl, WebSocket transcript, upload, seed, redaction); the bridge."""

from __future__ import annotations

import json

import pytest

from conformance.checks.findings import Finding, FindingCategory
from conformance.clients.exchange import (
    HttpExchange,
    HttpRequestRecord,
    HttpResponseRecord,
    ReceivedUpload,
    WsDirection,
    WsFrame,
    WsTranscript,
)
from conformance.clients.exchange_render import ALLURE, TERMINAL
from conformance.clients.failures import ConformanceFailure, fail, fail_on, fail_unless, render_failure

REQUEST = HttpRequestRecord(
    "POST",
    "http://127.0.0.1:5555/sophon/v2/face/getevents",
    (("Content-Type", "application/json"), ("Authorization", "Bearer secret-token")),
    b'{"page":1,"per_page":2}',
)
RESPONSE = HttpResponseRecord(
    200,
    "OK",
    (("content-type", "application/json"),),
    json.dumps({"events": [{"timestamp": 1628066406.608026, "spot_pic": "Q" * 500}]}).encode(),
    0.0123,
)

HTTP_GOLDEN = """\
[unit] v2 event timestamp is not in milliseconds
Requirements: V2EV-TIME-001, V2Q-SCHEMA-003

/events/0/timestamp: 1628066406.608026 looks like seconds (erratum E02).

--- Exchange 1: POST http://127.0.0.1:5555/sophon/v2/face/getevents -> 200
Request:
  POST http://127.0.0.1:5555/sophon/v2/face/getevents
  Content-Type: application/json
  Authorization: ***

  {
    "page": 1,
    "per_page": 2
  }
Response: 200 OK (12 ms)
  content-type: application/json

  {
    "events": [
      {
        "timestamp": 1628066406.608026,
        "spot_pic": "QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ…<500 characters>"
      }
    ]
  }
Reproduce with:
  curl -sS -i -X POST -H 'Content-Type: application/json' -H 'Authorization: ***' --data-binary \
'{"page":1,"per_page":2}' http://127.0.0.1:5555/sophon/v2/face/getevents

Hypothesis seed: rerun with --hypothesis-seed=424242"""


def test_http_failure_golden_text() -> None:
    failure = ConformanceFailure.of(
        "v2 event timestamp is not in milliseconds",
        ["V2EV-TIME-001", "V2Q-SCHEMA-003"],
        detail="/events/0/timestamp: 1628066406.608026 looks like seconds (erratum E02).",
        category=FindingCategory.UNIT,
        exchanges=[HttpExchange(REQUEST, RESPONSE)],
    ).with_seed(424242)
    expected = HTTP_GOLDEN.replace("\\\n", "")
    assert render_failure(failure) == expected
    assert str(failure) == expected
    assert isinstance(failure, AssertionError)


def test_transport_error_is_shown_instead_of_a_response() -> None:
    failure = ConformanceFailure.of(
        "box unreachable",
        category=FindingCategory.TRANSPORT,
        exchanges=[HttpExchange(HttpRequestRecord("GET", "http://h/x"), None, error="connection refused")],
    )
    assert render_failure(failure) == (
        "[transport] box unreachable\n"
        "\n"
        "--- Exchange 1: GET http://h/x -> no response\n"
        "Request:\n"
        "  GET http://h/x\n"
        "Transport error: connection refused\n"
        "Reproduce with:\n"
        "  curl -sS -i http://h/x"
    )


def test_websocket_transcript_golden_text() -> None:
    transcript = WsTranscript(
        "ws://127.0.0.1:5679",
        frames=[
            WsFrame(WsDirection.EVENT, "connect", 0.0, "connected to ws://127.0.0.1:5679"),
            WsFrame(WsDirection.SENT, "text", 0.0015, '{"need_face": 1, "event_list": ["d1"]}', 38),
            WsFrame(WsDirection.RECEIVED, "binary", 0.25, None, 2048),
            WsFrame(WsDirection.EVENT, "timeout", 5.2504, "no frame within 5 s"),
        ],
    )
    failure = ConformanceFailure.of("no event pushed", exchanges=[transcript])
    assert render_failure(failure) == (
        "[semantic] no event pushed\n"
        "\n"
        "--- Exchange 1: WebSocket session ws://127.0.0.1:5679 (4 entries)\n"
        "Transcript (4 entries):\n"
        "  +0.000s event    connect connected to ws://127.0.0.1:5679\n"
        '  +0.002s sent     text    {"need_face": 1, "event_list": ["d1"]}\n'
        "  +0.250s received binary  <2048 bytes>\n"
        "  +5.250s event    timeout no frame within 5 s"
    )


def test_received_upload_golden_text() -> None:
    upload = ReceivedUpload(
        seq=7,
        received_at=1.0,
        content_type="application/json",
        mode="json",
        payload={"identity_id": "", "timestamp": 1565771454, "reg_pic": "A" * 300},
        valid=False,
        findings=({"instance_path": "/timestamp", "message": "not in ms", "errata": ["E11"]},),
        reason="1 schema finding(s) under profile strict",
    )
    failure = ConformanceFailure.of(
        "upload timestamp not ms", ["UP-TIME-001"], category=FindingCategory.SCHEMA, exchanges=[upload]
    )
    assert render_failure(failure) == (
        "[schema] upload timestamp not ms\n"
        "Requirements: UP-TIME-001\n"
        "\n"
        "--- Exchange 1: Received upload #7 (json, INVALID)\n"
        "Upload #7: json, application/json, INVALID\n"
        "  reason: 1 schema finding(s) under profile strict\n"
        "  finding at /timestamp: not in ms [E11]\n"
        "Payload:\n"
        "  {\n"
        '    "identity_id": "",\n'
        '    "timestamp": 1565771454,\n'
        '    "reg_pic": "' + "A" * 60 + '…<300 characters>"\n'
        "  }"
    )


@pytest.mark.parametrize(
    "body",
    [b'{"username": "admin", "password": "hunter2"}', b"username=admin&password=hunter2"],
)
def test_credentials_never_reach_the_rendering(body: bytes) -> None:
    kind = "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
    request = HttpRequestRecord("POST", "http://h/login?token=hunter2", (("Content-Type", kind),), body)
    response = HttpResponseRecord(200, "OK", (("Set-Cookie", "sid=hunter2"),), b'{"token": "hunter2"}', 0.001)
    ws = WsTranscript(
        "ws://h", frames=[WsFrame(WsDirection.SENT, "text", 0.0, '{"password": "hunter2"}', 10)]
    )
    upload = ReceivedUpload(1, 0.0, "application/json", "json", {"secret": "hunter2"}, True)
    failure = ConformanceFailure.of(
        "login",
        detail="the password hunter2 was refused: password=hunter2",
        exchanges=[HttpExchange(request, response), ws, upload],
    )
    text = render_failure(failure)
    assert "admin" in text
    assert "hunter2" not in text.replace("the password hunter2", "")  # message text is masked by pattern only


def test_binary_and_truncated_bodies() -> None:
    response = HttpResponseRecord(
        200, "OK", (("Content-Type", "image/jpeg"),), b"\xff\xd8\xff\xe0" + bytes(100), 0.0
    )
    long_text = HttpResponseRecord(500, "Internal Server Error", (), b"x" * 10_000, 0.0)
    request = HttpRequestRecord("GET", "http://h/img")
    text = render_failure(ConformanceFailure.of("t", exchanges=[HttpExchange(request, response)]))
    assert "<104 bytes of binary data, image/jpeg, starts ff d8 ff e0 00 00 00 00>" in text
    text = render_failure(ConformanceFailure.of("t", exchanges=[HttpExchange(request, long_text)]))
    assert "… (6000 more characters)" in text and "x" * 4001 not in text


def test_seed_and_exchanges_can_be_attached_later() -> None:
    failure = ConformanceFailure.of("t").with_seed(5)
    assert render_failure(failure).endswith("Hypothesis seed: rerun with --hypothesis-seed=5")
    failure.with_exchanges([ReceivedUpload(1, 0.0, "", "json", None, True)])
    assert "--- Exchange 1: Received upload #1" in render_failure(failure)
    assert "seed" not in render_failure(ConformanceFailure.of("t"))


def _finding(message: str, category: FindingCategory, *ids: str, check: str = "c") -> Finding:
    return Finding(check, message, ids, category, evidence={"sample": [1, 2]})


def test_the_bridge_keeps_every_finding_and_names_only_their_requirement_ids() -> None:
    findings = [
        _finding("page 2 repeats e1", FindingCategory.SEMANTIC, "V2Q-PAGE-001"),
        _finding("timestamps in s", FindingCategory.UNIT, "V2Q-TIME-001", "V2Q-PAGE-001"),
    ]
    with pytest.raises(ConformanceFailure) as info:
        fail_on(findings, "v2 paging", exchanges=[HttpExchange(REQUEST, RESPONSE)], context="filters {}")
    failure = info.value
    assert failure.findings == tuple(findings)
    assert failure.requirement_ids == ("V2Q-PAGE-001", "V2Q-TIME-001")
    assert failure.category is FindingCategory.UNIT  # unit beats semantic
    assert failure.title == "v2 paging: page 2 repeats e1"
    lines = str(failure).splitlines()
    assert lines[:4] == [
        "[unit] v2 paging: page 2 repeats e1",
        "Requirements: V2Q-PAGE-001, V2Q-TIME-001",
        "",
        "filters {}",
    ]
    assert "- [c] page 2 repeats e1 (V2Q-PAGE-001)" in lines
    assert "- [c] timestamps in s (V2Q-TIME-001, V2Q-PAGE-001)" in lines
    assert '  evidence: {"sample": [1, 2]}' in lines
    fail_on([], "nothing found")  # no findings: no failure


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ((FindingCategory.SEMANTIC, FindingCategory.SCHEMA), FindingCategory.SCHEMA),
        ((FindingCategory.HARNESS, FindingCategory.SEMANTIC), FindingCategory.SEMANTIC),
        ((FindingCategory.HARNESS, FindingCategory.TRANSPORT), FindingCategory.TRANSPORT),
        ((FindingCategory.HARNESS,), FindingCategory.HARNESS),
    ],
)
def test_one_precedence_rule(categories: tuple[FindingCategory, ...], expected: FindingCategory) -> None:
    failure = ConformanceFailure("t", [_finding(f"m{i}", c) for i, c in enumerate(categories)])
    assert failure.category is expected
    assert expected.judges_box is (expected not in (FindingCategory.HARNESS, FindingCategory.TRANSPORT))


def test_the_budget_decides_what_is_shown_never_the_raise() -> None:
    findings = [_finding(f"finding {n}", FindingCategory.SEMANTIC, "V2Q-PAGE-001") for n in range(60)]
    requests = [HttpRequestRecord("GET", f"http://h/{n}") for n in range(30)]
    exchanges = [HttpExchange(request, None, error="refused") for request in requests]
    failure = ConformanceFailure("many", findings, exchanges=exchanges)
    terminal, allure = failure.render(TERMINAL), failure.render(ALLURE)
    assert str(failure) == terminal
    assert f"- … and {60 - TERMINAL.findings} more finding(s)" in terminal
    assert f"- … and {60 - ALLURE.findings} more finding(s)" in allure
    assert f"--- Exchange {TERMINAL.exchanges}: " in terminal
    assert f"--- Exchange {TERMINAL.exchanges + 1}: " not in terminal
    assert f"--- … {30 - TERMINAL.exchanges} more exchange(s)" in terminal
    assert f"--- Exchange {ALLURE.exchanges}: " in allure
    assert len(failure.findings) == 60 and len(failure.exchanges) == 30


def test_long_evidence_is_clipped_by_the_budget() -> None:
    finding = Finding("c", "big", ("X-Y-001",), evidence={"ids": list(range(2000))})
    text = ConformanceFailure("t", [finding]).render(TERMINAL)
    line = next(line for line in text.splitlines() if "evidence:" in line)
    assert len(line) < TERMINAL.evidence_chars + 60 and "characters>" in line


def test_fail_and_fail_unless_make_one_finding_naming_the_given_ids() -> None:
    fail_unless(True, "fine", ["A-B-001"])
    with pytest.raises(ConformanceFailure) as info:
        fail_unless(False, "no stranger", ["V2EV-SCHEMA-026"], detail="48 ev", category=FindingCategory.UNIT)
    (finding,) = info.value.findings
    assert (finding.message, finding.requirement_ids) == ("no stranger", ("V2EV-SCHEMA-026",))
    assert finding.detail == "48 ev" and finding.check == ""
    assert info.value.category is FindingCategory.UNIT
    with pytest.raises(ConformanceFailure, match="gone"):
        fail("gone", ())


def test_recast_turns_every_finding_into_a_harness_error() -> None:
    failure = ConformanceFailure.of("refused", category=FindingCategory.TRANSPORT).recast(
        FindingCategory.HARNESS, "receiver unreachable: refused"
    )
    assert failure.category is FindingCategory.HARNESS and failure.title == "receiver unreachable: refused"
    assert all(found.category is FindingCategory.HARNESS for found in failure.findings)


def test_a_failure_without_findings_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one finding"):
        ConformanceFailure("t", [])


def test_one_id_given_as_a_string_is_refused_not_spelled_out() -> None:
    with pytest.raises(TypeError, match="sequence of ids"):
        fail("t", "V2Q-PAGE-001")
    with pytest.raises(TypeError, match="sequence of ids"):
        Finding("c", "m", "V2Q-PAGE-001")  # type: ignore[arg-type]


def test_a_failure_over_an_unanswered_exchange_is_transport() -> None:
    """A box that answered nothing has shown no wrong status: the bridge files it as transport."""
    from conformance.checks.findings import FindingCategory
    from conformance.clients.exchange import HttpExchange, HttpRequestRecord
    from conformance.clients.failures import ConformanceFailure, fail

    request = HttpRequestRecord(method="POST", url="http://127.0.0.1:9/x", headers=(), body=b"{}")
    silent = HttpExchange(request=request, response=None, error="connection reset by peer")
    try:
        fail("HTTP None, expected 200", ["V2Q-SCHEMA-002"], [silent])
    except ConformanceFailure as failure:
        assert failure.category is FindingCategory.TRANSPORT
        assert "connection reset by peer" in str(failure)
    else:
        raise AssertionError("fail() did not raise")
