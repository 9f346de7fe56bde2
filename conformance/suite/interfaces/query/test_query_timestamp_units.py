"""Timestamp units: which unit (s or ms) and kind (integer or float) the box uses for every time it sends
and every time filter it reads, inferred from its behaviour on its own data and judged under the profile.

No control plane is needed. Each test records its inference as the `unit_inference` property (and the
erratum reading as `sophon_observed`); see docs/query-semantics.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from conformance.checks.unit_inference import classify_timestamp, infer_timestamp_unit, judge_unit
from conformance.clients.failures import fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.query_calls import APIS, QueryApi
from conformance.suite.support.query_data import WINDOW_EVENTS, BoxWindow
from conformance.suite.support.query_units import (
    ProbeTarget,
    UnitRecord,
    UnitSubject,
    field_values,
    record,
    run_filter_probe,
)
from conformance.target.target import Target


def _fields(interface: str, documented: str, integer: bool | None, erratum: str | None) -> list[UnitSubject]:
    main, extra = (
        ("V2EV-TIME-001", "V2EV-TIME-002") if interface == "v2" else ("V1EV-TIME-001", "V1EV-TIME-002")
    )
    inner = "ext_data" if interface == "v2" else "video_data"
    subjects = [
        UnitSubject(
            f"{interface}.event.timestamp",
            interface,
            "field",
            documented,
            integer,
            erratum,
            (main,),
            ("timestamp",),
        )
    ]
    for name in ("in_timestamp", "recognition_timestamp", "out_timestamp"):
        subjects.append(
            UnitSubject(
                f"{interface}.event.{inner}.{name}",
                interface,
                "field",
                documented,
                integer,
                erratum,
                (extra,),
                (inner, name),
            )
        )
    return subjects


FIELD_SUBJECTS = [*_fields("v2", "ms", True, "E02"), *_fields("v1", "s", None, None)]
FILTER_SUBJECTS = [
    UnitSubject("v2.filter.datetime_gte/lte", "v2", "filter", "ms", None, "E01", ("V2Q-TIME-001",)),
    UnitSubject("v1.filter.datetime_gte/lte", "v1", "filter", "s", False, None, ("V1Q-TIME-001",)),
]


def _judged(subject: UnitSubject, inference: Any, profile: str) -> UnitRecord:
    findings = judge_unit(
        inference,
        documented=subject.documented,
        profile=profile,
        erratum=subject.erratum,
        documented_integer=subject.documented_integer,
        requirements=subject.requirements,
    )
    return UnitRecord(subject, inference, profile, tuple(findings))


def newest_items(api: QueryApi, client: RecordingHttpClient) -> tuple[Mapping[str, Any], ...]:
    """The box's newest events as this interface renders them."""
    return api.fetch(client, {}, page=0, size=WINDOW_EVENTS).items


@pytest.mark.req("V2EV-TIME-001", "V2EV-TIME-002", "V1EV-TIME-001", "V1EV-TIME-002")
@pytest.mark.parametrize("subject", FIELD_SUBJECTS, ids=[s.name for s in FIELD_SUBJECTS])
def test_timestamp_field_unit(
    subject: UnitSubject,
    box_window: BoxWindow,
    http_client: RecordingHttpClient,
    target: Target,
    request: pytest.FixtureRequest,
) -> None:
    """Every timestamp field is in its documented unit (strict), or a reading the erratum allows (lenient)."""
    if box_window.empty:
        pytest.skip("the box holds no events: no timestamps to look at")
    api = APIS[subject.interface]
    answer = api.fetch(http_client, {}, page=0, size=WINDOW_EVENTS)
    values = field_values(answer.items, subject.path)
    if not values:
        record(request.node.user_properties, UnitRecord(subject, None, target.profile))
        return  # an optional field the box never sends: nothing to judge
    unit_record = _judged(subject, infer_timestamp_unit(values), target.profile)
    record(request.node.user_properties, unit_record)
    fail_on(
        list(unit_record.findings),
        title=f"{subject.name} unit",
        exchanges=[answer.response.exchange],
        context=f"values {values[:3]}",
    )


def _probe_target(api: QueryApi, items: tuple[Mapping[str, Any], ...]) -> ProbeTarget | None:
    """The event to probe with: readable time, preferably with a fraction far from a whole second."""
    candidates = []
    for item in items:
        value: Any = item.get("timestamp")
        if isinstance(value, bool) or classify_timestamp(value) == "unknown":
            continue
        seconds = float(value) / (1000 if classify_timestamp(value) == "ms" else 1)
        fraction = seconds % 1
        candidates.append((min(fraction, abs(fraction - 0.5), 1 - fraction), item, value))
    if not candidates:
        return None
    _, item, value = max(candidates, key=lambda c: c[0])
    if api.is_v2:
        device = _at(item, "media_device_info", "media_device_id")
        return ProbeTarget(str(item.get("event_id")), value, {"media_device_ids": [device]} if device else {})
    device = _at(item, "common", "ep_info", "device_id")
    return ProbeTarget(str(item.get("_id")), value, {"streams": [device]} if device else {})


def _at(item: Mapping[str, Any], *path: str) -> Any:
    value: Any = item
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


@pytest.mark.req("V2Q-TIME-001", "V1Q-TIME-001")
@pytest.mark.parametrize("subject", FILTER_SUBJECTS, ids=[s.name for s in FILTER_SUBJECTS])
def test_time_filter_unit(
    subject: UnitSubject,
    box_window: BoxWindow,
    http_client: RecordingHttpClient,
    target: Target,
    request: pytest.FixtureRequest,
) -> None:
    """A window around one event's time, sent once as ms and once as s, shows which unit the filter reads."""
    api = APIS[subject.interface]
    probe_target = _probe_target(api, newest_items(api, http_client))
    if probe_target is None:
        pytest.skip("the box holds no event with a readable timestamp to probe the time filter with")
    inference, exchanges = run_filter_probe(api, http_client, probe_target)
    unit_record = _judged(subject, inference, target.profile)
    record(request.node.user_properties, unit_record)
    fail_on(
        list(unit_record.findings),
        title=f"{subject.name} unit",
        exchanges=exchanges,
        context=f"probe outcomes {inference.evidence.get('probes')}",
    )
