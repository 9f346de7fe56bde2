"""The spec loader: profiles, caching, errata-naming findings, and clear errors for malformed files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conformance.paths import JSON_SCHEMAS_DIR, OPENAPI_PATH
from conformance.spec.catalog import Profile, SchemaFinding, UnknownSchemaError, build_spec, load_spec
from conformance.spec.errata import load_errata
from conformance.spec.loader import SpecFileError
from conformance.spec.profiles import apply_profile

EXPECTED_NAMES = {
    "common",
    "v2-getevents-request",
    "v2-getevents-response",
    "v2-event",
    "v2-getevent-request",
    "v1-events-query",
    "v1-events-response",
    "v1-event",
    "picturesearch-request",
    "picturesearch-response",
    "picturesearch-item",
    "upload-payload",
    "upload-form-fields",
    "ws-config",
    "ws-event",
    "devices-response",
    "history-event-url-request",
    "history-event-url-response",
    "v1-error",
    "v2-error",
    "login-request",
    "login-response",
    "software-version-response",
}
KNOWN_ERRATA = frozenset(erratum.id for erratum in load_errata())
SOURCE_NAMES = re.compile(r"seed 00[0-4]|reference [a-z0-9-]+(?:\.md)?|[a-z0-9-]+\.md")


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


def _copy_schemas(tmp_path: Path) -> Path:
    target = tmp_path / "json"
    shutil.copytree(JSON_SCHEMAS_DIR, target)
    return target


def test_names_are_the_fixed_file_set() -> None:
    assert set(load_spec(Profile.STRICT).names()) == EXPECTED_NAMES


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_every_schema_names_its_id_title_and_source(name: str) -> None:
    raw = json.loads((JSON_SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert raw["$id"] == f"https://sophon-conformance.local/schemas/json/{name}.json"
    assert raw["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert raw["title"]
    assert SOURCE_NAMES.search(raw["description"]), raw["description"]


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_errata_annotations_use_known_ids(name: str) -> None:
    raw = json.loads((JSON_SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    for node in _walk(raw):
        if "x-lenient" in node:
            assert node.get("x-errata"), f"x-lenient without x-errata in {name}: {node}"
        for erratum in node.get("x-errata", []) if isinstance(node.get("x-errata"), list) else []:
            assert erratum in KNOWN_ERRATA, f"{name}: unknown erratum {erratum}"


def test_load_spec_is_cached_per_profile() -> None:
    assert load_spec(Profile.STRICT) is load_spec("strict")
    assert load_spec(Profile.LENIENT) is load_spec("LENIENT")
    assert load_spec(Profile.STRICT) is not load_spec(Profile.LENIENT)


def test_compiled_validators_are_reused() -> None:
    spec = load_spec(Profile.STRICT)
    assert spec.compiled("v2-event") is spec.compiled("v2-event")


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown profile 'loose'; expected one of: strict, lenient"):
        load_spec("loose")


def test_unknown_schema_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSchemaError, match="unknown schema 'v3-event'; known schemas: common"):
        load_spec(Profile.STRICT).validate("v3-event", {})


def test_schema_is_inlined_copy_with_profile_applied() -> None:
    strict = load_spec(Profile.STRICT).schema("v2-event")
    lenient = load_spec(Profile.LENIENT).schema("v2-event")
    assert "$ref" not in json.dumps(strict)
    assert "x-lenient" not in json.dumps(strict)
    assert "x-lenient" not in json.dumps(lenient)
    assert "anyOf" in lenient["properties"]["timestamp"]
    strict["properties"].clear()
    assert load_spec(Profile.STRICT).schema("v2-event")["properties"], "schema() must return a copy"


def test_apply_profile_rewrites_annotated_nodes() -> None:
    node = {"type": "integer", "x-errata": ["E02"], "x-lenient": {"type": "number"}, "description": "d"}
    assert apply_profile(node, Profile.STRICT) == {"type": "integer", "x-errata": ["E02"], "description": "d"}
    assert apply_profile(node, Profile.LENIENT) == {
        "anyOf": [{"type": "integer"}, {"type": "number"}],
        "description": "d",
        "x-errata": ["E02"],
    }


def test_finding_names_errata_in_message() -> None:
    findings = load_spec(Profile.STRICT).validate("v2-event", _v2_event(timestamp=1628066406.608026))
    assert findings, "a float-seconds timestamp must fail strict"
    typed = [f for f in findings if "type" in f.message]
    assert typed == [
        SchemaFinding(
            instance_path="/timestamp",
            message="[E02] /timestamp: 1628066406.608026 is not of type 'integer'"
            " (requirements V2EV-TIME-001)",
            errata=("E02",),
            schema_path="/properties/timestamp/type",
            requirements=("V2EV-TIME-001",),
        )
    ]
    assert load_spec(Profile.LENIENT).validate("v2-event", _v2_event(timestamp=1628066406.608026)) == []


def test_finding_without_erratum_has_plain_message() -> None:
    findings = load_spec(Profile.STRICT).validate("v2-getevents-request", {"page_index": -1})
    assert [(f.instance_path, f.errata) for f in findings] == [("/page_index", ())]
    assert findings[0].message.startswith("/page_index: -1 is less than the minimum of 0")


def test_valid_event_has_no_findings_under_both_profiles() -> None:
    for profile in Profile:
        assert load_spec(profile).validate("v2-event", _v2_event()) == []
        assert load_spec(profile).is_valid("v2-event", _v2_event())


def test_openapi_document_is_bundled_without_refs() -> None:
    document = load_spec(Profile.STRICT).openapi_document()
    assert "$ref" not in json.dumps(document)
    assert document["openapi"] == "3.1.0"
    assert "/sophon/v2/face/getevents" in document["paths"]


def test_malformed_json_schema_names_file_and_line(tmp_path: Path) -> None:
    json_dir = _copy_schemas(tmp_path)
    broken = json_dir / "login-request.json"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + ","  # a trailing comma: invalid JSON on line 6 or the next
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SpecFileError) as info:
        build_spec(Profile.STRICT, json_dir=json_dir)
    assert info.value.path == broken
    assert info.value.line is not None and 6 <= info.value.line <= 8
    assert str(info.value).startswith(f"{broken}:{info.value.line}: invalid JSON")


def test_invalid_json_schema_keyword_names_file(tmp_path: Path) -> None:
    json_dir = _copy_schemas(tmp_path)
    broken = json_dir / "login-response.json"
    data = json.loads(broken.read_text(encoding="utf-8"))
    data["properties"]["result"]["type"] = "bool"
    broken.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(
        SpecFileError, match=r"login-response\.json:\d+: not a valid JSON Schema at /properties/result"
    ):
        build_spec(Profile.STRICT, json_dir=json_dir)


def test_wrong_id_is_refused(tmp_path: Path) -> None:
    json_dir = _copy_schemas(tmp_path)
    broken = json_dir / "login-response.json"
    data = json.loads(broken.read_text(encoding="utf-8"))
    data["$id"] = "https://example.invalid/login.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SpecFileError, match=r"login-response\.json:1: \$id must be"):
        build_spec(Profile.STRICT, json_dir=json_dir)


def test_dangling_ref_names_file_and_line(tmp_path: Path) -> None:
    json_dir = _copy_schemas(tmp_path)
    broken = json_dir / "v2-getevents-response.json"
    text = broken.read_text(encoding="utf-8").replace('"v2-event.json"', '"v2-evnt.json"')
    broken.write_text(text, encoding="utf-8")
    line = 1 + text[: text.index("v2-evnt.json")].count("\n")
    with pytest.raises(
        SpecFileError, match=rf"v2-getevents-response\.json:{line}: unresolvable \$ref 'v2-evnt\.json'"
    ):
        build_spec(Profile.STRICT, json_dir=json_dir)


def test_recursive_ref_is_refused(tmp_path: Path) -> None:
    json_dir = _copy_schemas(tmp_path)
    loop = json_dir / "ws-config.json"
    data = json.loads(loop.read_text(encoding="utf-8"))
    data["properties"]["nested"] = {"$ref": "ws-config.json"}
    loop.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(SpecFileError, match=r"ws-config\.json:\d+: recursive \$ref"):
        build_spec(Profile.STRICT, json_dir=json_dir)


def test_malformed_openapi_yaml_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "box.yaml"
    lines = OPENAPI_PATH.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  bad: [unclosed")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = build_spec(Profile.STRICT, openapi_path=broken)
    with pytest.raises(SpecFileError) as info:
        spec.openapi_document()
    assert info.value.path == broken
    assert info.value.line is not None and info.value.line >= 4
    assert "invalid YAML" in str(info.value)


def test_empty_schema_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecFileError, match="no JSON Schema files"):
        build_spec(Profile.STRICT, json_dir=tmp_path)


def _v2_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": "1628066406652506",
        "timestamp": 1628066406608,
        "identity_id": "",
        "identity_name": "",
        "register_image_id": "",
        "recognize_face_image_id": "001628066406.650539",
        "spot_image_id": "001628066406.650539",
        "permission_id": "",
        "permission_name": "",
        "user_type": "stranger",
        "score": 27.69,
        "post_action": "0",
        "frame_id": 0,
        "is_send": 0,
        "media_device_info": {
            "media_device_id": "d1",
            "media_device_ip": "10.0.0.2",
            "media_device_name": "gate",
            "media_device_type": "rtsp",
        },
        "recognize_face_attr": {
            "point": [],
            "box": [1.0, 2.0, 3.0, 4.0],
            "mask": "no",
            "gender": "",
            "hat": "",
            "age": "youth",
            "glasses": "no",
            "feature_binary": "",
        },
        "ext_data": {"in_timestamp": 1628066406608, "recognition_timestamp": 1628066406608},
    }
    event.update(overrides)
    return event


def test_yaml_with_an_impossible_date_names_the_file(tmp_path: Path) -> None:
    from conformance.spec.loader import SpecFileError, load_file

    bad = tmp_path / "waivers.yaml"
    bad.write_text("expires: 2026-13-45\n", encoding="utf-8")
    with pytest.raises(SpecFileError, match=r"waivers\.yaml"):
        load_file(bad)
