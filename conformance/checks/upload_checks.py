"""Upload (seed 003, box → platform POST): what the receiver caught versus what the box stored.

Inputs are the decoded upload payloads (JSON, or form-data decoded to a mapping), the scenario events
that should be uploaded and the HistoryEventUrl flags (reference history-event-url-config: all
three default to true). The payload has no event id, so uploads are matched to events by
(timestamp ms, ep_info.device_id) — `correlation.event_key` — and counted, so duplicates show.

==================  ===========================================================================
check               deviation
==================  ===========================================================================
upload.delivery     an event never uploaded (lost), uploaded twice (duplicate), or unexpected
upload.pictures     history_need_reg_pic / _spot_pic / _recognize_face → reg_pic / spot_pic /
                    recognize_face a base64 JPEG when true (reg_pic only for recognised
                    persons), absent or "" when false
upload.timestamps   timestamp or out_timestamp not integer ms (E11; no lenient reading)
upload.in_history   an upload with no v2 history event at its time (±1 ms) and device
upload.agrees_with_history
                    identity_id / identity_name (E12 per profile), person_type, score differ from
                    the v2 history event the upload was matched to
==================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.consistency import EventView, same_event
from conformance.checks.correlation import event_key, key_from_timestamp, ms_floor
from conformance.checks.delivery import delivery_findings
from conformance.checks.findings import Finding, FindingCategory, deviation
from conformance.checks.pictures import picture_findings
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import infer_timestamp_unit, judge_unit
from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, STRANGER_PERSON_TYPE

Upload = Mapping[str, Any]


def upload_key(upload: Upload) -> str | None:
    """The (ms, device) key of one upload."""
    ep_info = upload.get("ep_info")
    device = str(ep_info.get("device_id", "")) if isinstance(ep_info, Mapping) else ""
    return key_from_timestamp(upload.get("timestamp"), device)


def _recognised(upload: Upload) -> bool:
    person_type: object = upload.get("person_type", DEFAULT_PERSON_TYPE)
    return person_type != STRANGER_PERSON_TYPE


def _always(_upload: Upload) -> bool:
    return True


def _field_getter(name: str) -> Callable[[Upload], Any]:
    return lambda upload: upload.get(name)


@check("upload.delivery")
def delivery(
    events: Iterable[ScenarioEvent], uploads: Sequence[Upload], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Every stored event is uploaded exactly once; nothing else is uploaded."""
    expected = [event_key(e.ts_ms, e.device_id) for e in events]
    return delivery_findings(expected, (upload_key(u) for u in uploads), "uploaded")


@check("upload.pictures")
def pictures(
    uploads: Sequence[Upload],
    need_reg_pic: bool = True,
    need_spot_pic: bool = True,
    need_recognize_face: bool = True,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Pictures follow the history_need_* flags: a base64 JPEG when true, absent or "" when false."""
    key_of = lambda u: upload_key(u) or "?"  # noqa: E731
    findings: list[Finding] = []
    for field, wanted, flag in (
        ("reg_pic", need_reg_pic, "history_need_reg_pic"),
        ("spot_pic", need_spot_pic, "history_need_spot_pic"),
        ("recognize_face", need_recognize_face, "history_need_recognize_face"),
    ):
        findings += picture_findings(
            uploads,
            field=field,
            value_of=_field_getter(field),
            wanted=wanted,
            flag=flag,
            applies=_recognised if field == "reg_pic" else _always,
            key_of=key_of,
        )
    return findings


@check("upload.timestamps", category=FindingCategory.UNIT)
def timestamps(uploads: Sequence[Upload], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """timestamp and out_timestamp are integer milliseconds (E11: typed int32, valued in ms)."""
    findings: list[Finding] = []
    for field in ("timestamp", "out_timestamp"):
        values = [u.get(field) for u in uploads if field in u]
        if not values:
            continue
        for found in judge_unit(infer_timestamp_unit(values), "ms", "strict", "E11", documented_integer=True):
            message = f"{field}: {found.message}"
            findings.append(deviation(message, FindingCategory.UNIT, field=field, **found.evidence))
    return findings


HistoryPair = tuple[Upload, Mapping[str, Any]]
AGREEMENT_FIELDS = ("identity", "person_type", "score", "mask")
#: E16: v2 events say "yes"/"no", uploads "0"/"1"/"2" (0 no mask, 1 mask; 2 has no v2 counterpart)
UPLOAD_MASK_OF_V2 = {"no": "0", "yes": "1"}


def match_history(
    uploads: Sequence[Upload], history: Sequence[Mapping[str, Any]], *, tolerance_ms: float = 1.0
) -> tuple[list[HistoryPair], list[Upload]]:
    """Pair each upload with a v2 history event of its device at its time (within `tolerance_ms`).

    Times are compared after unit conversion, so a whole-ms upload finds a µs history event
    (1628066406608 and 1628066406608.026). One camera may record two events µs apart, in one
    millisecond or two adjacent ones: an upload takes an event of its own millisecond before a nearer
    one of the next, and an event no other upload took before one already taken, so each of the two is
    delivered by its own upload; only uploads left over pair a taken event again (a repeat). Returns
    the pairs (in upload order) and the uploads with no such event.
    """
    by_device: dict[str, list[tuple[float, Mapping[str, Any]]]] = {}
    for event in history:
        view = EventView.from_v2(event)
        if view.ts_ms is not None and view.device_id is not None:
            by_device.setdefault(view.device_id, []).append((view.ts_ms, event))
    taken: set[int] = set()
    chosen: dict[int, Mapping[str, Any]] = {}
    near_by_upload: list[list[tuple[bool, float, Mapping[str, Any]]]] = []
    for upload in uploads:
        view = EventView.from_upload(upload)
        ts = view.ts_ms
        candidates = by_device.get(view.device_id or "", []) if ts is not None else []
        near = [
            (ms_floor(event_ts) != ms_floor(ts), abs(event_ts - ts), event)
            for event_ts, event in candidates
            if ts is not None and abs(event_ts - ts) <= tolerance_ms
        ]
        near_by_upload.append(sorted(near, key=lambda item: (item[0], item[1])))
    for same_ms_only in (True, False):  # first every upload's own millisecond, then a neighbour's
        for number, near in enumerate(near_by_upload):
            if number in chosen:
                continue
            free = [
                event
                for other_ms, _, event in near
                if id(event) not in taken and not (same_ms_only and other_ms)
            ]
            if free:
                chosen[number] = free[0]
                taken.add(id(free[0]))
    pairs: list[HistoryPair] = []
    unmatched: list[Upload] = []
    for number, (upload, near) in enumerate(zip(uploads, near_by_upload, strict=True)):
        paired = chosen.get(number) or (near[0][2] if near else None)  # left over: a taken event again
        if paired is None:
            unmatched.append(upload)
        else:
            pairs.append((upload, paired))
    return pairs, unmatched


@check("upload.in_history", requirements=("UP-UPLOAD-006", "UP-SCHEMA-014"))
def in_history(
    unmatched: Sequence[Upload], judged: int, *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Every upload is an event of the box's history: same device, same time (±1 ms after unit conversion)."""
    if not unmatched:
        return []
    shown = ", ".join(str(upload_key(u)) for u in unmatched[:5])
    return [
        deviation(
            f"{len(unmatched)} of {judged} upload(s) have no event in the box's v2 history at their "
            f"timestamp and ep_info.device_id: {shown}",
            unmatched=[str(upload_key(u)) for u in unmatched[:10]],
        )
    ]


def _identity_findings(upload: Upload, event: Mapping[str, Any], profile: str) -> list[Finding]:
    """identity_id and identity_name as the history gives them (E12 lenient: a stranger's generated id)."""
    findings: list[Finding] = []
    stored_id, sent_id = event.get("identity_id"), upload.get("identity_id")
    stranger = stored_id == ""
    e12_excused = profile == "lenient" and stranger and upload.get("person_type") == STRANGER_PERSON_TYPE
    if sent_id != stored_id and not (e12_excused and isinstance(sent_id, str)):
        findings.append(
            deviation(
                f"upload {upload_key(upload)}: identity_id {sent_id!r}, the history says {stored_id!r}"
                + (' (E12 strict: a stranger\'s upload has identity_id "")' if stranger else ""),
                key=str(upload_key(upload)),
            )
        )
    stored_name, sent_name = event.get("identity_name"), upload.get("identity_name")
    if "identity_name" in event and sent_name != stored_name and not (e12_excused or stranger):
        findings.append(
            deviation(
                f"upload {upload_key(upload)}: identity_name {sent_name!r}, the history says {stored_name!r}",
                key=str(upload_key(upload)),
            )
        )
    return findings


def _mask_findings(upload: Upload, event: Mapping[str, Any]) -> list[Finding]:
    """recognize_face_attr.mask in each interface's own vocabulary (E16) says the same thing."""
    stored = _attr(event, "mask")
    sent = _attr(upload, "mask")
    wanted = UPLOAD_MASK_OF_V2.get(stored) if isinstance(stored, str) else None
    if wanted is None or sent == wanted:
        return []
    return [
        deviation(
            f"upload {upload_key(upload)}: recognize_face_attr.mask {sent!r}, the history says {stored!r} "
            f"(E16: upload {wanted!r})",
            key=str(upload_key(upload)),
        )
    ]


def _attr(item: Mapping[str, Any], name: str) -> Any:
    attributes = item.get("recognize_face_attr")
    return attributes.get(name) if isinstance(attributes, Mapping) else None


@check("upload.agrees_with_history", requirements=("UP-UPLOAD-006",))
def agrees_with_history(
    pairs: Sequence[HistoryPair], field: str, *, profile: str = "strict", requirements: Sequence[str] = ()
) -> list[Finding]:
    """An upload says what its v2 history event says: identity, person type (codes), score, mask (E16)."""
    if field not in AGREEMENT_FIELDS:
        raise ValueError(f"unknown agreement field {field!r}; known: {', '.join(AGREEMENT_FIELDS)}")
    findings: list[Finding] = []
    for upload, event in pairs:
        if field == "identity":
            findings += _identity_findings(upload, event, profile)
            continue
        if field == "mask":
            findings += _mask_findings(upload, event)
            continue
        stored, sent = EventView.from_v2(event), EventView.from_upload(upload)
        for found in same_event([stored, sent]):
            wanted = "person type" if field == "person_type" else "score"
            if found.message.startswith(wanted):
                message = f"upload {upload_key(upload)}: {found.message}"
                findings.append(replace(found, message=message))
    return findings


def upload_ms(upload: Upload) -> float | None:
    """The upload's event time in ms (any unit, by magnitude), None when unreadable."""
    return EventView.from_upload(upload).ts_ms


def not_delivered(
    events: Sequence[Mapping[str, Any]], uploads: Sequence[Upload], *, tolerance_ms: float = 1.0
) -> list[Mapping[str, Any]]:
    """The v2 history events no upload carries (same device, time within `tolerance_ms`)."""
    pairs, _ = match_history(uploads, events, tolerance_ms=tolerance_ms)
    delivered = {id(event) for _, event in pairs}
    return [event for event in events if id(event) not in delivered]


@check("upload.outage_delivery", requirements=("UP-UPLOAD-002", "UP-UPLOAD-003"))
def outage_delivery(
    recorded: Sequence[Mapping[str, Any]],
    uploads: Sequence[Upload],
    waited_s: float,
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Every event the history shows recorded while uploads were refused arrives later, at least once."""
    lost = not_delivered(recorded, uploads)
    if not lost:
        return []
    keys = [event_key(EventView.from_v2(e).ts_ms or 0.0, str(EventView.from_v2(e).device_id)) for e in lost]
    return [
        deviation(
            f"{len(lost)} of {len(recorded)} event(s) recorded while the receiver refused uploads "
            f"never arrived within {waited_s:g} s after it was back: {', '.join(keys[:5])}",
            lost=keys[:10],
            lost_count=len(lost),
        )
    ]
