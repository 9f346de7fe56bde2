"""The schema fuzz judges only the methods box.yaml declares: schemathesis also probes an operation with
undeclared methods (TRACE and the like), and the documents say nothing of those answers, so a box that
answers such a probe with 501 is not deviating; the same 501 to the declared method is a failure."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Literal

import pytest
import requests

from conformance.clients.failures import ConformanceFailure
from conformance.suite.interfaces.cross.test_openapi_schema_fuzz import SCHEMA, _call, _profile_check
from tests.target.stub_box import stub_box

V2_EVENTS = "/sophon/v2/face/getevents"
NOT_IMPLEMENTED = {"error": {"code": "NOT_IMPLEMENTED", "message": "no such method"}}


def _case(method: Literal["POST", "TRACE"]) -> Any:
    """A v2 getevents case of box.yaml, sent with `method`."""
    operations = (result.ok() for result in SCHEMA.get_all_operations() if hasattr(result, "ok"))
    operation = next(op for op in operations if op.definition.raw.get("operationId") == "v2GetEvents")
    return operation.Case(method=method, body={})


def _target(box_url: str) -> Any:
    """What `_call` reads of the run's target: the box, its profile, every interface tested."""
    return SimpleNamespace(
        box_url=box_url, profile="strict", capabilities=SimpleNamespace(tested=lambda _interface: True)
    )


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """One HTTP session, closed after the test."""
    with requests.Session() as opened:
        yield opened


def test_a_501_to_an_undeclared_method_is_not_a_deviation(session: requests.Session) -> None:
    """The stub box has no TRACE handler: it answers 501, and neither the call nor the body check fails."""
    with stub_box() as box_url:
        probe = _case("TRACE")
        response = probe.call(base_url=box_url, session=session)
        assert response.status_code == 501, response.status_code
        assert _profile_check("strict")(None, response, probe) is True
        _call(probe, _target(box_url), session)


def test_a_501_to_the_declared_method_is_a_deviation(session: requests.Session) -> None:
    """The same answer to the method box.yaml declares (POST) is a server error, failed with findings."""
    answers = {("POST", V2_EVENTS): (501, NOT_IMPLEMENTED)}
    with stub_box(answers) as box_url, pytest.raises(ConformanceFailure) as failure:
        _call(_case("POST"), _target(box_url), session)
    assert failure.value.findings, str(failure.value)
