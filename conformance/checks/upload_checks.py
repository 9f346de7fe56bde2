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
==================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from conformance.checks.correlation import event_key, key_from_timestamp
from conformance.checks.delivery import delivery_findings
from conformance.checks.findings import Finding, deviation
from conformance.checks.pictures import picture_findings
from conformance.checks.registry import check
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


@check("upload.timestamps", category="unit")
def timestamps(uploads: Sequence[Upload], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """timestamp and out_timestamp are integer milliseconds (E11: typed int32, valued in ms)."""
    findings: list[Finding] = []
    for field in ("timestamp", "out_timestamp"):
        values = [u.get(field) for u in uploads if field in u]
        if not values:
            continue
        for found in judge_unit(infer_timestamp_unit(values), "ms", "strict", "E11", documented_integer=True):
            findings.append(deviation(f"{field}: {found.message}", "unit", field=field, **found.evidence))
    return findings
