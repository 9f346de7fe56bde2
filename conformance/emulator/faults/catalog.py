"""The catalog: every fault and variation of the emulator, gathered from the family files in one order.

Lookup refuses unknown names (listing the known ones), construction refuses duplicates and behaviours
at undeclared hook points, and `as_json()` is what the control plane and `emulator --list-faults` serve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from conformance.emulator.faults import (
    error_envelopes,
    picture_search,
    upload,
    upload_setting,
    v1_queries,
    v2_queries,
    v2_small_calls,
    variations,
    websocket,
)
from conformance.emulator.faults.hooks import check_point
from conformance.emulator.faults.model import (
    FAULT,
    VARIATION,
    DuplicateFaultError,
    Family,
    Fault,
    UnknownFaultError,
)

#: The family files in the order their faults act at a shared hook point.
FAMILIES: Final[tuple[Family, ...]] = (
    v2_queries.FAMILY,
    v1_queries.FAMILY,
    v2_small_calls.FAMILY,
    picture_search.FAMILY,
    websocket.FAMILY,
    upload.FAMILY,
    upload_setting.FAMILY,
    error_envelopes.FAMILY,
    variations.FAMILY,
)


class Catalog:
    """All faults and variations in acting order; names are unique, implied names exist."""

    def __init__(self, faults: Iterable[Fault]) -> None:
        self._ordered: list[Fault] = []
        self._by_name: dict[str, Fault] = {}
        for fault in faults:
            if fault.name in self._by_name:
                raise DuplicateFaultError(f"fault {fault.name!r} is declared twice")
            for point in fault.behaviour:
                check_point(point)
            self._ordered.append(fault)
            self._by_name[fault.name] = fault
        for fault in self._ordered:
            for implied in fault.implies:
                self.get(implied)
            for other in fault.conflicts:
                self.get(other)

    def get(self, name: str) -> Fault:
        """The fault called `name`, or UnknownFaultError naming the known faults."""
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(self.names())
            raise UnknownFaultError(f"unknown fault {name!r}; known faults: {known}") from None

    def names(self) -> list[str]:
        """Every name, sorted."""
        return sorted(self._by_name)

    def all(self) -> list[Fault]:
        """Every fault and variation, sorted by name."""
        return [self._by_name[n] for n in self.names()]

    def all_in_order(self) -> Sequence[Fault]:
        """Every fault and variation in acting order (family order, then declaration order)."""
        return tuple(self._ordered)

    def faults(self) -> list[Fault]:
        """The deviations only (the catalog the kill matrix must kill), sorted by name."""
        return [f for f in self.all() if f.kind == FAULT]

    def variations(self) -> list[Fault]:
        """The conforming variations only (the suite must pass on each), sorted by name."""
        return [f for f in self.all() if f.kind == VARIATION]

    def family(self, family: str) -> list[Fault]:
        """The faults and variations of one family file, in declaration order."""
        return [f for f in self._ordered if f.family == family]

    def conflicting(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """The pairs among `names` (and what they imply) that declare a conflict, each pair once, sorted."""
        switched = self.expand(names)
        pairs = {
            tuple(sorted((name, other)))
            for name in switched
            for other in self.get(name).conflicts
            if other in switched
        }
        return sorted((one, two) for one, two in pairs)

    def expand(self, names: Iterable[str]) -> set[str]:
        """The names and everything they imply, transitively."""
        found: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending.extend(self.get(name).implies)
        return found

    def as_json(self) -> list[dict[str, Any]]:
        """Every fault's metadata as JSON, sorted by name."""
        return [f.as_json() for f in self.all()]

    def listing(self, active: Iterable[str]) -> dict[str, Any]:
        """GET /_emulator/faults and `emulator --list-faults`: active names, known names, the catalog."""
        return {"active": sorted(active), "known": self.names(), "faults": self.as_json()}


CATALOG: Final = Catalog(f for family in FAMILIES for f in family.members)
