"""Stranger or matched person: does each interface say what the stored event says?

A stored (seeded) event is either a stranger (``identity_id == ""``) or a matched person. The checks pair
what a box reported with the `ScenarioEvent` it is about (the suite pairs them: v2 by event id, the others
by `correlation.event_key`) and judge the fields the documents tie to the match:

* ``identity.getevents`` — v2 ``identity_id`` is the matched id, "" for a stranger (V2EV-SCHEMA-002);
  ``register_image_id`` is a non-empty string for a matched person, "" for a stranger (V2EV-SCHEMA-004).
* ``identity.stranger_rule`` — without an oracle: ``user_type`` is "stranger" exactly when
  ``identity_id`` is "", and then ``identity_name`` and ``register_image_id`` are "" (V2EV-SCHEMA-026).
* ``identity.common_block`` — v1 ``common.identity_id`` is the matched id, "" for a stranger
  (V1EV-SCHEMA-003).
* ``identity.search_item`` — search item ``identity_id`` (PS-SCHEMA-010), ``identity_info.face_ids``
  (PS-SCHEMA-012) and ``image_id`` (PS-SCHEMA-013), and ``score`` = the stored score (PS-SCHEMA-017).
* ``identity.upload_info`` — upload ``identity_info``: {} for a stranger (UP-SCHEMA-003), ``face_ids``
  (UP-SCHEMA-004) and ``image_id`` (UP-SCHEMA-005) for a matched person.

E23: under ``strict`` a matched person's identity_info holds a face_ids list and a non-empty image_id
string; under ``lenient`` either may be missing, but what is there must have its type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from conformance.checks.check_registry import check
from conformance.checks.findings import Finding
from conformance.checks.scenario import ScenarioEvent

Pair = tuple[ScenarioEvent, Mapping[str, Any]]
SCORE_TOLERANCE = 1e-3
STRANGER_USER_TYPE = "stranger"


def _finding(message: str, *requirement_ids: str, **evidence: Any) -> Finding:
    return Finding(check="", message=message, requirement_ids=requirement_ids, evidence=evidence)


def _who(event: ScenarioEvent) -> str:
    return "a stranger" if not event.identity_id else f"matched {event.identity_id!r}"


def _identity_id(event: ScenarioEvent, reported: Any, where: str, requirement_id: str) -> list[Finding]:
    if reported == event.identity_id:
        return []
    return [
        _finding(
            f"{where} {reported!r} for {_who(event)} (expected {event.identity_id!r})",
            requirement_id,
            event=event.id,
        )
    ]


@check("identity.getevents")
def v2_event(pairs: Sequence[Pair], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """v2 identity_id and register_image_id say what the stored match says."""
    findings: list[Finding] = []
    for event, item in pairs:
        findings += _identity_id(event, item.get("identity_id"), "v2 identity_id", "V2EV-SCHEMA-002")
        image = item.get("register_image_id")
        fine = image == "" if not event.identity_id else isinstance(image, str) and image != ""
        if not fine:
            wanted = '""' if not event.identity_id else "the registered photo's id"
            findings.append(
                _finding(
                    f"v2 register_image_id {image!r} for {_who(event)} (expected {wanted})",
                    "V2EV-SCHEMA-004",
                    event=event.id,
                )
            )
    return findings


@check("identity.stranger_rule")
def v2_stranger_rule(
    events: Sequence[Mapping[str, Any]], *, requirements: Sequence[str] = ()
) -> list[Finding]:
    """Stranger exactly when identity_id is "": a stranger has no name and no register_image_id either."""
    findings: list[Finding] = []
    for event in events:
        user_type = event.get("user_type")
        stranger_type = isinstance(user_type, str) and user_type.lower() == STRANGER_USER_TYPE
        no_id = event.get("identity_id") == ""
        if stranger_type != no_id:
            findings.append(
                _finding(
                    f"event {event.get('event_id')}: user_type {user_type!r} with identity_id "
                    f"{event.get('identity_id')!r}",
                    event=str(event.get("event_id")),
                )
            )
        elif no_id:
            left = {k: event.get(k) for k in ("identity_name", "register_image_id") if event.get(k) != ""}
            if left:
                findings.append(
                    _finding(
                        f'event {event.get("event_id")}: a stranger with {left!r} (expected "")',
                        event=str(event.get("event_id")),
                    )
                )
    return findings


@check("identity.common_block")
def v1_event(pairs: Sequence[Pair], *, requirements: Sequence[str] = ()) -> list[Finding]:
    """v1 common.identity_id says what the stored match says."""
    findings: list[Finding] = []
    for event, item in pairs:
        common = item.get("common")
        reported = common.get("identity_id") if isinstance(common, Mapping) else None
        findings += _identity_id(event, reported, "v1 common.identity_id", "V1EV-SCHEMA-003")
    return findings


def _matched_info(info: Any, strict: bool, face_id: str, image_id: str, where: str) -> list[Finding]:
    """A matched identity_info: face_ids a list, image_id a non-empty string (E23 lenient: or absent)."""
    if not isinstance(info, Mapping):
        return [_finding(f"{where} identity_info {info!r} is not an object", face_id, image_id)]
    findings: list[Finding] = []
    faces = info.get("face_ids")
    if not isinstance(faces, list) and (strict or "face_ids" in info):
        findings.append(_finding(f"{where} identity_info.face_ids {faces!r} (expected a list; E23)", face_id))
    image = info.get("image_id")
    if strict and not (isinstance(image, str) and image):
        findings.append(
            _finding(f"{where} identity_info.image_id {image!r} (expected the photo's id; E23)", image_id)
        )
    elif not strict and "image_id" in info and not isinstance(image, str):
        findings.append(_finding(f"{where} identity_info.image_id {image!r} (expected a string)", image_id))
    return findings


def _score(event: ScenarioEvent, reported: Any) -> list[Finding]:
    number = isinstance(reported, int | float) and not isinstance(reported, bool)
    if number and math.isclose(float(reported), event.score, abs_tol=SCORE_TOLERANCE):
        return []
    return [
        _finding(
            f"search item score {reported!r}, stored score {event.score}", "PS-SCHEMA-017", event=event.id
        )
    ]


@check("identity.search_item")
def search_item(
    pairs: Sequence[Pair], *, profile: str = "strict", requirements: Sequence[str] = ()
) -> list[Finding]:
    """Search items carry the stored match (identity_id, identity_info) and the stored score."""
    findings: list[Finding] = []
    for event, item in pairs:
        findings += _identity_id(event, item.get("identity_id"), "search item identity_id", "PS-SCHEMA-010")
        info = item.get("identity_info")
        where = f"search item of {_who(event)}:"
        if event.identity_id:
            findings += _matched_info(info, profile == "strict", "PS-SCHEMA-012", "PS-SCHEMA-013", where)
        elif isinstance(info, Mapping) and "image_id" in info:
            findings.append(
                _finding(f"{where} identity_info.image_id {info['image_id']!r} (absent)", "PS-SCHEMA-013")
            )
        findings += _score(event, item.get("score"))
    return findings


@check("identity.upload_info")
def upload_info(
    pairs: Sequence[Pair], *, profile: str = "strict", requirements: Sequence[str] = ()
) -> list[Finding]:
    """Upload identity_info is {} for a stranger and holds face_ids and image_id for a matched person."""
    findings: list[Finding] = []
    for event, payload in pairs:
        info = payload.get("identity_info")
        where = f"upload of {_who(event)}:"
        if event.identity_id:
            findings += _matched_info(info, profile == "strict", "UP-SCHEMA-004", "UP-SCHEMA-005", where)
        elif info != {}:
            extra = ("UP-SCHEMA-005",) if isinstance(info, Mapping) and "image_id" in info else ()
            findings.append(
                _finding(f"{where} identity_info {info!r} (expected {{}})", "UP-SCHEMA-003", *extra)
            )
    return findings
