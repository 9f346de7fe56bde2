"""The part of a message the documents' tables define: comparisons of two answers ignore extras (E17).

A box may add undocumented fields (E17, lenient) and they may change between calls; comparing two calls
(getevent against getevents, one call against another) compares only what a table defines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def documented_part(value: Any, schema: Mapping[str, Any]) -> Any:
    """`value` without the keys its schema's `properties` do not name, at every nested object level."""
    properties = schema.get("properties")
    if not isinstance(value, Mapping) or not isinstance(properties, Mapping):
        return value
    return {key: documented_part(item, properties[key]) for key, item in value.items() if key in properties}


def differing_fields(
    first: Mapping[str, Any], second: Mapping[str, Any], schema: Mapping[str, Any]
) -> list[str]:
    """Top-level documented keys whose documented parts differ between two renderings of one message."""
    left, right = documented_part(first, schema), documented_part(second, schema)
    return sorted(key for key in set(left) | set(right) if left.get(key) != right.get(key))
