"""Profiles: how strictly to read the documents, and rewriting errata-annotated schema nodes to match."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

ERRATA_KEY = "x-errata"
LENIENT_KEY = "x-lenient"
REQUIREMENTS_KEY = "x-requirements"

# Keywords whose values are data, not subschemas: never rewritten.
LITERAL_KEYWORDS = frozenset(
    {"enum", "const", "default", "examples", "example", "required", ERRATA_KEY, REQUIREMENTS_KEY}
)
# Annotations that stay on the lenient anyOf wrapper, so findings at the node still name them.
WRAPPER_KEYS = ("title", "description", ERRATA_KEY, REQUIREMENTS_KEY)


class Profile(StrEnum):
    """strict = the documents' tables; lenient = the tables or what the documents' own examples show."""

    STRICT = "strict"
    LENIENT = "lenient"

    @classmethod
    def parse(cls, value: Profile | str) -> Profile:
        """Accept a Profile or its name; anything else is a clear ValueError."""
        if isinstance(value, Profile):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            known = ", ".join(p.value for p in cls)
            raise ValueError(f"unknown profile {value!r}; expected one of: {known}") from None


def apply_profile(node: Any, profile: Profile) -> Any:
    """Copy a schema with x-lenient dropped (strict) or turned into anyOf alternatives (lenient)."""
    if isinstance(node, list):
        return [apply_profile(item, profile) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten: dict[str, Any] = {}
    for key, value in node.items():
        if key == LENIENT_KEY:
            continue
        rewritten[key] = value if key in LITERAL_KEYWORDS else apply_profile(value, profile)
    if profile is Profile.STRICT or LENIENT_KEY not in node:
        return rewritten
    alternative = apply_profile(node[LENIENT_KEY], profile)
    tabled = {k: v for k, v in rewritten.items() if k not in WRAPPER_KEYS}
    wrapper: dict[str, Any] = {"anyOf": [tabled, alternative]}
    for key in WRAPPER_KEYS:
        if key in rewritten:
            wrapper[key] = rewritten[key]
    return wrapper


def errata_of(node: Any) -> tuple[str, ...]:
    """The errata ids a schema node is annotated with (empty when none)."""
    return _ids_at(node, ERRATA_KEY)


def requirements_of(node: Any) -> tuple[str, ...]:
    """The requirement ids a schema node is annotated with (`x-requirements`; empty when none)."""
    return _ids_at(node, REQUIREMENTS_KEY)


def _ids_at(node: Any, key: str) -> tuple[str, ...]:
    if isinstance(node, dict):
        ids = node.get(key)
        if isinstance(ids, list):
            return tuple(str(i) for i in ids)
    return ()
