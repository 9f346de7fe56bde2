"""What every check returns: small JSON-serialisable findings, one shape for tests, CLI and reports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

Category = Literal["schema", "semantic", "unit", "transport", "harness"]
CATEGORIES: tuple[str, ...] = get_args(Category)

#: How many ids an evidence sample holds; evidence must stay small enough to print in a failure.
SAMPLE_LIMIT = 10


@dataclass(frozen=True)
class Finding:
    """One deviation a check found; `check` and `requirement_ids` are stamped by the registry wrapper."""

    check: str
    message: str
    requirement_ids: tuple[str, ...] = ()
    category: Category = "semantic"
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown finding category {self.category!r}; expected one of {CATEGORIES}")
        try:
            text = json.dumps(dict(self.evidence), sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"finding evidence of {self.check or 'a check'} is not JSON: {exc}") from None
        object.__setattr__(self, "evidence", MappingProxyType(json.loads(text)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON reports."""
        return {
            "check": self.check,
            "message": self.message,
            "requirement_ids": list(self.requirement_ids),
            "category": self.category,
            "evidence": dict(self.evidence),
        }


def deviation(message: str, category: Category = "semantic", **evidence: Any) -> Finding:
    """A finding from inside a registered check; the registry fills in the check name and requirement ids."""
    return Finding(check="", message=message, category=category, evidence=evidence)


def id_sample(ids: Iterable[Any], limit: int = SAMPLE_LIMIT) -> list[Any]:
    """The first `limit` ids in a stable order, for evidence that must stay small."""
    ordered = sorted(ids, key=repr) if isinstance(ids, set | frozenset) else list(ids)
    return ordered[:limit]


def describe_ids(ids: Iterable[Any], limit: int = 5) -> str:
    """A short human list: 'a, b, c (+7 more)'."""
    items = id_sample(ids, limit=10**9)
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
