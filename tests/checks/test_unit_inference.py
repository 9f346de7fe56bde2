"""Unit inference reads magnitudes and probe outcomes; judge_unit applies strict and lenient readings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.unit_inference import (
    ProbeQuery,
    ProbeResult,
    UnitInference,
    classify_timestamp,
    infer_filter_unit,
    infer_timestamp_unit,
    judge_unit,
    plan_filter_probe,
    to_ms,
)

T_MS = 1_628_066_406_608


def _box(unit: str, *, floats: str = "accept", ignore: str = "") -> dict[str, str]:
    """A box reading time filters in `unit`; floats: accept/truncate/reject; ignore: "", "all" or "gte"."""
    return {"unit": unit, "floats": floats, "ignore": ignore}


def _run(box: dict[str, str], event_ms: float, probes: list[ProbeQuery]) -> list[ProbeResult]:
    results = []
    for probe in probes:
        gte, lte = probe.datetime_gte, probe.datetime_lte
        is_float = isinstance(gte, float) and not gte.is_integer()
        if is_float and box["floats"] == "reject":
            results.append(ProbeResult(probe, "rejected", "400"))
            continue
        if is_float and box["floats"] == "truncate":
            gte, lte = int(gte), int(lte)
        scale = 1 if box["unit"] == "ms" else 1000
        lower_ok = box["ignore"] == "gte" or gte * scale <= event_ms
        inside = (lower_ok and event_ms <= lte * scale) or box["ignore"] == "all"
        results.append(ProbeResult(probe, "included" if inside else "excluded"))
    return results


def test_classify_and_convert() -> None:
    assert classify_timestamp(T_MS) == "ms"
    assert classify_timestamp(1628066406.608026) == "s"
    assert classify_timestamp(True) == "unknown"
    assert classify_timestamp("1628066406") == "unknown"
    assert classify_timestamp(12345) == "unknown"
    assert to_ms(1628066406.5) == 1628066406500.0
    with pytest.raises(ValueError, match="neither"):
        to_ms(0)


def test_infer_timestamp_unit() -> None:
    assert infer_timestamp_unit([T_MS, T_MS + 1]).unit == "ms"
    assert infer_timestamp_unit([T_MS, T_MS + 1]).integer_only
    seconds = infer_timestamp_unit([1628066406.608026])
    assert (seconds.unit, seconds.integer_only) == ("s", False)
    assert infer_timestamp_unit([T_MS, 1628066406.6]).unit == "unknown"
    assert infer_timestamp_unit([]).unit == "unknown"


@pytest.mark.parametrize(
    ("box", "unit", "integer_only"),
    [
        (_box("ms"), "ms", False),
        (_box("ms", floats="reject"), "ms", True),
        (_box("s"), "s", False),
        (_box("s", floats="truncate"), "s", True),
        (_box("s", floats="reject"), "s", True),
        (_box("ms", ignore="all"), "unknown", False),
        (_box("ms", ignore="gte"), "unknown", False),
    ],
)
@pytest.mark.parametrize("reported", [T_MS, T_MS / 1000])
def test_probe_tells_boxes_apart(box: dict[str, str], unit: str, integer_only: bool, reported: float) -> None:
    inference = infer_filter_unit(_run(box, T_MS, plan_filter_probe(reported)))
    assert (inference.unit, inference.integer_only) == (unit, integer_only)


def test_float_probe_is_skipped_on_whole_seconds() -> None:
    labels = [p.label for p in plan_filter_probe(1_628_066_406_000)]
    assert "s-float" not in labels and {"ms", "s", "control"} <= set(labels)
    assert plan_filter_probe(T_MS)[0].filters() == {"datetime_gte": T_MS - 1, "datetime_lte": T_MS + 1}


def test_plan_rejects_a_timestamp_of_no_known_unit() -> None:
    with pytest.raises(ValueError, match="neither 10-digit seconds nor 13-digit"):
        plan_filter_probe(42)


def test_control_window_reveals_an_ignored_lower_bound() -> None:
    inference = infer_filter_unit(_run(_box("ms", ignore="gte"), T_MS, plan_filter_probe(T_MS)))
    assert "ignored" in inference.evidence["reason"]


def test_neither_window_gives_unknown_with_reason() -> None:
    probes = plan_filter_probe(T_MS)
    inference = infer_filter_unit([ProbeResult(p, "excluded") for p in probes])
    assert inference.unit == "unknown" and "neither" in inference.evidence["reason"]


def test_judge_unit_strict_and_lenient_for_e01() -> None:
    seconds = UnitInference("s", integer_only=True)
    [strict] = judge_unit(seconds, "ms", "strict", "E01")
    assert strict.category == "unit" and strict.evidence["errata"] == ["E01"]
    assert "accepted: ms" in strict.message
    assert judge_unit(seconds, "ms", "lenient", "E01") == []
    assert judge_unit(UnitInference("ms", integer_only=False), "ms", "strict", "E01") == []


def test_judge_unit_e02_accepts_only_ms_int_or_s_float() -> None:
    ms_int, s_float, s_int = UnitInference("ms", True), UnitInference("s", False), UnitInference("s", True)
    assert judge_unit(ms_int, "ms", "strict", "E02", documented_integer=True) == []
    assert judge_unit(s_float, "ms", "strict", "E02", documented_integer=True)
    assert judge_unit(s_float, "ms", "lenient", "E02", documented_integer=True) == []
    assert judge_unit(s_int, "ms", "lenient", "E02", documented_integer=True)


def test_judge_unit_unknown_and_bad_profile() -> None:
    [found] = judge_unit(UnitInference("unknown", False, {"reason": "filter ignored"}), "ms", "lenient")
    assert "filter ignored" in found.message
    with pytest.raises(ValueError, match="profile"):
        judge_unit(UnitInference("ms", True), profile="loose")


@given(st.integers(min_value=1_000_000_000_000, max_value=9_999_999_999_999))
def test_probe_inference_is_right_for_any_event_time(t_ms: int) -> None:
    for unit in ("ms", "s"):
        inference = infer_filter_unit(_run(_box(unit), t_ms, plan_filter_probe(t_ms)))
        assert inference.unit == unit
