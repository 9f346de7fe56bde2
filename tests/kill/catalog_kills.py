"""The kill tests' view of the fault catalog: which faults a family file kills, in which child runs.

Every fault with a `caught_by` selection is killed by its family's kill test, one child run per fault,
except faults of the push-side families (picture search, WebSocket, uploads), which act on separate
interfaces and run in batches of at most one fault per family whose selections share no test. A fault
implied by a variation with a `caught_by` is killed in test_variations.py (a strict run with the
variation on is a run with its fault). The clean runs are shared: one strict and one lenient child run
over every kill selection and the modules the families' clean runs always covered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.model import Fault
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import SuiteOutcome, TestOutcome, run_suite
from conformance.mutants.matrix import failing_anywhere

BATCHED_FAMILIES = ("picture_search", "websocket", "upload")
TEST_NAME = re.compile(r"\btest_\w+")
LENIENT = ("--profile", "lenient")
STRICT = ("--profile", "strict")
# The modules whose every test the families' clean runs cover (besides every kill selection).
QUERY_MODULES = (
    "test_query_paging.py or test_query_single_filters.py or test_query_list_filters.py "
    "or test_query_combined_filters.py or test_query_name_matching.py or test_query_range_filters.py "
    "or test_query_timestamp_units.py or test_query_consistency.py or test_query_model.py"
)
CLEAN_MODULES = (
    QUERY_MODULES,
    "test_query_errors.py or test_getevent_errors.py or test_spot_image.py or test_login.py",
    "test_software_version.py or test_device_list.py or test_upload_setting_requests.py",
    "test_search_time_fields.py or test_ws_spot_pic.py or test_device_consistency.py",
    "test_upload_setting.py or test_ws_config_defaults.py",
    "test_identity_consistency.py or test_upload_identity.py",
)
# Ids a failure must name where the hand-made tables asserted others than the fault's first requirement.
MUST_NAME: dict[str, tuple[str, ...]] = {
    "v2-error-message-generic": ("V2Q-ERR-002", "ERR-ERR-002"),
    "v2-missing-args-unnamed": ("V2G-ERR-002", "ERR-ERR-003", "LOGIN-ERR-002"),
    "v1-errors-http-200": ("V1Q-ERR-002", "UPC-ERR-001"),
    "img-face-id-not-served": ("IMG-SCHEMA-002", "V2EV-SCHEMA-005"),
    "v2-getevent-unknown-empty": ("V2G-ERR-003", "ERR-ERR-007"),
    "v2-500-on-bad-input": ("ERR-ERR-008", "ERR-ERR-005"),
    "v2-stranger-generated-id": ("V2EV-SCHEMA-002", "V2EV-SCHEMA-026"),
    "v2-stranger-register-image-kept": ("V2EV-SCHEMA-004", "V2EV-SCHEMA-026"),
    "ps-matched-info-empty": ("PS-SCHEMA-012", "PS-SCHEMA-013"),
    "upload-matched-info-empty": ("UP-SCHEMA-004", "UP-SCHEMA-005"),
    "ws-ignore-event-list": ("WS-WS-007",),
    "upload-pictures-ignore-flags": ("UP-UPLOAD-008",),
    "upload-lost-when-down": ("UP-UPLOAD-003",),
}
# Faults whose selection must fail as a whole, each failure naming one of the fault's requirements.
EVERY_SELECTED_TEST_FAILS = ("v2-feature-wrong-length", "v2-timestamp-string")


def selected_tests(selection: str) -> list[str]:
    """The test (or module) names a -k selection mentions."""
    return TEST_NAME.findall(selection)


def killed_through_a_variation(fault: Fault) -> bool:
    """True when a variation implying the fault carries the selection (test_variations.py kills it)."""
    return any(v.caught_by and fault.name in v.implies for v in CATALOG.variations())


def family_faults(family: str) -> list[Fault]:
    """The faults a family's kill test runs: those with a selection, not killed through a variation."""
    return [
        f
        for f in CATALOG.family(family)
        if f.kind == "fault" and f.caught_by and not killed_through_a_variation(f)
    ]


def _shares_a_test(one: Fault, other: Fault) -> bool:
    return bool(set(selected_tests(one.caught_by)) & set(selected_tests(other.caught_by)))


@cache
def batches() -> tuple[tuple[Fault, ...], ...]:
    """The push-side faults in runs of at most one per family, no two caught by the same test."""
    groups: list[list[Fault]] = []
    for fault in (f for family in BATCHED_FAMILIES for f in family_faults(family)):
        for group in groups:
            if all(f.family != fault.family and not _shares_a_test(f, fault) for f in group):
                group.append(fault)
                break
        else:
            groups.append([fault])
    return tuple(tuple(group) for group in groups)


def batch_of(fault: Fault) -> tuple[Fault, ...]:
    """The faults switched on together with `fault` (just itself outside the push-side families)."""
    for group in batches():
        if fault in group:
            return group
    return (fault,)


@cache
def _run(faults: tuple[str, ...], selection: str, run_args: tuple[str, ...] = ()) -> SuiteOutcome:
    return run_suite(selection, list(faults), run_args=run_args)


def kill_run(fault: Fault) -> SuiteOutcome:
    """The strict child run with the fault (and its batch) on, over the batch's selections."""
    group = batch_of(fault)
    selection = " or ".join(f"({f.caught_by})" for f in group) if len(group) > 1 else fault.caught_by
    return _run(tuple(f.name for f in group), selection)


def names(test: TestOutcome, requirement: str) -> bool:
    """True when one of the failed test's findings names the requirement (its markers and text do not
    count: a crash of a test carrying the id is no kill)."""
    return requirement in test.finding_requirements


def catching(outcome: SuiteOutcome, fault: Fault) -> list[TestOutcome]:
    """The failed tests of the fault's own selection (by test name), but for unstable ones: a test that
    fails on a clean run (either profile, shared) never counts as a kill."""
    wanted = selected_tests(fault.caught_by)
    unstable = failing_anywhere((clean_run(STRICT), clean_run(LENIENT)))
    return [t for t in outcome.failed() if any(n in t.nodeid for n in wanted) and t.nodeid not in unstable]


def assert_caught(fault: Fault) -> None:
    """The fault's run fails its selection; its failures' findings name one of the fault's requirement
    ids, and each id it must name (MUST_NAME, else its first requirement)."""
    outcome = kill_run(fault)
    assert outcome.exit_code == ExitCode.CHECKS_FAILED, outcome.describe()
    caught = catching(outcome, fault)
    assert caught, f"--fault {fault.name}: no test of {fault.caught_by!r} failed\n{outcome.describe()}"
    assert any(names(t, r) for t in caught for r in fault.requirements), outcome.describe()
    for requirement in MUST_NAME.get(fault.name, fault.requirements[:1]):
        assert any(names(t, requirement) for t in caught), (
            f"--fault {fault.name}: no failure names {requirement}\n{outcome.describe()}"
        )
    if fault.name in EVERY_SELECTED_TEST_FAILS:
        assert not outcome.passed, outcome.describe()
        for test in outcome.failed():
            assert any(names(test, r) for r in fault.requirements), f"{test.nodeid}: {test.text[:2000]}"


def clean_selection() -> str:
    """Every kill selection of the catalog and the modules of the families' clean runs."""
    selections = dict.fromkeys([*CLEAN_MODULES, *(f.caught_by for f in CATALOG.all() if f.caught_by)])
    return " or ".join(f"({s})" for s in selections)


def clean_run(run_args: Sequence[str] = STRICT) -> SuiteOutcome:
    """The shared child run without faults (one per profile and process)."""
    return _run((), clean_selection(), tuple(run_args))


def assert_clean(family: str, run_args: Sequence[str] = STRICT) -> None:
    """Without faults the shared run passes, skips nothing, and each of the family's catching tests ran."""
    outcome = clean_run(run_args)
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert not outcome.failed_tests and not outcome.skipped, outcome.describe()
    for fault in CATALOG.family(family):
        for name in selected_tests(fault.caught_by):
            assert any(name in node for node in outcome.passed), f"{fault.name}: {name} did not run clean"
