"""The example scenario files load, and --scenario data is queryable through the box's interfaces."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conformance.emulator.server import EmulatorConfig, start_emulator_thread
from conformance.paths import SCENARIOS_DIR
from conformance.spec.loader import SpecFileError


@pytest.mark.parametrize(("name", "events"), [("small-office.yaml", 6), ("busy-day.yaml", 2880)])
def test_example_scenarios_load(tmp_path: Path, name: str, events: int) -> None:
    config = EmulatorConfig(
        http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "s.db", scenario=SCENARIOS_DIR / name
    )
    running = start_emulator_thread(config)
    try:
        url = f"{running.http_url}/sophon/v2/face/getevents"
        body = requests.post(url, json={"page_limit": 1}, timeout=10).json()
        assert body["pagination"]["total_count"] == events
    finally:
        running.stop()
    again = start_emulator_thread(config)  # a second start on the same db adds nothing
    try:
        url = f"{again.http_url}/sophon/v2/face/getevents"
        assert requests.post(url, json={}, timeout=10).json()["pagination"]["total_count"] == events
    finally:
        again.stop()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("devices: []\n", "devices"),
        ("devices:\n  - {device_id: d}\nextra: 1\n", "extra"),
        ("devices:\n  - {device_id: d}\nevents:\n  - {device_id: x, score: 1}\n", "events[0].device_id"),
        ("devices: [\n", "invalid YAML"),
    ],
)
def test_bad_scenarios_name_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    config = EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "b.db", scenario=path)
    with pytest.raises(SpecFileError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        start_emulator_thread(config)
