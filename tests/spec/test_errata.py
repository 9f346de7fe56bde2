"""The errata registry covers the known inconsistencies, cites them verbatim, links requirements both ways."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.paths import ERRATA_PATH, JSON_SCHEMAS_DIR
from conformance.spec.catalog_entries import quote_lines
from conformance.spec.errata import (
    ErrataRegistry,
    UnknownErratum,
    cross_reference_problems,
    load_errata,
)
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import RequirementCatalog, load_requirements


@pytest.fixture(scope="module")
def catalog() -> RequirementCatalog:
    return load_requirements()


@pytest.fixture(scope="module")
def registry(catalog: RequirementCatalog) -> ErrataRegistry:
    return load_errata(catalog=catalog)


@pytest.fixture(scope="module")
def raw_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(ERRATA_PATH.read_text(encoding="utf-8"))["errata"]
    return entries


def test_e01_to_e25_present_and_ids_contiguous(registry: ErrataRegistry) -> None:
    assert {f"E{n:02d}" for n in range(1, 26)} <= set(registry.ids)
    assert list(registry.ids) == [f"E{n:02d}" for n in range(1, len(registry) + 1)]


def test_every_quote_is_verbatim_on_exactly_one_line(raw_entries: list[dict[str, Any]]) -> None:
    problems = []
    for entry in raw_entries:
        for source in entry["sources"]:
            lines = quote_lines(source["file"], source["quote"])
            if len(lines) != 1:
                problems.append(f"{entry['id']}: {source['file']} lines {lines} for {source['quote']!r}")
    assert problems == []


def test_source_lines_are_computed(registry: ErrataRegistry) -> None:
    e01 = registry.get("E01")
    assert [s.line for s in e01.sources] == [22, 23]
    for erratum in registry:
        for source in erratum.sources:
            assert source.quote in source.path.read_text(encoding="utf-8").splitlines()[source.line - 1]


def test_links_hold_both_ways(catalog: RequirementCatalog, registry: ErrataRegistry) -> None:
    assert cross_reference_problems(catalog, registry) == []


def test_every_erratum_affects_something_and_has_two_readings(registry: ErrataRegistry) -> None:
    for erratum in registry:
        assert erratum.affects, erratum.id
        assert len(erratum.readings) >= 2, erratum.id
        assert erratum.decision.strict and erratum.decision.lenient


def test_relaxations_follow_the_architecture_decisions(registry: ErrataRegistry) -> None:
    relaxed = {e.id for e in registry.with_schema_relaxation()}
    # The lenient column of ARCHITECTURE.md's decisions table changes these schemas.
    assert {"E02", "E04", "E07", "E10", "E12", "E14", "E17"} <= relaxed
    # Where lenient is "as strict", no schema can change.
    same = {e.id for e in registry if e.decision.lenient.startswith("As strict")}
    assert same
    assert same.isdisjoint(relaxed)


def test_schema_annotations_name_known_errata(registry: ErrataRegistry) -> None:
    """Every `x-errata` id in schemas/json exists (vacuous until the schemas are written)."""

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = list(node.get("x-errata", []))
            return found + [i for value in node.values() for i in walk(value)]
        if isinstance(node, list):
            return [i for value in node for i in walk(value)]
        return []

    for path in sorted(JSON_SCHEMAS_DIR.glob("*.json")):
        unknown = [i for i in walk(json.loads(path.read_text(encoding="utf-8"))) if i not in registry]
        assert unknown == [], path.name


def test_unknown_erratum_raises_a_key_error_with_suggestions(registry: ErrataRegistry) -> None:
    with pytest.raises(UnknownErratum) as info:
        registry.get("E1")
    assert isinstance(info.value, KeyError)
    assert "unknown erratum id 'E1'" in str(info.value)


def test_affecting_finds_errata_of_a_requirement(registry: ErrataRegistry) -> None:
    assert [e.id for e in registry.affecting("V2Q-FILT-002")] == ["E01"]
    assert registry.affecting("V2Q-PAGE-003") == ()


def test_one_way_links_are_reported(catalog: RequirementCatalog, registry: ErrataRegistry) -> None:
    e01 = registry.get("E01")
    broken = ErrataRegistry([replace(e01, affects=(*e01.affects, "V2Q-PAGE-003", "V2Q-NOPE-001"))])
    problems = cross_reference_problems(catalog, broken)
    assert "E01 affects V2Q-PAGE-003, whose errata do not name E01" in problems
    assert "E01 affects unknown requirement V2Q-NOPE-001" in problems
    assert any(p.startswith("V2EV-TIME-001 names unknown erratum E02") for p in problems)
    others = [e for e in registry if e.id != "E01"]
    narrowed = ErrataRegistry([*others, replace(e01, affects=e01.affects[:1])])
    assert cross_reference_problems(catalog, narrowed) == [
        "V2Q-FILT-003 names E01, whose affects omit V2Q-FILT-003",
        "V2Q-TIME-001 names E01, whose affects omit V2Q-TIME-001",
    ]


# --- malformed registries ------------------------------------------------------------------------


def _variant(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = ERRATA_PATH.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    path = tmp_path / "errata.yaml"
    path.write_text(changed, encoding="utf-8")
    return path, changed


def _line(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_affects_unknown_requirement_is_reported(tmp_path: Path, catalog: RequirementCatalog) -> None:
    path, text = _variant(tmp_path, "affects: [V2Q-FILT-002,", "affects: [V2Q-FILT-999,")
    with pytest.raises(SpecFileError) as info:
        load_errata(path, catalog=catalog)
    assert "entry 0 (E01): affects unknown requirement(s) V2Q-FILT-999" in str(info.value)
    assert info.value.line == _line(text, "- id: E01")
    load_errata(path)  # without a catalog only the structure is checked


def test_duplicate_id_is_reported(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "- id: E02\n", "- id: E01\n")
    with pytest.raises(SpecFileError) as info:
        load_errata(path)
    assert "duplicate id (first at line" in str(info.value)
    assert info.value.line == _line(text, "- id: E01\n  title: 'v2 event timestamp")


def test_missing_decision_is_reported(tmp_path: Path) -> None:
    old = "    strict: 'Filters are milliseconds, bounds inclusive; the harness sends 13-digit values.'\n"
    path, text = _variant(tmp_path, old, "")
    with pytest.raises(SpecFileError) as info:
        load_errata(path)
    assert "entry 0 (E01) field 'decision': 'strict' is a required property" in str(info.value)
    assert info.value.line == _line(text, "    lenient: 'A box reading seconds")


def test_bad_quote_is_reported(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "event创建的时间戳（ms）'}", "event创建的时间戳（秒）'}")
    with pytest.raises(SpecFileError) as info:
        load_errata(path)
    assert "(E02): quote not found" in str(info.value)


def test_yaml_syntax_error_is_reported(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "- id: E03\n", "- id: E03\n  title: [unclosed\n")
    with pytest.raises(SpecFileError) as info:
        load_errata(path)
    assert "invalid YAML" in str(info.value)
    assert info.value.line is not None
    assert info.value.line >= _line(text, "[unclosed")


def test_every_schema_relaxation_is_annotated_with_a_lenient_alternative(registry: ErrataRegistry) -> None:
    """An erratum that says lenient accepts more must change some schema node, or lenient means nothing."""
    import json

    from conformance.paths import JSON_SCHEMAS_DIR

    lenient_ids: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "x-lenient" in node:
                lenient_ids.update(node.get("x-errata", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in JSON_SCHEMAS_DIR.glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    relaxed = {erratum.id for erratum in registry.with_schema_relaxation()}
    assert relaxed <= lenient_ids, sorted(relaxed - lenient_ids)
