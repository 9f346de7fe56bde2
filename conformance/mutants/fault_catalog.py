"""The fault catalog as data, read once per process from `sophon-conformance emulator --list-faults`.

Self-validation never imports the emulator: it asks the emulator command for the catalog (the same JSON
the control plane serves at `GET /_emulator/faults`) and plans its runs from that.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.mutants.child_run import child_env
from conformance.paths import PROJECT_ROOT

FAULT = "fault"
VARIATION = "variation"
KINDS = (FAULT, VARIATION)
LIST_TIMEOUT_S = 120.0  # the command only imports the catalog and prints it


class CatalogError(RuntimeError):
    """The catalog could not be read or does not have the expected shape."""


class UnknownFaultError(ValueError):
    """A name that is neither a fault nor a variation of the catalog."""


@dataclass(frozen=True)
class CatalogFault:
    """One fault or variation as the emulator describes it (its behaviour stays in the emulator)."""

    name: str
    description: str
    requirements: tuple[str, ...]
    area: str
    family: str = ""
    kind: str = FAULT
    errata: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    caught_by: str = ""  # the -k selection of suite tests that must catch it
    observable_without_control: bool = True
    blind_reason: str = ""
    quick: bool = False  # one of the few faults `mutants --quick` runs
    must_pass: tuple[str, ...] = ()  # a variation: the requirement ids (patterns) whose checks it probes
    conflicts: tuple[str, ...] = ()  # a variation: those it cannot be switched on with
    hook_points: tuple[str, ...] = ()  # where the emulator applies it


@dataclass(frozen=True)
class FaultCatalog:
    """Every fault and variation, in the emulator's order, and the names switched on when it was read."""

    entries: tuple[CatalogFault, ...]
    active: tuple[str, ...] = ()

    def get(self, name: str) -> CatalogFault:
        """The entry called `name`; UnknownFaultError lists a few known names."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        known = ", ".join(e.name for e in self.entries[:5])
        raise UnknownFaultError(f"unknown fault {name!r} (known: {known}, …; see `mutants --list`)")

    def faults(self) -> list[CatalogFault]:
        """The deviations, in catalog order."""
        return [e for e in self.entries if e.kind == FAULT]

    def variations(self) -> list[CatalogFault]:
        """The conforming variations, in catalog order."""
        return [e for e in self.entries if e.kind == VARIATION]

    def quick_faults(self) -> list[str]:
        """The faults `mutants --quick` runs (marked `quick` in the catalog), in catalog order."""
        return [e.name for e in self.faults() if e.quick]


def _strings(entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogError(f"fault {entry.get('name')!r}: {key!r} must be a list of strings")
    return tuple(value)


def _text(entry: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = entry.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise CatalogError(f"fault {entry.get('name')!r}: {key!r} must be a{' non-empty' * required} string")
    return value


def _entry(entry: Any) -> CatalogFault:
    if not isinstance(entry, dict):
        raise CatalogError(f"a catalog entry must be an object, not {entry!r}")
    kind = _text(entry, "kind", required=True)
    if kind not in KINDS:
        raise CatalogError(f"fault {entry.get('name')!r}: kind {kind!r} is neither of {KINDS}")
    observable, quick = entry.get("observable_without_control", True), entry.get("quick", False)
    for key, value in (("observable_without_control", observable), ("quick", quick)):
        if not isinstance(value, bool):
            raise CatalogError(f"fault {entry.get('name')!r}: {key!r} must be a boolean")
    return CatalogFault(
        name=_text(entry, "name", required=True),
        description=_text(entry, "description"),
        requirements=_strings(entry, "requirements"),
        area=_text(entry, "area"),
        family=_text(entry, "family"),
        kind=kind,
        errata=_strings(entry, "errata"),
        implies=_strings(entry, "implies"),
        caught_by=_text(entry, "caught_by"),
        observable_without_control=observable,
        blind_reason=_text(entry, "blind_reason"),
        quick=quick,
        must_pass=_strings(entry, "must_pass"),
        conflicts=_strings(entry, "conflicts"),
        hook_points=_strings(entry, "hook_points"),
    )


def parse_catalog(data: Any) -> FaultCatalog:
    """The catalog from its JSON (`{"active": [...], "faults": [...]}`); a wrong shape is a CatalogError."""
    if not isinstance(data, dict) or not isinstance(data.get("faults"), list):
        raise CatalogError("the fault catalog must be an object with a 'faults' list")
    entries = tuple(_entry(entry) for entry in data["faults"])
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"the fault catalog names these twice: {', '.join(duplicates)}")
    active = data.get("active", [])
    if not isinstance(active, list) or not all(isinstance(name, str) for name in active):
        raise CatalogError("'active' must be a list of names")
    return FaultCatalog(entries, tuple(active))


def list_faults_argv() -> list[str]:
    """The command that prints the catalog."""
    return [sys.executable, "-m", "conformance", "emulator", "--list-faults"]


@functools.cache
def load_catalog() -> FaultCatalog:
    """The catalog, from the emulator command (run once per process)."""
    try:
        done = subprocess.run(
            list_faults_argv(),
            cwd=PROJECT_ROOT,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=LIST_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CatalogError(f"`emulator --list-faults` did not answer within {LIST_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        raise CatalogError(f"`emulator --list-faults` exited {done.returncode}: {done.stderr.strip()[-500:]}")
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        raise CatalogError(f"`emulator --list-faults` printed no JSON: {exc}") from None
    return parse_catalog(data)
