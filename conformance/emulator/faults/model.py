"""The Fault type: one switchable behaviour with its metadata and what it does at each hook point.

A fault (kind "fault") is a deviation from the documents that names the requirement ids it breaks; a
variation (kind "variation") is a conforming behaviour (a false-alarm probe) that names the errata it
exercises and may switch faults on through `implies`. Each family file (v2_queries.py, upload.py, …)
declares its faults through a `Family`, so the family is filled in once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FAULT = "fault"
VARIATION = "variation"

#: A fault's behaviour at one hook point: takes the value (and the point's context) and returns the value.
Behaviour = Callable[..., Any]


class UnknownFaultError(ValueError):
    """A fault name nobody declared; the message lists the known ones."""


class DuplicateFaultError(ValueError):
    """Two faults declared under one name."""


@dataclass(frozen=True)
class Fault:
    """One switchable behaviour, its metadata, and its behaviour per hook point (see hooks.py).

    `caught_by` is the `-k` selection of suite tests that must catch the fault (used by the kill tests);
    `observable_without_control` says whether a box without control plane can show it, `blind_reason`
    why not; `quick` puts it in the few faults `mutants --quick` runs. A variation names in `must_pass`
    the requirement ids (or fnmatch patterns) whose checks it probes for false alarms, and in `conflicts`
    the variations it cannot be on with (they set the same thing differently: run them apart).
    """

    name: str
    description: str
    requirements: tuple[str, ...]
    area: str
    family: str
    kind: str = FAULT
    errata: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    caught_by: str = ""
    observable_without_control: bool = True
    blind_reason: str = ""
    behaviour: Mapping[str, Behaviour] = field(default_factory=dict, compare=False, hash=False)
    quick: bool = False
    must_pass: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The metadata as JSON (the behaviour is code and stays in the emulator); hook points listed."""
        return {
            "name": self.name,
            "description": self.description,
            "requirements": list(self.requirements),
            "area": self.area,
            "family": self.family,
            "kind": self.kind,
            "errata": list(self.errata),
            "implies": list(self.implies),
            "caught_by": self.caught_by,
            "observable_without_control": self.observable_without_control,
            "blind_reason": self.blind_reason,
            "quick": self.quick,
            "must_pass": list(self.must_pass),
            "conflicts": list(self.conflicts),
            "hook_points": sorted(self.behaviour),
        }


@dataclass
class Family:
    """The faults of one family file, in declaration order (the order they act at a shared hook point)."""

    name: str
    members: list[Fault] = field(default_factory=list)

    def fault(
        self,
        name: str,
        area: str,
        description: str,
        requirements: tuple[str, ...],
        behaviour: Mapping[str, Behaviour],
        *,
        caught_by: str = "",
        blind_reason: str = "",
        quick: bool = False,
    ) -> Fault:
        """Declare a deviation; a `blind_reason` marks it as not observable without a control plane,
        `quick` puts it in `mutants --quick`."""
        return self._add(
            Fault(
                name,
                description,
                requirements,
                area,
                self.name,
                FAULT,
                caught_by=caught_by,
                observable_without_control=not blind_reason,
                blind_reason=blind_reason,
                behaviour=dict(behaviour),
                quick=quick,
            )
        )

    def variation(
        self,
        name: str,
        area: str,
        description: str,
        errata: tuple[str, ...],
        behaviour: Mapping[str, Behaviour] | None = None,
        *,
        implies: tuple[str, ...] = (),
        caught_by: str = "",
        blind_reason: str = "",
        must_pass: tuple[str, ...] = (),
        conflicts: tuple[str, ...] = (),
    ) -> Fault:
        """Declare a conforming variation; `caught_by` is what catches its implied faults under strict,
        `must_pass` the requirements it must not disturb, `conflicts` the variations it excludes."""
        return self._add(
            Fault(
                name,
                description,
                (),
                area,
                self.name,
                VARIATION,
                errata,
                implies,
                caught_by,
                not blind_reason,
                blind_reason,
                dict(behaviour or {}),
                must_pass=must_pass,
                conflicts=conflicts,
            )
        )

    def _add(self, fault: Fault) -> Fault:
        if any(f.name == fault.name for f in self.members):
            raise DuplicateFaultError(f"fault {fault.name!r} is declared twice in {self.name}")
        self.members.append(fault)
        return fault
