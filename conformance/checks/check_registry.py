"""Checks registered by name, so tests and the CLI can find, list and run them; duplicate names are refused.

Usage::

    @check("paging.duplicates", requirements=("V2Q-PAGE-001",))
    @requires("at least two pages", lambda args: len(args["pages"]) >= 2)
    def duplicates(pages: Sequence[FetchedPage], *, requirements: Sequence[str] = ()) -> list[Finding]:
        return [deviation("...", FindingCategory.SEMANTIC, ids=[...])]

* The wrapper stamps every returned finding with the check's name (a check that calls another
  check re-stamps those findings) and with requirement ids: the ids the caller passed as
  ``requirements=`` win, else the defaults given to ``@check`` (when none are given: the ids
  `requirement_ids.BY_INTERFACE` lists for a check that serves a single interface). The body
  need not read ``requirements``; it is declared so that the signature (and mypy) accept it.
* ``@requires`` guards are preconditions: when one does not hold the check is not applicable and
  returns ``[]`` without running. Their descriptions are kept for ``docs/checks.md``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, cast

from conformance.checks.findings import Finding, FindingCategory
from conformance.checks.requirement_ids import single_interface_defaults

P = ParamSpec("P")
CheckFunction = Callable[P, list[Finding]]
Predicate = Callable[[Mapping[str, Any]], bool]

_PRECONDITIONS_ATTR = "__check_preconditions__"


class DuplicateCheckError(ValueError):
    """Two checks were registered under one name; the second would silently shadow the first."""


@dataclass(frozen=True)
class CheckInfo:
    """What the registry knows about one check: its name, default requirement ids and guards."""

    name: str
    function: Callable[..., list[Finding]]
    category: FindingCategory
    requirements: tuple[str, ...]
    preconditions: tuple[str, ...]
    summary: str


class CheckRegistry:
    """Name → check; refuses duplicates so a typo cannot shadow an existing check."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckInfo] = {}

    def add(self, info: CheckInfo) -> None:
        """Register one check; a second registration under the same name raises DuplicateCheckError."""
        if info.name in self._checks:
            raise DuplicateCheckError(f"a check named {info.name!r} is already registered")
        self._checks[info.name] = info

    def get(self, name: str) -> CheckInfo:
        """Look a check up by name; an unknown name raises KeyError listing the known ones."""
        try:
            return self._checks[name]
        except KeyError:
            raise KeyError(f"no check named {name!r}; known: {', '.join(sorted(self._checks))}") from None

    def run(self, name: str, *args: Any, **kwargs: Any) -> list[Finding]:
        """Run a check by name (for the CLI, which only knows names)."""
        return self.get(name).function(*args, **kwargs)

    def names(self) -> list[str]:
        """All registered names, sorted."""
        return sorted(self._checks)

    def __iter__(self) -> Iterator[CheckInfo]:
        return iter(self._checks[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, name: object) -> bool:
        return name in self._checks


#: The registry every module in conformance.checks registers into.
CHECKS = CheckRegistry()


def check(
    name: str,
    *,
    category: FindingCategory = FindingCategory.SEMANTIC,
    requirements: Sequence[str] | None = None,
    registry: CheckRegistry | None = None,
) -> Callable[[CheckFunction[P]], CheckFunction[P]]:
    """Register a check under `name`; the wrapper stamps its findings with name and requirement ids."""
    category = FindingCategory(category)  # an unknown name fails at import, not at the first finding
    target = CHECKS if registry is None else registry
    defaults = single_interface_defaults(name) if requirements is None else tuple(requirements)

    def decorate(function: CheckFunction[P]) -> CheckFunction[P]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> list[Finding]:
            passed: tuple[str, ...] = tuple(cast("Sequence[str]", kwargs.get("requirements") or ()))
            ids = passed or defaults
            return [
                replace(found, check=name, requirement_ids=found.requirement_ids or ids)
                for found in function(*args, **kwargs)
            ]

        doc = inspect.getdoc(function) or ""
        target.add(
            CheckInfo(
                name=name,
                function=wrapper,
                category=category,
                requirements=defaults,
                preconditions=tuple(getattr(function, _PRECONDITIONS_ATTR, ())),
                summary=doc.splitlines()[0] if doc else "",
            )
        )
        return wrapper

    return decorate


def requires(description: str, predicate: Predicate) -> Callable[[CheckFunction[P]], CheckFunction[P]]:
    """Guard a check: when `predicate(bound arguments)` is false the check does not apply and returns []."""

    def decorate(function: CheckFunction[P]) -> CheckFunction[P]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> list[Finding]:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            if not predicate(bound.arguments):
                return []
            return function(*args, **kwargs)

        known = tuple(getattr(function, _PRECONDITIONS_ATTR, ()))
        setattr(guarded, _PRECONDITIONS_ATTR, (description, *known))
        return guarded

    return decorate
