"""mutants reads the fault catalog as data (the emulator command's JSON), never importing the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.mutants.fault_catalog import (
    FAULT,
    VARIATION,
    CatalogError,
    UnknownFaultError,
    parse_catalog,
)
from conformance.mutants.plan import AREA_QUICK_SELECTIONS, PlanError, build_plan
from conformance.paths import PROJECT_ROOT

FIXTURE = Path(__file__).parent / "data" / "fault_catalog.json"
CHILD_TIMEOUT_S = 120


def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_the_catalog_json_becomes_faults_and_variations_in_order() -> None:
    catalog = parse_catalog(_fixture())
    assert [f.name for f in catalog.faults()] == ["v2-page-one-based", "ws-push-before-config"]
    assert [v.name for v in catalog.variations()] == ["var-keys-reversed", "var-e14-ws-without-ids"]
    page = catalog.get("v2-page-one-based")
    assert page.kind == FAULT and page.requirements == ("V2Q-PAGE-003", "V2Q-PAGE-004")
    assert page.family == "v2_queries" and page.caught_by.startswith("test_page_zero")
    push = catalog.get("ws-push-before-config")
    assert not push.observable_without_control and push.blind_reason
    ids = catalog.get("var-e14-ws-without-ids")
    assert ids.kind == VARIATION and ids.implies == ("ws-push-before-config",) and ids.errata == ("E14",)
    with pytest.raises(UnknownFaultError, match="unknown fault 'nope'"):
        catalog.get("nope")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("faults"), "'faults' list"),
        (lambda d: d["faults"][0].update(kind="bug"), "neither"),
        (lambda d: d["faults"][0].update(requirements="V2Q-PAGE-003"), "list of strings"),
        (lambda d: d["faults"][1].update(observable_without_control="no"), "boolean"),
        (lambda d: d["faults"][0].update(quick="yes"), "'quick' must be a boolean"),
        (lambda d: d["faults"][1].update(name="v2-page-one-based"), "twice"),
        (lambda d: d["faults"][0].pop("name"), "'name'"),
        (lambda d: d.update(active="all"), "'active'"),
    ],
)
def test_a_wrong_catalog_is_refused_with_what_is_wrong(change: Any, message: str) -> None:
    data = _fixture()
    change(data)
    with pytest.raises(CatalogError, match=message):
        parse_catalog(data)


def test_quick_faults_are_those_the_catalog_marks() -> None:
    data = _fixture()
    data["faults"][1]["quick"] = True
    assert parse_catalog(data).quick_faults() == ["ws-push-before-config"]
    assert parse_catalog(_fixture()).quick_faults() == []


def test_plans_come_from_the_catalog_given() -> None:
    catalog = parse_catalog(_fixture())
    plan = build_plan(None, None, quick=True, catalog=catalog)
    # the variations run combined: no lenient clean run (a failure there is a false alarm either way)
    names = ["clean", "v2-page-one-based", "ws-push-before-config", "variations-combined"]
    assert [m.name for m in plan] == names
    combined = plan[-1]
    assert combined.faults == ("var-keys-reversed", "var-e14-ws-without-ids")
    assert set(AREA_QUICK_SELECTIONS["websocket"]) <= set(combined.selection)  # from the implied fault
    with pytest.raises(PlanError, match="wrong group"):
        build_plan(["var-keys-reversed"], [], catalog=catalog)


def test_mutants_plans_without_importing_the_emulator() -> None:
    code = (
        "import sys; from conformance.mutants.plan import build_plan; plan = build_plan(); "
        "loaded = sorted(m for m in sys.modules if m.startswith('conformance.emulator')); "
        "assert not loaded, loaded; print(len(plan))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip()) >= 30
