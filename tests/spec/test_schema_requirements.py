"""Every requirement linked to a schema node is enforced by that node and named by the validator.

The cases (tests/data/schema_requirements/cases.yaml) mutate conforming messages derived from the
vendor examples; each must be rejected with a finding naming its requirement id, under strict and
under lenient, unless an erratum's lenient reading accepts it (then the strict finding names it).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.spec.annotations import AnnotationError, place_requirements
from conformance.spec.catalog import Profile, SpecFileError, build_spec, load_spec
from conformance.spec.requirements import load_requirements
from conformance.spec.schema_requirements import all_linked_ids, schema_requirement_ids, unknown_linked_ids

DATA = Path(__file__).resolve().parents[1] / "data"
CASES_PATH = DATA / "schema_requirements" / "cases.yaml"
EXAMPLES = DATA / "examples"


@cache
def _data() -> dict[str, Any]:
    loaded = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _parts(pointer: str) -> list[str]:
    assert pointer.startswith("/"), pointer
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _step(node: Any, part: str) -> Any:
    return node[int(part)] if isinstance(node, list) else node[part]


def _mutate(instance: Any, spec: dict[str, Any]) -> Any:
    """A copy of instance with `set` pointers assigned and `delete` pointers removed (parents must exist)."""
    result = copy.deepcopy(instance)
    for pointer, value in (spec.get("set") or {}).items():
        *parents, last = _parts(pointer)
        node = result
        for part in parents:
            node = _step(node, part)
        node[last] = value
    for pointer in spec.get("delete") or []:
        *parents, last = _parts(pointer)
        node = result
        for part in parents:
            node = _step(node, part)
        assert last in node, f"{pointer} is not in the base"
        del node[last]
    return result


@cache
def _base_json(name: str) -> str:
    base = _data()["bases"][name]
    instance = json.loads((EXAMPLES / base["example"]).read_text(encoding="utf-8"))
    for part in _parts(base["pointer"]) if base.get("pointer") else []:
        instance = _step(instance, part)
    return json.dumps(_mutate(instance, base))


def _base(name: str) -> Any:
    return json.loads(_base_json(name))


def _cases() -> list[tuple[str, int, dict[str, Any]]]:
    return [
        (requirement, number, case)
        for requirement, cases in _data()["cases"].items()
        for number, case in enumerate(cases)
    ]


@pytest.mark.parametrize("name", sorted(_data()["bases"]))
@pytest.mark.parametrize("profile", list(Profile))
def test_bases_conform(name: str, profile: Profile) -> None:
    """The repaired examples the cases start from conform, so any finding comes from the mutation."""
    assert load_spec(profile).validate(name, _base(name)) == []


@pytest.mark.parametrize(
    ("requirement", "number", "case"), _cases(), ids=[f"{r}-{n}" for r, n, _ in _cases()]
)
def test_deviation_is_rejected_naming_the_requirement(
    requirement: str, number: int, case: dict[str, Any]
) -> None:
    """Strict rejects naming the id; lenient too, unless the case's erratum relaxes it (then it accepts)."""
    schema = case["base"]
    instance = _mutate(_base(schema), case)
    strict = load_spec(Profile.STRICT).validate(schema, instance)
    naming = [f for f in strict if requirement in f.requirements and requirement in f.message]
    assert naming, f"strict findings do not name {requirement}: {[f.message for f in strict]}"
    lenient = load_spec(Profile.LENIENT).validate(schema, instance)
    relaxed_by = case.get("relaxed_by")
    if relaxed_by is None:
        assert any(requirement in f.requirements for f in lenient), [f.message for f in lenient]
        return
    assert lenient == [], [f.message for f in lenient]
    assert any(relaxed_by in f.errata for f in naming), f"no strict finding names {relaxed_by}"
    assert relaxed_by in load_requirements().get(requirement).errata or any(
        relaxed_by in f.errata for f in strict
    )


def test_every_linked_requirement_has_a_case() -> None:
    """A requirement linked in schemas/json without a deviating case here would be untested coverage."""
    missing = sorted(set(all_linked_ids()) - set(_data()["cases"]))
    assert missing == []


def test_cases_name_only_linked_requirements() -> None:
    """A case for an id no schema links tests nothing the validator promises (a stale or mistyped id)."""
    assert sorted(set(_data()["cases"]) - set(all_linked_ids())) == []


def test_linked_ids_are_in_the_catalog() -> None:
    """x-requirements name catalog entries only."""
    assert unknown_linked_ids() == []


def test_schema_requirement_ids_follow_catalog_order() -> None:
    """The helper for req markers returns catalog ids, ordered as the catalog, without duplicates."""
    ids = schema_requirement_ids("v2-getevents-response", "v2-event")
    order = load_requirements().ids
    assert list(ids) == sorted(set(ids), key=order.index)
    assert "V2EV-SCHEMA-020" in ids and "V2Q-SCHEMA-004" in ids
    assert schema_requirement_ids("v2-error") == ()


def test_unannotated_errors_name_no_requirement() -> None:
    """A node without annotation keeps today's behaviour: the finding names no requirement of its own."""
    event = _base("v2-event")
    event["event_id"] = ""
    findings = load_spec(Profile.STRICT).validate("v2-event", event)
    assert [(f.instance_path, f.requirements) for f in findings] == [("/event_id", ())]
    assert "requirements" not in findings[0].message


def test_object_annotation_does_not_leak_onto_unannotated_fields() -> None:
    """The v1 event root links V1EV-SCHEMA-002, but a bad `_id` (unannotated) does not name it."""
    event = _base("v1-event")
    event["_id"] = 3
    findings = load_spec(Profile.STRICT).validate("v1-event", event)
    assert [f.requirements for f in findings] == [()]


def test_list_elements_inherit_the_list_requirement() -> None:
    """A wrong element of video_shape names the field's requirement (the list's row covers its items)."""
    event = _base("v2-event")
    event["ext_data"]["video_shape"] = [1, "2"]
    findings = load_spec(Profile.STRICT).validate("v2-event", event)
    assert [(f.instance_path, f.requirements) for f in findings] == [
        ("/ext_data/video_shape/1", ("V2EV-SCHEMA-024",))
    ]


def test_placement_puts_ids_on_the_referred_nodes() -> None:
    """x-requirements-at pointers land as x-requirements on the inlined copy; the key itself is dropped."""
    schema: dict[str, Any] = {
        "properties": {
            "a": {
                "type": "object",
                "x-requirements-at": {"/properties/b": ["V2EV-SCHEMA-013"]},
                "properties": {"b": {"type": "string"}},
            }
        }
    }
    placed = place_requirements(schema)
    assert placed["properties"]["a"]["properties"]["b"]["x-requirements"] == ["V2EV-SCHEMA-013"]
    assert "x-requirements-at" not in placed["properties"]["a"]
    assert "x-requirements" not in schema["properties"]["a"]["properties"]["b"]


@pytest.mark.parametrize(
    "placements",
    [{"/properties/missing": ["V2EV-SCHEMA-013"]}, {"": "V2EV-SCHEMA-013"}, {"": ["not-an-id"]}],
)
def test_bad_placement_is_one_clear_error(placements: Any) -> None:
    """A pointer to no node, or ids that are not a list of ids, is an AnnotationError naming the place."""
    with pytest.raises(AnnotationError, match="/properties/a"):
        place_requirements({"properties": {"a": {"type": "object", "x-requirements-at": placements}}})


@pytest.mark.parametrize("bad", ['"x-requirements": "V2EV-SCHEMA-013"', '"x-requirements": ["v2ev-13"]'])
def test_malformed_annotation_is_a_spec_file_error(tmp_path: Path, bad: str) -> None:
    """A malformed x-requirements stops loading with one SpecFileError naming the file."""
    for source in (Path(__file__).resolve().parents[2] / "schemas" / "json").glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "login-response.json"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('"result": {', '"result": {' + bad + ", ", 1), encoding="utf-8")
    with pytest.raises(SpecFileError, match=r"login-response\.json"):
        build_spec(Profile.STRICT, json_dir=tmp_path)
