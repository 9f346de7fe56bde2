"""The mutant plan: faults strict, variations lenient (combined when quick), quick selections, run order."""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance.mutants.child_run import BLIND, CONTROL
from conformance.mutants.fault_catalog import FaultCatalog, load_catalog
from conformance.mutants.plan import (
    BLIND_QUICK_FAMILIES,
    COMBINED_VARIATIONS,
    PlanError,
    blind_quick_faults,
    build_plan,
    build_plans,
)
from conformance.mutants.runner import mutant_spec, run_priority
from conformance.suite.hypothesis_profiles import (
    DEEP,
    GATE,
    SCHEMA_FUZZ_EXAMPLES,
    SMOKE,
    SMOKE_FUZZ_DIVISOR,
    register_profiles,
    schema_fuzz_examples,
)
from tests.site_box import BUSY_GATE, QUIET_BOX, REAL_BOX_VARIATIONS


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
    # no fault: no strict clean run (the faults' reference); the lenient one tells a variation's failure apart
    assert [m.name for m in plan] == ["clean-lenient", "var-keys-reversed", "var-extra-fields"]


def test_a_quick_plan_of_variations_alone_is_the_combined_sweep_without_clean_runs() -> None:
    plan = build_plan([], None, quick=True)
    assert plan and all(m.kind == "variation" and m.smoke and not m.selection for m in plan)


def test_blind_plan_marks_the_faults_a_site_box_cannot_show() -> None:
    catalog = load_catalog()
    hidden = next(f for f in catalog.faults() if not f.observable_without_control)
    shown = next(f for f in catalog.faults() if f.observable_without_control)
    plan = build_plans({BLIND: [hidden.name, shown.name]}, [], catalog=catalog)
    assert [(m.name, m.mode) for m in plan] == [("clean", BLIND), (hidden.name, BLIND), (shown.name, BLIND)]
    by_name = {m.name: m for m in plan}
    assert not by_name[hidden.name].observable and by_name[hidden.name].unobservable_reason
    assert by_name[shown.name].observable and not by_name[shown.name].unobservable_reason
    both = build_plans({CONTROL: [hidden.name], BLIND: [hidden.name]}, [], catalog=catalog)
    assert [(m.mode, m.observable) for m in both if m.kind == "fault"] == [(CONTROL, True), (BLIND, False)]
    with pytest.raises(PlanError, match="unknown mode"):
        build_plans({"psychic": None}, [], catalog=catalog)


def test_narrow_runs_each_fault_on_the_tests_naming_its_requirements_only() -> None:
    plan = build_plan(["v2-page-one-based"], ["var-keys-reversed"], narrow=True)
    fault = next(m for m in plan if m.kind == "fault")
    assert fault.selection == fault.requirements
    assert all(m.selection == () for m in plan if m.kind != "fault")  # clean and variations: whole suite


def test_quick_blind_runs_a_few_observable_faults_and_conflicting_variations_apart() -> None:
    catalog = load_catalog()
    faults = blind_quick_faults(catalog)
    assert 1 <= len(faults) <= len(BLIND_QUICK_FAMILIES)
    assert all(catalog.get(name).observable_without_control and catalog.get(name).quick for name in faults)
    plan = build_plans({BLIND: faults}, None, quick=True, catalog=catalog)
    groups = [m.faults for m in plan if m.kind == "variation"]
    assert {n for g in groups for n in g} == {v.name for v in catalog.variations()}
    for group in groups:
        assert not catalog_conflicts(catalog, group), group
        others = [v.name for v in catalog.variations() if v.name not in group]
        assert all(catalog_conflicts(catalog, (*group, name)) for name in others), (group, others)
    assert len(groups) <= 3


def test_quick_plans_run_every_real_box_variation_over_the_whole_suite_in_both_modes() -> None:
    """What the quick matrix's "no false alarm over every real-box variation" rests on: in either mode, one
    whole-suite run has all real-box variations with the busy gate on, another the quiet box with the rest."""
    catalog = load_catalog()
    faults = {CONTROL: catalog.quick_faults(), BLIND: blind_quick_faults(catalog)}
    plan = build_plans(faults, None, quick=True, catalog=catalog)
    for mode in (CONTROL, BLIND):
        runs = [m for m in plan if m.mode == mode and m.kind == "variation"]
        assert all(m.selection == () and m.profile == "lenient" for m in runs)  # the whole suite, lenient
        busy = [m for m in runs if set(REAL_BOX_VARIATIONS) <= set(m.faults)]
        quiet = [m for m in runs if {QUIET_BOX, *REAL_BOX_VARIATIONS} - {BUSY_GATE} <= set(m.faults)]
        assert busy and quiet, [m.faults for m in runs]


def catalog_conflicts(catalog: FaultCatalog, names: tuple[str, ...]) -> list[str]:
    return [a for a in names for b in names if b in catalog.get(a).conflicts]


def test_a_quick_matrix_starts_its_combined_variation_runs_first_then_clean_runs() -> None:
    """The longest runs first (no job left running alone at the end); then clean runs, then faults."""
    catalog = load_catalog()
    faults = {CONTROL: catalog.quick_faults(), BLIND: blind_quick_faults(catalog)}
    order = sorted(build_plans(faults, None, quick=True, catalog=catalog), key=run_priority)
    kinds = [m.kind for m in order]
    combined = kinds.count("variation")
    assert combined == 4 and kinds[:combined] == ["variation"] * combined
    cleans = [(m.kind, m.mode) for m in order[combined : combined + 2]]
    assert cleans == [("clean", BLIND), ("clean", CONTROL)]
    assert set(kinds[combined + 2 :]) == {"fault"}


def test_only_the_quick_combined_variation_runs_go_at_the_smoke_budget() -> None:
    """A quick matrix's whole-suite variation sweeps run schemathesis at the smoke budget under the gate's
    profile; clean and fault runs keep the gate's (a kill may need every example), and deep stays deep."""
    plan = build_plan(None, None, quick=True)
    combined = [m for m in plan if m.kind == "variation" and len(m.faults) > 1]
    assert combined and all(m.smoke for m in combined)
    for mutant in plan:
        profile = _hypothesis_profile(mutant_spec(mutant, GATE).run_args)
        assert profile == (SMOKE if mutant in combined else GATE), mutant.name
        assert _hypothesis_profile(mutant_spec(mutant, DEEP).run_args) == DEEP
    assert not any(m.smoke for m in build_plan(None, None, quick=False))


def _hypothesis_profile(run_args: tuple[str, ...]) -> str:
    return run_args[run_args.index("--hypothesis-profile") + 1]


def test_the_smoke_budget_keeps_every_operation_fuzzed_at_a_fifth_of_the_gate() -> None:
    register_profiles()
    previous = settings.get_current_profile_name()
    try:
        for name, gate_examples in SCHEMA_FUZZ_EXAMPLES.items():
            settings.load_profile(SMOKE)
            assert schema_fuzz_examples(name) == max(1, gate_examples // SMOKE_FUZZ_DIVISOR)
            assert settings.default is not None
            assert settings.default.max_examples == settings.get_profile(GATE).max_examples
            settings.load_profile(GATE)
            assert schema_fuzz_examples(name) == gate_examples
    finally:
        settings.load_profile(previous)
