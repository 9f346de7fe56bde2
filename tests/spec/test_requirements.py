"""The requirement catalog is well formed, cites the documents verbatim, and rejects bad files clearly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.paths import PROJECT_ROOT, REQUIREMENTS_PATH, SOURCES_DIR
from conformance.spec.catalog_entries import quote_lines
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import (
    AREA_TOKENS,
    INTERFACES,
    PREFIX_INTERFACES,
    Level,
    RequirementCatalog,
    UnknownRequirement,
    load_requirements,
)

ID_RE = re.compile(r"^([A-Z0-9]+)-([A-Z]+)-([0-9]{3})$")


@pytest.fixture(scope="module")
def catalog() -> RequirementCatalog:
    return load_requirements()


@pytest.fixture(scope="module")
def raw_entries() -> list[dict[str, Any]]:
    data = yaml.safe_load(REQUIREMENTS_PATH.read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["requirements"]
    return entries


# --- the shipped catalog -------------------------------------------------------------------------


def test_catalog_is_substantial(catalog: RequirementCatalog) -> None:
    assert len(catalog) >= 150


def test_ids_are_unique(raw_entries: list[dict[str, Any]]) -> None:
    counts = Counter(entry["id"] for entry in raw_entries)
    assert [entry_id for entry_id, n in counts.items() if n > 1] == []


def test_ids_are_well_formed_and_match_interface_and_area(raw_entries: list[dict[str, Any]]) -> None:
    bad = []
    for entry in raw_entries:
        match = ID_RE.match(entry["id"])
        if match is None:
            bad.append(f"{entry['id']}: malformed")
            continue
        prefix, token, _ = match.groups()
        if entry["interface"] not in PREFIX_INTERFACES.get(prefix, frozenset()):
            bad.append(f"{entry['id']}: prefix {prefix} vs interface {entry['interface']}")
        if AREA_TOKENS.get(entry["area"]) != token:
            bad.append(f"{entry['id']}: token {token} vs area {entry['area']}")
    assert bad == []


def test_every_source_file_exists(raw_entries: list[dict[str, Any]]) -> None:
    missing = {e["source"]["file"] for e in raw_entries if not (SOURCES_DIR / e["source"]["file"]).is_file()}
    assert missing == set()


def test_every_quote_is_verbatim_on_exactly_one_line(raw_entries: list[dict[str, Any]]) -> None:
    problems = []
    for entry in raw_entries:
        source = entry["source"]
        lines = quote_lines(source["file"], source["quote"])
        if len(lines) != 1:
            problems.append(f"{entry['id']}: {source['file']} lines {lines} for {source['quote']!r}")
    assert problems == []


def test_source_line_points_at_the_quoted_line(catalog: RequirementCatalog) -> None:
    for requirement in catalog:
        text = requirement.source.path.read_text(encoding="utf-8").splitlines()
        assert requirement.source_line >= 1
        assert requirement.source.quote in text[requirement.source_line - 1], requirement.id
        assert requirement.source.link() == f"sources/{requirement.source.file}:{requirement.source_line}"


def test_known_line_numbers(catalog: RequirementCatalog) -> None:
    assert catalog.get("V2Q-PAGE-003").source_line == 31
    assert catalog.get("V1Q-PAGE-004").source_line == 111
    assert catalog.get("WS-WS-016").source_line == 66


def test_every_section_is_named_in_its_file(catalog: RequirementCatalog) -> None:
    missing = [r.id for r in catalog if r.source.section not in r.source.path.read_text(encoding="utf-8")]
    assert missing == []


def test_each_interface_and_area_has_requirements(catalog: RequirementCatalog) -> None:
    assert all(catalog.counts_by_interface()[name] > 0 for name in INTERFACES)
    assert {r.area for r in catalog} == set(AREA_TOKENS)


def test_each_seed_is_cited(catalog: RequirementCatalog) -> None:
    seeds = {p.name for p in (SOURCES_DIR / "seeds").glob("0*.txt")}
    cited = {Path(r.source.file).name for r in catalog if r.source.file.startswith("seeds/")}
    assert seeds == cited


def test_every_level_is_used_and_derived_entries_are_marked(catalog: RequirementCatalog) -> None:
    assert {r.level for r in catalog} == set(Level)
    assert any(r.derived for r in catalog)
    assert any(not r.observational for r in catalog)


def test_docs_counts_match_the_catalog(catalog: RequirementCatalog) -> None:
    text = (PROJECT_ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    documented = {m[0]: int(m[1]) for m in re.findall(r"^\| `([a-z0-9-]+)` \| (\d+) \|", text, re.MULTILINE)}
    assert documented == catalog.counts_by_interface()
    assert f"| **total** | **{len(catalog)}** |" in text


# --- the catalog API -----------------------------------------------------------------------------


def test_lookup_by_id_interface_and_area(catalog: RequirementCatalog) -> None:
    requirement = catalog.get("V2Q-PAGE-003")
    assert requirement.level is Level.MUST
    assert requirement.interface == "v2-getevents"
    assert "V2Q-PAGE-003" in catalog
    assert requirement in catalog.by_interface("v2-getevents")
    assert requirement in catalog.by_area("pagination")
    assert requirement not in catalog.by_area("filters")
    assert catalog.ids[0] == next(iter(catalog)).id


def test_unknown_id_raises_a_key_error_with_suggestions(catalog: RequirementCatalog) -> None:
    with pytest.raises(UnknownRequirement) as info:
        catalog.get("V2Q-PAGE-03")
    assert isinstance(info.value, KeyError)
    assert "unknown requirement id 'V2Q-PAGE-03'" in str(info.value)
    assert "V2Q-PAGE-003" in str(info.value)


def test_unknown_interface_or_area_is_refused(catalog: RequirementCatalog) -> None:
    with pytest.raises(ValueError, match="unknown interface"):
        catalog.by_interface("v3-getevents")
    with pytest.raises(ValueError, match="unknown area"):
        catalog.by_area("paging")


def test_affected_by_lists_the_requirements_naming_an_erratum(catalog: RequirementCatalog) -> None:
    ids = {r.id for r in catalog.affected_by("E01")}
    assert "V2Q-FILT-002" in ids
    assert all("E01" in catalog.get(i).errata for i in ids)
    assert catalog.affected_by("E99") == ()


def test_requirements_are_immutable(catalog: RequirementCatalog) -> None:
    with pytest.raises(AttributeError):
        catalog.get("V2Q-PAGE-003").level = Level.MAY  # type: ignore[misc]


# --- malformed catalogs --------------------------------------------------------------------------


def _variant(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = REQUIREMENTS_PATH.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    path = tmp_path / "requirements.yaml"
    path.write_text(changed, encoding="utf-8")
    return path, changed


def _line_of(text: str, fragment: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


def _error(path: Path) -> SpecFileError:
    with pytest.raises(SpecFileError) as info:
        load_requirements(path)
    return info.value


def test_duplicate_id_names_file_line_and_first_occurrence(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "- id: V2Q-PAGE-002\n", "- id: V2Q-PAGE-001\n")
    error = _error(path)
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if line == "- id: V2Q-PAGE-001"]
    assert error.line == second
    assert str(path) in str(error)
    assert "duplicate id" in str(error)
    assert f"first at line {first})" in str(error)


def test_bad_level_names_the_entry_and_the_line(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "- id: V2Q-PAGE-003\n  level: MUST", "- id: V2Q-PAGE-003\n  level: MUSTY")
    error = _error(path)
    assert error.line == _line_of(text, "level: MUSTY")
    assert "(V2Q-PAGE-003)" in str(error)
    assert "'level'" in str(error)
    assert f"{path}:{error.line}:" in str(error)


def test_missing_quote_is_reported_for_that_entry(tmp_path: Path) -> None:
    quote = ", quote: '| page_index |  | int | 0 | 可选 | 返回第几页 | 0 |'}"
    path, text = _variant(tmp_path, quote, "}")
    error = _error(path)
    assert "'quote' is a required property" in str(error)
    assert "(V2Q-PAGE-003)" in str(error)
    assert error.line == _line_of(text, "source:", after="- id: V2Q-PAGE-003")


def test_quote_not_in_the_document_is_reported(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "返回第几页 | 0 |'}", "返回第几頁 | 0 |'}")
    error = _error(path)
    assert "quote not found" in str(error)
    assert "V2Q-PAGE-003" in str(error)
    assert error.line == _line_of(text, "- id: V2Q-PAGE-003")


def test_unknown_source_file_is_reported(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "seeds/000_2224f12a3eba99dc.txt", "seeds/999_missing.txt")
    error = _error(path)
    assert "entry 0 (V2Q-SCHEMA-001): source file sources/seeds/999_missing.txt does not exist" in str(error)
    assert error.line == _line_of(text, "- id: V2Q-SCHEMA-001")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path, text = _variant(tmp_path, "- id: V2Q-PAGE-003\n", "- id: [V2Q-PAGE-003\n")
    error = _error(path)
    assert "invalid YAML" in str(error)
    assert error.line is not None
    assert error.line >= _line_of(text, "- id: [V2Q-PAGE-003")


def test_malformed_id_is_reported(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "- id: V2Q-PAGE-003\n", "- id: V2Q-PAGE-3\n")
    assert "'id'" in str(_error(path))


def test_area_token_must_match_area(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "- id: V2Q-PAGE-003\n", "- id: V2Q-FILT-099\n")
    assert "area 'pagination' needs id token PAGE" in str(_error(path))


def test_prefix_must_match_interface(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "- id: V2Q-PAGE-003\n", "- id: V1Q-PAGE-099\n")
    assert "prefix V1Q belongs to v1-events, not v2-getevents" in str(_error(path))


def test_unknown_prefix_is_reported(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "- id: V2Q-PAGE-003\n", "- id: V9Q-PAGE-003\n")
    assert "unknown id prefix 'V9Q'" in str(_error(path))


def test_unknown_field_is_reported(tmp_path: Path) -> None:
    path, _ = _variant(tmp_path, "  observational: true\n", "  observational: true\n  note: extra\n")
    assert "Additional properties are not allowed ('note'" in str(_error(path))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    error = _error(tmp_path / "absent.yaml")
    assert "file not found" in str(error)
