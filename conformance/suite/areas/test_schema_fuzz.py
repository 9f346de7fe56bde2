"""Schema area: schemathesis drives every HTTP operation of box.yaml; responses must conform, never 5xx.

Responses are judged by the spec layer under the run's profile (`load_spec(profile).validate`), so
a lenient run accepts the lenient readings of the errata and a strict run enforces the tables; the
status, content-type and negative-data checks are schemathesis's own. Each operation has its own
example budget: cheap queries get many, picture search (big generated photos, face detection) few.

The query tests also name every requirement linked (`x-requirements`) in their success schemas,
computed from the schemas, because their answers hold the seeded events those schemas judge. The
fuzzed single-event and picture-search calls rarely see an event (random ids, faceless photos), so
they name only what they certainly judge; item requirements belong to the tests with real data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import pytest
import requests
import schemathesis
from hypothesis import settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    unsupported_method,
)

from conformance.clients.failures import FailureCategory
from conformance.clients.http_client import RecordingHttpClient
from conformance.paths import OPENAPI_PATH
from conformance.spec.feature_vectors import feature_problem
from conformance.suite.areas.query_calls import V2
from conformance.suite.areas.search_findings import fail_unless
from conformance.suite.hypothesis_profiles import DEEP
from conformance.suite.response_schemas import check_response, success_requirement_ids
from conformance.target.target import Target

# loaded at import time and called with base_url: works on pytest 9.1 and 9.2 (from_fixture does not)
SCHEMA = schemathesis.openapi.from_path(OPENAPI_PATH)
# fuzzing HistoryEventUrl would point the box's uploader at generated hosts (traffic leaving the machine)
NEVER_FUZZED = ("setHistoryEventUrl",)
CONTENT_JUDGED = frozenset({"POST /SophonMatch/api/picturesearch"})
TestFunction = TypeVar("TestFunction", bound=Callable[..., None])
SCALE = 10 if settings.get_current_profile_name() == DEEP else 1  # deep: 10x the gate's examples
# examples per operation in the gate profile: a page of seeded events costs ~30 ms to fetch and judge,
# a generated picture search ~100 ms (big base64 strings, face detection)
GATE_EXAMPLES = {
    "v2GetEvents": 350,
    "v1Events": 350,
    "v2GetEvent": 400,
    "v1Devices": 300,
    "v2GetSpotImage": 300,
    "getHistoryEventUrl": 5,
    "v1PictureSearch": 30,
    "v2Login": 60,
}
FEATURE_PAGE = 100  # events whose feature_binary is decoded; the newest page of whatever the box holds


def _examples(operation_id: str) -> int:
    return GATE_EXAMPLES[operation_id] * SCALE


def _profile_check(profile: str) -> Any:
    """A schemathesis check: the body against its schema under the run's profile (errata named)."""

    def response_conforms_to_profile(_ctx: Any, response: Any, case: Any) -> bool:
        content_type = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
        if isinstance(content_type, list):
            content_type = content_type[0] if content_type else ""
        check_response(case.operation.label, response.status_code, content_type, response.content, profile)
        return True

    return response_conforms_to_profile


def _call(case: Any, target: Target, session: requests.Session) -> None:
    # the documents say nothing about undeclared methods (TRACE, Allow headers): not a requirement of theirs
    excluded = [unsupported_method, response_schema_conformance]  # the body is judged per profile instead
    if case.operation.label in CONTENT_JUDGED:
        # a schema-valid photo may hold no face: NO_FACE_ERROR / IMAGE_DECODE_ERROR are documented 4xx answers
        excluded.append(positive_data_acceptance)
    additional = [_profile_check(target.profile)]
    if case.operation.label in CONTENT_JUDGED and target.profile == "lenient":
        excluded.append(negative_data_rejection)
        additional.append(_rejection_or_retcode_0)
    case.call_and_validate(
        base_url=target.box_url,
        session=session,
        excluded_checks=excluded,
        additional_checks=additional,
        timeout=30,
    )


def _rejection_or_retcode_0(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's negative-data check, where (E32 lenient) 200 with retcode "0" and no results refuses."""
    try:
        body = response.json()
    except ValueError:
        body = None
    refused = isinstance(body, dict) and (body.get("retcode") == "0" or body.get("ret_code") == 0)
    if response.status_code == 200 and refused and not body.get("event_list"):
        return True
    return negative_data_rejection(ctx, response, case)


def _operation(operation_id: str) -> Callable[[TestFunction], TestFunction]:
    """Parametrize a test with one operation of box.yaml (schemathesis's decorator, typed)."""
    return cast(
        Callable[[TestFunction], TestFunction], SCHEMA.include(operation_id=operation_id).parametrize()
    )


@pytest.fixture(scope="module")
def stored(request: pytest.FixtureRequest, target: Target) -> None:
    """Answers must hold events to be judged: seed the core scenario where a control plane exists."""
    if target.has_control:
        request.getfixturevalue("core_scenario")


@pytest.mark.req(
    "V2Q-SCHEMA-001",
    "V2Q-SCHEMA-003",
    "V2EV-SCHEMA-001",
    "V2Q-ERR-001",
    "V2Q-ERR-003",
    *success_requirement_ids("v2GetEvents"),
)
@_operation("v2GetEvents")
@settings(max_examples=_examples("v2GetEvents"))
def test_v2_getevents_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Valid queries get a documented page of events; invalid ones a 4xx with the v2 envelope."""
    _call(case, target, counted_session)


@pytest.mark.req(
    "V1Q-SCHEMA-001",
    "V1Q-SCHEMA-003",
    "V1EV-SCHEMA-001",
    "V1Q-ERR-001",
    "V1Q-ERR-003",
    *success_requirement_ids("v1Events"),
)
@_operation("v1Events")
@settings(max_examples=_examples("v1Events"))
def test_v1_events_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Valid query strings get a documented page of v1 events; invalid ones a 4xx with the v1 envelope."""
    _call(case, target, counted_session)


@pytest.mark.req("V2G-SCHEMA-001", "V2G-SCHEMA-002", "V2G-ERR-001")
@_operation("v2GetEvent")
@settings(max_examples=_examples("v2GetEvent"))
def test_v2_getevent_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Any event id gets the event or a documented v2 error, never a 5xx."""
    _call(case, target, counted_session)


@pytest.mark.req("DEV-SCHEMA-001", "DEV-ERR-001")
@_operation("v1Devices")
@settings(max_examples=_examples("v1Devices"))
def test_devices_conform(case: Any, target: Target, counted_session: requests.Session) -> None:
    """The device list answers per its schema; an unknown device a documented 404."""
    _call(case, target, counted_session)


@pytest.mark.req("IMG-SCHEMA-001", "IMG-ERR-001")
@_operation("v2GetSpotImage")
@settings(max_examples=_examples("v2GetSpotImage"))
def test_spot_image_conforms(case: Any, target: Target, counted_session: requests.Session) -> None:
    """Any image id and timestamp gets a JPEG or a documented v2 error."""
    _call(case, target, counted_session)


@pytest.mark.req("UPC-CONFIG-002")
@_operation("getHistoryEventUrl")
@settings(max_examples=_examples("getHistoryEventUrl"))
def test_upload_setting_reads_conform(case: Any, target: Target, counted_session: requests.Session) -> None:
    """Reading the upload setting answers per its schema."""
    _call(case, target, counted_session)


@pytest.mark.req("PS-SCHEMA-001", "PS-ERR-001", "PS-ERR-003")
@_operation("v1PictureSearch")
@settings(max_examples=_examples("v1PictureSearch"))
def test_picture_search_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Any search body gets a documented answer or a 4xx with the v1 envelope, never a 5xx."""
    _call(case, target, counted_session)


@pytest.mark.req("LOGIN-SCHEMA-001")
@pytest.mark.writes_box
@_operation("v2Login")
@settings(max_examples=_examples("v2Login"))
def test_login_conforms(case: Any, target: Target, counted_session: requests.Session) -> None:
    """Login answers per its schema for any credentials, never with a 5xx."""
    _call(case, target, counted_session)


@pytest.mark.req("V2EV-SCHEMA-020")
def test_v2_features_are_unit_vectors(stored: None, http_client: RecordingHttpClient) -> None:
    """feature_binary is "" or 512 little-endian float32 of L2 norm 1.0 (the schema checks the length)."""
    answer = V2.fetch(http_client, size=FEATURE_PAGE, requirements=["V2EV-SCHEMA-020"])
    features = {
        item.get("event_id"): item.get("recognize_face_attr", {}).get("feature_binary", "")
        for item in answer.items
    }
    problems = [
        f"{event_id!r}: {problem}"
        for event_id, text in features.items()
        if (problem := feature_problem(text))
    ]
    fail_unless(
        not problems,
        f"{len(problems)} of {len(answer.items)} event feature(s) break V2EV-SCHEMA-020: "
        + (problems[0] if problems else ""),
        ["V2EV-SCHEMA-020"],
        [answer.response.exchange],
        message="\n".join(problems[:8]),
        category=FailureCategory.SCHEMA,
    )
