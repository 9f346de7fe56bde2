"""One event seen through v1, v2, WebSocket, upload and picture search must tell one story.

Build an `EventView` per interface with its adapter (`from_v2`, `from_v1`, `from_ws`, `from_upload`,
`from_search`), then ``same_event(views)`` (check ``consistency.same_event``) compares every view
with the first:

* ids, where both carry one (v2 ``event_id``, v1 ``_id``, WebSocket ``event_id`` (E14));
* times after unit conversion — v2 ms (E02: or float s), v1 float s, upload and WebSocket ms,
  search float s (E20) — within 1 ms; units are read by magnitude here, judged by ``unit.judge``;
* device ids; scores (a factor of 100 between them is reported as a unit finding);
* person type: codes 1 employee, 2 visitor, 3 blacklist, 4 stranger, 5 vip; v2 ``user_type``
  strings map onto them (case-insensitive); a missing person_type means 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, FindingCategory, deviation
from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, person_type_of

TIME_TOLERANCE_MS = 1.0
SCORE_TOLERANCE = 1e-3
SCALE = 100.0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ms(value: Any) -> float | None:
    return to_ms(value) if classify_timestamp(value) != "unknown" else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _code(value: Any) -> int | None:
    if value is None:
        return DEFAULT_PERSON_TYPE
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class EventView:
    """The comparable facts of one event as one interface reported them; None = not carried or unreadable."""

    source: str
    event_id: str | None
    ts_ms: float | None
    device_id: str | None
    score: float | None
    person_type: int | None
    type_label: str = ""  # the raw user_type / person_type, for messages

    @classmethod
    def from_v2(cls, event: Mapping[str, Any]) -> EventView:
        """A v2 getevents/getevent event."""
        user_type = event.get("user_type")
        return cls(
            source="v2",
            event_id=_text(event.get("event_id")),
            ts_ms=_ms(event.get("timestamp")),
            device_id=_text(_mapping(event.get("media_device_info")).get("media_device_id")),
            score=_number(event.get("score")),
            person_type=person_type_of(user_type) if isinstance(user_type, str) else None,
            type_label=f"user_type={user_type!r}",
        )

    @classmethod
    def from_v1(cls, event: Mapping[str, Any]) -> EventView:
        """A v1 events item (fields under `common`)."""
        common = _mapping(event.get("common"))
        return cls(
            source="v1",
            event_id=_text(event.get("_id")),
            ts_ms=_ms(event.get("timestamp")),
            device_id=_text(_mapping(common.get("ep_info")).get("device_id")),
            score=_number(common.get("score")),
            person_type=_code(common.get("person_type")),
            type_label=f"person_type={common.get('person_type')!r}",
        )

    @classmethod
    def from_ws(cls, message: Mapping[str, Any]) -> EventView:
        """A WebSocket push message."""
        ext = _mapping(message.get("ext_data"))
        return cls(
            source="ws",
            event_id=_text(message.get("event_id")),
            ts_ms=_ms(message.get("timestamp")),
            device_id=_text(message.get("device_id")),
            score=_number(message.get("score")),
            person_type=_code(ext.get("person_type")),
            type_label=f"person_type={ext.get('person_type')!r}",
        )

    @classmethod
    def from_upload(cls, upload: Mapping[str, Any]) -> EventView:
        """An upload payload (no event id)."""
        return cls(
            source="upload",
            event_id=None,
            ts_ms=_ms(upload.get("timestamp")),
            device_id=_text(_mapping(upload.get("ep_info")).get("device_id")),
            score=_number(upload.get("score")),
            person_type=_code(upload.get("person_type")),
            type_label=f"person_type={upload.get('person_type')!r}",
        )

    @classmethod
    def from_search(cls, item: Mapping[str, Any]) -> EventView:
        """A picture-search result (seed 002; no event id; `score` is the recognition score)."""
        return cls(
            source="search",
            event_id=None,
            ts_ms=_ms(item.get("timestamp")),
            device_id=_text(_mapping(item.get("ep_info")).get("device_id")),
            score=_number(item.get("score")),
            person_type=_code(item.get("person_type")),
            type_label=f"person_type={item.get('person_type')!r}",
        )


def _score_finding(ref: EventView, other: EventView) -> Finding | None:
    if (
        ref.score is None
        or other.score is None
        or math.isclose(ref.score, other.score, abs_tol=SCORE_TOLERANCE)
    ):
        return None
    pair = f"{ref.source} {ref.score} vs {other.source} {other.score}"
    for factor in (SCALE, 1 / SCALE):
        if math.isclose(ref.score, other.score * factor, rel_tol=1e-4, abs_tol=SCORE_TOLERANCE):
            return deviation(
                f"score scale differs: {pair}", FindingCategory.UNIT, sources=[ref.source, other.source]
            )
    return deviation(f"score differs: {pair}", sources=[ref.source, other.source])


def _compare(ref: EventView, other: EventView, tolerance_ms: float) -> list[Finding]:
    sources = [ref.source, other.source]
    findings: list[Finding] = []
    if ref.event_id is not None and other.event_id is not None and ref.event_id != other.event_id:
        findings.append(
            deviation(f"event id differs: {ref.event_id!r} vs {other.event_id!r}", sources=sources)
        )
    if ref.ts_ms is not None and other.ts_ms is not None and abs(ref.ts_ms - other.ts_ms) > tolerance_ms:
        findings.append(
            deviation(
                f"time differs by {abs(ref.ts_ms - other.ts_ms):.3f} ms after unit conversion "
                f"({ref.source} {ref.ts_ms:.3f} ms, {other.source} {other.ts_ms:.3f} ms)",
                sources=sources,
                ts_ms=[ref.ts_ms, other.ts_ms],
            )
        )
    if ref.device_id is not None and other.device_id is not None and ref.device_id != other.device_id:
        findings.append(
            deviation(f"device differs: {ref.device_id!r} vs {other.device_id!r}", sources=sources)
        )
    score = _score_finding(ref, other)
    if score is not None:
        findings.append(score)
    if ref.person_type != other.person_type:
        findings.append(
            deviation(
                f"person type differs: {ref.source} {ref.type_label} vs {other.source} {other.type_label} "
                "(1 employee, 2 visitor, 3 blacklist, 4 stranger, 5 vip)",
                sources=sources,
                person_types=[ref.person_type, other.person_type],
            )
        )
    return findings


@check("consistency.same_event", requirements=())  # UP-UPLOAD-006 only when an upload view is compared
def same_event(
    views: Sequence[EventView],
    *,
    tolerance_ms: float = TIME_TOLERANCE_MS,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Every interface reports the same id, time (±1 ms), device, score and person type for one event."""
    if len(views) < 2:
        return []
    reference = views[0]
    return [finding for other in views[1:] for finding in _compare(reference, other, tolerance_ms)]
