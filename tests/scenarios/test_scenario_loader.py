"""Scenario files load into typed objects with the hard cases; bad files name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.scenarios.loader import load_named, load_scenario
from conformance.spec.loader import SpecFileError


def test_core_scenario_holds_the_hard_cases() -> None:
    core = load_named("core")
    origin = core.origin_ms
    assert origin % 1000 == 0
    ties = [event for event in core.events if event.label.startswith("tie-")]
    assert len({event.offset_ms for event in ties}) == 1 and len(ties) >= 3
    boundary = {
        event.label: event.timestamp_ms(origin) for event in core.events if event.label.startswith("sec-")
    }
    assert boundary["sec-exact"] % 1000 == 0 and boundary["sec-minus-1ms"] == boundary["sec-exact"] - 1
    names = [identity.name for identity in core.identities]
    assert "Li" in names and "Li Lei" in names and "张三" in names and "张三丰" in names
    assert {"Alice", "alice", "ALICE Wong"} <= set(names)
    assert core.event("score-at-82").score == 82.0


def test_search_caps_is_generated_past_50000_and_deterministic() -> None:
    caps = load_named("search-caps")
    assert caps.event_count > 50_000
    first = [event.score for event, _ in zip(caps.all_events(), range(50), strict=False)]
    again = [event.score for event, _ in zip(load_named("search-caps").all_events(), range(50), strict=False)]
    assert first == again
    offsets = [event.offset_ms for event in caps.all_events()]
    assert offsets == sorted(offsets) and offsets[-1] < 0


BASE = """scenario: t
clock: {origin_ms: 1000}
devices:
  - {device_id: d1}
"""


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (BASE + "events:\n  - {at_ms: 1, device: nope}\n", 6, "unknown device 'nope'"),
        (BASE + "events:\n  - {at_ms: 1, device: d1, score: 101}\n", 6, "outside 0-100"),
        (BASE + "events:\n  - {at_ms: one, device: d1}\n", 6, "expected int"),
        (BASE + "identities:\n  - {identity_id: i1, name: x, person_type: 9}\n", 6, "code 1-5"),
        (BASE + "surprise: 1\n", 1, "unknown key(s) surprise"),
        ("scenario: t\nclock: {origin_ms: [\n", 3, "invalid YAML"),
        (BASE + "devices2: []\n", 1, "unknown key"),
    ],
)
def test_bad_scenarios_name_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecFileError) as caught:
        load_scenario(path)
    assert caught.value.line == line, str(caught.value)
    assert fragment in str(caught.value) and str(path) in str(caught.value)


def test_good_minimal_scenario_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(BASE + "events:\n  - {at_ms: -5, device: d1}\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.events[0].to_control(scenario.origin_ms)["timestamp_ms"] == 995
