"""The fault catalog: enough faults over every area, real requirement ids, behaviour only at declared hook
points, kill selections that name real suite tests, honest observability, and refused unknown names."""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator.faults import hooks
from conformance.emulator.faults.catalog import CATALOG, FAMILIES, Catalog
from conformance.emulator.faults.hooks import ActiveFaults, UnknownHookPointError
from conformance.emulator.faults.model import (
    FAULT,
    VARIATION,
    DuplicateFaultError,
    Family,
    Fault,
    UnknownFaultError,
)
from conformance.paths import PROJECT_ROOT
from conformance.spec.requirements import load_requirements

AREAS = {"pagination", "filters", "timestamps", "picture-search", "websocket", "uploads", "errors", "schema"}
FAMILY_FILES = (
    "v2_queries",
    "v1_queries",
    "v2_small_calls",
    "picture_search",
    "websocket",
    "upload",
    "upload_setting",
    "error_envelopes",
    "variations",
)
SUITE = PROJECT_ROOT / "conformance" / "suite" / "interfaces"
TEST_NAME = re.compile(r"\btest_\w+")


def _known_ids() -> set[str]:
    return set(load_requirements().ids)


@cache
def _suite_tests() -> dict[str, bool]:
    """Every collected suite test function (and module) name -> whether it needs the control plane."""
    tests: dict[str, bool] = {}
    for path in SUITE.rglob("test_*.py"):
        tests[path.stem] = False
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                marks = " ".join(ast.unparse(d) for d in node.decorator_list)
                tests[node.name] = "needs_control" in marks
    return tests


def test_the_catalog_holds_at_least_30_faults_over_every_area() -> None:
    faults = CATALOG.faults()
    assert len(faults) >= 30
    assert {f.area for f in faults} == AREAS


def test_the_families_are_the_fault_files() -> None:
    assert tuple(family.name for family in FAMILIES) == FAMILY_FILES
    folder = PROJECT_ROOT / "conformance" / "emulator" / "faults"
    for name in FAMILY_FILES:
        assert (folder / f"{name}.py").is_file(), name
        assert {f.name for f in CATALOG.family(name)}, f"family {name} declares nothing"
    assert not (folder / "registry.py").exists()
    assert sorted(f.name for family in FAMILIES for f in family.members) == CATALOG.names()


def test_every_fault_names_known_requirements_one_line_and_a_behaviour() -> None:
    known = _known_ids()
    for fault in CATALOG.faults():
        assert fault.requirements, fault.name
        assert set(fault.requirements) <= known, (fault.name, set(fault.requirements) - known)
        assert fault.description and "\n" not in fault.description, fault.name
        assert fault.behaviour, f"{fault.name} acts at no hook point"
        assert set(fault.behaviour) <= set(hooks.HOOK_POINTS), fault.name


def test_every_variation_names_what_it_exercises() -> None:
    variations = CATALOG.variations()
    assert len(variations) >= 5
    for variation in variations:
        assert variation.kind == VARIATION and variation.errata and not variation.requirements
        assert variation.behaviour or variation.implies, f"{variation.name} does nothing"
        for implied in variation.implies:
            assert CATALOG.get(implied).kind == FAULT


def test_every_hook_point_is_used_and_few() -> None:
    """Every declared point has a fault acting there, and the box keeps a small set (about 30: issue 16's
    variations that set the box rather than bend an answer added live.rate, http.gzip, event.recorded)."""
    used = {point for fault in CATALOG.all() for point in fault.behaviour}
    assert used == set(hooks.HOOK_POINTS)
    assert len(hooks.HOOK_POINTS) <= 32


def test_kill_selections_name_suite_tests() -> None:
    """Every `caught_by` selects by names the conformance suite has (a typo would select nothing)."""
    tests = _suite_tests()
    for fault in CATALOG.all():
        if fault.caught_by:
            names = TEST_NAME.findall(fault.caught_by)
            assert names, f"{fault.name}: {fault.caught_by!r} names no test"
            missing = [n for n in names if n not in tests]
            assert not missing, f"{fault.name}: no suite test or module {missing}"


def test_observability_is_honest() -> None:
    """A fault caught only by tests that seed through the control plane is not observable without one."""
    tests = _suite_tests()
    for fault in CATALOG.all():
        assert fault.observable_without_control == (not fault.blind_reason), fault.name
        names = TEST_NAME.findall(fault.caught_by)
        if names and all(tests.get(n, False) for n in names):
            assert not fault.observable_without_control, f"{fault.name}: caught only with a control plane"


def test_the_catalog_as_json_is_metadata_only() -> None:
    listing = json.loads(json.dumps(CATALOG.listing(["v2-page-one-based"])))
    assert listing["active"] == ["v2-page-one-based"]
    assert listing["known"] == CATALOG.names()
    entry = next(f for f in listing["faults"] if f["name"] == "v2-page-one-based")
    assert entry["requirements"] == ["V2Q-PAGE-003", "V2Q-PAGE-004"]
    assert entry["family"] == "v2_queries" and entry["kind"] == FAULT
    assert entry["hook_points"] == [hooks.PAGE_REQUEST]
    assert "behaviour" not in entry
    assert [f["name"] for f in listing["faults"]] == CATALOG.names()


def test_unknown_and_duplicate_names_are_refused() -> None:
    with pytest.raises(UnknownFaultError, match="v2-page-one-based"):
        CATALOG.get("no-such-fault")
    family = Family("test")
    family.fault("a", "pagination", "one", ("V2Q-PAGE-001",), {hooks.V2_EVENT: _mark})
    with pytest.raises(DuplicateFaultError):
        family.fault("a", "pagination", "two", ("V2Q-PAGE-001",), {hooks.V2_EVENT: _mark})
    twin = Fault("a", "two", ("V2Q-PAGE-001",), "pagination", "other")
    with pytest.raises(DuplicateFaultError):
        Catalog([*family.members, twin])
    with pytest.raises(UnknownFaultError):
        Catalog([Fault("v", "v", (), "variation", "test", VARIATION, ("E01",), ("missing",))])


def test_a_behaviour_at_an_undeclared_point_is_refused() -> None:
    with pytest.raises(UnknownHookPointError):
        Catalog([Fault("a", "one", ("V2Q-PAGE-001",), "pagination", "test", behaviour={"v9.nowhere": _mark})])
    with pytest.raises(UnknownHookPointError):
        ActiveFaults((), CATALOG).apply("v9.nowhere", 1)


def _mark(value: list[str], *, tag: str = "", **_: Any) -> list[str]:
    return [*value, tag or "mark"]


def _tagged(tag: str) -> Any:
    def behave(value: list[str], **_: Any) -> list[str]:
        return [*value, tag]

    return behave


def _small_catalog() -> Catalog:
    family = Family("test")
    family.fault("first", "pagination", "one", ("V2Q-PAGE-001",), {hooks.V2_EVENT: _tagged("first")})
    family.fault("second", "pagination", "two", ("V2Q-PAGE-001",), {hooks.V2_EVENT: _tagged("second")})
    family.variation("var", "variation", "implies second", ("E01",), implies=("second",))
    return Catalog(family.members)


def test_behaviours_run_in_catalog_order_with_their_context() -> None:
    faults = ActiveFaults(["second", "first"], _small_catalog())
    assert faults.apply(hooks.V2_EVENT, []) == ["first", "second"]
    assert faults.hooked(hooks.V2_EVENT) and not faults.hooked(hooks.V1_EVENT)
    assert faults.apply(hooks.V1_EVENT, ["x"]) == ["x"]


def test_a_variation_switches_on_what_it_implies_and_off_again() -> None:
    faults = ActiveFaults((), _small_catalog())
    assert faults.apply(hooks.V2_EVENT, []) == []
    faults.enable(["var"])
    assert faults.apply(hooks.V2_EVENT, []) == ["second"]
    assert faults.active_names() == ["var"] and faults.effective_names() == ["second", "var"]
    faults.disable(["var"])
    assert faults.apply(hooks.V2_EVENT, []) == []
    with pytest.raises(UnknownFaultError):
        faults.enable(["var", "nope"])
    assert faults.active_names() == []
    faults.replace(["first"])
    assert faults.apply(hooks.V2_EVENT, []) == ["first"]


def test_the_real_variations_imply_their_faults() -> None:
    faults = ActiveFaults(["var-e33-ep-type-file"])
    assert faults.effective_names() == ["ps-ep-type-file", "upload-ep-type-file", "var-e33-ep-type-file"]
    assert faults.hooked(hooks.SEARCH_ITEM) and faults.hooked(hooks.UPLOAD_PAYLOAD)


def test_family_files_are_where_their_faults_act() -> None:
    """Each family file declares its own faults: a fault's module is its family file."""
    folder = Path(hooks.__file__).parent
    for family in FAMILIES:
        text = (folder / f"{family.name}.py").read_text(encoding="utf-8")
        for fault in family.members:
            assert f'"{fault.name}"' in text, (family.name, fault.name)
