"""The requirement catalog: every testable statement of the vendor documents, addressable by a stable id."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.paths import REQUIREMENTS_PATH, SCHEMAS_DIR, SOURCES_DIR
from conformance.spec.loader import SpecFileError, load_mapping

META_SCHEMA_DIR = SCHEMAS_DIR / "meta"

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
class SourceRef:
    """Where in the vendor documents a statement comes from; `line` is computed from the quote at load."""

    file: str
    section: str
    quote: str
    line: int

    @property
    def path(self) -> Path:
        """The cited document on disk."""
        return SOURCES_DIR / self.file

    def link(self) -> str:
        """`sources/<file>:<line>`, for reports that link the document line."""
        return f"sources/{self.file}:{self.line}"


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


# --- loading ---------------------------------------------------------------------------------------


@cache
def _source_lines(file: str) -> tuple[str, ...] | None:
    path = SOURCES_DIR / file
    try:
        return tuple(path.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return None


def quote_lines(file: str, quote: str) -> list[int]:
    """The 1-based lines of `sources/<file>` that contain `quote` verbatim ([] if none or no file)."""
    lines = _source_lines(file)
    if lines is None:
        return []
    return [number for number, text in enumerate(lines, start=1) if quote in text]


def resolve_source(raw: Mapping[str, Any], where: str, path: Path, line: int | None) -> SourceRef:
    """Turn a {file, section, quote} mapping into a SourceRef, or fail naming the entry."""
    file, quote = str(raw["file"]), str(raw["quote"])
    if _source_lines(file) is None:
        raise SpecFileError(path, f"{where}: source file sources/{file} does not exist", line)
    found = quote_lines(file, quote)
    if not found:
        raise SpecFileError(path, f"{where}: quote not found on any line of sources/{file}: {quote!r}", line)
    return SourceRef(file=file, section=str(raw["section"]), quote=quote, line=found[0])


@dataclass(frozen=True)
class Entry:
    """One list item of a catalog file with the line it starts on (for error messages)."""

    index: int
    data: dict[str, Any]
    line: int

    @property
    def label(self) -> str:
        """`entry 12 (V2Q-PAGE-003)`: how messages name the entry."""
        entry_id = self.data.get("id") if isinstance(self.data, dict) else None
        return f"entry {self.index}" + (f" ({entry_id})" if isinstance(entry_id, str) else "")


def _node_at(node: yaml.Node, steps: Sequence[str | int]) -> yaml.Node:
    """The deepest YAML node along a JSON path (for the line of a schema error)."""
    for step in steps:
        if isinstance(node, yaml.MappingNode):
            match = [value for key, value in node.value if getattr(key, "value", None) == step]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node


def _schema_error(
    path: Path, data: Any, error: ValidationError, list_key: str, root: yaml.Node | None
) -> SpecFileError:
    steps = list(error.absolute_path)
    line = None if root is None else _node_at(root, steps).start_mark.line + 1
    if len(steps) >= 2 and steps[0] == list_key and isinstance(steps[1], int):
        item = data[list_key][steps[1]]
        entry_id = item.get("id") if isinstance(item, dict) else None
        where = f"entry {steps[1]}" + (f" ({entry_id})" if isinstance(entry_id, str) else "")
        field = "/".join(str(s) for s in steps[2:])
        if field:
            where += f" field {field!r}"
    else:
        where = "/".join(str(s) for s in steps) or "top level"
    return SpecFileError(path, f"{where}: {error.message}", line)


def _error_order(error: ValidationError) -> list[tuple[int, int, str]]:
    """Report the first entry's error first (entry 2 before entry 12)."""
    return [(0, step, "") if isinstance(step, int) else (1, 0, str(step)) for step in error.absolute_path]


@cache
def meta_validator(name: str) -> Draft202012Validator:
    """The validator of a catalog file's own structure (`schemas/meta/<name>.schema.json`)."""
    schemas = {p.name: load_mapping(p) for p in sorted(META_SCHEMA_DIR.glob("*.schema.json"))}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in schemas.values()
    )
    schema = schemas[f"{name}.schema.json"]
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def load_entries(path: Path, list_key: str, meta_name: str) -> list[Entry]:
    """Load a YAML file whose `list_key` holds entries, check it against its meta-schema, keep lines.

    Parsed once per content version (size, mtime): the catalog and the errata are read by many modules.
    """
    try:
        stat = path.stat()
    except OSError:
        return _load_entries(path, list_key, meta_name)  # the loader reports the unreadable file
    return list(_load_entries_cached(path.resolve(), list_key, meta_name, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _load_entries_cached(
    path: Path, list_key: str, meta_name: str, _size: int, _mtime_ns: int
) -> tuple[Entry, ...]:
    return tuple(_load_entries(path, list_key, meta_name))


def _load_entries(path: Path, list_key: str, meta_name: str) -> list[Entry]:
    data = load_mapping(path)  # file, encoding and YAML syntax errors, each with its line
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    errors = sorted(meta_validator(meta_name).iter_errors(data), key=_error_order)
    if errors:
        raise _schema_error(path, data, errors[0], list_key, root)
    items_node = _node_at(root, [list_key]) if root is not None else None
    entries = []
    for index, item in enumerate(data[list_key]):
        node = items_node.value[index] if isinstance(items_node, yaml.SequenceNode) else None
        line = node.start_mark.line + 1 if node is not None else 0
        entries.append(Entry(index=index, data=item, line=line))
    return entries


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
