"""Site mode: the emulator as a box on site (history, live recognitions, µs times, no control plane)."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
import websocket

from conformance.cli.emulator_cmd import emulator_config
from conformance.cli.main import build_parser, main
from conformance.emulator.clock import ClockMode
from conformance.emulator.model import DeviceRecord, EventRecord
from conformance.emulator.server import EmulatorConfig, build_state, start_emulator_thread
from conformance.emulator.site_cast import SITE_DEVICES
from conformance.emulator.store.database import Store
from conformance.emulator.store.query import EventFilters, PageRequest
from tests.site_box import SiteBox, start_site_box

TIMEOUT = 10
DAY_MS = 86_400_000
USER_TYPES = ("employee", "visitor", "blacklist", "stranger", "vip")


@pytest.fixture(scope="module")
def quiet_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteBox]:
    """A site with three days of history and no live traffic."""
    with start_site_box(tmp_path_factory.mktemp("quiet"), live_rate=0, history_days=3, seed=7) as box:
        yield box


@pytest.fixture(scope="module")
def live_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteBox]:
    """A site with a short history and five live recognitions a second."""
    path = tmp_path_factory.mktemp("live")
    with start_site_box(path, live_rate=5, history_days=0.2, history_per_day=1000, seed=3) as box:
        yield box


def v2(box: SiteBox, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{box.http_url}/sophon/v2/face/getevents", json=body, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def v1(box: SiteBox, params: dict[str, Any]) -> dict[str, Any]:
    answer = requests.get(f"{box.http_url}/SophonFace/api/events", params=params, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def v2_total(box: SiteBox, filters: dict[str, Any]) -> int:
    return int(v2(box, {"filters": filters, "page_limit": 1})["pagination"]["total_count"])


def v1_events(box: SiteBox, **params: Any) -> list[dict[str, Any]]:
    """Every v1 event matching `params` (all pages)."""
    events: list[dict[str, Any]] = []
    page = 0
    while True:
        answer = v1(box, {**params, "per_page": 1000, "page": page})
        events += answer["data"]
        if len(answer["data"]) < 1000:
            return events
        page += 1


@pytest.fixture(scope="module")
def history(quiet_box: SiteBox) -> list[dict[str, Any]]:
    """The quiet site's whole history through v1."""
    return v1_events(quiet_box)


def test_history_spans_the_days_with_a_few_thousand_events(
    quiet_box: SiteBox, history: list[dict[str, Any]]
) -> None:
    times = [e["timestamp"] for e in history]
    assert 8000 <= len(history) <= 10000  # 3 days x 3000 a day, ties add a few percent
    assert max(times) - min(times) > 2.9 * 86400
    assert time.time() - max(times) < 600
    assert v2_total(quiet_box, {}) == len(history)


def test_every_user_type_and_at_least_four_devices_are_present(quiet_box: SiteBox) -> None:
    for user_type in USER_TYPES:
        assert v2_total(quiet_box, {"user_type": user_type}) > 0, user_type
    answer = requests.get(f"{quiet_box.http_url}/SophonDevice/api/Devices", timeout=TIMEOUT)
    devices = answer.json()["data"]["devices_list"]
    assert len(devices) >= 4
    for device in devices:
        assert v2_total(quiet_box, {"media_device_ids": [device["device_id"]]}) > 0, device


def test_names_are_chinese_and_latin_and_identities_several(history: list[dict[str, Any]]) -> None:
    names = {e["common"]["identity_name"] for e in history} - {""}
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)
    assert any(name.isascii() and name.replace(" ", "").isalpha() for name in names)
    assert len({e["common"]["identity_id"] for e in history} - {""}) >= 10


def test_fuzzy_chinese_name_filter_finds_several_people(quiet_box: SiteBox) -> None:
    found = v2(quiet_box, {"filters": {"identity_name": "王"}, "page_limit": 1000})["events"]
    assert len({e["identity_name"] for e in found}) >= 2
    assert all("王" in e["identity_name"] for e in found)


def test_history_has_ties_on_different_devices(history: list[dict[str, Any]]) -> None:
    by_time: dict[float, set[str]] = {}
    for event in history:
        by_time.setdefault(event["timestamp"], set()).add(event["common"]["ep_info"]["device_id"])
    assert sum(1 for devices in by_time.values() if len(devices) >= 2) >= 10


def test_timestamps_carry_microseconds_in_v1_and_the_millisecond_floor_in_v2(
    quiet_box: SiteBox, history: list[dict[str, Any]]
) -> None:
    with_us = [e for e in history if round(e["timestamp"] * 1_000_000) % 1000 != 0]
    assert len(with_us) > 0.9 * len(history)
    newest_v1 = v1(quiet_box, {"per_page": 50})["data"]
    newest_v2 = v2(quiet_box, {"page_limit": 50})["events"]
    assert [e["_id"] for e in newest_v1] == [e["event_id"] for e in newest_v2]
    for one, two in zip(newest_v1, newest_v2, strict=True):
        true_us = round(one["timestamp"] * 1_000_000)
        assert isinstance(two["timestamp"], int)
        assert two["timestamp"] == true_us // 1000


def test_newest_first_order_follows_the_true_time(history: list[dict[str, Any]]) -> None:
    times = [round(e["timestamp"] * 1_000_000) for e in history]
    assert times == sorted(times, reverse=True)


def test_filters_compare_the_true_time(quiet_box: SiteBox, history: list[dict[str, Any]]) -> None:
    event = next(e for e in history if round(e["timestamp"] * 1_000_000) % 1000 >= 2)
    true_us = round(event["timestamp"] * 1_000_000)
    floor_ms, sub_us = divmod(true_us, 1000)
    device = event["common"]["ep_info"]["device_id"]

    def v2_ids(gte: float, lte: float) -> set[str]:
        body = {"filters": {"datetime_gte": gte, "datetime_lte": lte, "media_device_ids": [device]}}
        return {e["event_id"] for e in v2(quiet_box, {**body, "page_limit": 1000})["events"]}

    def v1_ids(gte: float, lte: float) -> set[str]:
        return {e["_id"] for e in v1_events(quiet_box, datetime_gte=gte, datetime_lte=lte, streams=device)}

    eid = event["_id"]
    assert eid not in v2_ids(floor_ms - 5, floor_ms)  # a real box: 1628066406608.026 > 1628066406608
    assert eid in v2_ids(floor_ms, floor_ms + 1)
    assert eid in v2_ids(floor_ms + sub_us / 1000, floor_ms + sub_us / 1000)
    assert eid not in v2_ids(floor_ms + (sub_us + 1) / 1000, floor_ms + 5)
    assert eid in v1_ids(event["timestamp"], event["timestamp"])
    assert eid not in v1_ids(event["timestamp"] - 5, (true_us - 1) / 1_000_000)
    assert eid not in v1_ids((true_us + 1) / 1_000_000, event["timestamp"] + 5)


def test_a_quiet_box_records_nothing_new(quiet_box: SiteBox) -> None:
    before = v2_total(quiet_box, {})
    time.sleep(1.5)
    assert v2_total(quiet_box, {}) == before


def test_no_control_plane_route_answers(quiet_box: SiteBox) -> None:
    for method, path in (("GET", "stats"), ("POST", "reset"), ("GET", "faults"), ("POST", "events")):
        answer = requests.request(method, f"{quiet_box.http_url}/_emulator/{path}", json={}, timeout=TIMEOUT)
        assert answer.status_code == 404, (method, path, answer.status_code)


def test_live_recognitions_arrive_at_about_the_rate(live_box: SiteBox) -> None:
    start_s = time.time()
    time.sleep(4)
    newer = v2_total(live_box, {"datetime_gte": math.floor(start_s * 1000)})
    assert 5 <= newer <= 50  # Poisson at 5 a second for 4 s: 20 expected (ties add a few)


def test_live_recognitions_are_pushed_on_the_websocket(live_box: SiteBox) -> None:
    client = websocket.create_connection(live_box.ws_url, timeout=TIMEOUT)
    try:
        event_list = [d.device_id for d in SITE_DEVICES]
        client.send(json.dumps({"need_face": False, "need_register": False, "event_list": event_list}))
        configured_ms = time.time() * 1000
        pushed = [json.loads(client.recv()) for _ in range(3)]
    finally:
        client.close()
    for message in pushed:
        assert message["video_id"] in event_list
        assert message["timestamp"] >= configured_ms - 1000
    found = v2(live_box, {"filters": {"datetime_gte": pushed[0]["timestamp"]}, "page_limit": 1000})["events"]
    assert pushed[0]["event_id"] in {e["event_id"] for e in found}


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_live_recognitions_are_uploaded(live_box: SiteBox) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/upload"
        config = {
            "history_upload_event_url": [url],
            "content-type": "json",
            "reported_peroid": 1,
            "history_need_reg_pic": False,
            "history_need_spot_pic": False,
            "history_need_recognize_face": False,
        }
        setting_url = f"{live_box.http_url}/SophonFogSys/api/HistoryEventUrl"
        answer = requests.post(setting_url, json=config, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        configured_ms = time.time() * 1000
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(u["timestamp"] >= configured_ms for u in list(_Receiver.received)):
                break
            time.sleep(0.2)
        live = [u for u in _Receiver.received if u["timestamp"] >= configured_ms]
        assert live, f"no live recognition uploaded ({len(_Receiver.received)} uploads in all)"
        # the site's recorded history (hours old) is not replayed to a URL configured now
        assert all(u["timestamp"] >= configured_ms - 300_000 for u in _Receiver.received)
        since = {"filters": {"datetime_gte": live[0]["timestamp"]}, "page_limit": 1000}
        newest = v2(live_box, since)["events"]
        assert any(e["timestamp"] == live[0]["timestamp"] for e in newest)
    finally:
        server.shutdown()
        server.server_close()


def test_site_mode_refuses_a_control_plane(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no control plane"):
        build_state(EmulatorConfig(db_path=tmp_path / "x.sqlite3", site=True, control=True))


@pytest.mark.parametrize(
    ("flag", "value"), [("--live-rate", "-1"), ("--history-days", "abc"), ("--history-per-day", "1.5")]
)
def test_bad_site_flags_exit_2_with_one_message(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["emulator", "--site", flag, value])
    assert stopped.value.code == 2
    error_lines = [line for line in capsys.readouterr().err.splitlines() if ": error:" in line]
    assert len(error_lines) == 1 and flag in error_lines[0] and value in error_lines[0]


def test_site_and_control_flags_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--site", "--control"]) == 2
    assert "no control plane" in capsys.readouterr().err


def _event(event_id: str, ts_ms: int, sub_ms_us: int) -> EventRecord:
    return EventRecord(event_id, ts_ms, DeviceRecord("cam"), None, 4, 10.0, 1, 0, sub_ms_us=sub_ms_us)


def test_store_keeps_microseconds_and_filters_on_the_true_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "us.sqlite3")
    try:
        store.insert_events([_event("a", 1628066406608, 26), _event("b", 1628066406608, 0)])
        stored = store.get_event("a")
        assert stored is not None and stored.sub_ms_us == 26 and stored.true_seconds == 1628066406.608026

        def ids(**bounds: float) -> list[str]:
            rows, _ = store.query(EventFilters(**bounds), PageRequest(0, 10))  # type: ignore[arg-type]
            return [r.event_id for r in rows]

        assert ids(ts_lte_ms=1628066406608) == ["b"]
        assert ids(ts_gte_ms=1628066406608) == ["b", "a"]
        assert ids(ts_gte_ms=1628066406608.001) == ["a"]
        assert ids(ts_lte_ms=1628066406608.026) == ["b", "a"]
        assert ids(ts_gte_ms=1628066406608.027) == []
        assert ids(ts_gte_ms=1628066406.608026 * 1000, ts_lte_ms=1628066406.608026 * 1000) == ["a"]
    finally:
        store.close()


@pytest.fixture(scope="module")
def varied_box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteBox]:
    """A quiet site showing the real-box variations the harness must not fail."""
    variations = ("var-no-page-cap", "var-invalid-arguments-422", "var-undocumented-extras-change")
    path = tmp_path_factory.mktemp("varied")
    with start_site_box(path, live_rate=0, history_days=1, history_per_day=400, variations=variations) as box:
        yield box


def test_the_clean_box_caps_the_page_size(quiet_box: SiteBox) -> None:
    answer = requests.post(
        f"{quiet_box.http_url}/sophon/v2/face/getevents", json={"page_limit": 10**12}, timeout=TIMEOUT
    )
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": "INVALID_ARGUMENTS", "message": "page_limit"}}


def test_without_a_page_cap_a_huge_page_is_the_whole_history(varied_box: SiteBox) -> None:
    total = v2_total(varied_box, {})
    assert len(v2(varied_box, {"page_limit": 10**12})["events"]) == total > 400
    assert v2(varied_box, {"page_limit": 10**12})["pagination"]["page_limit"] == 10**12
    assert len(v1(varied_box, {"per_page": 10**12})["data"]) == total


def test_invalid_arguments_can_be_422_in_the_same_envelope(varied_box: SiteBox) -> None:
    v2_answer = requests.post(
        f"{varied_box.http_url}/sophon/v2/face/getevents", json={"page_limit": "x"}, timeout=TIMEOUT
    )
    assert v2_answer.status_code == 422
    assert v2_answer.json() == {"error": {"code": "INVALID_ARGUMENTS", "message": "page_limit"}}
    v1_answer = requests.get(f"{varied_box.http_url}/SophonFace/api/events?per_page=x", timeout=TIMEOUT)
    assert v1_answer.status_code == 422
    assert v1_answer.json()["error"]["status"] == "INVALID_ARGUMENTS"
    assert v1_answer.json()["error"]["code"] == 422


def test_undocumented_extras_change_between_calls(varied_box: SiteBox) -> None:
    first, second = (v2(varied_box, {"page_limit": 1})["events"][0] for _ in range(2))
    assert first["event_id"] == second["event_id"]
    assert first["serve_seq"] != second["serve_seq"]
    one, two = (v1(varied_box, {"per_page": 1})["data"][0] for _ in range(2))
    assert one["_id"] == two["_id"] and one["serve_seq"] != two["serve_seq"]


def test_a_scenario_can_be_the_site_history(tmp_path: Path) -> None:
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "small-office.yaml"
    state = build_state(EmulatorConfig(db_path=tmp_path / "s.sqlite3", site=True, scenario=scenario))
    try:
        assert state.store.event_count == 6  # the scenario's events, no generated history
        assert {d.device_id for d in state.store.devices()} == {"gate-east", "gate-west", "front-desk"}
    finally:
        state.store.close()


def test_site_flags_make_a_site_config_on_a_real_clock(tmp_path: Path) -> None:
    parser, _ = build_parser()
    args = parser.parse_args(
        ["emulator", "--site", "--live-rate", "0.5", "--history-days", "1.5", "--history-per-day", "10",
         "--seed", "4", "--scenario", "scenarios/small-office.yaml", "--db", str(tmp_path / "c.sqlite3")]
    )  # fmt: skip
    config = emulator_config(args)
    assert (config.site, config.live_rate, config.history_days, config.history_per_day, config.seed) == (
        True, 0.5, 1.5, 10, 4
    )  # fmt: skip
    assert config.clock.mode is ClockMode.REAL  # live recognitions need time to pass, even with a scenario


def test_control_plane_events_keep_whole_milliseconds(tmp_path: Path) -> None:
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "c.sqlite3", control=True)
    )
    try:
        control = running.control_url
        device = {"device_id": "cam", "device_name": "Gate", "device_ip": "10.0.0.1", "device_type": "rtsp"}
        assert requests.post(f"{control}/devices", json={"devices": [device]}, timeout=TIMEOUT).ok
        event = {"timestamp_ms": 1628066406608, "device_id": "cam", "identity_id": "", "score": 20}
        answer = requests.post(f"{control}/events", json={"events": [event]}, timeout=TIMEOUT)
        [event_id] = answer.json()["event_ids"]
        stored = running.state.store.get_event(event_id)
        assert stored is not None and stored.sub_ms_us == 0
        box = running.http_url
        v1_event = requests.get(f"{box}/SophonFace/api/events", timeout=TIMEOUT).json()["data"][0]
        assert v1_event["timestamp"] == 1628066406.608
        v2_body = {"filters": {"datetime_lte": 1628066406608}}
        v2_answer = requests.post(f"{box}/sophon/v2/face/getevents", json=v2_body, timeout=TIMEOUT)
        assert [e["timestamp"] for e in v2_answer.json()["events"]] == [1628066406608]
    finally:
        running.stop()
