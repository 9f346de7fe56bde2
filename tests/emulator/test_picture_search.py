"""Picture search: threshold, window, caps, continuation with ties, reverse, devices, and the HTTP route."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import requests
import uvicorn
from starlette.applications import Starlette

from conformance.emulator import picture_search as ps
from conformance.emulator.clock import ClockMode, ClockSetting, EmulatorClock
from conformance.emulator.faces import (
    extract_largest_face_feature,
    feature_for,
    render_face_jpeg,
    render_no_face_jpeg,
)
from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.picture_search import (
    CandidateBatch,
    Deviations,
    StoreCandidates,
    Window,
    WindowError,
    plan_scan,
    resolve_window,
    run_search,
)
from conformance.emulator.routes_picture_search import ROUTES
from conformance.emulator.store.database import Store

NOW = 1_700_000_000_000
DIM = 8
QUERY = np.eye(DIM, dtype=np.float32)[0]
HIT = QUERY
MISS = np.eye(DIM, dtype=np.float32)[1]
CONFORMING = Deviations()


@dataclass
class Candidate:
    """One in-memory event for the fake source."""

    event_id: str
    ts_ms: int
    feature: np.ndarray
    device_id: str = "cam-1"


class FakeSource:
    """A CandidateSource over a list, ordered by (ts_ms, event_id) like the store."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = sorted(candidates, key=lambda c: (c.ts_ms, c.event_id))
        self.scans = 0

    def scan(
        self, start_ms: int, end_ms: int, device_ids: list[str] | None, newest_first: bool, limit: int
    ) -> CandidateBatch:
        self.scans += 1
        chosen = [
            c
            for c in self.candidates
            if start_ms <= c.ts_ms <= end_ms and (not device_ids or c.device_id in device_ids)
        ]
        if newest_first:
            chosen.reverse()
        chosen = chosen[:limit]
        ts = np.asarray([c.ts_ms for c in chosen], dtype=np.int64)
        features = np.asarray([c.feature for c in chosen], dtype=np.float32).reshape(len(chosen), DIM)

        def hydrate(indices: list[int]) -> list[EventRecord]:
            return [
                EventRecord(
                    chosen[i].event_id,
                    chosen[i].ts_ms,
                    DeviceRecord(chosen[i].device_id),
                    None,
                    4,
                    50.0,
                    0,
                    0,
                )
                for i in indices
            ]

        return CandidateBatch(ts, features, hydrate)

    def project(self, query: np.ndarray) -> np.ndarray:
        return query


def search(
    source: FakeSource,
    window: Window,
    *,
    reverse: bool = True,
    last_end_ms: int | None = None,
    threshold: float = 82.0,
    devices: list[str] | None = None,
    deviations: Deviations = CONFORMING,
) -> ps.SearchOutcome:
    plan = plan_scan(window, reverse, last_end_ms, deviations)
    return run_search(source, QUERY, plan, threshold=threshold, device_ids=devices, deviations=deviations)


def ids(outcome: ps.SearchOutcome) -> list[str]:
    return [m.record.event_id for m in outcome.matches]


# -- threshold (E08) ------------------------------------------------------------------------------


def test_match_iff_compare_score_times_100_reaches_threshold() -> None:
    at = np.zeros(DIM, dtype=np.float32)
    at[0], at[1] = 0.75, np.sqrt(1 - 0.75**2)
    source = FakeSource(
        [Candidate("at", NOW, at), Candidate("hit", NOW + 1, HIT), Candidate("miss", NOW + 2, MISS)]
    )
    window = Window(NOW, NOW + 10)
    assert ids(search(source, window, threshold=75.0)) == ["hit", "at"]
    assert ids(search(source, window, threshold=75.001)) == ["hit"]
    scores = {m.record.event_id: m.compare_score for m in search(source, window, threshold=0).matches}
    assert scores == {"hit": 1.0, "at": 0.75, "miss": 0.0}
    wrong = search(source, window, threshold=82.0, deviations=Deviations(threshold_wrong_scale=True))
    assert ids(wrong) == ["hit", "at"]  # the fault lets 0.75 pass an 82 threshold


# -- window ---------------------------------------------------------------------------------------


def test_default_window_is_the_last_24_hours_of_the_emulator_clock() -> None:
    assert resolve_window(None, None, NOW) == Window(NOW - ps.DAY_MS, NOW)
    assert resolve_window(NOW - 5000, None, NOW) == Window(NOW - 5000, NOW)
    assert resolve_window(None, NOW - 5000, NOW) == Window(NOW - ps.DAY_MS, NOW - 5000)


def test_window_must_be_shorter_than_a_month() -> None:
    just_under = resolve_window(NOW - ps.MONTH_MS + 1, NOW, NOW)
    assert just_under.end_ms - just_under.start_ms == ps.MONTH_MS - 1
    with pytest.raises(WindowError) as refused:
        resolve_window(NOW - ps.MONTH_MS, NOW, NOW)
    assert refused.value.key == "endtime"
    assert resolve_window(NOW - ps.MONTH_MS, NOW, NOW, Deviations(window_limit_not_enforced=True))
    with pytest.raises(WindowError, match="starttime"):
        resolve_window(NOW, NOW - 1, NOW)


# -- order, devices -------------------------------------------------------------------------------


def test_reverse_orders_newest_first_and_false_oldest_first() -> None:
    source = FakeSource([Candidate(f"e{i}", NOW + i, HIT) for i in range(5)])
    window = Window(NOW, NOW + 10)
    assert ids(search(source, window)) == ["e4", "e3", "e2", "e1", "e0"]
    assert ids(search(source, window, reverse=False)) == ["e0", "e1", "e2", "e3", "e4"]
    ignored = search(source, window, deviations=Deviations(reverse_ignored=True))
    assert ids(ignored) == ["e0", "e1", "e2", "e3", "e4"]


def test_device_filter_and_window_bounds_are_inclusive() -> None:
    source = FakeSource(
        [
            Candidate("a", NOW, HIT, "cam-1"),
            Candidate("b", NOW + 5, HIT, "cam-2"),
            Candidate("c", NOW + 6, HIT),
        ]
    )
    assert ids(search(source, Window(NOW, NOW + 5))) == ["b", "a"]
    assert ids(search(source, Window(NOW, NOW + 6), devices=["cam-1"])) == ["c", "a"]
    assert ids(search(source, Window(NOW + 1, NOW + 4))) == []


# -- caps -----------------------------------------------------------------------------------------


def test_scan_cap_of_50000_records() -> None:
    candidates = [Candidate(f"e{i:06d}", NOW + i, HIT if i % 1000 == 0 else MISS) for i in range(50_010)]
    source = FakeSource(candidates)
    window = Window(NOW, NOW + 60_000)
    first = search(source, window, reverse=False)
    assert first.have_more and first.scanned == ps.SCAN_CAP
    assert first.end_ms == NOW + ps.SCAN_CAP - 1
    assert len(first.matches) == 50
    rest = search(source, window, reverse=False, last_end_ms=first.end_ms)
    assert not rest.have_more and rest.scanned == 10 and len(rest.matches) == 1
    assert rest.end_ms == window.end_ms
    uncapped = search(source, window, reverse=False, deviations=Deviations(cap_not_applied=True))
    assert not uncapped.have_more and uncapped.scanned == 50_010


def test_exactly_50000_records_finish_in_one_call() -> None:
    source = FakeSource([Candidate(f"e{i:06d}", NOW + i, MISS) for i in range(ps.SCAN_CAP)])
    outcome = search(source, Window(NOW, NOW + 60_000))
    assert not outcome.have_more and outcome.end_ms == NOW


def test_result_cap_of_1000() -> None:
    source = FakeSource([Candidate(f"e{i:05d}", NOW + i, HIT) for i in range(1_500)])
    first = search(source, Window(NOW, NOW + 2_000))
    assert len(first.matches) == ps.RESULT_CAP and first.have_more
    assert first.end_ms == NOW + 500
    rest = search(source, Window(NOW, NOW + 2_000), last_end_ms=first.end_ms)
    assert len(rest.matches) == 500 and not rest.have_more


# -- continuation ---------------------------------------------------------------------------------


def _tied_candidates(seed: int) -> list[Candidate]:
    rng = np.random.default_rng(seed)
    stamps = NOW + np.sort(rng.integers(0, 40, size=120))  # ~3 events per millisecond
    return [
        Candidate(f"e{i:04d}", int(ts), HIT if rng.random() < 0.5 else MISS) for i, ts in enumerate(stamps)
    ]


def _chain(source: FakeSource, reverse: bool, deviations: Deviations = CONFORMING) -> list[str]:
    window, last_end, seen = Window(NOW, NOW + 100), None, []
    for _ in range(200):
        outcome = search(source, window, reverse=reverse, last_end_ms=last_end, deviations=deviations)
        seen += ids(outcome)
        if not outcome.have_more:
            return seen
        last_end = outcome.end_ms
    raise AssertionError("continuation did not finish")


@pytest.mark.parametrize("reverse", [True, False])
@pytest.mark.parametrize(("scan_cap", "result_cap"), [(7, 1000), (1000, 3), (5, 2)])
def test_continuation_covers_the_window_once_despite_ties(
    monkeypatch: pytest.MonkeyPatch, reverse: bool, scan_cap: int, result_cap: int
) -> None:
    monkeypatch.setattr(ps, "SCAN_CAP", scan_cap)
    monkeypatch.setattr(ps, "RESULT_CAP", result_cap)
    candidates = _tied_candidates(scan_cap * 31 + result_cap)
    expected = sorted(c.event_id for c in candidates if c.feature is HIT)
    seen = _chain(FakeSource(candidates), reverse)
    assert len(seen) == len(set(seen)), "a record came back twice"
    assert sorted(seen) == expected


@pytest.mark.parametrize(
    ("deviation", "symptom"),
    [(Deviations(continuation_skips=True), "lost"), (Deviations(continuation_repeats=True), "repeated")],
)
def test_continuation_faults_lose_or_repeat(
    monkeypatch: pytest.MonkeyPatch, deviation: Deviations, symptom: str
) -> None:
    monkeypatch.setattr(ps, "SCAN_CAP", 20)  # room for the repeated millisecond plus progress
    candidates = _tied_candidates(3)
    expected = sorted(c.event_id for c in candidates if c.feature is HIT)
    seen = _chain(FakeSource(candidates), True, deviation)
    if symptom == "lost":
        assert set(seen) < set(expected)
    else:
        assert len(seen) > len(set(seen))


def test_one_millisecond_over_the_cap_is_scanned_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ps, "SCAN_CAP", 4)
    source = FakeSource([Candidate(f"t{i}", NOW + 50, HIT) for i in range(6)] + [Candidate("old", NOW, HIT)])
    first = search(source, Window(NOW, NOW + 100))
    assert len(first.matches) == 6 and first.have_more and first.end_ms == NOW + 50
    rest = search(source, Window(NOW, NOW + 100), last_end_ms=first.end_ms)
    assert ids(rest) == ["old"] and not rest.have_more


def test_empty_remaining_range_reports_the_window_edge() -> None:
    source = FakeSource([Candidate("a", NOW + 5, HIT)])
    outcome = search(source, Window(NOW, NOW + 10), last_end_ms=NOW)
    assert outcome.matches == [] and not outcome.have_more and outcome.end_ms == NOW
    assert source.scans == 0


# -- the store source -----------------------------------------------------------------------------


def test_store_source_scores_like_the_stored_features_and_hydrates_matches(tmp_path: Path) -> None:
    store = Store(tmp_path / "source.sqlite3")
    store.upsert_devices([CAM])
    records = [_event(f"e{i}", NOW - i * 1000, seed=500 + i % 4) for i in range(12)]
    store.insert_events(records)
    query = extract_largest_face_feature(render_face_jpeg(501, 3))
    source = StoreCandidates(store)
    batch = source.scan(NOW - 100_000, NOW, None, True, limit=10)
    assert batch.ts_ms.tolist() == [r.ts_ms for r in records[:10]]
    full = np.clip(np.stack([r.feature for r in records[:10]]) @ query, 0, 1)
    assert np.allclose(batch.scores(source.project(query), 10), full, atol=1e-5)
    picked = batch.hydrate([4, 1])
    assert [r.event_id for r in picked] == ["e4", "e1"] and picked[0].device.device_name == "door"
    outcome = run_search(source, query, plan_scan(Window(NOW - 100_000, NOW), True, None))
    assert [m.record.event_id for m in outcome.matches] == [r.event_id for r in records if r.face_seed == 501]
    store.close()


def test_store_source_shares_one_cache_per_store_and_forgets_it_on_reset(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    store.insert_events([_event("a", NOW, 501), _event("b", NOW - 1, 777)])
    first = StoreCandidates.for_store(store)
    first.scan(NOW - 10, NOW, None, True, limit=10)
    cache = first.cache
    assert cache.loaded == 2
    StoreCandidates.for_store(store).scan(NOW - 10, NOW, None, True, limit=10)
    assert cache.loaded == 2  # the second search read no features
    store.reset()
    store.insert_events([_event("c", NOW, 501)])
    StoreCandidates.for_store(store).scan(NOW - 10, NOW, None, True, limit=10)
    assert cache.loaded == 3 and len(cache) == 1
    other = Store(tmp_path / "other.sqlite3")
    assert StoreCandidates.for_store(other).cache is not cache
    other.close()
    store.close()


# -- HTTP -----------------------------------------------------------------------------------------

CAM = DeviceRecord("cam-1", "door", "10.0.0.7", "rtsp")
ALICE = IdentityRecord("id-alice", "Alice", 1, face_seed=501)


def _event(event_id: str, ts_ms: int, seed: int, identity: IdentityRecord | None = None) -> EventRecord:
    return EventRecord(
        event_id=event_id,
        ts_ms=ts_ms,
        device=CAM,
        identity=identity,
        person_type=1 if identity else 4,
        score=91.5 if identity else 12.0,
        face_seed=seed,
        face_variant=int(ts_ms % 97),
        feature=feature_for(seed, int(ts_ms % 97)),
        box=(10.0, 20.0, 110.0, 145.0),
    )


class Client:
    """POSTs to a live server bound to 127.0.0.1 on a free port."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def post(self, path: str, **kwargs: object) -> requests.Response:
        return requests.post(self.base_url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    store = Store(tmp_path / "emulator.sqlite3")
    store.upsert_devices([CAM])
    store.upsert_identities([ALICE])
    store.insert_events(
        [
            _event("alice-old", NOW - 3_600_000, 501, ALICE),
            _event("stranger", NOW - 1_800_000, 777),
            _event("alice-new", NOW - 60_000, 501, ALICE),
            _event("alice-2days", NOW - 2 * ps.DAY_MS, 501, ALICE),
        ]
    )
    app = Starlette(routes=ROUTES)
    app.state.store = store
    app.state.clock = EmulatorClock(ClockSetting(ClockMode.FROZEN, now_ms=NOW))
    app.state.faults = ActiveFaults()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "test server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Client(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def _photo(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_http_search_finds_the_identity_in_the_default_window(client: Client) -> None:
    response = client.post(ROUTES[0].path, json={"face_image_base64": _photo(render_face_jpeg(501, 2))})
    assert response.status_code == 200
    body = response.json()
    assert body["retcode"] == "1" and body["have_more"] is False
    assert body["endtimestamp"] == (NOW - ps.DAY_MS) / 1000
    assert [item["timestamp"] for item in body["event_list"]] == [
        (NOW - 60_000) / 1000,
        (NOW - 3_600_000) / 1000,
    ]
    item = body["event_list"][0]
    assert item["identity_name"] == "Alice" and item["identity_info"]["image_id"] == "reg_id-alice"
    assert 0.82 <= item["compare_score"] <= 1.0
    assert item["ep_info"]["ep_type"] == "rtsp" and item["ep_info"]["device_id"] == "cam-1"
    assert "feature" not in item["recognize_face_attr"] and item["recognize_face_attr"]["mask"] == "2"
    assert 0 <= body["total_time"] < 60


def test_http_stranger_is_named_stranger(client: Client) -> None:
    body = client.post(
        ROUTES[0].path, json={"face_image_base64": _photo(render_face_jpeg(777, 1)), "reverse": False}
    ).json()
    assert [(i["identity_name"], i["identity_id"], i["identity_info"]) for i in body["event_list"]] == [
        ("stranger", "", {})
    ]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "MISSING_ARGUMENTS"),
        ({"face_image_base64": "***"}, 400, "IMAGE_DECODE_ERROR"),
        ({"face_image_base64": _photo(b"hello")}, 400, "IMAGE_DECODE_ERROR"),
        ({"face_image_base64": _photo(render_no_face_jpeg(1))}, 400, "NO_FACE_ERROR"),
        ({"face_image_base64": _photo(render_face_jpeg(1, 0)), "threshold": 101}, 400, "INVALID_ARGUMENTS"),
        ({"face_image_base64": _photo(render_face_jpeg(1, 0)), "threshold": True}, 400, "INVALID_ARGUMENTS"),
        (
            {"face_image_base64": _photo(render_face_jpeg(1, 0)), "fiqa_level": "max"},
            400,
            "INVALID_ARGUMENTS",
        ),
        ({"face_image_base64": _photo(render_face_jpeg(1, 0)), "starttime": NOW}, 400, "INVALID_ARGUMENTS"),
        (
            {
                "face_image_base64": _photo(render_face_jpeg(1, 0)),
                "starttime": 1.6e9,
                "endtime": 1.6e9 + 2592000,
            },
            400,
            "INVALID_ARGUMENTS",
        ),
    ],
    ids=[
        "missing",
        "not-base64",
        "not-image",
        "no-face",
        "threshold-100+",
        "bool",
        "fiqa",
        "ms-time",
        "month",
    ],
)
def test_http_bad_input_gets_a_v1_error(
    client: Client, body: dict[str, object], status: int, code: str
) -> None:
    response = client.post(ROUTES[0].path, json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == code and error["code"] == status and error["message"]


def test_http_low_quality_face_is_refused_at_high_level(client: Client) -> None:
    from conformance.emulator.faces import FacePlacement, render_scene_jpeg

    small = render_scene_jpeg((300, 300), [FacePlacement(501, 10, 10, 90)], scene_seed=2)
    ok = client.post(ROUTES[0].path, json={"face_image_base64": _photo(small), "fiqa_level": "low"})
    assert ok.status_code == 200
    refused = client.post(ROUTES[0].path, json={"face_image_base64": _photo(small), "fiqa_level": "high"})
    assert refused.status_code == 400 and refused.json()["error"]["status"] == "LOW_QUALITY_ERROR"


def test_http_non_json_body_is_refused(client: Client) -> None:
    response = client.post(ROUTES[0].path, data=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["status"] == "INVALID_REQUEST_JSON"
