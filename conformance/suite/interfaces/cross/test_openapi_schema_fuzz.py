"""Schema area: schemathesis drives every HTTP operation of box.yaml; responses must conform, never 5xx.

Responses are judged by the spec layer under the run's profile (`load_spec(profile).validate`), so
a lenient run accepts the lenient readings of the errata and a strict run enforces the tables; the
status, content-type and negative-data checks are schemathesis's own, narrowed to what the documents
state: an error is any 4xx (box.yaml documents 4XX, E39), a page size above the default may be refused
(E38) and a value outside an optional parameter's list may be ignored (E40; support/request_leeway.py).
Each operation has its own example budget: cheap queries get many, picture search (big generated
photos, face detection) few.

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

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.paths import OPENAPI_PATH
from conformance.spec.feature_vectors import feature_problem
from conformance.suite.hypothesis_profiles import schema_fuzz_examples
from conformance.suite.response_schemas import check_response, success_requirement_ids
from conformance.suite.support.query_calls import V2
from conformance.suite.support.request_leeway import leeway
from conformance.suite.support.schemathesis_findings import raise_as_findings
from conformance.target.target import Target

# loaded at import time and called with base_url: works on pytest 9.1 and 9.2 (from_fixture does not)
SCHEMA = schemathesis.openapi.from_path(OPENAPI_PATH)
# fuzzing HistoryEventUrl would point the box's uploader at generated hosts (traffic leaving the machine)
NEVER_FUZZED = ("setHistoryEventUrl",)
CONTENT_JUDGED = frozenset({"POST /SophonMatch/api/picturesearch"})
TestFunction = TypeVar("TestFunction", bound=Callable[..., None])
# operations of the mandatory interfaces: a user may declare one absent (box profile), then it skips
INTERFACE_OF = {
    "v2GetEvents": "v2_events",
    "v1Events": "v1_events",
    "v1PictureSearch": "picture_search",
    "v1Devices": "devices",
    "getHistoryEventUrl": "history_event_url",
}
FUZZ_PAGE_MAX = 1000  # the largest page size the fuzz test asks for (E38: no documented maximum)
FEATURE_PAGE = 100  # events whose feature_binary is decoded; the newest page of whatever the box holds


@SCHEMA.hook
def map_body(_context: Any, body: Any) -> Any:
    """Fuzzed v2 page sizes stay at FUZZ_PAGE_MAX at most (see `_bounded`)."""
    return _bounded(body, "page_limit")


@SCHEMA.hook
def map_query(_context: Any, query: Any) -> Any:
    """Fuzzed v1 page sizes stay at FUZZ_PAGE_MAX at most (see `_bounded`)."""
    return _bounded(query, "per_page")


def _bounded(values: Any, key: str) -> Any:
    """No maximum page size is documented (E38), so a box may serve months of history in one page:
    the fuzz test keeps sizes small, and the huge size has its own test over a closed window."""
    size = values.get(key) if isinstance(values, dict) else None
    if isinstance(size, int) and not isinstance(size, bool) and size > FUZZ_PAGE_MAX:
        return {**values, key: FUZZ_PAGE_MAX}
    return values


def _profile_check(profile: str) -> Any:
    """A schemathesis check: the body against its schema under the run's profile (errata named)."""

    def response_conforms_to_profile(_ctx: Any, response: Any, case: Any) -> bool:
        if str(case.method).upper() != str(case.operation.method).upper():
            return True  # a probe with an undocumented method: the documents say nothing of its answer
        content_type = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
        if isinstance(content_type, list):
            content_type = content_type[0] if content_type else ""
        check_response(case.operation.label, response.status_code, content_type, response.content, profile)
        return True

    return response_conforms_to_profile


def _call(case: Any, target: Target, session: requests.Session) -> None:
    interface = INTERFACE_OF.get(_operation_id(case))
    if interface is not None and not target.capabilities.tested(interface):
        pytest.skip(f"{interface} declared absent by the user (box profile `interfaces`)")
    if str(case.method).upper() != str(case.operation.method).upper():
        return  # an undeclared method (TRACE...): the documents say nothing of it, so any answer passes
    # the documents say nothing about Allow headers either: not a requirement of theirs
    excluded = [unsupported_method, response_schema_conformance]  # the body is judged per profile instead
    # both data checks are replaced by ones that allow what the documents leave open (E38, E40)
    excluded += [positive_data_acceptance, negative_data_rejection]
    additional = [_profile_check(target.profile)]
    if case.operation.label not in CONTENT_JUDGED:
        # a schema-valid photo may hold no face: NO_FACE_ERROR / IMAGE_DECODE_ERROR are documented 4xx answers
        additional.append(_documented_acceptance)
    if case.operation.label in CONTENT_JUDGED and target.profile == "lenient":
        additional.append(_rejection_or_retcode_0)
    else:
        additional.append(_documented_rejection)
    try:
        case.call_and_validate(
            base_url=target.box_url,
            session=session,
            excluded_checks=excluded,
            additional_checks=additional,
            timeout=30,
        )
    except (AssertionError, BaseExceptionGroup) as failure:  # findings naming the operation's ids
        raise_as_findings(failure, _operation_id(case))


def _documented_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """Valid data accepted, except a refusal the documents allow (a page size above its default, E38)."""
    if leeway(_operation_id(case)).tolerates_refusal(case, response):
        return True
    return positive_data_acceptance(ctx, response, case)


def _documented_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    """Invalid data refused with any 4xx, except a value the box may ignore (E40)."""
    if 400 <= int(response.status_code) < 500:
        return True  # any 4xx refuses (E39); the envelope is judged by the profile check
    if 200 <= int(response.status_code) < 300 and leeway(_operation_id(case)).tolerates_acceptance(case):
        return True
    return negative_data_rejection(ctx, response, case)


def _operation_id(case: Any) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def _rejection_or_retcode_0(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's negative-data check, where (E32 lenient) 200 with retcode "0" and no results refuses."""
    try:
        body = response.json()
    except ValueError:
        body = None
    refused = isinstance(body, dict) and (body.get("retcode") == "0" or body.get("ret_code") == 0)
    if response.status_code == 200 and refused and not body.get("event_list"):
        return True
    return _documented_rejection(ctx, response, case)


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
@settings(max_examples=schema_fuzz_examples("v2GetEvents"))
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
@settings(max_examples=schema_fuzz_examples("v1Events"))
def test_v1_events_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Valid query strings get a documented page of v1 events; invalid ones a 4xx with the v1 envelope."""
    _call(case, target, counted_session)


@pytest.mark.req("V2G-SCHEMA-001", "V2G-SCHEMA-002", "V2G-ERR-001")
@_operation("v2GetEvent")
@settings(max_examples=schema_fuzz_examples("v2GetEvent"))
def test_v2_getevent_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Any event id gets the event or a documented v2 error, never a 5xx."""
    _call(case, target, counted_session)


@pytest.mark.req("DEV-SCHEMA-001", "DEV-ERR-001")
@_operation("v1Devices")
@settings(max_examples=schema_fuzz_examples("v1Devices"))
def test_devices_conform(case: Any, target: Target, counted_session: requests.Session) -> None:
    """The device list answers per its schema; an unknown device a documented 404."""
    _call(case, target, counted_session)


@pytest.mark.req("IMG-SCHEMA-001", "IMG-ERR-001")
@_operation("v2GetSpotImage")
@settings(max_examples=schema_fuzz_examples("v2GetSpotImage"))
def test_spot_image_conforms(case: Any, target: Target, counted_session: requests.Session) -> None:
    """Any image id and timestamp gets a JPEG or a documented v2 error."""
    _call(case, target, counted_session)


@pytest.mark.req("UPC-CONFIG-002")
@_operation("getHistoryEventUrl")
@settings(max_examples=schema_fuzz_examples("getHistoryEventUrl"))
def test_upload_setting_reads_conform(case: Any, target: Target, counted_session: requests.Session) -> None:
    """Reading the upload setting answers per its schema."""
    _call(case, target, counted_session)


@pytest.mark.req("PS-SCHEMA-001", "PS-ERR-001", "PS-ERR-003")
@_operation("v1PictureSearch")
@settings(max_examples=schema_fuzz_examples("v1PictureSearch"))
def test_picture_search_conforms(
    case: Any, stored: None, target: Target, counted_session: requests.Session
) -> None:
    """Any search body gets a documented answer or a 4xx with the v1 envelope, never a 5xx."""
    _call(case, target, counted_session)


@pytest.mark.req("LOGIN-SCHEMA-001")
@pytest.mark.writes_box
@_operation("v2Login")
@settings(max_examples=schema_fuzz_examples("v2Login"))
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
        detail="\n".join(problems[:8]),
        category=FindingCategory.SCHEMA,
    )
