"""Requirement annotations of the schemas: `x-requirements` on a node, `x-requirements-at` at a `$ref` site.

`x-requirements: [ids]` links the requirements whose statement the node enforces. A shared definition
in common.json serves several interfaces, so it carries no ids itself; the site that refers to it says
which of its nodes encode which requirement there: `"x-requirements-at": {"/properties/ep_type": [ids]}`
(pointers relative to the referred schema, "" for the node itself). `place_requirements` turns those
into plain `x-requirements` on the inlined copy, before the profile is applied.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from typing import Any

from conformance.spec.profiles import LITERAL_KEYWORDS, REQUIREMENTS_KEY, requirements_of

PLACEMENT_KEY = "x-requirements-at"
REQUIREMENT_ID = re.compile(r"^[A-Z0-9]+-[A-Z]+-\d{3}$")


class AnnotationError(ValueError):
    """A malformed x-requirements / x-requirements-at annotation (the message says where and why)."""


def place_requirements(schema: Any) -> Any:
    """A copy of an inlined schema with every x-requirements-at turned into x-requirements on its targets."""
    result = copy.deepcopy(schema)
    _place(result, "")
    return result


def _place(node: Any, where: str) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _place(item, f"{where}/{index}")
        return
    if not isinstance(node, dict):
        return
    placements = node.pop(PLACEMENT_KEY, None)
    for key, value in node.items():
        if key not in LITERAL_KEYWORDS:
            _place(value, f"{where}/{key}")
    if placements is None:
        return
    if not isinstance(placements, dict):
        raise AnnotationError(f"{where or '/'}: {PLACEMENT_KEY} must map JSON pointers to lists of ids")
    for pointer, ids in placements.items():
        target = _resolve(node, str(pointer))
        if not isinstance(target, dict):
            raise AnnotationError(f"{where or '/'}: {PLACEMENT_KEY} pointer {pointer!r} names no schema node")
        target[REQUIREMENTS_KEY] = list(dict.fromkeys([*requirements_of(target), *_id_list(ids, where)]))


def _resolve(node: Any, pointer: str) -> Any:
    if pointer == "":
        return node
    if not pointer.startswith("/"):
        return None
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _id_list(ids: Any, where: str) -> list[str]:
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise AnnotationError(f"{where or '/'}: requirement annotations must be non-empty lists of ids")
    bad = [i for i in ids if not REQUIREMENT_ID.match(i)]
    if bad:
        raise AnnotationError(f"{where or '/'}: malformed requirement id(s) {', '.join(map(repr, bad))}")
    return list(ids)


def annotation_shape_problems(document: Any) -> list[str]:
    """One line per malformed annotation in a raw schema document (pointer: problem)."""
    problems: list[str] = []
    for where, node in _nodes(document, ""):
        for key in (REQUIREMENTS_KEY, PLACEMENT_KEY):
            if key not in node:
                continue
            try:
                if key == REQUIREMENTS_KEY:
                    _id_list(node[key], f"{where}/{key}")
                else:
                    _check_placements(node[key], f"{where}/{key}")
            except AnnotationError as exc:
                problems.append(str(exc))
    return problems


def _check_placements(placements: Any, where: str) -> None:
    if not isinstance(placements, dict) or not placements:
        raise AnnotationError(f"{where}: must map JSON pointers to lists of ids")
    for pointer, ids in placements.items():
        if pointer and not str(pointer).startswith("/"):
            raise AnnotationError(f"{where}: {pointer!r} is not a JSON pointer")
        _id_list(ids, f"{where}/{pointer}")


def _nodes(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _nodes(item, f"{where}/{index}")
    elif isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key not in LITERAL_KEYWORDS and key != PLACEMENT_KEY:
                yield from _nodes(value, f"{where}/{key}")


def linked_ids(schema: Any) -> tuple[str, ...]:
    """Every requirement id annotated anywhere in a (placed) schema, in first-seen order."""
    found: list[str] = []
    for _where, node in _nodes(schema, ""):
        found.extend(requirements_of(node))
    return tuple(dict.fromkeys(found))


def in_catalog_order(ids: Iterable[str], catalog_ids: Iterable[str]) -> tuple[str, ...]:
    """The ids the catalog knows, in catalog order (unknown ids are reported by validate, not here)."""
    wanted = set(ids)
    return tuple(i for i in catalog_ids if i in wanted)
