"""Map a validation error to the requirement ids (`x-requirements`) of the schema nodes that encode it.

Rule (docs/requirements.md): an error names the ids of the nearest annotated node on its schema path
that judges the same field as the failing keyword. Moving into a field of an object (`properties/<name>`,
`additionalProperties`, ...) starts afresh, so an object's annotation never leaks onto its fields; the
elements of a list (`items`, ...) belong to the list's row and inherit its ids. A `required` error also
names the ids of the missing field's own node, because "(required)" belongs to that field's row.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

from jsonschema.exceptions import ValidationError

from conformance.spec.profiles import requirements_of

# keyword followed by a field name, then the subschema of that field: a new row of the table
FIELD_KEYWORDS = frozenset({"properties", "patternProperties"})
# keyword whose value is the subschema of any other field: a new row as well
OTHER_FIELD_KEYWORDS = frozenset({"additionalProperties", "propertyNames", "unevaluatedProperties"})
# keywords into the elements of a list: the same row as the list (prefixItems is followed by an index)
ELEMENT_KEYWORDS = frozenset({"items", "contains", "unevaluatedItems"})
_REQUIRED_SUFFIX = " is a required property"


def requirements_of_error(schema: Any, error: ValidationError) -> tuple[str, ...]:
    """Requirement ids for one jsonschema error on `schema` (empty when no annotated node judges it)."""
    location, nearest = _walk(schema, list(error.absolute_schema_path))
    ids = list(nearest)
    if error.validator == "required":
        missing = _missing_property(error)
        owners = (_node_at(schema, list(error.absolute_schema_path)[:-1]), location)
        for owner in owners:
            field = _property_node(owner, missing)
            if field is not None:
                ids = [*requirements_of(field), *ids]
                break
    return tuple(dict.fromkeys(ids))


def _walk(schema: Any, path: Sequence[Any]) -> tuple[Any, tuple[str, ...]]:
    """(node where the error's instance location starts, ids of the nearest annotated node at it)."""
    node = location = schema
    nearest = requirements_of(schema)
    index = 0
    while index < len(path):
        part = path[index]
        if isinstance(node, dict) and part in FIELD_KEYWORDS and index + 1 < len(path):
            node = _child(node.get(part), path[index + 1])
            location, nearest, index = node, requirements_of(node), index + 2
            continue
        if isinstance(node, dict) and part in OTHER_FIELD_KEYWORDS:
            node = node.get(part)
            location, nearest, index = node, requirements_of(node), index + 1
            continue
        if isinstance(node, dict) and part in ELEMENT_KEYWORDS:
            node = location = node.get(part)
            nearest, index = requirements_of(node) or nearest, index + 1
            continue
        node = _child(node, part)
        if node is None:
            break
        nearest = requirements_of(node) or nearest
        index += 1
    return location, nearest


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _node_at(schema: Any, path: Sequence[Any]) -> Any:
    node = schema
    for part in path:
        node = _child(node, part)
    return node


def _property_node(owner: Any, name: str | None) -> Any:
    """The `properties/<name>` node of an object schema, looking through a lenient anyOf wrapper."""
    if name is None or not isinstance(owner, dict):
        return None
    candidates = [owner, *(o for o in owner.get("anyOf", []) if isinstance(o, dict))]
    for candidate in candidates:
        properties = candidate.get("properties")
        if isinstance(properties, dict) and name in properties:
            return properties[name]
    return None


def _missing_property(error: ValidationError) -> str | None:
    """The field a `required` error is about (jsonschema writes `'name' is a required property`)."""
    text = str(error.message)
    if not text.endswith(_REQUIRED_SUFFIX):
        return None
    try:
        name = ast.literal_eval(text.removesuffix(_REQUIRED_SUFFIX))
    except (ValueError, SyntaxError):
        return None
    return name if isinstance(name, str) else None
