"""The lenient event schemas accept what each query-side variation renders and strict rejects it naming the
erratum: a lenient run raises no false alarm from the schema, a strict run still catches the deviation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.emulator.faults.hooks import ActiveFaults
from conformance.emulator.injection import make_event
from conformance.emulator.model import DeviceRecord, EventRecord, IdentityRecord
from conformance.emulator.render_v1 import render_event as render_v1
from conformance.emulator.render_v2 import render_event as render_v2
from conformance.spec.catalog import Profile, load_spec

CARD_READER = DeviceRecord("dev-door", "Door", "10.0.0.14", device_type="card", ws_device_type="4")
PERSON = IdentityRecord("id-li", "Li", 1, "grp-staff", "Staff", "1004")

# (variation, schema, the erratum strict names): one row per lenient reading of the query side
CASES = [
    ("var-e21-feature-list", "v1-event", "E21"),
    ("var-e23-bare-identity-info", "v1-event", "E23"),
    ("var-e24-is-send-integer", "v1-event", "E24"),
    ("var-e33-v2-card", "v2-event", "E33"),
]


def _record() -> EventRecord:
    return make_event(seq=1, ts_ms=1_700_000_000_000, device=CARD_READER, identity=PERSON, score=91.5)


def _render(schema: str, faults: ActiveFaults) -> dict[str, Any]:
    render = render_v1 if schema == "v1-event" else render_v2
    return render(_record(), faults)


@pytest.mark.parametrize("schema", ["v1-event", "v2-event"])
def test_the_default_rendering_is_strict(schema: str) -> None:
    assert load_spec(Profile.STRICT).validate(schema, _render(schema, ActiveFaults())) == []


@pytest.mark.parametrize(("variation", "schema", "erratum"), CASES, ids=[c[0] for c in CASES])
def test_lenient_accepts_the_variation_and_strict_names_its_erratum(
    variation: str, schema: str, erratum: str
) -> None:
    event = _render(schema, ActiveFaults([variation]))
    assert json.dumps(event) != json.dumps(_render(schema, ActiveFaults())), "no change"
    assert load_spec(Profile.LENIENT).validate(schema, event) == []
    findings = load_spec(Profile.STRICT).validate(schema, event)
    assert findings, f"strict accepts {variation}"
    assert all(erratum in f.errata for f in findings), [f.message for f in findings]


def test_a_stranger_keeps_an_empty_identity_info_under_strict() -> None:
    stranger = make_event(seq=2, ts_ms=1_700_000_000_000, device=CARD_READER, identity=None, score=20.0)
    event = render_v1(stranger, ActiveFaults())
    assert event["common"]["identity_info"] == {}
    assert load_spec(Profile.STRICT).validate("v1-event", event) == []
