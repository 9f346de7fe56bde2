"""Which catalog requirements a schema's validation checks: for req markers and for `validate`."""

from __future__ import annotations

from conformance.spec.annotations import in_catalog_order, linked_ids
from conformance.spec.catalog import Profile, load_spec
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
