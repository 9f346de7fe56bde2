"""The fault registry and switchboard: named deviations, refused duplicates, a thread-safe active set."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

FAULT = "fault"
VARIATION = "variation"


class UnknownFaultError(ValueError):
    """A fault name nobody registered; the message lists the known ones."""


class DuplicateFaultError(ValueError):
    """Two faults registered under one name."""


@dataclass(frozen=True)
class Fault:
    """One switchable behaviour: a deviation (kind "fault") or a conforming variation (kind "variation").

    A fault names the requirement ids it breaks; a variation names the errata or statements it
    exercises in `errata` and may switch other behaviours on through `implies`.
    """

    name: str
    description: str
    requirements: tuple[str, ...]
    area: str
    kind: str = FAULT
    errata: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()


class FaultRegistry:
    """All behaviours the emulator can switch on; refuses duplicate names.

    Some modules register their own faults when imported (picture search); `providers` names them so a
    lookup finds those faults before the module has been imported for another reason.
    """

    def __init__(self, providers: Iterable[str] = ()) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.RLock()
        self._providers = tuple(providers)
        self._providers_loaded = False

    def register(self, fault: Fault) -> Fault:
        """Add a fault; a second fault with the same name is an error."""
        with self._lock:
            if fault.name in self._faults:
                raise DuplicateFaultError(f"fault {fault.name!r} is already registered")
            self._faults[fault.name] = fault
        return fault

    def _load_providers(self) -> None:
        with self._lock:
            if self._providers_loaded:
                return
            self._providers_loaded = True
        for module in self._providers:
            importlib.import_module(module)

    def get(self, name: str) -> Fault:
        """The fault called `name`, or UnknownFaultError naming the known faults."""
        if name not in self._faults:
            self._load_providers()
        try:
            return self._faults[name]
        except KeyError:
            known = ", ".join(sorted(self._faults))
            raise UnknownFaultError(f"unknown fault {name!r}; known faults: {known}") from None

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self._load_providers()
        return sorted(self._faults)

    def all(self) -> list[Fault]:
        """Every registered fault and variation, sorted by name."""
        return [self._faults[n] for n in self.names()]

    def faults(self) -> list[Fault]:
        """The deviations only (the catalog the kill matrix must kill)."""
        return [f for f in self.all() if f.kind == FAULT]

    def variations(self) -> list[Fault]:
        """The conforming variations only (the suite must pass on each)."""
        return [f for f in self.all() if f.kind == VARIATION]


class FaultSwitchboard:
    """The thread-safe set of behaviours currently active in one emulator.

    A name counts as active when it was switched on, or when an active variation implies it.
    """

    def __init__(self, registry: FaultRegistry, initial: Iterable[str] = ()) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self._implied: frozenset[str] = frozenset()
        self.enable(initial)

    def active(self, name: str) -> bool:
        """True when the named behaviour is on; unknown names are a programming error."""
        self.registry.get(name)
        return name in self._active or name in self._implied

    def _check(self, names: Iterable[str]) -> list[str]:
        wanted = list(names)
        for name in wanted:
            self.registry.get(name)
        return wanted

    def _update(self, active: set[str]) -> None:
        implied = {i for n in active for i in self.registry.get(n).implies}
        self._active = active
        self._implied = frozenset(implied)

    def enable(self, names: Iterable[str]) -> None:
        """Switch faults on; all names are checked before any is switched."""
        wanted = self._check(names)
        with self._lock:
            self._update(self._active | set(wanted))

    def disable(self, names: Iterable[str]) -> None:
        """Switch faults off; all names are checked before any is switched."""
        wanted = self._check(names)
        with self._lock:
            self._update(self._active - set(wanted))

    def replace(self, names: Iterable[str]) -> None:
        """Make exactly `names` active."""
        wanted = self._check(names)
        with self._lock:
            self._update(set(wanted))

    def active_names(self) -> list[str]:
        """The switched-on names, sorted (implied behaviours are not listed)."""
        with self._lock:
            return sorted(self._active)
