"""box.yaml: valid OpenAPI 3.1 that schemathesis loads, whose generated requests match our schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from conformance.paths import OPENAPI_PATH
from conformance.spec.catalog import Profile, load_spec

OPERATIONS = [
    ("/sophon/v2/face/getevents", "POST", "v2-getevents-request"),
    ("/sophon/v2/face/getevent", "POST", "v2-getevent-request"),
    ("/sophon/v2/face/login", "POST", "login-request"),
    ("/SophonMatch/api/picturesearch", "POST", "picturesearch-request"),
    ("/SophonFogSys/api/HistoryEventUrl", "POST", "history-event-url-request"),
    ("/SophonFace/api/events", "GET", "v1-events-query"),
    ("/SophonDevice/api/Devices", "GET", None),
    ("/SophonFogSys/api/HistoryEventUrl", "GET", None),
    ("/sophon/v2/face/getspotimage/{image_id}", "GET", None),
]
V1_PATHS = ("/SophonFace/", "/SophonMatch/", "/SophonDevice/", "/SophonFogSys/")


@pytest.fixture(scope="module")
def api() -> Any:
    return schemathesis.openapi.from_path(str(OPENAPI_PATH))


def test_document_is_valid_openapi_31() -> None:
    document, base_uri = read_from_filename(str(OPENAPI_PATH))
    validate(document, base_uri=base_uri)
    assert document["openapi"] == "3.1.0"


def test_bundled_document_is_valid_openapi_31() -> None:
    for profile in Profile:
        document = load_spec(profile).openapi_document()
        assert "$ref" not in json.dumps(document)
        validate(document)


def test_broken_document_is_rejected() -> None:
    document = load_spec(Profile.STRICT).openapi_document()
    document["paths"]["/sophon/v2/face/getevents"]["post"]["responses"] = {"200": {"content": {}}}
    with pytest.raises(Exception, match="description"):
        validate(document)


def test_webhook_declares_json_and_multipart() -> None:
    upload = load_spec(Profile.STRICT).openapi_document()["webhooks"]["HistoryEvent"]["post"]
    assert set(upload["requestBody"]["content"]) == {"application/json", "multipart/form-data"}


def test_error_envelopes_match_each_interface() -> None:
    document = load_spec(Profile.STRICT).openapi_document()
    v1_code = load_spec(Profile.STRICT).schema("v1-error")["properties"]["error"]["properties"]["code"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            errors = {c: r for c, r in operation["responses"].items() if c.startswith("4")}
            if method == "get" and path == "/SophonFogSys/api/HistoryEventUrl":
                continue
            assert set(errors) == {"4XX"}, f"{method} {path}: errors are any 4xx (E39), not {sorted(errors)}"
            for code, response in errors.items():
                schema = response["content"]["application/json"]["schema"]
                code_schema = schema["properties"]["error"]["properties"]["code"]
                is_v1 = path.startswith(V1_PATHS)
                assert (code_schema.get("type") == v1_code["type"]) is is_v1, f"{method} {path} {code}"


@pytest.mark.parametrize(("path", "method", "schema_name"), OPERATIONS, ids=str)
def test_generated_requests_match_our_schemas(
    api: Any, path: str, method: str, schema_name: str | None
) -> None:
    operation = api[path][method]
    spec = load_spec(Profile.STRICT)
    seen: list[Any] = []

    @given(st.data())
    @settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        seen.append(case)
        if schema_name is None:
            return
        if method == "GET":
            instance = dict(case.query or {})
        elif case.media_type == "multipart/form-data":
            assert isinstance(case.body, dict)
            assert {"history_upload_event_url", "content-type", "reported_peroid"} <= set(case.body)
            return
        else:
            instance = case.body
        findings = spec.validate(schema_name, instance)
        assert findings == [], [f.message for f in findings]

    check()
    assert seen


def test_path_parameters_are_generated(api: Any) -> None:
    operation = api["/sophon/v2/face/getspotimage/{image_id}"]["GET"]

    @given(operation.as_strategy())
    @settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        assert case.path_parameters["image_id"]
        assert isinstance(case.query["timestamp"], int | float)

    check()
