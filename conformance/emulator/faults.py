"""Named, switchable deviations from the documents, so the harness can prove it notices a broken box."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass


class UnknownFaultError(ValueError):
    """A fault name nobody registered; the message lists the known ones."""


class DuplicateFaultError(ValueError):
    """Two faults registered under one name."""


@dataclass(frozen=True)
class Fault:
    """One deviation: what it breaks, which requirements should catch it, which area of the box."""

    name: str
    description: str
    requirements: tuple[str, ...]
    area: str


class FaultRegistry:
    """All faults the emulator can switch on; refuses duplicate names."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def register(self, fault: Fault) -> Fault:
        """Add a fault; a second fault with the same name is an error."""
        with self._lock:
            if fault.name in self._faults:
                raise DuplicateFaultError(f"fault {fault.name!r} is already registered")
            self._faults[fault.name] = fault
        return fault

    def get(self, name: str) -> Fault:
        """The fault called `name`, or UnknownFaultError naming the known faults."""
        try:
            return self._faults[name]
        except KeyError:
            known = ", ".join(sorted(self._faults))
            raise UnknownFaultError(f"unknown fault {name!r}; known faults: {known}") from None

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._faults)

    def all(self) -> list[Fault]:
        """Every registered fault, sorted by name."""
        return [self._faults[n] for n in self.names()]


class FaultSwitchboard:
    """The thread-safe set of faults currently active in one emulator."""

    def __init__(self, registry: FaultRegistry, initial: Iterable[str] = ()) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self.enable(initial)

    def active(self, name: str) -> bool:
        """True when the named fault is switched on; unknown names are a programming error."""
        self.registry.get(name)
        return name in self._active

    def enable(self, names: Iterable[str]) -> None:
        """Switch faults on; all names are checked before any is switched."""
        wanted = list(names)
        for name in wanted:
            self.registry.get(name)
        with self._lock:
            self._active.update(wanted)

    def disable(self, names: Iterable[str]) -> None:
        """Switch faults off; all names are checked before any is switched."""
        wanted = list(names)
        for name in wanted:
            self.registry.get(name)
        with self._lock:
            self._active.difference_update(wanted)

    def replace(self, names: Iterable[str]) -> None:
        """Make exactly `names` active."""
        wanted = list(names)
        for name in wanted:
            self.registry.get(name)
        with self._lock:
            self._active = set(wanted)

    def active_names(self) -> list[str]:
        """The active faults, sorted."""
        with self._lock:
            return sorted(self._active)


REGISTRY = FaultRegistry()


def _fault(name: str, description: str, requirements: tuple[str, ...], area: str) -> str:
    REGISTRY.register(Fault(name, description, requirements, area))
    return name


# The faults the emulator core honours. Requirement ids are placeholders of the catalog's id form
# until schemas/requirements.yaml exists (see docs/emulator.md).
V2_PAGE_ONE_BASED = _fault(
    "v2-page-one-based", "getevents treats page_index 1 as the first page", ("V2Q-PAGE-001",), "v2"
)
V2_TOTAL_COUNT_OF_PAGE = _fault(
    "v2-total-count-of-page",
    "getevents reports the number of events on the page as total_count",
    ("V2Q-PAGE-002",),
    "v2",
)
V1_NUM_PAGES_FLOORED = _fault(
    "v1-num-pages-floored", "v1 events computes num_pages with floor instead of ceil", ("V1Q-PAGE-001",), "v1"
)
V2_UNSTABLE_ORDER = _fault(
    "v2-unstable-order",
    "getevents orders events with equal timestamps differently on every call",
    ("V2Q-PAGE-003",),
    "v2",
)
V2_TIME_BOUND_EXCLUSIVE = _fault(
    "v2-time-bound-exclusive",
    "getevents treats datetime_gte/lte as exclusive bounds",
    ("V2Q-FILT-001",),
    "v2",
)
V2_MS_FILTER_READ_AS_SECONDS = _fault(
    "v2-ms-filter-read-as-seconds",
    "getevents reads datetime_gte/lte as seconds instead of milliseconds",
    ("V2Q-TIME-001",),
    "v2",
)
V2_NAME_EXACT_MATCH = _fault(
    "v2-name-exact-match",
    "getevents matches identity_name exactly instead of fuzzily",
    ("V2Q-FILT-002",),
    "v2",
)
V2_IGNORE_SCORE_FILTER = _fault(
    "v2-ignore-score-filter", "getevents ignores score_min and score_max", ("V2Q-FILT-003",), "v2"
)
V1_STREAMS_FIRST_ONLY = _fault(
    "v1-streams-first-only", "v1 events filters by the first id of streams only", ("V1Q-FILT-001",), "v1"
)
V2_500_ON_BAD_INPUT = _fault(
    "v2-500-on-bad-input",
    "v2 calls answer bad input with HTTP 500 instead of a 4xx",
    ("V2Q-ERR-001",),
    "v2",
)
V2_DROP_REQUIRED_FIELD = _fault(
    "v2-drop-required-field", "v2 events are rendered without user_type", ("V2EV-SCHEMA-001",), "v2"
)
V2_FEATURE_WRONG_LENGTH = _fault(
    "v2-feature-wrong-length",
    "v2 feature_binary decodes to 511 float32 values instead of 512",
    ("V2EV-SCHEMA-002",),
    "v2",
)
