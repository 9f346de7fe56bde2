"""The real-box variations the emulator shows in both modes: gzip-coded answers (only when the request accepts
gzip), microseconds on control-plane events, and a live rate a variation sets (a busy gate, a quiet box).

A box with the switches of each of the quick matrix's combined variation runs shows every real-box variation
of the run (gzip on the wire, extras that change per call, keys reversed, 422, microseconds, live traffic or
none), in site and control mode: so the matrix's "no false alarm over every real-box variation, both modes"
(tests/mutants/test_mutants_quick.py) judged boxes that showed them.
"""

from __future__ import annotations

import gzip
import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.hooks import EVENT_RECORDED, HTTP_GZIP, LIVE_RATE, ActiveFaults
from conformance.emulator.faults.variations import BUSY_GATE_RATE, microseconds_of
from conformance.emulator.injection import make_event
from conformance.emulator.model import DeviceRecord
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.mutants.fault_catalog import parse_catalog
from conformance.mutants.plan import build_plan
from tests.site_box import BUSY_GATE, QUIET_BOX, start_site_box

TIMEOUT = 10
LIVE_DEADLINE_S = 20.0  # generous: the machine is shared; live events come at 5 a second
DEVICE = {"device_id": "cam", "device_name": "Gate", "device_ip": "10.0.0.1", "device_type": "rtsp"}
TS_MS = 1628066406608
NEW_VARIATIONS = ("var-live-5-per-second", "var-quiet-box", "var-microsecond-times", "var-gzip-answers")
V2_EVENTS = "/sophon/v2/face/getevents"
V1_EVENTS = "/SophonFace/api/events"
QUIET_SITE_RATE = 20.0  # the site's own rate under the quiet box: some 30 recognitions in SILENCE_S if not
SILENCE_S = 1.5


def _emulator(tmp_path: Path, faults: list[str]) -> RunningEmulator:
    return start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=0,
            db_path=tmp_path / "box.sqlite3",
            control=True,
            faults=faults,
        )
    )


@pytest.fixture
def gzip_box(tmp_path: Path) -> Iterator[RunningEmulator]:
    """A control-mode emulator with gzip-coded answers and one stored event."""
    running = _emulator(tmp_path, ["var-gzip-answers"])
    try:
        control = running.control_url
        assert requests.post(f"{control}/devices", json={"devices": [DEVICE]}, timeout=TIMEOUT).ok
        event = {"timestamp_ms": TS_MS, "device_id": "cam", "score": 20}
        assert requests.post(f"{control}/events", json={"events": [event]}, timeout=TIMEOUT).ok
        yield running
    finally:
        running.stop()


def _raw(url: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Any:
    """(status, headers with lower-case names, body bytes as sent): no client-side decoding."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_every_new_variation_is_in_the_catalog_listing() -> None:
    listing = CATALOG.listing([])
    entries = {entry["name"]: entry for entry in listing["faults"]}
    for name in NEW_VARIATIONS:
        entry = entries[name]
        assert entry["kind"] == "variation" and entry["description"] and entry["errata"], name
        assert entry["must_pass"], name
    assert CATALOG.conflicting(NEW_VARIATIONS) == [("var-live-5-per-second", "var-quiet-box")]
    assert CATALOG.conflicting([n for n in NEW_VARIATIONS if n != "var-quiet-box"]) == []


def test_gzip_only_when_the_request_accepts_it(gzip_box: RunningEmulator) -> None:
    body = json.dumps({"page_limit": 5}).encode()
    path = "/sophon/v2/face/getevents"
    plain_headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
    status, headers, plain = _raw(gzip_box.http_url, "POST", path, plain_headers, body)
    assert status == 200 and "content-encoding" not in headers
    asked = {"Content-Type": "application/json", "Accept-Encoding": "gzip, deflate"}
    status, headers, coded = _raw(gzip_box.http_url, "POST", path, asked, body)
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(coded)) == json.loads(plain)
    assert int(headers["content-length"]) == len(coded)
    status, headers, _ = _raw(gzip_box.http_url, "GET", "/SophonFace/api/events?per_page=x", asked)
    assert status == 400 and headers["content-encoding"] == "gzip"  # errors too
    status, headers, _ = _raw(gzip_box.control_url.rsplit("/", 1)[0], "GET", "/_emulator/stats", asked)
    assert status == 200 and "content-encoding" not in headers  # the control plane is not the box


def test_gzip_version_service_and_a_clean_box(gzip_box: RunningEmulator, tmp_path: Path) -> None:
    asked = {"Accept-Encoding": "gzip"}
    version_path = "/sophon/v2/system/getsoftwareversion"
    status, headers, coded = _raw(gzip_box.version_url, "POST", version_path, asked, b"{}")
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "nnsdk_version" in json.loads(gzip.decompress(coded))
    (tmp_path / "clean").mkdir()
    clean = _emulator(tmp_path / "clean", [])
    try:
        status, headers, _ = _raw(clean.http_url, "GET", "/SophonFace/api/events", asked)
        assert status == 200 and "content-encoding" not in headers
    finally:
        clean.stop()


def test_the_gzip_hook_is_off_without_the_variation() -> None:
    assert ActiveFaults().apply(HTTP_GZIP, False) is False
    assert ActiveFaults(["var-gzip-answers"]).apply(HTTP_GZIP, False) is True


def test_control_plane_events_get_microseconds_under_the_variation(tmp_path: Path) -> None:
    running = _emulator(tmp_path, ["var-microsecond-times"])
    try:
        control, box = running.control_url, running.http_url
        assert requests.post(f"{control}/devices", json={"devices": [DEVICE]}, timeout=TIMEOUT).ok
        events = [
            {"timestamp_ms": TS_MS, "device_id": "cam", "score": 20, "event_id": eid}
            for eid in ("ev-a", "ev-b")
        ]
        assert requests.post(f"{control}/events", json={"events": events}, timeout=TIMEOUT).ok
        sub_us = microseconds_of(TS_MS)
        assert 1 <= sub_us <= 999
        for eid in ("ev-a", "ev-b"):
            stored = running.state.store.get_event(eid)
            assert stored is not None and stored.sub_ms_us == sub_us  # one value per ms: ties stay ties
        v1 = requests.get(f"{box}/SophonFace/api/events", timeout=TIMEOUT).json()["data"]
        assert [e["_id"] for e in v1] == ["ev-b", "ev-a"]
        assert {e["timestamp"] for e in v1} == {(TS_MS * 1000 + sub_us) / 1_000_000}
        true_s = (TS_MS * 1000 + sub_us) / 1_000_000
        found = requests.get(
            f"{box}/SophonFace/api/events",
            params={"datetime_gte": true_s, "datetime_lte": true_s},
            timeout=TIMEOUT,
        ).json()["data"]
        assert len(found) == 2  # filters compare the true time, microseconds included
    finally:
        running.stop()


def test_the_microsecond_hook_keeps_recorded_microseconds() -> None:
    faults = ActiveFaults(["var-microsecond-times"])
    made = make_event(seq=1, ts_ms=TS_MS, device=DeviceRecord("cam"), identity=None, score=10.0, sub_ms_us=42)
    assert faults.apply(EVENT_RECORDED, made).sub_ms_us == 42  # a camera's own microseconds stay
    whole = make_event(seq=2, ts_ms=TS_MS + 1, device=DeviceRecord("cam"), identity=None, score=10.0)
    assert faults.apply(EVENT_RECORDED, whole).sub_ms_us == microseconds_of(TS_MS + 1)
    assert ActiveFaults().apply(EVENT_RECORDED, whole).sub_ms_us == 0


def test_the_live_rate_variations_set_the_rate_in_either_mode() -> None:
    assert ActiveFaults().apply(LIVE_RATE, 0.0) == 0.0  # control mode: no live traffic by default
    assert ActiveFaults().apply(LIVE_RATE, 2.0) == 2.0  # site mode: --live-rate
    assert ActiveFaults(["var-live-5-per-second"]).apply(LIVE_RATE, 0.0) == BUSY_GATE_RATE == 5.0
    assert ActiveFaults(["var-quiet-box"]).apply(LIVE_RATE, 2.0) == 0.0


def _event_count(running: RunningEmulator) -> int:
    return running.state.store.event_count


def test_a_busy_gate_under_control_records_live_events_once_cameras_exist(tmp_path: Path) -> None:
    running = _emulator(tmp_path, [])
    try:
        control = running.control_url
        assert requests.post(f"{control}/devices", json={"devices": [DEVICE]}, timeout=TIMEOUT).ok
        time.sleep(0.5)
        assert _event_count(running) == 0  # a control-mode box has no live traffic of its own
        answer = requests.post(
            f"{control}/faults", json={"enable": ["var-live-5-per-second"]}, timeout=TIMEOUT
        )
        assert answer.ok, answer.text
        deadline = time.monotonic() + LIVE_DEADLINE_S
        while _event_count(running) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _event_count(running) >= 3
        newest = requests.get(f"{running.http_url}/SophonFace/api/events", timeout=TIMEOUT).json()["data"][0]
        assert newest["common"]["ep_info"]["device_id"] == "cam"  # recognised by the box's own camera
    finally:
        running.stop()


def test_a_quiet_box_variation_silences_a_site(tmp_path: Path) -> None:
    quiet = ["var-quiet-box"]
    with start_site_box(
        tmp_path, live_rate=20, history_days=0.01, history_per_day=100, variations=quiet
    ) as box:
        before = box.running.state.store.event_count
        time.sleep(1.5)  # at 20 a second, some 30 recognitions would have come
        assert box.running.state.store.event_count == before


def test_live_recognitions_keep_the_machine_time_while_the_clock_is_frozen(tmp_path: Path) -> None:
    """A frozen clock is the harness's seeded moment: the cameras' recognitions come after it, not in it."""
    frozen_ms = 1_700_000_000_000
    running = _emulator(tmp_path, ["var-live-5-per-second"])
    try:
        control = running.control_url
        assert requests.post(
            f"{control}/clock", json={"mode": "frozen", "now_ms": frozen_ms}, timeout=TIMEOUT
        ).ok
        assert requests.post(f"{control}/devices", json={"devices": [DEVICE]}, timeout=TIMEOUT).ok
        started_ms = time.time() * 1000
        deadline = time.monotonic() + LIVE_DEADLINE_S
        while _event_count(running) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        events = requests.post(
            f"{running.http_url}/sophon/v2/face/getevents", json={"page_limit": 10}, timeout=TIMEOUT
        ).json()["events"]
        assert events and all(e["timestamp"] >= started_ms - 1000 > frozen_ms for e in events)
    finally:
        running.stop()


def _quick_variation_runs() -> list[tuple[str, ...]]:
    """The switches of the quick matrix's combined variation runs (the same in either mode)."""
    plan = build_plan([], None, quick=True, catalog=parse_catalog(CATALOG.listing([])))
    return [m.faults for m in plan if m.kind == "variation"]


def _run_with(variation: str) -> tuple[str, ...]:
    """The switches of the combined run holding `variation` (tests/mutants/test_plan.py: each real-box
    variation is in one with the busy gate or the quiet box)."""
    return next(switches for switches in _quick_variation_runs() if variation in switches)


def _v2_first_event(url: str) -> dict[str, Any]:
    answer = requests.post(f"{url}{V2_EVENTS}", json={"page_limit": 1}, timeout=TIMEOUT)
    return dict(answer.json()["events"][0])


def _shows_the_answer_variations(url: str) -> None:
    """gzip on the wire, extras changing per call, keys reversed, 422, microsecond times: all visible."""
    body = json.dumps({"page_limit": 1}).encode()
    asked = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    status, headers, coded = _raw(url, "POST", V2_EVENTS, asked, body)
    assert status == 200 and headers["content-encoding"] == "gzip"
    first = json.loads(gzip.decompress(coded))["events"][0]  # the bytes on the wire are gzip
    second = _v2_first_event(url)
    assert first["serve_seq"] != second["serve_seq"]  # an undocumented field, changed on every call
    assert list(first)[-1] == "event_id"  # keys reversed: the table's first key comes last
    refused = requests.get(f"{url}{V1_EVENTS}?per_page=x", timeout=TIMEOUT)
    assert refused.status_code == 422 and refused.json()["error"]["status"] == "INVALID_ARGUMENTS"
    v1 = requests.get(f"{url}{V1_EVENTS}", params={"per_page": 50}, timeout=TIMEOUT).json()["data"]
    assert any(round(e["timestamp"] * 1_000_000) % 1000 for e in v1)  # microseconds past the millisecond


def _count_rises(running: RunningEmulator) -> bool:
    """Whether a live recognition is recorded within LIVE_DEADLINE_S."""
    before = _event_count(running)
    deadline = time.monotonic() + LIVE_DEADLINE_S
    while _event_count(running) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    return _event_count(running) > before


def _stays_silent(running: RunningEmulator) -> bool:
    before = _event_count(running)
    time.sleep(SILENCE_S)
    return _event_count(running) == before


@pytest.mark.parametrize("variation", [BUSY_GATE, QUIET_BOX])
def test_a_site_box_with_a_quick_runs_switches_shows_its_real_box_variations(
    tmp_path: Path, variation: str
) -> None:
    switches = _run_with(variation)
    with start_site_box(
        tmp_path, live_rate=QUIET_SITE_RATE, history_days=0.05, history_per_day=2000, variations=switches
    ) as box:
        _shows_the_answer_variations(box.http_url)
        assert _count_rises(box.running) if variation == BUSY_GATE else _stays_silent(box.running)


@pytest.mark.parametrize("variation", [BUSY_GATE, QUIET_BOX])
def test_a_control_box_with_a_quick_runs_switches_shows_its_real_box_variations(
    tmp_path: Path, variation: str
) -> None:
    running = _emulator(tmp_path, list(_run_with(variation)))
    try:
        control = running.control_url
        assert requests.post(f"{control}/devices", json={"devices": [DEVICE]}, timeout=TIMEOUT).ok
        events = [{"timestamp_ms": TS_MS + i, "device_id": "cam", "score": 20} for i in range(3)]
        assert requests.post(f"{control}/events", json={"events": events}, timeout=TIMEOUT).ok
        _shows_the_answer_variations(running.http_url)
        assert _count_rises(running) if variation == BUSY_GATE else _stays_silent(running)
    finally:
        running.stop()
