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
=================  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.correlation import event_key, key_from_timestamp
from conformance.checks.delivery import delivery_findings
from conformance.checks.findings import Finding, deviation
from conformance.checks.pictures import picture_findings
from conformance.checks.registry import check
from conformance.checks.scenario import ScenarioEvent
from conformance.checks.unit_inference import infer_timestamp_unit, judge_unit
from conformance.checks.vocabulary import DEFAULT_PERSON_TYPE, STRANGER_PERSON_TYPE

Message = Mapping[str, Any]


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


@check("ws.timestamps", category="unit")
def timestamps(messages: Sequence[Message], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """Pushed timestamps are integer milliseconds (E13: typed int32, valued in ms)."""
    if not messages:
        return []
    inference = infer_timestamp_unit(m.get("timestamp") for m in messages)
    return judge_unit(inference, "ms", "strict", "E13", documented_integer=True, requirements=requirements)
