"""The box's own events with their face pictures (getspotimage), to search for on any box.

A real box gives no photos, but it stores the face crop of every recognition (reference v2-getspotimage):
searched with that picture, the event must come back. The sample is the newest events of a window closed
in the past (`query_data.read_window`), so live recognitions cannot enter any window the searches use;
from it one event of a matched person and one of a stranger are taken, each with its face picture asked
for with the event's own timestamp (under lenient also in float seconds, E30).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.unit_inference import classify_timestamp, to_ms
from conformance.clients.exchange import HttpExchange
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.support.query_calls import V2
from conformance.suite.support.query_data import read_window, v2_time_as_box_reads

SAMPLE_EVENTS = 200  # the newest past events looked at for a matched person and a stranger
CANDIDATES_PER_KIND = 3  # events whose picture is asked for before a kind is given up
MATCHED, STRANGER = "matched", "stranger"
KINDS = (MATCHED, STRANGER)
SPOT_IMAGE_PATH = "/sophon/v2/face/getspotimage"
JPEG_MAGIC = b"\xff\xd8\xff"
MS_PER_S = 1000.0
MINUTE_MS = 60_000.0
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
AROUND_MS = 10 * MINUTE_MS  # the window either side of a searched event


@dataclass(frozen=True)
class OwnEvent:
    """One stored event, its time as v2 showed it ([low_ms, high_ms]: an integer ms may floor a µs time),
    and its face picture."""

    kind: str
    item: Mapping[str, Any]
    low_ms: float
    high_ms: float
    device_id: str
    face_jpeg: bytes
    picture_exchanges: tuple[HttpExchange, ...]

    @property
    def photo(self) -> str:
        """The picture as `face_image_base64`."""
        return base64.b64encode(self.face_jpeg).decode("ascii")


@dataclass(frozen=True)
class OwnPictures:
    """The events to search for, the bound every search window stays under, and what the sample lacks."""

    events: tuple[OwnEvent, ...]
    closed_ms: float  # everything up to here was stored before the sample was read
    v2_seconds: bool = False
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        kinds = ", ".join(f"{e.kind} {e.device_id}@{e.low_ms:.0f}" for e in self.events)
        return f"OwnPictures({kinds or 'none'}; closed at {self.closed_ms:.0f} ms)"

    def event(self, kind: str) -> OwnEvent | None:
        """The sampled event of that kind, None when the box showed none."""
        return next((e for e in self.events if e.kind == kind), None)

    def around(self, event: OwnEvent, half_width_ms: float) -> tuple[float, float]:
        """[start, end] in ms: half_width either side of the event, never past the closed bound."""
        return event.low_ms - half_width_ms, min(event.high_ms + half_width_ms, self.closed_ms)

    def ending(self, width_ms: float) -> tuple[float, float]:
        """[start, end] in ms: the `width_ms` before the closed bound."""
        return self.closed_ms - width_ms, self.closed_ms

    def events_between(self, client: RecordingHttpClient, low_ms: float, high_ms: float) -> int | None:
        """How many events v2 getevents counts in [low_ms, high_ms] (total_count), None when it says not."""
        filters = {"datetime_gte": int(low_ms), "datetime_lte": int(high_ms)}
        wire = v2_time_as_box_reads(filters, seconds=self.v2_seconds)
        return V2.fetch(client, wire, page=0, size=1).page.pagination.total_count

    def oldest_between(self, client: RecordingHttpClient, low_ms: float, high_ms: float) -> float | None:
        """The time of the oldest event v2 getevents holds in [low_ms, high_ms] (its order is not
        documented: the earlier of the first and the last page of one event)."""
        filters = {"datetime_gte": int(low_ms), "datetime_lte": int(high_ms)}
        wire = v2_time_as_box_reads(filters, seconds=self.v2_seconds)
        first = V2.fetch(client, wire, page=0, size=1)
        items = list(first.items)
        total = first.page.pagination.total_count or 0
        if total > 1:
            items += V2.fetch(client, wire, page=total - 1, size=1).items
        spans = [_span_ms(item.get("timestamp")) for item in items]
        lows = [span[0] for span in spans if span is not None]
        return min(lows) if lows else None

    def older(
        self, client: RecordingHttpClient, age_ms: float, *, lenient: bool, kind: str = MATCHED
    ) -> OwnEvent | None:
        """An event of `kind` stored at least `age_ms` before the closed bound, with its face picture."""
        filters = {"datetime_lte": int(self.closed_ms - age_ms)}
        wire = v2_time_as_box_reads(filters, seconds=self.v2_seconds)
        items = [
            item for item in V2.fetch(client, wire, page=0, size=SAMPLE_EVENTS).items if kind_of(item) == kind
        ]
        return _first_with_picture(client, kind, items[:CANDIDATES_PER_KIND], lenient=lenient)[0]


def search_window(low_ms: float, high_ms: float) -> dict[str, float]:
    """A window as the request's starttime / endtime (float seconds, E20)."""
    return {"starttime": low_ms / MS_PER_S, "endtime": high_ms / MS_PER_S}


def kind_of(item: Mapping[str, Any]) -> str | None:
    """matched, stranger, or None for an event that is neither (a car, an unreadable one)."""
    if item.get("user_type") == "car":
        return None
    identity = item.get("identity_id")
    if identity == "" or item.get("user_type") == "stranger":
        return STRANGER
    return MATCHED if isinstance(identity, str) and identity else None


def _device(item: Mapping[str, Any]) -> str:
    info = item.get("media_device_info")
    return str(info.get("media_device_id", "")) if isinstance(info, Mapping) else ""


def _span_ms(value: Any) -> tuple[float, float] | None:
    if isinstance(value, bool) or classify_timestamp(value) == "unknown":
        return None
    ms = to_ms(value)
    whole_ms = isinstance(value, int) or (classify_timestamp(value) == "ms" and float(value).is_integer())
    return (ms, ms + 1) if whole_ms else (ms, ms)


def _is_jpeg(answer: RecordedResponse) -> bool:
    return answer.status == 200 and answer.content.startswith(JPEG_MAGIC)


def face_picture(
    client: RecordingHttpClient, item: Mapping[str, Any], *, lenient: bool
) -> tuple[bytes | None, list[RecordedResponse]]:
    """The event's face picture asked for with its own timestamp (lenient: then float seconds, E30)."""
    image_id, value = item.get("recognize_face_image_id"), item.get("timestamp")
    if not image_id or not isinstance(value, int | float) or classify_timestamp(value) == "unknown":
        return None, []
    tried = [client.get(f"{SPOT_IMAGE_PATH}/{image_id}", {"timestamp": str(value)})]
    if lenient and not _is_jpeg(tried[0]):
        seconds = to_ms(value) / MS_PER_S
        tried.append(client.get(f"{SPOT_IMAGE_PATH}/{image_id}", {"timestamp": str(seconds)}))
    return (tried[-1].content if _is_jpeg(tried[-1]) else None), tried


def _first_with_picture(
    client: RecordingHttpClient, kind: str, candidates: Sequence[Mapping[str, Any]], *, lenient: bool
) -> tuple[OwnEvent | None, int]:
    """The first candidate whose time reads and whose face picture the box serves; how many failed."""
    for refused, item in enumerate(candidates):
        span = _span_ms(item.get("timestamp"))
        jpeg, tried = face_picture(client, item, lenient=lenient)
        if span is not None and jpeg is not None:
            exchanges = tuple(answer.exchange for answer in tried)
            return OwnEvent(kind, item, span[0], span[1], _device(item), jpeg, exchanges), refused
    return None, len(candidates)


def sample_own_pictures(client: RecordingHttpClient, *, v2_seconds: bool, lenient: bool) -> OwnPictures:
    """The newest past events of a matched person and of a stranger whose face picture the box serves."""
    window = read_window(client, SAMPLE_EVENTS, v2_seconds=v2_seconds)
    if window.empty:
        return OwnPictures((), 0.0, v2_seconds, ("the box holds no past events",))
    chosen: list[OwnEvent] = []
    notes: list[str] = []
    for kind in KINDS:
        candidates = [item for item in window.events if kind_of(item) == kind][:CANDIDATES_PER_KIND]
        event, refused = _first_with_picture(client, kind, candidates, lenient=lenient)
        if event is not None:
            chosen.append(event)
            continue
        notes.append(
            f"no {kind} event among the newest {len(window.events)} past events"
            if not candidates
            else f"the box served no face picture for {refused} {kind} event(s)"
        )
    return OwnPictures(tuple(chosen), float(window.high_ms), v2_seconds, tuple(notes))
