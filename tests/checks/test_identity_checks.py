"""identity_checks: stranger vs matched person per interface, each deviation naming its requirement."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import identity_checks
from conformance.checks.scenario import ScenarioEvent

STRANGER = ScenarioEvent("e1", 1_700_000_000_000, "dev-a", "", score=40.0, person_type=4)
MATCHED = ScenarioEvent("e2", 1_700_000_001_000, "dev-a", "id-li", "Li", score=91.5)
INFO = {"face_ids": ["face_id-li"], "image_id": "img-li"}


def _ids(findings: list[Any]) -> set[str]:
    return {rid for f in findings for rid in f.requirement_ids}


def test_v2_event_accepts_the_match_and_names_each_field() -> None:
    good = [
        (STRANGER, {"identity_id": "", "register_image_id": ""}),
        (MATCHED, {"identity_id": "id-li", "register_image_id": "reg-li"}),
    ]
    assert identity_checks.v2_event(good) == []
    generated = [(STRANGER, {"identity_id": "1700000000.0000000", "register_image_id": ""})]
    assert _ids(identity_checks.v2_event(generated)) == {"V2EV-SCHEMA-002"}
    kept = [(STRANGER, {"identity_id": "", "register_image_id": "reg-x"})]
    assert _ids(identity_checks.v2_event(kept)) == {"V2EV-SCHEMA-004"}
    missing = [(MATCHED, {"identity_id": "id-li", "register_image_id": ""})]
    assert _ids(identity_checks.v2_event(missing)) == {"V2EV-SCHEMA-004"}


@pytest.mark.parametrize(
    ("event", "ok"),
    [
        ({"identity_id": "", "user_type": "stranger", "identity_name": "", "register_image_id": ""}, True),
        ({"identity_id": "id-li", "user_type": "employee", "identity_name": "Li"}, True),
        ({"identity_id": "", "user_type": "Stranger", "identity_name": "", "register_image_id": ""}, True),
        ({"identity_id": "gen-1", "user_type": "stranger"}, False),
        ({"identity_id": "", "user_type": "employee"}, False),
        ({"identity_id": "", "user_type": "stranger", "identity_name": "", "register_image_id": "r"}, False),
        ({"identity_id": "", "user_type": "stranger", "identity_name": "x", "register_image_id": ""}, False),
    ],
)
def test_v2_stranger_rule(event: dict[str, Any], ok: bool) -> None:
    findings = identity_checks.v2_stranger_rule([{"event_id": "e", **event}])
    assert (findings == []) == ok
    assert all(f.requirement_ids == ("V2EV-SCHEMA-026",) for f in findings)


def test_v1_event_compares_common_identity_id() -> None:
    assert identity_checks.v1_event([(STRANGER, {"common": {"identity_id": ""}})]) == []
    found = identity_checks.v1_event([(STRANGER, {"common": {"identity_id": "gen"}}), (MATCHED, {})])
    assert len(found) == 2 and _ids(found) == {"V1EV-SCHEMA-003"}


def _item(identity_id: str, info: Any, score: Any) -> dict[str, Any]:
    return {"identity_id": identity_id, "identity_info": info, "score": score}


def test_search_item_passes_the_stored_match_and_score() -> None:
    pairs = [(STRANGER, _item("", {}, 40.0)), (MATCHED, _item("id-li", INFO, 91.5))]
    assert identity_checks.search_item(pairs) == []


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ((STRANGER, _item("gen", {}, 40.0)), {"PS-SCHEMA-010"}),
        ((STRANGER, _item("", {"image_id": "x"}, 40.0)), {"PS-SCHEMA-013"}),
        ((MATCHED, _item("id-li", {}, 91.5)), {"PS-SCHEMA-012", "PS-SCHEMA-013"}),
        ((MATCHED, _item("id-li", {"face_ids": "f", "image_id": "i"}, 91.5)), {"PS-SCHEMA-012"}),
        ((MATCHED, _item("id-li", INFO, 73.2)), {"PS-SCHEMA-017"}),
        ((MATCHED, _item("id-li", INFO, None)), {"PS-SCHEMA-017"}),
    ],
)
def test_search_item_names_each_deviation(pair: Any, expected: set[str]) -> None:
    assert _ids(identity_checks.search_item([pair])) == expected


def test_search_item_lenient_accepts_a_bare_matched_info_but_not_wrong_types() -> None:
    assert identity_checks.search_item([(MATCHED, _item("id-li", {}, 91.5))], profile="lenient") == []
    wrong = (MATCHED, _item("id-li", {"face_ids": {}, "image_id": 3}, 91.5))
    assert _ids(identity_checks.search_item([wrong], profile="lenient")) == {"PS-SCHEMA-012", "PS-SCHEMA-013"}


def test_upload_info_per_match_and_profile() -> None:
    good: list[identity_checks.Pair] = [(STRANGER, {"identity_info": {}}), (MATCHED, {"identity_info": INFO})]
    assert identity_checks.upload_info(good) == []
    filled = [(STRANGER, {"identity_info": {"face_ids": [], "image_id": ""}})]
    assert _ids(identity_checks.upload_info(filled)) == {"UP-SCHEMA-003", "UP-SCHEMA-005"}
    bare: list[identity_checks.Pair] = [(MATCHED, {"identity_info": {}})]
    assert _ids(identity_checks.upload_info(bare)) == {"UP-SCHEMA-004", "UP-SCHEMA-005"}
    assert identity_checks.upload_info(bare, profile="lenient") == []
    assert _ids(identity_checks.upload_info([(MATCHED, {})], profile="lenient")) == {
        "UP-SCHEMA-004",
        "UP-SCHEMA-005",
    }
