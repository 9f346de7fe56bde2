"""Validate fuzzed responses with the spec layer, so the run's profile decides (lenient readings, errata).

box.yaml names each JSON response by a relative `$ref` to a file in schemas/json; this module maps
(operation, status) to that schema name and validates the body with `load_spec(profile).validate`.
A violation fails through the one bridge: each schema finding names the requirements its schema node is
linked to (`x-requirements`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import fail, fail_on
from conformance.paths import OPENAPI_PATH
from conformance.spec.catalog import load_spec
from conformance.spec.loader import load_mapping
from conformance.spec.schema_requirements import schema_requirement_ids
from conformance.suite.support.schema_findings import schema_finding

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(media: Any) -> str | None:
    """`../json/v2-error.json` → `v2-error`; None for inline schemas or fragments of a file."""
    schema = media.get("schema") if isinstance(media, Mapping) else None
    ref = schema.get("$ref") if isinstance(schema, Mapping) else None
    if not isinstance(ref, str) or "#" in ref or not ref.endswith(".json"):
        return None
    return PurePosixPath(ref).stem


def _resolve(document: Mapping[str, Any], response: Any) -> Any:
    ref = response.get("$ref") if isinstance(response, Mapping) else None
    if isinstance(ref, str) and ref.startswith("#/components/responses/"):
        return document["components"]["responses"][ref.rsplit("/", 1)[1]]
    return response


@cache
def _documented_responses() -> tuple[tuple[str, str, str, str], ...]:
    """(operationId, label "POST /path", status text, schema name) for every JSON response in box.yaml."""
    document = load_mapping(OPENAPI_PATH)
    rows: list[tuple[str, str, str, str]] = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method) if isinstance(item, Mapping) else None
            if not isinstance(operation, Mapping):
                continue
            for status, response in operation.get("responses", {}).items():
                content = _resolve(document, response).get("content", {})
                name = _schema_name(content.get("application/json"))
                if name is not None:
                    label = f"{method.upper()} {path}"
                    rows.append((str(operation.get("operationId", "")), label, str(status), name))
    return tuple(rows)


def response_schema_names() -> dict[tuple[str, str], str]:
    """(operation label "POST /path", status code text) → schema name, for every JSON response in box.yaml."""
    return {(label, status): name for _op, label, status, name in _documented_responses()}


def success_requirement_ids(operation_id: str) -> tuple[str, ...]:
    """Requirements linked in the schemas of an operation's 2xx answers: what judging those answers checks."""
    rows = _documented_responses()
    names = sorted(
        {name for op, _label, status, name in rows if op == operation_id and status.startswith("2")}
    )
    if not names:
        raise KeyError(f"box.yaml documents no JSON 2xx answer for operation {operation_id!r}")
    return schema_requirement_ids(*names)


def schema_for(label: str, status: int) -> str | None:
    """The schema name documented for this operation and status (exact code, then `4XX`-style ranges)."""
    names = response_schema_names()
    return names.get((label, str(status))) or names.get((label, f"{str(status)[0]}XX"))


def check_response(label: str, status: int, content_type: str, body: bytes, profile: str) -> None:
    """Fail (a schema ConformanceFailure) when a JSON body breaks its schema under `profile`; else return."""
    name = schema_for(label, status)
    if name is None or "json" not in content_type.lower():
        return
    try:
        instance = json.loads(body)
    except ValueError:
        title = f"{label} answered HTTP {status} with a body that is not JSON: {body[:120]!r}"
        fail(title, (), category=FindingCategory.SCHEMA)
    spec = load_spec(profile)
    if spec.is_valid(name, instance):  # the common case: skip collecting findings
        return
    fail_on(
        [schema_finding(name, found) for found in spec.validate(name, instance)],
        f"{label} HTTP {status}: the body breaks {name} under the {profile} profile",
    )
