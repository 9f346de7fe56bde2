"""What every check returns: small JSON-serialisable findings, one shape for tests, CLI and reports."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

#: How many ids an evidence sample holds; evidence must stay small enough to print in a failure.
SAMPLE_LIMIT = 10


class FindingCategory(StrEnum):
    """What a finding says: a box deviation (schema, semantic, unit), a transport failure, or a harness error.

    `transport` means the box did not answer properly at the socket level; `harness` means an exception
    inside the harness itself, which says nothing about the box.
    """

    SCHEMA = "schema"
    SEMANTIC = "semantic"
    UNIT = "unit"
    TRANSPORT = "transport"
    HARNESS = "harness"

    @property
    def judges_box(self) -> bool:
        """True for a finding about the box's payloads or behaviour (not transport, not harness)."""
        return self in BOX_CATEGORIES


BOX_CATEGORIES = frozenset({FindingCategory.SCHEMA, FindingCategory.SEMANTIC, FindingCategory.UNIT})

#: The one precedence rule: a failure takes the first of these categories that one of its findings has.
PRECEDENCE: tuple[FindingCategory, ...] = (
    FindingCategory.UNIT,
    FindingCategory.SCHEMA,
    FindingCategory.SEMANTIC,
    FindingCategory.TRANSPORT,
    FindingCategory.HARNESS,
)


@dataclass(frozen=True)
class Finding:
    """One deviation: its one-line `message` (the title), the requirement ids it names, category and evidence.

    `check` and `requirement_ids` are stamped by the registry wrapper for registered checks; a finding made
    outside a check (`fail` in the suite) names its ids itself. `evidence` is small JSON (samples, values),
    `detail` optional prose; the exchanges that show a finding travel with the failure that carries it.
    """

    check: str
    message: str
    requirement_ids: tuple[str, ...] = ()
    category: FindingCategory = FindingCategory.SEMANTIC
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    detail: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "category", FindingCategory(self.category))
        except ValueError:
            known = ", ".join(FindingCategory)
            raise ValueError(f"unknown finding category {self.category!r}; expected one of {known}") from None
        if isinstance(self.requirement_ids, str):  # a lone id would otherwise become a tuple of letters
            raise TypeError(f"requirement_ids of {self.check or 'a finding'} must be a sequence of ids")
        object.__setattr__(self, "requirement_ids", tuple(self.requirement_ids))
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
            "category": self.category.value,
            "evidence": dict(self.evidence),
            "detail": self.detail,
        }


def deviation(message: str, category: FindingCategory = FindingCategory.SEMANTIC, **evidence: Any) -> Finding:
    """A finding from inside a registered check; the registry fills in the check name and requirement ids."""
    return Finding(check="", message=message, category=category, evidence=evidence)


def strongest_category(findings: Sequence[Finding]) -> FindingCategory:
    """The category of a batch of findings under the one precedence rule (harness only when alone)."""
    present = {found.category for found in findings}
    return next((category for category in PRECEDENCE if category in present), FindingCategory.HARNESS)


def named_requirement_ids(findings: Iterable[Finding]) -> tuple[str, ...]:
    """Every requirement id the findings name, in first-seen order, without repeats."""
    return tuple(dict.fromkeys(rid for found in findings for rid in found.requirement_ids))


def id_sample(ids: Iterable[Any], limit: int = SAMPLE_LIMIT) -> list[Any]:
    """The first `limit` ids in a stable order, for evidence that must stay small."""
    ordered = sorted(ids, key=repr) if isinstance(ids, set | frozenset) else list(ids)
    return ordered[:limit]


def describe_ids(ids: Iterable[Any], limit: int = 5) -> str:
    """A short human list: 'a, b, c (+7 more)'."""
    items = id_sample(ids, limit=10**9)
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
