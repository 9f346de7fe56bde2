"""Entries of the YAML catalogs (requirements, errata): meta-schema checked, lines kept, quotes located.

Both catalogs are lists of entries that cite the vendor documents; this module parses such a file once
per content version, reports the first defect with its line, and turns a citation into a `SourceRef`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.paths import SCHEMAS_DIR, SOURCES_DIR
from conformance.spec.loader import SAFE_LOADER, SpecFileError, load_mapping

META_SCHEMA_DIR = SCHEMAS_DIR / "meta"


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
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
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
