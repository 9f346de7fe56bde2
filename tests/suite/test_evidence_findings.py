"""Schema deviations fail through the one bridge: one finding per schema finding, each naming its ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import ConformanceFailure
from conformance.spec.catalog import Profile, load_spec
from conformance.suite.response_schemas import check_response
from conformance.suite.support.schema_findings import fail_on_schema

V2_EVENTS = "POST /sophon/v2/face/getevents"
EXAMPLE = Path(__file__).parents[1] / "data" / "examples" / "000-getevents-response.json"


def _seconds_page() -> bytes:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for item in body["events"]:
        item["timestamp"] = 1628066406.608026  # the seed example's reading (E02)
    return json.dumps(body).encode()


def test_a_fuzzed_response_fails_with_structured_schema_findings() -> None:
    with pytest.raises(ConformanceFailure) as info:
        check_response(V2_EVENTS, 200, "application/json", _seconds_page(), "strict")
    failure = info.value
    expected = load_spec(Profile.STRICT).validate("v2-getevents-response", json.loads(_seconds_page()))
    assert len(failure.findings) == len(expected) > 0
    assert failure.category is FindingCategory.SCHEMA
    for finding, found in zip(failure.findings, expected, strict=True):
        assert finding.category is FindingCategory.SCHEMA
        assert finding.requirement_ids == found.requirements  # what the schema node names, nothing more
        assert finding.evidence["instance_path"] == found.instance_path
    assert failure.requirement_ids == tuple(dict.fromkeys(i for f in expected for i in f.requirements))
    assert "E02" in str(failure) and failure.title.startswith(f"{V2_EVENTS} HTTP 200: the body breaks")


def test_a_body_that_is_not_json_is_a_schema_finding_without_ids() -> None:
    with pytest.raises(ConformanceFailure, match="not JSON") as info:
        check_response(V2_EVENTS, 400, "application/json", b"<html>", "strict")
    assert info.value.category is FindingCategory.SCHEMA and info.value.requirement_ids == ()


def test_fail_on_schema_findings_name_the_node_ids_and_those_the_caller_judges() -> None:
    event = json.loads(_seconds_page())["events"][0]
    with pytest.raises(ConformanceFailure) as info:
        fail_on_schema("v2-event", event, "strict", ["V2Q-SCHEMA-003"], what="the newest event")
    failure = info.value
    assert failure.title.startswith("the newest event does not conform to v2-event (strict): ")
    timestamp = [f for f in failure.findings if f.evidence["instance_path"] == "/timestamp"]
    assert timestamp and all(f.requirement_ids == ("V2Q-SCHEMA-003", "V2EV-TIME-001") for f in timestamp)
    assert all("E02" in f.message for f in timestamp)
    assert all(f.requirement_ids[0] == "V2Q-SCHEMA-003" for f in failure.findings)
    assert all(f.check == "schema.v2-event" for f in failure.findings)
    fail_on_schema("v2-event", event, "strict", ["V2Q-SCHEMA-003"], excused=lambda _found: True)
