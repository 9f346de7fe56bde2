"""The registry refuses duplicates, stamps findings and honours guards; findings stay JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from conformance.checks import CHECKS
from conformance.checks.check_registry import CheckRegistry, DuplicateCheckError, check, requires
from conformance.checks.findings import Finding, deviation, id_sample
from conformance.checks.requirement_ids import BY_INTERFACE, requirements_for
from conformance.paths import REQUIREMENTS_PATH
from conformance.spec.loader import load_mapping

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def _registry_with_sample() -> CheckRegistry:
    registry = CheckRegistry()

    @check("sample.odd", requirements=("V2Q-PAGE-001",), registry=registry)
    @requires("numbers were given", lambda args: len(args["numbers"]) > 0)
    def odd(numbers: Sequence[int], *, requirements: Sequence[str] = ()) -> list[Finding]:
        """Every number is odd."""
        return [deviation(f"{n} is even", number=n) for n in numbers if n % 2 == 0]

    return registry


def test_duplicate_names_are_refused() -> None:
    registry = _registry_with_sample()
    with pytest.raises(DuplicateCheckError, match=r"sample\.odd"):

        @check("sample.odd", registry=registry)
        def again() -> list[Finding]:
            return []


def test_findings_are_stamped_with_name_and_default_requirements() -> None:
    registry = _registry_with_sample()
    [found] = registry.run("sample.odd", [1, 2, 3])
    assert found.check == "sample.odd"
    assert found.requirement_ids == ("V2Q-PAGE-001",)
    assert found.evidence == {"number": 2}


def test_caller_requirements_win_over_defaults() -> None:
    registry = _registry_with_sample()
    [found] = registry.run("sample.odd", [2], requirements=["V1Q-PAGE-002"])
    assert found.requirement_ids == ("V1Q-PAGE-002",)


def test_guard_makes_check_not_applicable() -> None:
    registry = _registry_with_sample()
    assert registry.run("sample.odd", []) == []
    assert registry.get("sample.odd").preconditions == ("numbers were given",)


def test_unknown_check_name_lists_known_ones() -> None:
    with pytest.raises(KeyError, match=r"paging\.duplicates"):
        CHECKS.get("paging.nope")


def test_finding_evidence_must_be_json() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        Finding(check="x", message="m", evidence={"bad": object()})
    with pytest.raises(ValueError, match="category"):
        Finding(check="x", message="m", category="nonsense")  # type: ignore[arg-type]


def test_finding_round_trips_through_json() -> None:
    found = Finding(check="x", message="m", requirement_ids=("A-B-001",), evidence={"ids": ("a", "b")})
    data = json.loads(json.dumps(found.to_dict()))
    assert data == {
        "check": "x",
        "message": "m",
        "requirement_ids": ["A-B-001"],
        "category": "semantic",
        "evidence": {"ids": ["a", "b"]},
        "detail": "",
    }


def test_id_sample_is_small_and_stable() -> None:
    assert id_sample({f"id{i}" for i in range(30)}) == sorted(f"id{i}" for i in range(30))[:10]


def test_every_registered_check_is_documented() -> None:
    documented = set(re.findall(r"^### `([a-z_.]+)`", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert set(CHECKS.names()) == documented


def _catalog_ids() -> set[str]:
    catalog = load_mapping(REQUIREMENTS_PATH)
    return {entry["id"] for entry in catalog["requirements"]}


def test_every_requirement_id_exists_in_the_catalog() -> None:
    known = _catalog_ids()
    mapped = {rid for by in BY_INTERFACE.values() for ids in by.values() for rid in ids}
    defaults = {rid for info in CHECKS for rid in info.requirements}
    documented = set(re.findall(r"\b[A-Z0-9]+-[A-Z]+-\d{3}\b", DOCS.read_text(encoding="utf-8")))
    assert mapped | defaults | documented <= known, sorted((mapped | defaults | documented) - known)
    assert set(BY_INTERFACE) == set(CHECKS.names())


def test_requirements_for_names_the_known_interfaces() -> None:
    assert requirements_for("paging.num_pages", "v1") == ("V1Q-PAGE-004",)
    with pytest.raises(KeyError, match="'v1'"):
        requirements_for("paging.num_pages", "v2")
