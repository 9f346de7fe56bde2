"""Infer time units from what a box sends and how it filters, using only data already on the box.

Field values: `infer_timestamp_unit(values)` — 13-digit integer part → ms, 10-digit → s; whether
all values are integers (JSON int) is recorded as ``integer_only``.

Filters (E01: seed 000 says ms, its example 1607430334 is seconds). No control plane needed:

1. pick any event the box returns and note its reported timestamp ``t`` (ms or s, either works);
2. ``probes = plan_filter_probe(t)``; for each probe run the query with the probe's
   ``datetime_gte``/``datetime_lte`` (plus a filter that narrows to the event's device if you like)
   and record a `ProbeResult`: "included" (the event came back), "excluded", or "rejected" (4xx);
3. ``inference = infer_filter_unit(results)``; ``judge_unit(inference, documented="ms",
   profile="lenient", erratum="E01")`` turns it into findings.

Probes: an integer ms window and an integer seconds window around ``t`` (only one can hold the event
under each reading: ms values read as seconds lie in the far future, seconds read as ms lie in
January 1970); a control window one to two hours after ``t`` (included → the filter is ignored); a
±1 ms float seconds window (a box that truncates or rounds to whole seconds loses the event, one
that rejects floats answers 4xx; planned only when ``t`` is not within 2 ms of a whole or half
second); and a ±0.5 ms float ms window (only a rejection means anything there).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding, FindingCategory, deviation
from conformance.checks.vocabulary import MS_PER_SECOND

Unit = Literal["ms", "s", "unknown"]
ProbeOutcome = Literal["included", "excluded", "rejected"]

MS_DIGITS = 13
SECONDS_DIGITS = 10
CONTROL_OFFSET_MS = 3_600_000
FLOAT_PROBE_HALF_WIDTH_S = 0.001
FLOAT_PROBE_MARGIN_S = 0.002

#: Readings each erratum's lenient profile accepts besides the documented one: (unit, integer or None).
LENIENT_READINGS: Mapping[str, tuple[tuple[str, bool | None], ...]] = {
    "E01": (("ms", None), ("s", None)),  # v2 filters: ms (table) or s (example)
    "E02": (("ms", True), ("s", False)),  # v2 event timestamp: int ms (table) or float s (example)
}


@dataclass(frozen=True)
class UnitInference:
    """What a unit probe concluded: the unit, whether only integers were seen/accepted, and why."""

    unit: Unit
    integer_only: bool
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)


def classify_timestamp(value: Any) -> Unit:
    """'ms' for a 13-digit integer part, 's' for 10 digits, else 'unknown' (bools and text are unknown)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        return "unknown"
    digits = len(str(int(value)))
    return "ms" if digits == MS_DIGITS else "s" if digits == SECONDS_DIGITS else "unknown"


def to_ms(value: int | float) -> float:
    """A timestamp in ms whatever its unit; ValueError when the magnitude says neither ms nor s."""
    unit = classify_timestamp(value)
    if unit == "unknown":
        raise ValueError(f"timestamp {value!r} is neither 10-digit seconds nor 13-digit milliseconds")
    return float(value) if unit == "ms" else float(value) * MS_PER_SECOND


def infer_timestamp_unit(values: Iterable[Any]) -> UnitInference:
    """The unit of a timestamp field from its values; mixed or odd magnitudes give 'unknown'."""
    seen = list(values)
    units = {classify_timestamp(v) for v in seen}
    integer_only = bool(seen) and all(isinstance(v, int) and not isinstance(v, bool) for v in seen)
    unit: Unit = units.pop() if len(units) == 1 else "unknown"
    evidence = {
        "values": [v if isinstance(v, int | float) else repr(v) for v in seen[:5]],
        "count": len(seen),
        "units_seen": sorted({classify_timestamp(v) for v in seen}),
    }
    return UnitInference(unit=unit, integer_only=integer_only, evidence=evidence)


@dataclass(frozen=True)
class ProbeQuery:
    """One query of the filter-unit probe: the bounds to send and what it tells apart."""

    label: str
    datetime_gte: int | float
    datetime_lte: int | float
    purpose: str

    def filters(self) -> dict[str, int | float]:
        """The two filter values, ready to merge into a v2 `filters` object or v1 query."""
        return {"datetime_gte": self.datetime_gte, "datetime_lte": self.datetime_lte}


@dataclass(frozen=True)
class ProbeResult:
    """What the box did with one probe: returned the event, left it out, or rejected the query."""

    probe: ProbeQuery
    outcome: ProbeOutcome
    detail: str = ""


def plan_filter_probe(t_reported: int | float) -> list[ProbeQuery]:
    """The queries that tell a ms-filter box from a seconds-filter box around an event at `t_reported`."""
    t_ms = to_ms(t_reported)
    t_s = t_ms / MS_PER_SECOND
    probes = [
        ProbeQuery("ms", math.floor(t_ms) - 1, math.ceil(t_ms) + 1, "holds the event if filters are ms"),
        ProbeQuery("s", math.floor(t_s) - 1, math.ceil(t_s) + 1, "holds the event if filters are seconds"),
        ProbeQuery(
            "control",
            math.floor(t_ms) + CONTROL_OFFSET_MS,
            math.floor(t_ms) + 2 * CONTROL_OFFSET_MS,
            "holds the event under no reading; included means the filter is ignored",
        ),
        ProbeQuery("ms-float", t_ms - 0.5, t_ms + 0.5, "a float ms window; rejected means integers only"),
    ]
    fraction = t_s - math.floor(t_s)
    if min(fraction, abs(fraction - 0.5), 1 - fraction) > FLOAT_PROBE_MARGIN_S:
        probes.append(
            ProbeQuery(
                "s-float",
                round(t_s - FLOAT_PROBE_HALF_WIDTH_S, 6),
                round(t_s + FLOAT_PROBE_HALF_WIDTH_S, 6),
                "a float seconds window; excluded or rejected means whole seconds only",
            )
        )
    return probes


def infer_filter_unit(results: Sequence[ProbeResult]) -> UnitInference:
    """Read the probe outcomes: which window held the event decides the unit."""
    outcome = {r.probe.label: r.outcome for r in results}
    evidence: dict[str, Any] = {"outcomes": outcome}
    unit: Unit = "unknown"
    if outcome.get("control") == "included":
        evidence["reason"] = "the control window far from the event returned it: the time filter is ignored"
    elif outcome.get("ms") == "included" and outcome.get("s") != "included":
        unit = "ms"
    elif outcome.get("s") == "included" and outcome.get("ms") != "included":
        unit = "s"
    elif outcome.get("ms") == outcome.get("s") == "included":
        evidence["reason"] = "both the ms and the seconds window returned the event"
    else:
        evidence["reason"] = "neither the ms nor the seconds window returned the event"
    float_probe = {"ms": "ms-float", "s": "s-float"}.get(unit)
    float_outcome = outcome.get(float_probe) if float_probe else None
    integer_only = float_outcome == "rejected" or (unit == "s" and float_outcome == "excluded")
    evidence["float_probe"] = float_outcome or "not run"
    return UnitInference(unit=unit, integer_only=integer_only, evidence=evidence)


def _describe(unit: str, integer: bool | None) -> str:
    return unit + ("" if integer is None else " (integer)" if integer else " (float)")


@check("unit.judge", category=FindingCategory.UNIT)
def judge_unit(
    inference: UnitInference,
    documented: str = "ms",
    profile: str = "strict",
    erratum: str | None = "E01",
    *,
    documented_integer: bool | None = None,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """The inferred unit is the documented one (strict), or a reading the erratum allows (lenient)."""
    if profile not in ("strict", "lenient"):
        raise ValueError(f"profile must be 'strict' or 'lenient', got {profile!r}")
    accepted: list[tuple[str, bool | None]] = [(documented, documented_integer)]
    if profile == "lenient" and erratum is not None:
        accepted += LENIENT_READINGS.get(erratum, ())
    errata = [erratum] if erratum else []
    evidence = {"inferred": inference.unit, "integer_only": inference.integer_only, **inference.evidence}
    if inference.unit == "unknown":
        reason = inference.evidence.get("reason", "values of neither 10 nor 13 digits")
        message = f"unit could not be inferred: {reason}"
        return [deviation(message, FindingCategory.UNIT, errata=errata, **evidence)]
    for unit, integer in accepted:
        if inference.unit == unit and (integer is None or inference.integer_only == integer):
            return []
    readings = ", ".join(_describe(u, i) for u, i in accepted)
    seen = _describe(inference.unit, inference.integer_only)
    note = f" ({erratum}; profile {profile})" if erratum else ""
    return [
        deviation(
            f"box uses {seen}; accepted: {readings}{note}",
            FindingCategory.UNIT,
            errata=errata,
            **evidence,
        )
    ]
