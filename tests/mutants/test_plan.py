"""The mutant plan: clean runs first, faults strict, variations lenient, quick selections by requirement."""

from __future__ import annotations

import pytest

from conformance.mutants.plan import COMBINED_VARIATIONS, PlanError, build_plan


def test_full_plan_runs_every_fault_and_variation_on_the_whole_suite() -> None:
    plan = build_plan()
    assert [m.name for m in plan[:2]] == ["clean", "clean-lenient"]
    assert all(m.selection == () for m in plan)
    faults = [m for m in plan if m.kind == "fault"]
    assert len(faults) >= 30 and all(m.profile == "strict" and m.faults == (m.name,) for m in faults)
    assert all(m.profile == "lenient" for m in plan if m.kind == "variation")


def test_quick_plan_narrows_each_fault_to_its_requirements_and_combines_variations() -> None:
    plan = build_plan(["v2-page-one-based"], None, quick=True)
    fault = next(m for m in plan if m.kind == "fault")
    assert fault.selection == ("V2Q-PAGE-003", "V2Q-PAGE-004")
    combined = next(m for m in plan if m.kind == "variation")
    assert combined.name == COMBINED_VARIATIONS and len(combined.faults) >= 5
    assert plan[0].selection == fault.selection


def test_unknown_or_misplaced_names_are_refused() -> None:
    with pytest.raises(PlanError, match="unknown fault"):
        build_plan(["no-such-fault"], [])
    with pytest.raises(PlanError, match="wrong group"):
        build_plan(["var-keys-reversed"], [])
    assert [m.name for m in build_plan(["v2-page-one-based"], [])] == ["clean", "v2-page-one-based"]


def test_named_variations_run_one_by_one_even_when_quick() -> None:
    plan = build_plan([], ["var-keys-reversed", "var-extra-fields"], quick=True)
    assert [m.name for m in plan] == ["clean", "clean-lenient", "var-keys-reversed", "var-extra-fields"]
