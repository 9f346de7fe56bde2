"""The fuzz checks' leeway: only what the documents leave open (E38 page sizes, E40 ignorable values)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core.mutations import Mutation, MutationChannel, OperatorKind
from schemathesis.core.parameters import ParameterLocation

from conformance.suite.support.request_leeway import leeway

BODY, QUERY = ParameterLocation.BODY, ParameterLocation.QUERY
V2_REFUSAL = {"error": {"code": "INVALID_ARGUMENTS", "message": "page_limit"}}
V1_REFUSAL = {"error": {"code": 422, "message": "per_page", "status": "INVALID_ARGUMENTS"}}


def _mutation(path: tuple[str, ...], where: ParameterLocation, *keywords: str) -> Mutation:
    return Mutation(
        path=path,
        parameter_location=where,
        schema_pointer="",
        channel=MutationChannel.SCHEMA,
        operator=OperatorKind.NEGATE_CONSTRAINTS,
        keywords=keywords,
        parameter=path[-1] if path else None,
        original_value=None,
        new_value=None,
    )


USER_TYPE_PATTERN = _mutation(("filters", "user_type"), BODY, "pattern")


def _case(*mutations: Mutation, body: Any = None, query: Any = None) -> Any:
    phase = SimpleNamespace(data=SimpleNamespace(mutations=mutations))
    return SimpleNamespace(meta=SimpleNamespace(phase=phase), body=body, query=query or {})


def _response(status: int, body: Any) -> Any:
    return SimpleNamespace(status_code=status, json=lambda: body)


def test_markers_are_read_from_the_schemas() -> None:
    v2 = leeway("v2GetEvents")
    assert v2.ignorable[("filters", "user_type")] == {"pattern"}
    assert v2.ignorable[("filters", "datetime_gte")] == {"minimum"} and ("page_limit",) not in v2.ignorable
    assert v2.refusable_above == {("page_limit",): 10.0}
    v1 = leeway("v1Events")
    assert v1.ignorable[("userType",)] == {"minimum", "maximum"} and v1.ignorable[("top_k",)] == {"minimum"}
    assert v1.refusable_above == {("per_page",): 10.0} and ("per_page",) not in v1.ignorable
    assert leeway("v1Devices").ignorable == {("need_preview_list",): {"anyOf", "type", "const"}}
    assert leeway("v1PictureSearch").ignorable[("fiqa_level",)] == {"enum"}
    assert not leeway("v2GetEvent").ignorable and not leeway("v2GetEvent").refusable_above


@pytest.mark.parametrize(
    ("operation", "mutations", "tolerated"),
    [
        ("v2GetEvents", [_mutation(("filters", "user_type"), BODY, "pattern")], True),
        ("v2GetEvents", [_mutation(("filters", "user_type"), BODY, "type")], False),  # a number: refused
        ("v2GetEvents", [_mutation(("filters", "datetime_gte"), BODY, "minimum", "x-errata")], True),
        ("v2GetEvents", [_mutation(("filters", "datetime_gte"), BODY, "type")], False),
        ("v2GetEvents", [_mutation(("page_limit",), BODY, "minimum")], False),
        ("v2GetEvents", [USER_TYPE_PATTERN, _mutation(("page_index",), BODY, "minimum")], False),
        ("v1Devices", [_mutation(("need_preview_list",), QUERY, "anyOf")], True),
        ("v1Devices", [_mutation(("need_preview_list",), QUERY, "type")], True),  # a query value is text
        ("v1Devices", [_mutation((), QUERY, "additionalProperties")], False),
        ("v1Events", [_mutation(("per_page",), QUERY, "type")], False),
        ("v1Events", [_mutation(("userType",), QUERY, "type")], False),  # userType=abc: refused
        ("v1Events", [_mutation(("top_k",), QUERY, "minimum")], True),
        ("v1Events", [], False),
    ],
)
def test_accepting_invalid_data_is_tolerated_only_for_ignorable_values(
    operation: str, mutations: list[Mutation], tolerated: bool
) -> None:
    assert leeway(operation).tolerates_acceptance(_case(*mutations)) is tolerated


@pytest.mark.parametrize(
    ("operation", "case", "response", "tolerated"),
    [
        ("v2GetEvents", _case(body={"page_limit": 10**12}), _response(422, V2_REFUSAL), True),
        ("v2GetEvents", _case(body={"page_limit": 11}), _response(400, V2_REFUSAL), True),
        ("v2GetEvents", _case(body={"page_limit": 10}), _response(400, V2_REFUSAL), False),  # the default
        ("v2GetEvents", _case(body={"page_limit": 5000}), _response(500, V2_REFUSAL), False),
        ("v2GetEvents", _case(body={"page_limit": 5000}), _response(400, {"error": {"code": "X"}}), False),
        ("v2GetEvents", _case(body={"page_index": 5000}), _response(400, V2_REFUSAL), False),
        ("v1Events", _case(query={"per_page": "1000000"}), _response(422, V1_REFUSAL), True),
        ("v1Events", _case(query={"per_page": "3"}), _response(422, V1_REFUSAL), False),
        ("v1Events", _case(query={"page": ""}), _response(400, V1_REFUSAL), True),  # empty value: unstated
    ],
)
def test_refusing_valid_data_is_tolerated_only_for_page_sizes_and_empty_values(
    operation: str, case: Any, response: Any, tolerated: bool
) -> None:
    assert leeway(operation).tolerates_refusal(case, response) is tolerated
