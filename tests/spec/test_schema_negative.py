"""Hand-broken copies of every example (generated) and targeted bad values fail under both profiles."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.spec.catalog import Profile, load_spec
from conformance.spec.loader import load_mapping

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "examples"
VALIDATED = [e for e in load_mapping(EXAMPLES_DIR / "index.yaml")["examples"] if e.get("schema")]
WRONG_VALUES: list[Any] = [12345, "not-a-number", [], {}, True, None]
BAD_ENUM = "__not_in_the_vocabulary__"
Site = tuple[str, tuple[Any, ...], Any]


def _plain(node: Any) -> bool:
    return isinstance(node, dict) and not any(k in node for k in ("anyOf", "oneOf"))


def _sites(schema: Any, instance: Any, path: tuple[Any, ...] = ()) -> Iterator[Site]:
    """Places to break: required keys present, typed or enumerated properties; only along plain nodes."""
    if not _plain(schema):
        return
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name in instance:
                yield ("missing", (*path, name), None)
        for name, sub in schema.get("properties", {}).items():
            if name not in instance or not _plain(sub):
                continue
            if "type" in sub:
                yield ("wrong-type", (*path, name), sub["type"])
            if "enum" in sub:
                yield ("bad-enum", (*path, name), sub["enum"])
            yield from _sites(sub, instance[name], (*path, name))
    elif isinstance(instance, list) and instance and isinstance(schema.get("items"), dict):
        yield from _sites(schema["items"], instance[0], (*path, 0))


def _broken(instance: Any, site: Site) -> Any:
    kind, path, detail = site
    copy_ = copy.deepcopy(instance)
    parent = copy_
    for part in path[:-1]:
        parent = parent[part]
    if kind == "missing":
        del parent[path[-1]]
    elif kind == "bad-enum":
        parent[path[-1]] = BAD_ENUM
    else:
        checker = Draft202012Validator({"type": detail})
        parent[path[-1]] = next(v for v in WRONG_VALUES if not checker.is_valid(v))
    return copy_


def _cases() -> list[Any]:
    lenient = load_spec(Profile.LENIENT)
    cases = []
    for entry in VALIDATED:
        instance = json.loads((EXAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
        for site in _sites(lenient.schema(entry["schema"]), instance):
            label = f"{entry['file']}:{site[0]}:/{'/'.join(map(str, site[1]))}"
            cases.append(pytest.param(entry["schema"], _broken(instance, site), id=label))
    return cases


CASES = _cases()


@pytest.mark.parametrize("entry", VALIDATED, ids=lambda e: e["file"])
def test_every_example_gets_broken_copies(entry: dict[str, Any]) -> None:
    instance = json.loads((EXAMPLES_DIR / entry["file"]).read_text(encoding="utf-8"))
    kinds = {site[0] for site in _sites(load_spec(Profile.LENIENT).schema(entry["schema"]), instance)}
    assert "wrong-type" in kinds
    assert kinds & {"missing", "bad-enum"} or not load_spec(Profile.LENIENT).schema(entry["schema"]).get(
        "required"
    )


@pytest.mark.parametrize(("name", "instance"), CASES)
@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_broken_copy_is_rejected(profile: Profile, name: str, instance: Any) -> None:
    assert load_spec(profile).validate(name, instance) != []


def _common(name: str, value: Any) -> bool:
    schema = load_spec(Profile.STRICT).schema("common")["$defs"][name]
    return bool(Draft202012Validator(schema).is_valid(value))


@pytest.mark.parametrize(
    ("definition", "good", "bad"),
    [
        (
            "timestamp_ms",
            [1_000_000_000_000, 9_999_999_999_999, 1628066406608.0],
            [999_999_999_999, 10**13, 1628066406.6, "1628066406608"],
        ),
        (
            "timestamp_s",
            [1_000_000_000, 1628066406.608026, 9_999_999_999.5],
            [999_999_999.9, 10**10, 1628066406608, True],
        ),
        ("person_type", [1, 5, 4.0], [0, 6, "4", 2.5]),
        ("page_limit", [1, 1000, 10**12, 24.0], [0, -1, 24.5, "10"]),  # no maximum: E38
        ("page_index", [0, 7], [-1, 0.5]),
        ("base64", ["", "QQ==", "QUI=", "QUJD"], ["Q", "QQ=", "QUJD!", "/9j/6QAEAAD/2wBD..."]),
        ("user_type", ["employee", "vip", "car"], ["VIP", "Employee", ""]),
        ("ws_device_type", ["0", "1", "3", "4"], ["2", 0, "gate"]),
        ("mask_upload_attr", ["0", "2", ""], ["yes", 1, None]),
        ("mask_v2_attr", ["yes", "no", ""], ["0", None]),
        ("age_attr", ["child", "middle-aged", ""], ["old", None]),
        ("box", [[], [1, 2, 3, 4.5]], [[1, 2, 3], [1, 2, 3, 4, 5], ["1", 2, 3, 4]]),
        ("v2_error_code", ["INVALID_ARGUMENTS", "UNSUPPORT_CONTENT_TYPE"], ["invalid_arguments", 400]),
    ],
)
def test_common_definitions(definition: str, good: list[Any], bad: list[Any]) -> None:
    assert [v for v in good if not _common(definition, v)] == []
    assert [v for v in bad if _common(definition, v)] == []


def test_feature_binary_is_exactly_2048_bytes() -> None:
    exact = base64.b64encode(bytes(range(256)) * 8).decode()
    assert len(exact) == 2732 and _common("feature_binary", exact)
    assert not _common("feature_binary", base64.b64encode(bytes(2047)).decode())
    assert not _common("feature_binary", base64.b64encode(bytes(2049)).decode())
    assert not _common("feature_binary", exact[:-2] + "B=")  # non-zero padding bits
    assert _common("feature_binary_or_empty", "")


def _example(name: str) -> Any:
    return json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("schema", "example"),
    [
        ("v2-getevents-response", "000-getevents-response.json"),
        ("picturesearch-response", "002-picturesearch-response.json"),
        ("upload-payload", "003-upload-payload.json"),
        ("ws-event", "004-ws-event.json"),
        ("login-response", "v2-login-response.json"),
    ],
)
def test_undocumented_field_is_e17_under_strict_only(schema: str, example: str) -> None:
    instance = _example(example)
    instance["x_vendor_extra"] = 1
    strict = [
        f
        for f in load_spec(Profile.STRICT).validate(schema, instance)
        if f.instance_path == "/x_vendor_extra"
    ]
    assert [f.errata for f in strict] == [("E17",)]
    assert "field 'x_vendor_extra' is not in the documents' tables" in strict[0].message
    assert load_spec(Profile.LENIENT).validate(schema, instance) == []


def test_stranger_upload_identity_id_rule_is_e12() -> None:
    payload = _example("003-upload-payload.json")
    strict = load_spec(Profile.STRICT)
    assert any(f.errata == ("E12",) for f in strict.validate("upload-payload", payload))
    payload["identity_id"] = ""
    assert not any("E12" in f.errata for f in strict.validate("upload-payload", payload))
    payload["person_type"] = 1
    payload["identity_id"] = "13435454"
    assert not any("E12" in f.errata for f in strict.validate("upload-payload", payload))


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
@pytest.mark.parametrize(
    ("name", "instance"),
    [
        ("v2-getevents-request", {"page_limit": 0}),
        ("v2-getevents-request", {"page_limit": -1}),
        ("v2-getevents-request", {"page_index": 1.5}),
        ("v2-getevents-request", {"filters": {"user_type": "manager"}}),
        ("v2-getevents-request", {"filters": {"media_device_ids": "d1"}}),
        ("v1-events-query", {"userType": 6}),
        ("v1-events-query", {"streams": "d1,d2"}),
        ("picturesearch-request", {}),
        ("picturesearch-request", {"face_image_base64": "/9j/", "starttime": 1628066406608}),
        ("picturesearch-request", {"face_image_base64": "/9j/", "threshold": 101}),
        (
            "history-event-url-request",
            {"history_upload_event_url": ["ftp://x/y"], "content-type": "json", "reported_peroid": 5},
        ),
        (
            "history-event-url-request",
            {"history_upload_event_url": [], "content-type": "json", "reported_peroid": 5},
        ),
        (
            "history-event-url-request",
            {"history_upload_event_url": ["http://h:1/a"], "content-type": "xml", "reported_peroid": 5},
        ),
        ("ws-config", {"need_face": "yes"}),
        ("ws-config", {"event_list": [1, 2]}),
        ("v1-error", {"error": {"code": "INVALID_ARGUMENTS", "message": "x", "status": "INVALID_ARGUMENTS"}}),
        ("v2-error", {"error": {"code": 400, "message": "x"}}),
        ("v2-getevent-request", {"event_id": 1628066406652506}),
    ],
)
def test_bad_requests_and_envelopes(profile: Profile, name: str, instance: Any) -> None:
    assert load_spec(profile).validate(name, instance) != []


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        (
            "v2-getevents-request",
            {
                "page_limit": 24.0,
                "page_index": 0,
                "filters": {"user_type": "VIP", "datetime_gte": 1607430334},
            },
        ),
        ("v1-events-query", {"per_page": 10, "page": 0, "streams": ["d1", "d2"], "userType": 4}),
        (
            "picturesearch-request",
            {"face_image_base64": "/9j/", "last_end_timestamp": None, "reverse": False},
        ),
        (
            "history-event-url-request",
            {
                "history_upload_event_url": ["http://192.168.1.19:9528/HistoryEvent"],
                "content-type": "form-data",
                "reported_peroid": 60,
            },
        ),
        ("v1-error", {"error": {"code": 400, "message": "per_page", "status": "INVALID_ARGUMENTS"}}),
        ("v2-error", {"error": {"code": "INVALID_ARGUMENTS", "message": "page_limit"}}),
    ],
)
def test_good_requests_and_envelopes(name: str, instance: Any) -> None:
    for profile in Profile:
        assert load_spec(profile).validate(name, instance) == []
