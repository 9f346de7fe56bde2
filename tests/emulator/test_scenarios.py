"""`--scenario` reads the harness scenario format: files seed, events are queryable, bad files are refused."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.cli.emulator_cmd import emulator_config
from conformance.cli.main import build_parser, main
from conformance.emulator.clock import ClockMode
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.exit_codes import ExitCode
from conformance.paths import SCENARIOS_DIR
from conformance.scenarios.loader import load_named
from conformance.spec.loader import SpecFileError
from conformance.target.control_client import ControlClient
from conformance.target.scenario_seeding import seed_scenario

TIMEOUT = 30


def _cli_config(tmp_path: Path, *flags: str) -> EmulatorConfig:
    parser, _ = build_parser()
    ports = ("--http-port", "0", "--ws-port", "0", "--version-port", "-1")
    args = parser.parse_args(["emulator", *ports, "--control", "--db", str(tmp_path / "cli.sqlite3"), *flags])
    return emulator_config(args)


@pytest.fixture
def core_box(tmp_path: Path) -> Iterator[RunningEmulator]:
    """An emulator started the way `emulator --scenario scenarios/core.yaml` starts it."""
    running = start_emulator_thread(_cli_config(tmp_path, "--scenario", str(SCENARIOS_DIR / "core.yaml")))
    yield running
    running.stop()


def _all_v2_events(running: RunningEmulator) -> list[dict[str, Any]]:
    url = f"{running.http_url}/sophon/v2/face/getevents"
    body = requests.post(url, json={"page_limit": 1000}, timeout=TIMEOUT).json()
    events: list[dict[str, Any]] = body["events"]
    assert body["pagination"]["total_count"] == len(events)
    return events


def _comparable(event: dict[str, Any]) -> tuple[Any, ...]:
    """What a scenario decides about an event (ids and picture ids are the box's to choose)."""
    attrs = event["recognize_face_attr"]
    return (
        event["timestamp"],
        event["media_device_info"]["media_device_id"],
        event["identity_id"],
        event["score"],
        event["user_type"],
        *(attrs[key] for key in ("gender", "age", "mask", "glasses", "feature_binary")),
    )


def test_core_scenario_seeds_and_its_events_are_queryable(core_box: RunningEmulator) -> None:
    core = load_named("core")
    events = _all_v2_events(core_box)
    assert len(events) == core.event_count == 23
    at_now = next(e for e in events if e["timestamp"] == core.origin_ms)  # "at-now" sits at the origin
    assert at_now["identity_id"] == "id-alice" and at_now["score"] == 93.0
    vip = next(e for e in events if e["timestamp"] == core.event("attrs-vip").timestamp_ms(core.origin_ms))
    attrs = vip["recognize_face_attr"]
    assert (vip["user_type"], attrs["gender"], attrs["age"]) == ("vip", "male", "middle-aged")
    assert (attrs["mask"], attrs["glasses"]) == ("no", "yes")
    ties = [e for e in events if e["timestamp"] == core.event("tie-1").timestamp_ms(core.origin_ms)]
    assert len(ties) == 4
    v1 = requests.get(f"{core_box.http_url}/SophonFace/api/events", params={"per_page": 5}, timeout=TIMEOUT)
    assert v1.status_code == 200 and v1.json()["pagination"]["total_count"] == 23


def test_core_scenario_freezes_the_clock_at_its_origin_for_picture_search(core_box: RunningEmulator) -> None:
    control = ControlClient(core_box.control_url)
    try:
        assert control.clock()["now_ms"] == load_named("core").origin_ms
        photo = control.face_jpeg("id-zhang-sanfeng", variant=3)
    finally:
        control.close()
    body = {"face_image_base64": base64.b64encode(photo).decode()}  # default window: the last 24 h
    answer = requests.post(f"{core_box.http_url}/SophonMatch/api/picturesearch", json=body, timeout=TIMEOUT)
    found = answer.json()["event_list"]
    assert {item["identity_id"] for item in found} == {"id-zhang-sanfeng"} and len(found) == 3


def test_scenario_flag_seeds_what_control_plane_seeding_stores(
    core_box: RunningEmulator, tmp_path: Path
) -> None:
    seeded = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "cp.db", control=True)
    )
    try:
        control = ControlClient(seeded.control_url)
        try:
            seed_scenario(control, load_named("core"))
        finally:
            control.close()
        through_control = sorted(_comparable(e) for e in _all_v2_events(seeded))
    finally:
        seeded.stop()
    assert sorted(_comparable(e) for e in _all_v2_events(core_box)) == through_control


def test_explicit_clock_wins_over_the_scenario_origin(tmp_path: Path) -> None:
    core = str(SCENARIOS_DIR / "core.yaml")
    assert _cli_config(tmp_path, "--scenario", core).clock.now_ms == load_named("core").origin_ms
    assert _cli_config(tmp_path, "--scenario", core, "--clock", "real").clock.mode is ClockMode.REAL
    assert _cli_config(tmp_path).clock.mode is ClockMode.REAL


@pytest.mark.parametrize(("name", "events"), [("small-office.yaml", 6), ("busy-day.yaml", 2880)])
def test_example_scenarios_load_once(tmp_path: Path, name: str, events: int) -> None:
    config = EmulatorConfig(
        http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "s.db", scenario=SCENARIOS_DIR / name
    )
    for _ in range(2):  # a second start on the same database adds nothing
        running = start_emulator_thread(config)
        try:
            url = f"{running.http_url}/sophon/v2/face/getevents"
            body = requests.post(url, json={"page_limit": 1}, timeout=TIMEOUT).json()
            assert body["pagination"]["total_count"] == events
        finally:
            running.stop()


OLD_FORMAT = "devices:\n  - {device_id: d}\nevents:\n  - {device_id: d, timestamp_ms: 1, score: 1}\n"
HEADER = "scenario: t\nclock: {origin_ms: 1700000000000}\ndevices:\n  - {device_id: d}\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (OLD_FORMAT, "missing required key 'clock'"),
        (HEADER + "events:\n  - {at_ms: 0, device: x, score: 1}\n", "unknown device 'x'"),
        (HEADER + "extra: 1\n", "unknown key(s) extra"),
        (
            HEADER + "events:\n  - {at_ms: 0, device: d, attributes: {mask: maybe}}\n",
            "events[0].attributes.mask",
        ),
        (
            HEADER + "identities:\n  - {identity_id: s, name: S, person_type: 4}\n",
            "identities[0].person_type",
        ),
        ("devices: [\n", "invalid YAML"),
    ],
    ids=["old-format", "unknown-device", "unknown-key", "bad-attribute", "stranger-identity", "yaml"],
)
def test_bad_scenarios_name_the_problem_and_store_no_events(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    config = EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "b.db", scenario=path)
    with pytest.raises(SpecFileError) as refused:
        start_emulator_thread(config)
    assert fragment in str(refused.value) and str(path) in str(refused.value)
    if (tmp_path / "b.db").exists():
        running = start_emulator_thread(
            EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "b.db")
        )
        try:
            assert _all_v2_events(running) == []
        finally:
            running.stop()


def test_cli_refuses_a_missing_scenario_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.yaml"
    code = main(["emulator", "--scenario", str(missing), "--db", str(tmp_path / "x.db"), "--http-port", "0"])
    assert code == ExitCode.USAGE_ERROR
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "file not found" in err and "Traceback" not in err
