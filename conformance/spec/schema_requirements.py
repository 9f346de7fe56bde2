"""Which catalog requirements the schemas carry: per schema (req markers, `validate`) and per node (trace)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.paths import JSON_SCHEMAS_DIR, PROJECT_ROOT
from conformance.spec.annotations import PLACEMENT_KEY, in_catalog_order, linked_ids
from conformance.spec.catalog import Profile, load_spec
from conformance.spec.loader import load_mapping
from conformance.spec.profiles import LITERAL_KEYWORDS, REQUIREMENTS_KEY, requirements_of
from conformance.spec.requirements import RequirementCatalog, load_requirements


def schema_requirement_ids(*names: str) -> tuple[str, ...]:
    """Requirement ids linked (x-requirements) anywhere in the named schemas, in catalog order.

    A test that validates messages against these schemas may name the result in its req marker:
    every id is one the validator reports by name when its schema node rejects a message.
    """
    spec = load_spec(Profile.STRICT)
    found = [i for name in names for i in linked_ids(spec.schema(name))]
    return in_catalog_order(found, load_requirements().ids)


def unknown_linked_ids(catalog: RequirementCatalog | None = None) -> list[str]:
    """One line per schema that links a requirement id the catalog lacks (a typo or a retired id)."""
    known = set((catalog or load_requirements()).ids)
    spec = load_spec(Profile.STRICT)
    problems = []
    for name in spec.names():
        unknown = [i for i in linked_ids(spec.schema(name)) if i not in known]
        if unknown:
            problems.append(f"schemas/json/{name}.json links unknown requirement id(s) {', '.join(unknown)}")
    return problems


def all_linked_ids() -> tuple[str, ...]:
    """Every requirement id some schema links, in catalog order."""
    spec = load_spec(Profile.STRICT)
    return schema_requirement_ids(*spec.names())


@dataclass(frozen=True)
class SchemaNode:
    """One node of a schema file as written that carries a requirement (directly or at a `$ref` site)."""

    schema: str
    pointer: str
    placed_at: str | None = None  # the x-requirements-at pointer into the referred schema, if placed there

    def describe(self) -> str:
        """`schemas/json/v2-event.json#/properties/ext_data` (and where a placement lands)."""
        folder = JSON_SCHEMAS_DIR.relative_to(PROJECT_ROOT)
        text = f"{folder}/{self.schema}.json#{self.pointer or ' (the root)'}"
        if self.placed_at is not None:
            text += f" ({PLACEMENT_KEY} {self.placed_at or '(the referred node)'})"
        return text


def schema_nodes_carrying(requirement_id: str) -> tuple[SchemaNode, ...]:
    """Every node of schemas/json, as written, whose x-requirements or x-requirements-at names the id."""
    found: list[SchemaNode] = []
    for path in sorted(JSON_SCHEMAS_DIR.glob("*.json")):
        for pointer, node in _raw_nodes(load_mapping(path), ""):
            if requirement_id in requirements_of(node):
                found.append(SchemaNode(path.stem, pointer))
            placements = node.get(PLACEMENT_KEY)
            if isinstance(placements, dict):
                found += [
                    SchemaNode(path.stem, pointer, str(target))
                    for target, ids in placements.items()
                    if isinstance(ids, list) and requirement_id in ids
                ]
    return tuple(found)


def _raw_nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _raw_nodes(item, f"{where}/{index}")
    elif isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in LITERAL_KEYWORDS and key not in (PLACEMENT_KEY, REQUIREMENTS_KEY):
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                yield from _raw_nodes(value, f"{where}/{escaped}")
