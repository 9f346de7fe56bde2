"""The seed 003 uploader: POST every stored event to each configured HistoryEventUrl, at least once.

Deliveries live in the store's `upload_queue` (one row per event and URL), so they survive a
restart. A delivery succeeds on a 2xx answer; anything else (refused connection, timeout, 4xx, 5xx)
is retried with exponential backoff (base × 2^attempts, capped) for as long as it takes. Backoff
runs on wall time, not on the emulator clock, so a frozen clock never stalls retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import requests

from conformance.emulator.faults.hooks import (
    NO_FAULTS,
    UPLOAD_ANSWER,
    UPLOAD_CONFIG,
    UPLOAD_PAYLOAD,
    FaultHooks,
)
from conformance.emulator.history_config import load_history_config
from conformance.emulator.model import EventRecord
from conformance.emulator.render_upload import (
    CONTENT_FORM,
    CONTENT_JSON,
    UploadOptions,
    encode_payload,
    upload_payload,
)
from conformance.emulator.render_ws import EventPictures
from conformance.emulator.store.database import Store
from conformance.emulator.store.upload_queue import UploadItem

if TYPE_CHECKING:
    from conformance.emulator.app_state import AppState

LOG = logging.getLogger(__name__)

UPLOAD_CURSORS_KEY = "upload_cursors"  # {url: rowid of the last event queued for that URL}
# rowid a URL configured later starts after: unset = the first event; site mode sets it to the end of the
# history the box held when it started (a site box does not replay days of history to a new URL).
NEW_URL_START_KEY = "upload_new_url_start"
FEED_BATCH = 500
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 10.0
MAX_COPIES = 5  # copies of one delivery the uploader waits for when it stops


def wall_ms() -> int:
    """Real time in ms: backoff deadlines must advance even when the emulator clock is frozen."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n (n = attempts so far): base × 2^(n-1), never more than cap."""

    base_ms: int = 500
    cap_ms: int = 30_000

    def delay_ms(self, attempts: int) -> int:
        """The wait after the attempts-th failure."""
        return int(min(self.cap_ms, self.base_ms * 2 ** min(max(attempts - 1, 0), 30)))


@dataclass(frozen=True)
class UploadConfig:
    """The HistoryEventUrl settings as the uploader needs them, and how it delivers (copies, retries)."""

    urls: tuple[str, ...] = ()
    content_type: str = CONTENT_JSON
    options: UploadOptions = field(default_factory=UploadOptions)
    copies: int = 1  # POSTs per delivery attempt
    retry_failed: bool = True  # a failed delivery is retried with backoff (else dropped)

    @classmethod
    def load(cls, store: Store, dev_sno: str = "") -> UploadConfig:
        """The stored HistoryEventUrl configuration (defaults when none was set)."""
        stored = load_history_config(store)
        return cls(
            urls=tuple(dict.fromkeys(stored.history_upload_event_url)),
            content_type=CONTENT_FORM if stored.content_type == CONTENT_FORM else CONTENT_JSON,
            options=UploadOptions(
                need_reg_pic=stored.history_need_reg_pic,
                need_spot_pic=stored.history_need_spot_pic,
                need_recognize_face=stored.history_need_recognize_face,
                dev_sno=dev_sno,
            ),
        )


@dataclass(frozen=True)
class _Outcome:
    """How one attempt ended: sent (or dropped on purpose), or failed with the wait before the next."""

    upload_id: int
    sent: bool
    backoff_ms: int
    generation: int
    committed: bool = False


@dataclass
class UploaderStats:
    """Counters for the control plane's stats (updated from worker threads under a lock)."""

    attempts: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, attempts: int = 0, delivered: int = 0, failed_attempts: int = 0) -> None:
        """Count atomically."""
        with self.lock:
            self.attempts += attempts
            self.delivered += delivered
            self.failed_attempts += failed_attempts


class Uploader:
    """Feeds new events into the queue and delivers due queue rows with bounded concurrency."""

    def __init__(
        self,
        store: Store,
        faults: FaultHooks = NO_FAULTS,
        *,
        concurrency: int = 4,
        backoff: Backoff = Backoff(),
        poll_interval_s: float = 0.25,
        dev_sno: str = "",
        pictures: EventPictures | None = None,
        timeout_s: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
    ) -> None:
        self._store = store
        self._faults = faults
        self._concurrency = concurrency
        self._backoff = backoff
        self._poll_interval_s = poll_interval_s
        self._dev_sno = dev_sno
        self._timeout_s = timeout_s
        self._pictures = pictures or EventPictures()
        self._pool = ThreadPoolExecutor(max_workers=concurrency + 1, thread_name_prefix="uploader")
        self._local = threading.local()
        self._in_flight: set[int] = set()
        self._outcomes: list[_Outcome] = []
        # One fsync per batch instead of per delivery when the store offers it (see the report).
        self._mark_sent_many: Callable[[list[int]], None] | None = getattr(store, "mark_sent_many", None)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self.stats = UploaderStats()

    # -- lifecycle -----------------------------------------------------------------------------

    def wake(self, _batch: Sequence[object] = ()) -> None:
        """Look at the store now instead of at the next poll (a bus subscriber; call on the loop thread)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """Deliver until stop(); meant to run as one asyncio task."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        slots = asyncio.Semaphore(self._concurrency)
        tasks: set[asyncio.Future[_Outcome]] = set()
        try:
            while not self._stopping:
                self._wake.clear()
                await self._commit_outcomes()
                config = await self._in_pool(self._read_config)
                if config.urls:
                    await self._in_pool(self._feed, config)
                # A delivery stays "in flight" until its outcome is committed, so the due query
                # never hands out a row whose POST already succeeded.
                generation = self._store.generation  # a reset in between makes these rows stale
                due = [i for i in await self._in_pool(self._due) if i.upload_id not in self._in_flight]
                for item in due:
                    await slots.acquire()
                    if self._stopping:
                        slots.release()
                        break
                    self._in_flight.add(item.upload_id)
                    task = self._loop.run_in_executor(self._pool, self._attempt, item, config, generation)
                    tasks.add(task)
                    task.add_done_callback(functools.partial(self._done, item, slots, tasks))
                if not due and not self._outcomes:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_interval_s):
                            await self._wake.wait()
        finally:
            if tasks:
                await asyncio.wait(tasks, timeout=sum(self._timeout_s) * MAX_COPIES)
            await self._commit_outcomes()

    def _done(
        self,
        item: UploadItem,
        slots: asyncio.Semaphore,
        tasks: set[asyncio.Future[_Outcome]],
        task: asyncio.Future[_Outcome],
    ) -> None:
        tasks.discard(task)
        slots.release()
        if task.cancelled() or task.exception() is not None:
            if not task.cancelled():
                LOG.error("upload delivery crashed", exc_info=task.exception())
            backoff_ms = self._backoff.delay_ms(item.attempts + 1)
            self._outcomes.append(_Outcome(item.upload_id, False, backoff_ms, self._store.generation))
        else:
            self._outcomes.append(task.result())
        if self._wake is not None:
            self._wake.set()

    async def _commit_outcomes(self) -> None:
        """Record finished attempts in the store in one go, then let their rows be queried again."""
        outcomes, self._outcomes = self._outcomes, []
        if any(not o.committed for o in outcomes):
            await self._in_pool(self._record, outcomes)
        self._in_flight.difference_update(o.upload_id for o in outcomes)

    def stop(self) -> None:
        """Ask run() to finish (after in-flight POSTs) and release the worker threads afterwards."""
        self._stopping = True
        self.wake()

    def close(self) -> None:
        """Release the worker threads; call after the run task finished."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def _in_pool(self, function: Callable[..., Any], *args: Any) -> Any:
        assert self._loop is not None
        return await self._loop.run_in_executor(self._pool, function, *args)

    # -- store side (worker threads) -----------------------------------------------------------

    def _read_config(self) -> UploadConfig:
        return self._faults.apply(UPLOAD_CONFIG, UploadConfig.load(self._store, self._dev_sno))

    def _feed(self, config: UploadConfig) -> None:
        """Queue events past each URL's cursor for that URL; a URL configured later starts from the
        first stored event (every stored event reaches every configured URL). Re-queuing is harmless."""
        generation = self._store.generation
        stored = self._store.settings_get(UPLOAD_CURSORS_KEY)
        cursors: dict[str, int] = stored if isinstance(stored, dict) else {}
        moved = False
        start = int(self._store.settings_get(NEW_URL_START_KEY) or 0)
        for url in config.urls:
            records = self._store.events_after(int(cursors.get(url, start)), FEED_BATCH)
            if records and self._store.generation == generation:
                self._store.enqueue_uploads([r.rowid for r in records], url, wall_ms())
                cursors[url] = records[-1].rowid
                moved = True
        if moved and self._store.generation == generation:
            self._store.settings_set(UPLOAD_CURSORS_KEY, cursors)

    def _due(self) -> list[UploadItem]:
        return self._store.due_uploads(wall_ms(), self._concurrency * 8 + len(self._in_flight))

    def _record_of(self, rowid: int) -> EventRecord | None:
        found = self._store.records_by_rowid([rowid])
        return found[0] if found else None

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _deliver(self, item: UploadItem, config: UploadConfig, generation: int) -> _Outcome:
        """One attempt of one delivery (a worker thread); the loop commits the outcome."""
        if item.url not in config.urls:  # URL removed from the configuration: park it
            return _Outcome(item.upload_id, False, self._backoff.cap_ms, generation)
        record = self._record_of(item.event_rowid)
        if record is None:  # event wiped (reset): nothing left to deliver
            return _Outcome(item.upload_id, True, 0, generation)
        payload = upload_payload(record, config.options, self._pictures)
        payload = self._faults.apply(UPLOAD_PAYLOAD, payload, record=record, pictures=self._pictures)
        body, content_type = encode_payload(payload, config.content_type)
        copies = config.copies
        ok = all([self._post(item.url, body, content_type) for _ in range(copies)])
        self.stats.add(attempts=copies, delivered=int(ok), failed_attempts=int(not ok))
        if ok or not config.retry_failed:
            return _Outcome(item.upload_id, True, 0, generation)
        return _Outcome(item.upload_id, False, self._backoff.delay_ms(item.attempts + 1), generation)

    def _attempt(self, item: UploadItem, config: UploadConfig, generation: int) -> _Outcome:
        """Deliver, and commit the outcome right here unless the store can commit them in batches.

        A row read before a reset (store generation changed) is not sent: after the reset its ids
        belong to other events.
        """
        if self._store.generation != generation:
            return _Outcome(item.upload_id, False, 0, generation, committed=True)
        outcome = self._deliver(item, config, generation)
        if self._mark_sent_many is None:
            self._record([outcome])
            return replace(outcome, committed=True)
        return outcome

    def _record(self, outcomes: list[_Outcome]) -> None:
        """Commit outcomes: sent rows in one transaction when the store offers `mark_sent_many`."""
        current = [o for o in outcomes if not o.committed and o.generation == self._store.generation]
        sent = [o.upload_id for o in current if o.sent]
        if self._mark_sent_many is not None and sent:
            self._mark_sent_many(sent)
        else:
            for upload_id in sent:
                self._store.mark_sent(upload_id)
        now = wall_ms()
        for outcome in current:
            if not outcome.sent:
                self._store.mark_failed(outcome.upload_id, outcome.backoff_ms, now)

    def _post(self, url: str, body: bytes, content_type: str) -> bool:
        try:
            response = self._session().post(
                url,
                data=body,
                headers={"Content-Type": content_type},
                timeout=self._timeout_s,
                allow_redirects=False,
            )
            response.close()
        except (requests.RequestException, ValueError) as exc:
            LOG.debug("upload to %s failed: %s", url, exc)
            return False
        acknowledged = 200 <= response.status_code < 300
        return bool(self._faults.apply(UPLOAD_ANSWER, acknowledged, status=response.status_code))


async def start_upload_service(state: AppState) -> Callable[[], Coroutine[Any, Any, None]]:
    """The emulator's BackgroundService: run the uploader on the loop, woken by state.event_bus."""
    uploader = Uploader(state.store, state.faults, dev_sno=state.dev_sno)
    task = asyncio.create_task(uploader.run(), name="uploader")
    subscription = state.event_bus.subscribe(uploader.wake) if state.event_bus is not None else None
    state.stats_providers["uploads_delivered"] = lambda: uploader.stats.delivered
    state.stats_providers["upload_failed_attempts"] = lambda: uploader.stats.failed_attempts

    async def stop() -> None:
        if subscription is not None:
            subscription.close()
        uploader.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(uploader.close)

    return stop
