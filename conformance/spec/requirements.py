"""The requirement catalog: every testable statement of the vendor documents, addressable by a stable id."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from conformance.paths import REQUIREMENTS_PATH
from conformance.spec.catalog_entries import Entry, SourceRef, load_entries, resolve_source
from conformance.spec.loader import SpecFileError

# The id's area token for each `area` value (ARCHITECTURE.md, "The specification as data").
AREA_TOKENS: Mapping[str, str] = {
    "schema": "SCHEMA",
    "pagination": "PAGE",
    "filters": "FILT",
    "timestamps": "TIME",
    "search": "SEARCH",
    "websocket": "WS",
    "upload": "UPLOAD",
    "errors": "ERR",
    "config": "CONFIG",
}

# The interfaces a requirement with a given id prefix may belong to.
PREFIX_INTERFACES: Mapping[str, frozenset[str]] = {
    "V2Q": frozenset({"v2-getevents"}),
    "V2EV": frozenset({"v2-getevents", "v2-getevent"}),
    "V2G": frozenset({"v2-getevent"}),
    "V1Q": frozenset({"v1-events"}),
    "V1EV": frozenset({"v1-events"}),
    "PS": frozenset({"picturesearch"}),
    "PSV2": frozenset({"picturesearch"}),
    "UP": frozenset({"upload"}),
    "UPC": frozenset({"upload-config", "upload"}),
    "WS": frozenset({"websocket"}),
    "DEV": frozenset({"devices"}),
    "IMG": frozenset({"spot-image"}),
    "ERR": frozenset({"errors"}),
    "LOGIN": frozenset({"login"}),
    "VER": frozenset({"software-version"}),
}

INTERFACES: tuple[str, ...] = (
    "v2-getevents",
    "v2-getevent",
    "v1-events",
    "picturesearch",
    "upload",
    "upload-config",
    "websocket",
    "devices",
    "spot-image",
    "login",
    "software-version",
    "errors",
)

_ID_RE = re.compile(r"^(?P<prefix>[A-Z0-9]+)-(?P<area>[A-Z]+)-(?P<number>[0-9]{3})$")


class Level(StrEnum):
    """How binding a requirement is (RFC 2119 words; see docs/requirements.md for how we chose)."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class UnknownRequirement(KeyError):  # noqa: N818 - the name the brief and callers use
    """A requirement id that is not in the catalog (a typo in a marker or a fault catalog)."""

    def __init__(self, requirement_id: str, known: Iterable[str]) -> None:
        close = difflib.get_close_matches(requirement_id, list(known), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        self.requirement_id = requirement_id
        self.message = f"unknown requirement id {requirement_id!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Requirement:
    """One testable statement, the unit the suite marks tests with and the report counts."""

    id: str
    level: Level
    interface: str
    area: str
    statement: str
    source: SourceRef
    errata: tuple[str, ...]
    observational: bool
    derived: bool

    @property
    def source_line(self) -> int:
        """The 1-based line of the quote in the cited document."""
        return self.source.line


class RequirementCatalog:
    """All requirements, looked up by id, interface or area; iteration follows the file's order."""

    def __init__(self, requirements: Iterable[Requirement], path: Path | None = None) -> None:
        self.path = path
        self._items: dict[str, Requirement] = {}
        for requirement in requirements:
            if requirement.id in self._items:
                raise ValueError(f"duplicate requirement id {requirement.id}")
            self._items[requirement.id] = requirement

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._items

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, in file order."""
        return tuple(self._items)

    def get(self, requirement_id: str) -> Requirement:
        """The requirement with this id; an unknown id raises UnknownRequirement naming close matches."""
        try:
            return self._items[requirement_id]
        except KeyError:
            raise UnknownRequirement(requirement_id, self._items) from None

    def by_interface(self, interface: str) -> tuple[Requirement, ...]:
        """Requirements of one interface (`v2-getevents`, `websocket`, ...)."""
        if interface not in INTERFACES:
            raise ValueError(f"unknown interface {interface!r}; known: {', '.join(INTERFACES)}")
        return tuple(r for r in self if r.interface == interface)

    def by_area(self, area: str) -> tuple[Requirement, ...]:
        """Requirements of one area (`pagination`, `filters`, ...)."""
        if area not in AREA_TOKENS:
            raise ValueError(f"unknown area {area!r}; known: {', '.join(AREA_TOKENS)}")
        return tuple(r for r in self if r.area == area)

    def affected_by(self, erratum_id: str) -> tuple[Requirement, ...]:
        """Requirements whose reading depends on one erratum."""
        return tuple(r for r in self if erratum_id in r.errata)

    def counts_by_interface(self) -> dict[str, int]:
        """How many requirements each interface has, in INTERFACES order."""
        return {name: len(self.by_interface(name)) for name in INTERFACES}


def _check_id(entry: Entry, path: Path) -> None:
    data = entry.data
    match = _ID_RE.match(data["id"])
    if match is None:
        raise SpecFileError(path, f"{entry.label}: malformed id, expected <IFACE>-<AREA>-<NNN>", entry.line)
    prefix, token = match["prefix"], match["area"]
    if prefix not in PREFIX_INTERFACES:
        raise SpecFileError(path, f"{entry.label}: unknown id prefix {prefix!r}", entry.line)
    if data["interface"] not in PREFIX_INTERFACES[prefix]:
        allowed = ", ".join(sorted(PREFIX_INTERFACES[prefix]))
        raise SpecFileError(
            path, f"{entry.label}: prefix {prefix} belongs to {allowed}, not {data['interface']}", entry.line
        )
    expected = AREA_TOKENS[data["area"]]
    if expected != token:
        raise SpecFileError(
            path, f"{entry.label}: area {data['area']!r} needs id token {expected}", entry.line
        )


def _requirement(entry: Entry, path: Path) -> Requirement:
    _check_id(entry, path)
    data = entry.data
    return Requirement(
        id=data["id"],
        level=Level(data["level"]),
        interface=data["interface"],
        area=data["area"],
        statement=data["statement"],
        source=resolve_source(data["source"], entry.label, path, entry.line),
        errata=tuple(data["errata"]),
        observational=bool(data["observational"]),
        derived=bool(data.get("derived", False)),
    )


def load_requirements(path: Path | str | None = None) -> RequirementCatalog:
    """Load and check `schemas/requirements.yaml` (or `path`); any defect is one SpecFileError.

    A file is parsed once per content version (path, size, mtime): collection asks for the catalog
    from many modules, and every suite child process would otherwise parse and verify it repeatedly.
    """
    file = Path(path) if path is not None else REQUIREMENTS_PATH
    try:
        stat = file.stat()
    except OSError:
        return _load_requirements(file)  # the loader turns the missing file into a SpecFileError
    return _load_requirements_cached(file.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load_requirements_cached(file: Path, _size: int, _mtime_ns: int) -> RequirementCatalog:
    return _load_requirements(file)


def _load_requirements(file: Path) -> RequirementCatalog:
    requirements: list[Requirement] = []
    first_line: dict[str, int] = {}
    for entry in load_entries(file, "requirements", "requirements"):
        requirement = _requirement(entry, file)
        if requirement.id in first_line:
            raise SpecFileError(
                file, f"{entry.label}: duplicate id (first at line {first_line[requirement.id]})", entry.line
            )
        first_line[requirement.id] = entry.line
        requirements.append(requirement)
    return RequirementCatalog(requirements, file)
