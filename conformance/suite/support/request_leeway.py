"""Where the documents let a box answer a request either way, read from the schemas' markers.

The schemathesis checks judge "valid data accepted" and "invalid data refused". Two kinds of request
value have no single right answer, and a check that picks one is a false alarm on a real box:

* `x-refusable-above: N` (page_limit, per_page; E38): no maximum page size is documented, so a size
  above the documented default N may be served or refused with INVALID_ARGUMENTS. An empty query value
  (`per_page=`) is likewise the box's to read as absent or to refuse: the documents say nothing.
* `x-box-may-ignore: [keywords]` (user_type, userType, fiqa_level, need_preview_list, time bounds
  before the epoch, top_k below 1, a threshold outside 0..100; E40): a value of an optional parameter
  that the documents give no meaning may be refused or ignored. The marker names the schema keywords
  whose violation a box may accept; violating any other (a wrong type, say) must still be refused.

Everything else stays judged as schemathesis judges it: types, required fields, documented lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.paths import OPENAPI_PATH
from conformance.spec.loader import load_mapping

IGNORABLE_KEY = "x-box-may-ignore"
REFUSABLE_KEY = "x-refusable-above"
REFUSAL_CODE = "INVALID_ARGUMENTS"
ANNOTATIONS = frozenset({"description", "default", "title", "examples"})  # not constraints
Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Leeway:
    """An operation's parameters that a box may answer either way, by location and path."""

    ignorable: Mapping[Path_, frozenset[str]]  # body paths / query names -> keywords a box may ignore
    refusable_above: Mapping[Path_, float]  # body paths / query names -> documented default

    def tolerates_acceptance(self, case: Any) -> bool:
        """A negative case a box may accept: every mutation broke only keywords its parameter may ignore."""
        mutations = list(_mutations(case))
        return bool(mutations) and all(
            bool(keywords) and set(keywords) <= self.ignorable.get(path, frozenset())
            for path, keywords in mutations
        )

    def tolerates_refusal(self, case: Any, response: Any) -> bool:
        """A positive case a box may refuse: a page size above its default, or an empty query value."""
        if not 400 <= int(response.status_code) < 500 or not _is_invalid_arguments(response):
            return False
        query = case.query if isinstance(case.query, Mapping) else {}
        if any(value == "" for value in query.values()):
            return True
        for path, default in self.refusable_above.items():
            value = _at(case.body, path) if len(path) > 1 or path[0] not in query else query[path[0]]
            number = _number(value)
            if number is not None and number > default:
                return True
        return False


@cache
def leeway(operation_id: str) -> Leeway:
    """The markers of one box.yaml operation: query parameters and the JSON body schema, refs followed."""
    document = load_mapping(OPENAPI_PATH)
    operation = _operation(document, operation_id)
    ignorable: dict[Path_, frozenset[str]] = {}
    refusable: dict[Path_, float] = {}
    for parameter in operation.get("parameters", []):
        nodes = [parameter, _resolve(parameter.get("schema", {}), OPENAPI_PATH)]
        _collect((str(parameter["name"]),), nodes, ignorable, refusable)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "schema" in body:
        schema = _resolve(body["schema"], OPENAPI_PATH)
        base = _ref_file(body["schema"], OPENAPI_PATH) or OPENAPI_PATH
        for path, nodes in _properties(schema, base, ()):
            _collect(path, nodes, ignorable, refusable)
    return Leeway(ignorable, refusable)


def _collect(
    path: Path_, nodes: list[Any], ignorable: dict[Path_, frozenset[str]], refusable: dict[Path_, float]
) -> None:
    for node in nodes:
        if isinstance(node, Mapping):
            if isinstance(node.get(IGNORABLE_KEY), list):
                ignorable[path] = ignorable.get(path, frozenset()) | frozenset(node[IGNORABLE_KEY])
            if isinstance(node.get(REFUSABLE_KEY), int | float):
                refusable[path] = float(node[REFUSABLE_KEY])


def _properties(schema: Any, base: Path, prefix: Path_) -> Iterator[tuple[Path_, list[Any]]]:
    """(path, [node, node its $ref points to]) for every property, nested objects included."""
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    for name, node in properties.items():
        path = (*prefix, str(name))
        target = _resolve(node, base)
        yield path, [node, target]
        yield from _properties(node, base, path)


def _operation(document: Mapping[str, Any], operation_id: str) -> Mapping[str, Any]:
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, Mapping) and operation.get("operationId") == operation_id:
                return operation
    raise KeyError(f"box.yaml has no operation {operation_id!r}")


def _ref_file(node: Any, base: Path) -> Path | None:
    ref = node.get("$ref") if isinstance(node, Mapping) else None
    if not isinstance(ref, str) or ref.startswith("#"):
        return None
    return (base.parent / ref.split("#", 1)[0]).resolve()


def _resolve(node: Any, base: Path) -> Any:
    """The node a relative file `$ref` (with an optional JSON pointer) names; the node itself otherwise."""
    target = _ref_file(node, base)
    if target is None:
        return node
    resolved: Any = json.loads(target.read_text(encoding="utf-8"))
    pointer = str(node["$ref"]).partition("#")[2]
    for part in [p for p in pointer.split("/") if p]:
        resolved = resolved.get(part, {}) if isinstance(resolved, Mapping) else {}
    return resolved


def _mutations(case: Any) -> Iterator[tuple[Path_, tuple[str, ...]]]:
    """(path, violated keywords) for each mutation schemathesis recorded for a negative case."""
    data = getattr(getattr(case, "meta", None), "phase", None)
    data = getattr(data, "data", None)
    for mutation in getattr(data, "mutations", ()) or ():
        path = tuple(str(part) for part in mutation.path) or (
            (str(mutation.parameter),) if mutation.parameter else ()
        )
        yield path, tuple(k for k in mutation.keywords if not k.startswith("x-") and k not in ANNOTATIONS)


def _at(body: Any, path: Path_) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, Mapping) else None
    return body


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _is_invalid_arguments(response: Any) -> bool:
    """The body is an error envelope naming INVALID_ARGUMENTS (v2 error.code or v1 error.status)."""
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and REFUSAL_CODE in (error.get("code"), error.get("status"))
