"""WebSocket push (seed 004, ws://box:5679): what each configured client received versus what it should.

Inputs are the decoded JSON messages each client received after sending its configuration, the
configuration itself (`WsClientConfig.from_message`) and the scenario events that happened while it
was connected. Messages are matched to events by (timestamp ms, device_id) — `correlation.event_key`
— because event_id is not in the payload table (E14).

=================  ===========================================================================
check              deviation
=================  ===========================================================================
ws.routing         an event of a device in event_list not pushed; an event of another device
                   pushed; an event pushed twice
ws.pictures        need_face → ext_data.recognize_face a base64 JPEG, else absent/"";
                   need_register → reg_pic a base64 JPEG for recognised persons, else absent/"";
                   profile="lenient" tolerates pictures not asked for (E28)
ws.before_config   anything received before the configuration was sent
ws.timestamps      timestamp not integer ms (E13; no lenient reading)
ws.in_history      a live push without its event in the v2 history (same device, time ±1 ms),
                   or one that disagrees with it on event id, identity_id, time, score or person
                   type — documented fields only; the score may be the v2 score or the v2 score
                   / 100 (seed 004's example 0.623 reads 0-1, v2's 27.69 reads 0-100; no erratum
                   decides, so both conform)
ws.live_routing    over a closed window of the v2 history: an event of a listed device not
                   pushed (or pushed twice), a pushed event of a device outside event_list
=================  ===========================================================================

Live pushes have no injected oracle: the box's own v2 history is one (REAL-BOX.md, round trips). A push
and a history event are one event when device ids are equal and times are within 1 ms after unit
conversion, since a box may send µs in one interface and whole ms in the other.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.consistency import TIME_TOLERANCE_MS, EventView, same_event
from conformance.checks.correlation import event_key, key_from_timestamp
from conformance.checks.delivery import delivery_findings
from conformance.checks.findings import Finding, FindingCategory, deviation
from conformance.checks.pictures import picture_findings
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import infer_timestamp_unit, judge_unit
from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, STRANGER_PERSON_TYPE

Message = Mapping[str, Any]
SCORE_TOLERANCE = 0.01  # on the 0-100 scale: a history rounded to two decimals (27.69) still agrees


@dataclass(frozen=True)
class WsClientConfig:
    """The configuration message a client sends first (seed 004: all three fields default to off/empty)."""

    need_face: bool = False
    need_register: bool = False
    event_list: tuple[str, ...] = ()

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> WsClientConfig:
        """From the JSON object the client sent."""
        devices = message.get("event_list") or ()
        return cls(
            need_face=message.get("need_face") is True,
            need_register=message.get("need_register") is True,
            event_list=tuple(str(d) for d in devices) if isinstance(devices, list | tuple) else (),
        )


def message_key(message: Message) -> str | None:
    """The (ms, device) key of a pushed message."""
    return key_from_timestamp(message.get("timestamp"), str(message.get("device_id", "")))


def _ext(message: Message) -> Mapping[str, Any]:
    ext = message.get("ext_data")
    return ext if isinstance(ext, Mapping) else {}


def _recognised(message: Message) -> bool:
    person_type: object = _ext(message).get("person_type", DEFAULT_PERSON_TYPE)
    return person_type != STRANGER_PERSON_TYPE


@check("ws.routing")
def routing(
    config: WsClientConfig,
    messages: Sequence[Message],
    events: Iterable[ScenarioEvent],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """A client receives each event of the devices in its event_list once, and nothing else."""
    subscribed = set(config.event_list)
    expected = [event_key(e.ts_ms, e.device_id) for e in events if e.device_id in subscribed]
    findings = delivery_findings(expected, (message_key(m) for m in messages), "pushed")
    foreign = sorted({str(m.get("device_id")) for m in messages} - subscribed)
    if foreign:
        findings.append(
            deviation(f"events of devices outside event_list were pushed: {foreign}", devices=foreign[:10])
        )
    return findings


@check("ws.pictures")
def pictures(
    config: WsClientConfig,
    messages: Sequence[Message],
    profile: str = "strict",
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Pictures follow the configuration: base64 JPEG when asked, absent when not (lenient E28: tolerated)."""
    if profile not in ("strict", "lenient"):
        raise ValueError(f"profile must be 'strict' or 'lenient', got {profile!r}")
    common: dict[str, Any] = {
        "key_of": lambda m: message_key(m) or "?",
        "tolerate_unasked": profile == "lenient",
    }
    return picture_findings(
        messages,
        field="ext_data.recognize_face",
        value_of=lambda m: _ext(m).get("recognize_face"),
        wanted=config.need_face,
        flag="need_face",
        **common,
    ) + picture_findings(
        messages,
        field="reg_pic",
        value_of=lambda m: m.get("reg_pic"),
        wanted=config.need_register,
        flag="need_register",
        applies=_recognised,
        **common,
    )


@check("ws.before_config")
def before_config(
    messages_before_config: Sequence[Any], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Seed 004: after connecting the box sends nothing until the client has sent its configuration."""
    if not messages_before_config:
        return []
    first = messages_before_config[0]
    return [
        deviation(
            f"{len(messages_before_config)} message(s) arrived before the configuration was sent",
            count=len(messages_before_config),
            first=str(first)[:200],
        )
    ]


@check("ws.timestamps", category=FindingCategory.UNIT)
def timestamps(messages: Sequence[Message], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Pushed timestamps are integer milliseconds (E13: typed int32, valued in ms)."""
    if not messages:
        return []
    inference = infer_timestamp_unit(m.get("timestamp") for m in messages)
    return judge_unit(inference, "ms", "strict", "E13", documented_integer=True, requirements=requirements)


def _history_match(push: EventView, history: Sequence[EventView]) -> EventView | None:
    """The history event of a push: same device, time within 1 ms; the same event id first when carried."""
    if push.ts_ms is None:
        return None
    near = [
        h
        for h in history
        if h.device_id == push.device_id
        and h.ts_ms is not None
        and abs(h.ts_ms - push.ts_ms) <= TIME_TOLERANCE_MS
    ]
    same_id = [h for h in near if push.event_id is not None and h.event_id == push.event_id]
    candidates = same_id or near
    return min(candidates, key=lambda h: abs((h.ts_ms or 0.0) - (push.ts_ms or 0.0)), default=None)


def _score_findings(stored: EventView, push: EventView) -> list[Finding]:
    """The push's score is the history's, on its scale or on seed 004's 0-1 example scale (0.623 = 62.3)."""
    if stored.score is None or push.score is None:
        return []
    if any(math.isclose(push.score * factor, stored.score, abs_tol=SCORE_TOLERANCE) for factor in (1, 100)):
        return []
    return [
        deviation(
            f"score differs: v2 {stored.score} vs ws {push.score} (not equal, nor equal on a 0-1 scale; "
            f"event {stored.event_id} at {stored.ts_ms} ms on {stored.device_id})",
            sources=["v2", "ws"],
        )
    ]


def unmatched_pushes(messages: Sequence[Message], history: Sequence[Mapping[str, Any]]) -> list[Message]:
    """The pushes whose event is not among the v2 `history` events (same device, time within 1 ms)."""
    views = [EventView.from_v2(event) for event in history]
    return [m for m in messages if _history_match(EventView.from_ws(m), views) is None]


@check("ws.in_history")
def in_history(
    messages: Sequence[Message],
    history: Sequence[Mapping[str, Any]],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Each push is an event of the v2 history (`history`: v2 events of a window around the pushes)."""
    views = [EventView.from_v2(event) for event in history]
    stored_identity = {id(view): event.get("identity_id") for view, event in zip(views, history, strict=True)}
    findings: list[Finding] = []
    missing: list[str] = []
    for message in messages:
        push = EventView.from_ws(message)
        match = _history_match(push, views)
        if match is None:
            missing.append(
                message_key(message) or f"{message.get('timestamp')!r}@{message.get('device_id')!r}"
            )
            continue
        findings += same_event(
            [dataclasses.replace(match, score=None), dataclasses.replace(push, score=None)]
        )
        findings += _score_findings(match, push)
        stored, pushed = stored_identity[id(match)], message.get("identity_id")
        if isinstance(stored, str) and stored != pushed:
            findings.append(
                deviation(
                    f"identity_id differs: v2 {stored!r} vs ws {pushed!r} (event {match.event_id} at "
                    f"{match.ts_ms} ms on {match.device_id})",
                    sources=["v2", "ws"],
                )
            )
    if missing:
        findings.append(
            deviation(
                f"{len(missing)} of {len(messages)} push(es) not found in the v2 history (same device, time "
                f"within {TIME_TOLERANCE_MS:g} ms): {', '.join(missing[:5])}",
                missing=missing[:10],
                history_events=len(history),
            )
        )
    return findings


@check("ws.live_routing")
def live_routing(
    config: WsClientConfig,
    messages: Sequence[Message],
    recorded: Sequence[Mapping[str, Any]],
    *,
    requirements: Sequence[str] = (),
) -> list[Finding]:
    """Over a closed window of v2 history (`recorded`): listed devices pushed once each, no other device."""
    subscribed = set(config.event_list)
    pushes = [EventView.from_ws(m) for m in messages]
    findings: list[Finding] = []
    lost: list[str] = []
    repeated: list[str] = []
    for event in (EventView.from_v2(e) for e in recorded):
        if event.device_id not in subscribed or event.ts_ms is None or event.person_type is None:
            continue  # a car or unknown user_type is no person recognition: seed 004 need not push it
        hits = _pushes_of(event, pushes)
        label = f"{event.event_id or round(event.ts_ms)}@{event.device_id}"
        if hits == 0:
            lost.append(label)
        elif hits > 1:
            repeated.append(label)
    if lost:
        findings.append(
            deviation(
                f"{len(lost)} event(s) of listed devices recorded in the window were never pushed: "
                f"{', '.join(lost[:5])}",
                lost=lost[:10],
                lost_count=len(lost),
            )
        )
    if repeated:
        findings.append(
            deviation(f"event(s) pushed more than once: {', '.join(repeated[:5])}", repeated=repeated[:10])
        )
    foreign = sorted({str(p.device_id) for p in pushes} - subscribed)
    if foreign:
        findings.append(
            deviation(f"events of devices outside event_list were pushed: {foreign}", devices=foreign[:10])
        )
    return findings


def _pushes_of(event: EventView, pushes: Sequence[EventView]) -> int:
    """How many pushes are this history event (same device, time within 1 ms, same id when both carry one)."""
    return sum(
        1
        for p in pushes
        if p.device_id == event.device_id
        and p.ts_ms is not None
        and abs(p.ts_ms - (event.ts_ms or 0.0)) <= TIME_TOLERANCE_MS
        and (p.event_id is None or event.event_id is None or p.event_id == event.event_id)
    )
