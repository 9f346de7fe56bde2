"""Form fields are all text; give them back the JSON shape (numbers, nested objects sent as JSON text)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Field types of seed 003's upload table, used when the spec catalog offers none.
SEED_003_FIELD_TYPES: Mapping[str, str] = {
    "identity_id": "string",
    "identity_name": "string",
    "identity_info": "object",
    "timestamp": "integer",
    "score": "number",
    "want_action": "string",
    "reg_pic": "string",
    "spot_pic": "string",
    "ir_pic": "string",
    "recognize_face": "string",
    "person_type": "integer",
    "out_timestamp": "integer",
    "ep_info": "object",
    "dev_sno": "string",
    "recognize_face_attr": "object",
    "api_version": "string",
}

_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _coerce(text: str, declared: str | None, parse_json: Callable[[str], Any]) -> Any:
    """Convert when the text is a clean value of the declared type; else keep it for the validator."""
    stripped = text.strip()
    if declared in {"object", "array"} or (declared is None and stripped[:1] in {"{", "["}):
        if stripped[:1] in {"{", "["}:
            return parse_json(stripped)
        return text
    if declared == "integer" and _INTEGER.fullmatch(stripped):
        return int(stripped)
    if declared == "number" and _NUMBER.fullmatch(stripped):
        number = float(stripped)
        return int(number) if _INTEGER.fullmatch(stripped) else number
    if declared == "boolean" and stripped in {"true", "false"}:
        return stripped == "true"
    return text


def coerce_form_fields(
    fields: Sequence[tuple[str, str]],
    field_types: Mapping[str, str],
    parse_json: Callable[[str], Any],
) -> dict[str, Any]:
    """Build the payload dict; a key sent more than once becomes a list of its values."""
    collected: dict[str, list[Any]] = {}
    for name, text in fields:
        collected.setdefault(name, []).append(_coerce(text, field_types.get(name), parse_json))
    return {name: values[0] if len(values) == 1 else values for name, values in collected.items()}


def field_types_from_schema(schema: Mapping[str, Any]) -> dict[str, str]:
    """Top-level property types of the upload-payload schema (first typed branch of anyOf/oneOf)."""
    types: dict[str, str] = dict(SEED_003_FIELD_TYPES)
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return types
    for name, node in properties.items():
        declared = _declared_type(node)
        if declared is not None:
            types[str(name)] = declared
    return types


def _declared_type(node: Any) -> str | None:
    if not isinstance(node, Mapping):
        return None
    kind = node.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        return next((item for item in kind if isinstance(item, str) and item != "null"), None)
    for key in ("anyOf", "oneOf", "allOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            for branch in branches:
                found = _declared_type(branch)
                if found is not None:
                    return found
    return None
