"""The uploader against a tiny local receiver: JSON and form-data, retry until 2xx, down receivers,
restarts, several URLs, configuration changes and the upload faults."""

from __future__ import annotations

import asyncio
import email
import json
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.faults.upload import DUPLICATE_STORM_COPIES
from conformance.emulator.history_config import SETTINGS_KEY, HistoryUploadConfig
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.store.database import Store
from conformance.emulator.uploader import Backoff, Uploader
from conformance.spec.catalog import Profile, load_spec

DEVICE = DeviceRecord("3f09148d-b736-48fb-a29f-95bb9d23ff51", "3ran", "192.168.1.100", "rtsp", "3")
TOM = IdentityRecord("13435454", "Tom", 1, "g1", "default_group", face_seed=9)
FAST_BACKOFF = Backoff(base_ms=20, cap_ms=100)
WAIT_S = 20.0


class Receiver:
    """An upload endpoint on 127.0.0.1 that records every POST and answers `status` (settable)."""

    def __init__(self, port: int = 0) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.status = 200
        self.delay_s = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(receiver.delay_s)
                with receiver._lock:
                    receiver.posts.append((self.headers.get("Content-Type", ""), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/HistoryEvent"

    def payloads(self) -> list[dict[str, Any]]:
        """Every body received, decoded (JSON or multipart form-data with JSON-text dicts)."""
        with self._lock:
            posts = list(self.posts)
        return [decode(content_type, body) for content_type, body in posts]

    def event_ids_ms(self) -> list[int]:
        return sorted(int(p["timestamp"]) for p in self.payloads())

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def decode(content_type: str, body: bytes) -> dict[str, Any]:
    if content_type == "application/json":
        data = json.loads(body)
        assert isinstance(data, dict)
        return data
    assert content_type.startswith("multipart/form-data")
    message = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, Any] = {"_form": True}
    for part in message.get_payload():
        assert isinstance(part, Message)
        raw = part.get_payload(decode=True)
        assert isinstance(raw, bytes)
        fields[str(part.get_param("name", header="content-disposition"))] = raw.decode()
    return fields


class RunningUploader:
    """An Uploader on its own loop in a thread, as the emulator runs it."""

    def __init__(self, store: Store, faults: set[str] | None = None, **kwargs: Any) -> None:
        active = ActiveFaults(faults or ())
        self.uploader = Uploader(store, active, backoff=FAST_BACKOFF, poll_interval_s=0.05, **kwargs)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self.uploader.run(),))
        self._thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.uploader.stop)
        self._thread.join(WAIT_S)
        self.uploader.close()
        self.loop.close()


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "box.sqlite3")
    opened.upsert_devices([DEVICE])
    opened.upsert_identities([TOM])
    yield opened
    opened.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def configure(store: Store, *urls: str, content_type: str = "json", pictures: bool = False) -> None:
    config = HistoryUploadConfig(
        history_upload_event_url=list(urls),
        history_need_reg_pic=pictures,
        history_need_spot_pic=pictures,
        history_need_recognize_face=pictures,
        content_type=content_type,
    )
    store.settings_set(SETTINGS_KEY, config.as_json())


def store_events(store: Store, count: int, first_ms: int = 1_602_612_036_000) -> list[int]:
    """Insert events with distinct timestamps; returns the timestamps (what receivers are checked by)."""
    stamps = [first_ms + i for i in range(count)]
    records = [
        EventRecord(f"ev-{ms}", ms, DEVICE, TOM if i % 2 else None, 1 if i % 2 else 4, 0.5, 9, i % 4)
        for i, ms in enumerate(stamps)
    ]
    store.insert_events(records)
    return stamps


def sent_flags(store: Store, stamps: list[int]) -> list[int]:
    return [store.get_event(f"ev-{ms}").is_send for ms in stamps]  # type: ignore[union-attr]


def test_json_uploads_deliver_every_event_once_with_the_seed_payload(
    store: Store, receiver: Receiver
) -> None:
    configure(store, receiver.url)
    stamps = store_events(store, 12)
    running = RunningUploader(store, dev_sno="SNO-7")
    try:
        wait_until(lambda: len(receiver.posts) >= 12, "12 uploads")
        wait_until(lambda: all(sent_flags(store, stamps)), "is_send on every event")
    finally:
        running.stop()
    assert receiver.event_ids_ms() == stamps
    assert {ct for ct, _ in receiver.posts} == {"application/json"}
    spec = load_spec(Profile.LENIENT)
    for payload in receiver.payloads():
        assert isinstance(payload["timestamp"], int) and payload["api_version"] == "1.0"
        assert payload["dev_sno"] == "SNO-7" and payload["reg_pic"] == ""
        assert spec.validate("upload-payload", payload) == []


def test_concurrent_deliveries_post_each_event_exactly_once(store: Store, receiver: Receiver) -> None:
    receiver.delay_s = 0.002
    configure(store, receiver.url)
    stamps = store_events(store, 150)
    running = RunningUploader(store, concurrency=6)
    try:
        wait_until(lambda: all(sent_flags(store, stamps)), "150 deliveries")
        time.sleep(0.2)
    finally:
        running.stop()
    assert receiver.event_ids_ms() == stamps


class BatchingStore(Store):
    """A store offering the batch call the uploader prefers (one transaction per batch of outcomes)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.batches: list[int] = []

    def mark_sent_many(self, upload_ids: list[int]) -> None:
        self.batches.append(len(upload_ids))
        for upload_id in upload_ids:
            self.mark_sent(upload_id)


def test_a_store_with_batch_marking_gets_batches_and_no_duplicates(
    tmp_path: Path, receiver: Receiver
) -> None:
    batching = BatchingStore(tmp_path / "batch.sqlite3")
    try:
        batching.upsert_devices([DEVICE])
        batching.upsert_identities([TOM])
        configure(batching, receiver.url)
        stamps = store_events(batching, 120)
        running = RunningUploader(batching, concurrency=6)
        try:
            wait_until(lambda: all(sent_flags(batching, stamps)), "120 deliveries")
            time.sleep(0.2)
        finally:
            running.stop()
        assert receiver.event_ids_ms() == stamps
        assert sum(batching.batches) == 120 and max(batching.batches) > 1
    finally:
        batching.close()


def test_events_stored_before_the_url_was_configured_are_delivered(store: Store, receiver: Receiver) -> None:
    stamps = store_events(store, 5)
    running = RunningUploader(store)
    try:
        time.sleep(0.2)
        assert receiver.posts == []
        configure(store, receiver.url)
        wait_until(lambda: len(receiver.posts) >= 5, "the backlog")
    finally:
        running.stop()
    assert receiver.event_ids_ms() == stamps


def test_form_data_uploads_send_string_fields(store: Store, receiver: Receiver) -> None:
    configure(store, receiver.url, content_type="form-data", pictures=True)
    stamps = store_events(store, 3)
    running = RunningUploader(store)
    try:
        wait_until(lambda: len(receiver.posts) >= 3, "3 uploads")
    finally:
        running.stop()
    spec = load_spec(Profile.STRICT)
    for payload in receiver.payloads():
        assert payload.pop("_form") is True
        assert all(isinstance(v, str) for v in payload.values())
        assert spec.validate("upload-form-fields", payload) == []
        assert payload["spot_pic"] and payload["recognize_face"]
    assert receiver.event_ids_ms() == stamps


def test_every_configured_url_receives_every_event(store: Store, receiver: Receiver) -> None:
    second = Receiver()
    try:
        configure(store, receiver.url, second.url)
        stamps = store_events(store, 6)
        running = RunningUploader(store)
        try:
            wait_until(lambda: len(receiver.posts) >= 6 and len(second.posts) >= 6, "both receivers")
        finally:
            running.stop()
        assert receiver.event_ids_ms() == second.event_ids_ms() == stamps
    finally:
        second.stop()


def test_non_2xx_answers_are_retried_until_acknowledged(store: Store, receiver: Receiver) -> None:
    receiver.status = 503
    configure(store, receiver.url)
    stamps = store_events(store, 4)
    running = RunningUploader(store)
    try:
        wait_until(lambda: len(receiver.posts) >= 12, "several refused attempts")
        assert not any(sent_flags(store, stamps))
        refused = len(receiver.posts)
        receiver.status = 201
        wait_until(lambda: all(sent_flags(store, stamps)), "acknowledgement")
    finally:
        running.stop()
    accepted = receiver.payloads()[refused:]
    assert sorted(p["timestamp"] for p in accepted) == stamps  # each once after the 2xx
    assert store.upload_counts() == {"pending": 0, "sent": 4}


def test_a_receiver_that_is_down_loses_nothing(store: Store) -> None:
    receiver = Receiver()
    port = receiver.port
    receiver.stop()  # nobody listens: connection refused
    configure(store, f"http://127.0.0.1:{port}/HistoryEvent")
    stamps = store_events(store, 8)
    running = RunningUploader(store)
    try:
        wait_until(lambda: running.uploader.stats.failed_attempts >= 16, "refused attempts")
        revived = Receiver(port)
        try:
            stamps += store_events(store, 4, first_ms=1_602_612_037_000)
            wait_until(lambda: len(revived.posts) >= 12, "the backlog after the receiver came back")
            assert revived.event_ids_ms() == stamps
        finally:
            revived.stop()
    finally:
        running.stop()


def test_a_receiver_that_hangs_is_timed_out_and_retried(store: Store, receiver: Receiver) -> None:
    receiver.delay_s = 1.0
    configure(store, receiver.url)
    stamps = store_events(store, 1)
    running = RunningUploader(store, timeout_s=(1.0, 0.2))
    try:
        wait_until(lambda: running.uploader.stats.failed_attempts >= 1, "a timed-out attempt")
        receiver.delay_s = 0.0
        wait_until(lambda: all(sent_flags(store, stamps)), "delivery")
    finally:
        running.stop()


def test_the_queue_survives_a_restart(store: Store, tmp_path: Path) -> None:
    receiver = Receiver()
    port = receiver.port
    receiver.stop()
    configure(store, f"http://127.0.0.1:{port}/HistoryEvent")
    stamps = store_events(store, 5)
    first = RunningUploader(store)
    wait_until(lambda: first.uploader.stats.failed_attempts >= 5, "failed attempts before the restart")
    first.stop()
    store.close()
    reopened = Store(tmp_path / "box.sqlite3")
    revived = Receiver(port)
    second = RunningUploader(reopened)
    try:
        wait_until(lambda: len(revived.posts) >= 5, "delivery after the restart")
        assert revived.event_ids_ms() == stamps
        wait_until(lambda: all(sent_flags(reopened, stamps)), "is_send after the restart")
    finally:
        second.stop()
        revived.stop()
        reopened.close()


def test_after_a_reset_only_the_new_events_are_delivered(store: Store) -> None:
    receiver = Receiver()
    port = receiver.port
    receiver.stop()
    url = f"http://127.0.0.1:{port}/HistoryEvent"
    configure(store, url)
    store_events(store, 6)
    running = RunningUploader(store)
    try:
        wait_until(lambda: running.uploader.stats.failed_attempts >= 6, "failed attempts before the reset")
        store.reset()
        store.upsert_devices([DEVICE])
        store.upsert_identities([TOM])
        configure(store, url)
        fresh = store_events(store, 3, first_ms=1_602_612_099_000)  # reuses the wiped rowids
        revived = Receiver(port)
        try:
            wait_until(lambda: all(sent_flags(store, fresh)), "the new events")
            time.sleep(0.3)
            assert revived.event_ids_ms() == fresh
        finally:
            revived.stop()
    finally:
        running.stop()


def test_a_new_configuration_applies_to_the_uploads_that_follow(store: Store, receiver: Receiver) -> None:
    configure(store, receiver.url)
    store_events(store, 2)
    running = RunningUploader(store)
    try:
        wait_until(lambda: len(receiver.posts) >= 2, "json uploads")
        configure(store, receiver.url, content_type="form-data")
        store_events(store, 2, first_ms=1_602_612_040_000)
        wait_until(lambda: len(receiver.posts) >= 4, "form uploads")
    finally:
        running.stop()
    assert [ct.split(";")[0] for ct, _ in receiver.posts] == ["application/json"] * 2 + [
        "multipart/form-data"
    ] * 2


# -- faults: each deviation is visible to a receiver ------------------------------------------------


def _run_with(
    store: Store, receiver: Receiver, fault: str, count: int, **config: Any
) -> list[dict[str, Any]]:
    configure(store, receiver.url, **config)
    store_events(store, count)
    running = RunningUploader(store, {fault})
    try:
        wait_until(lambda: len(receiver.posts) >= count, "uploads")
        time.sleep(0.1)
    finally:
        running.stop()
    return receiver.payloads()


def test_fault_seconds_timestamps(store: Store, receiver: Receiver) -> None:
    payload = _run_with(store, receiver, "upload-seconds-timestamps", 1)[0]
    assert isinstance(payload["timestamp"], float) and payload["timestamp"] < 1e11


def test_fault_missing_api_version(store: Store, receiver: Receiver) -> None:
    assert "api_version" not in _run_with(store, receiver, "upload-missing-api-version", 1)[0]


def test_fault_pictures_ignore_flags(store: Store, receiver: Receiver) -> None:
    assert _run_with(store, receiver, "upload-pictures-ignore-flags", 1)[0]["spot_pic"] != ""


def test_fault_form_sends_json(store: Store, receiver: Receiver) -> None:
    _run_with(store, receiver, "upload-form-sends-json", 1, content_type="form-data")
    assert receiver.posts[0][0] == "application/json"


def test_fault_duplicate_storm(store: Store, receiver: Receiver) -> None:
    payloads = _run_with(store, receiver, "upload-duplicate-storm", 1)
    assert len(payloads) == DUPLICATE_STORM_COPIES


def test_fault_lost_when_down(store: Store) -> None:
    receiver = Receiver()
    port = receiver.port
    receiver.stop()
    configure(store, f"http://127.0.0.1:{port}/HistoryEvent")
    store_events(store, 3)
    running = RunningUploader(store, {"upload-lost-when-down"})
    try:
        wait_until(lambda: store.upload_counts() == {"pending": 0, "sent": 3}, "the queue to be dropped")
        revived = Receiver(port)
        time.sleep(0.3)
        assert revived.posts == []
        revived.stop()
    finally:
        running.stop()
