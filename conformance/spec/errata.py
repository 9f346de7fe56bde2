"""The errata registry: where the vendor documents contradict themselves and what each profile decides."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from conformance.paths import ERRATA_PATH
from conformance.spec.catalog_entries import Entry, SourceRef, load_entries, resolve_source
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import RequirementCatalog


class UnknownErratum(KeyError):  # noqa: N818 - mirrors UnknownRequirement
    """An erratum id that is not in the registry (a typo in a schema's `x-errata` or a requirement)."""

    def __init__(self, erratum_id: str, known: Iterable[str]) -> None:
        close = difflib.get_close_matches(erratum_id, list(known), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        self.erratum_id = erratum_id
        self.message = f"unknown erratum id {erratum_id!r}{hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Reading:
    """One way to read the conflicting text."""

    name: str
    says: str


@dataclass(frozen=True)
class Decision:
    """What each profile accepts: `strict` follows the tables, `lenient` also the documents' examples."""

    strict: str
    lenient: str


@dataclass(frozen=True)
class Erratum:
    """One inconsistency in the documents, cited, with its readings and the project's decision."""

    id: str
    title: str
    sources: tuple[SourceRef, ...]
    readings: tuple[Reading, ...]
    decision: Decision
    affects: tuple[str, ...]
    schema_relaxation: bool


class ErrataRegistry:
    """All errata by id, in file order."""

    def __init__(self, errata: Iterable[Erratum], path: Path | None = None) -> None:
        self.path = path
        self._items: dict[str, Erratum] = {}
        for erratum in errata:
            if erratum.id in self._items:
                raise ValueError(f"duplicate erratum id {erratum.id}")
            self._items[erratum.id] = erratum

    def __iter__(self) -> Iterator[Erratum]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, erratum_id: object) -> bool:
        return erratum_id in self._items

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, in file order."""
        return tuple(self._items)

    def get(self, erratum_id: str) -> Erratum:
        """The erratum with this id; an unknown id raises UnknownErratum naming close matches."""
        try:
            return self._items[erratum_id]
        except KeyError:
            raise UnknownErratum(erratum_id, self._items) from None

    def affecting(self, requirement_id: str) -> tuple[Erratum, ...]:
        """Errata that list this requirement in `affects`."""
        return tuple(e for e in self if requirement_id in e.affects)

    def with_schema_relaxation(self) -> tuple[Erratum, ...]:
        """Errata whose lenient reading changes a JSON Schema (nodes annotated `x-errata`)."""
        return tuple(e for e in self if e.schema_relaxation)


def cross_reference_problems(catalog: RequirementCatalog, registry: ErrataRegistry) -> list[str]:
    """Links that do not hold both ways between the catalog and the registry ([] when consistent)."""
    problems: list[str] = []
    for erratum in registry:
        for requirement_id in erratum.affects:
            if requirement_id not in catalog:
                problems.append(f"{erratum.id} affects unknown requirement {requirement_id}")
            elif erratum.id not in catalog.get(requirement_id).errata:
                problems.append(
                    f"{erratum.id} affects {requirement_id}, whose errata do not name {erratum.id}"
                )
    for requirement in catalog:
        for erratum_id in requirement.errata:
            if erratum_id not in registry:
                problems.append(f"{requirement.id} names unknown erratum {erratum_id}")
            elif requirement.id not in registry.get(erratum_id).affects:
                problems.append(f"{requirement.id} names {erratum_id}, whose affects omit {requirement.id}")
    return problems


def _erratum(entry: Entry, path: Path) -> Erratum:
    data = entry.data
    return Erratum(
        id=data["id"],
        title=data["title"],
        sources=tuple(resolve_source(raw, entry.label, path, entry.line) for raw in data["sources"]),
        readings=tuple(Reading(name=r["name"], says=r["says"]) for r in data["readings"]),
        decision=Decision(strict=data["decision"]["strict"], lenient=data["decision"]["lenient"]),
        affects=tuple(data["affects"]),
        schema_relaxation=bool(data["schema_relaxation"]),
    )


def load_errata(path: Path | str | None = None, catalog: RequirementCatalog | None = None) -> ErrataRegistry:
    """Load and check `schemas/errata.yaml` (or `path`); with a catalog, `affects` must name its ids."""
    file = Path(path) if path is not None else ERRATA_PATH
    errata: list[Erratum] = []
    first_line: dict[str, int] = {}
    for entry in load_entries(file, "errata", "errata"):
        erratum = _erratum(entry, file)
        if erratum.id in first_line:
            raise SpecFileError(
                file, f"{entry.label}: duplicate id (first at line {first_line[erratum.id]})", entry.line
            )
        if catalog is not None:
            unknown = [r for r in erratum.affects if r not in catalog]
            if unknown:
                raise SpecFileError(
                    file, f"{entry.label}: affects unknown requirement(s) {', '.join(unknown)}", entry.line
                )
        first_line[erratum.id] = entry.line
        errata.append(erratum)
    return ErrataRegistry(errata, file)
