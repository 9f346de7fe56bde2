"""Every documented operation is fuzzed with a budget; the per-profile response check judges bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.clients.failures import ConformanceFailure
from conformance.suite.hypothesis_profiles import SCHEMA_FUZZ_EXAMPLES
from conformance.suite.interfaces.cross.test_openapi_schema_fuzz import NEVER_FUZZED, SCHEMA
from conformance.suite.response_schemas import check_response, schema_for

V2_EVENTS = "POST /sophon/v2/face/getevents"
EXAMPLE = Path(__file__).parents[1] / "data" / "examples" / "000-getevents-response.json"


def test_every_operation_has_a_budget() -> None:
    documented = {
        result.ok().definition.raw.get("operationId")
        for result in SCHEMA.get_all_operations()
        if hasattr(result, "ok")
    }
    assert len(documented) >= len(SCHEMA_FUZZ_EXAMPLES)
    assert documented - set(NEVER_FUZZED) == set(SCHEMA_FUZZ_EXAMPLES)


def test_response_schemas_come_from_box_yaml() -> None:
    assert schema_for(V2_EVENTS, 200) == "v2-getevents-response"
    assert schema_for(V2_EVENTS, 400) == "v2-error"
    assert schema_for("GET /SophonFace/api/events", 400) == "v1-error"
    assert schema_for(V2_EVENTS, 422) == "v2-error"  # any 4xx carries the envelope (E39)
    assert schema_for(V2_EVENTS, 503) is None


def _v2_page(timestamp: float) -> bytes:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for item in body["events"]:
        item["timestamp"] = timestamp
    return json.dumps(body).encode()


def test_seconds_timestamp_fails_strict_and_passes_lenient() -> None:
    seconds = _v2_page(1628066406.608026)  # the seed example's reading (E02)
    check_response(V2_EVENTS, 200, "application/json", seconds, "lenient")
    with pytest.raises(ConformanceFailure, match="E02"):
        check_response(V2_EVENTS, 200, "application/json", seconds, "strict")


def test_error_envelope_is_checked_and_non_json_is_refused() -> None:
    with pytest.raises(ConformanceFailure, match="v2-error"):
        check_response(V2_EVENTS, 400, "application/json", b'{"error": {"code": 400}}', "lenient")
    with pytest.raises(ConformanceFailure, match="not JSON"):
        check_response(V2_EVENTS, 400, "application/json", b"<html>", "strict")
    check_response(V2_EVENTS, 400, "text/html", b"<html>", "strict")  # content type is schemathesis's job
