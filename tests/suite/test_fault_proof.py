"""Fault proof of the harness core: an emulator fault makes the schema/error areas fail, naming it.

Each case runs a narrow selection in a child `sophon-conformance run --fault …` against a fresh embedded
emulator (mutants/child_run.py) and asserts the run fails with a failure whose text carries the broken
requirement id; the clean run shows the same selection passes. The E02 variation proves the profile:
seconds timestamps fail the strict reading and pass the lenient one.
"""

from __future__ import annotations

from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import SuiteOutcome, run_suite

V2_FUZZ = "test_v2_getevents_conforms"
SELECTION = f"{V2_FUZZ} or test_v2_invalid_arguments"


def _fails_naming(outcome: SuiteOutcome, requirement_id: str) -> None:
    assert outcome.exit_code == ExitCode.CHECKS_FAILED, outcome.describe()
    assert outcome.failures_naming(requirement_id), f"no failure names {requirement_id}\n{outcome.describe()}"


def test_clean_emulator_passes_the_selection() -> None:
    outcome = run_suite(SELECTION, ())
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert len(outcome.passed) >= 2 and not outcome.failed_tests


def test_500_on_bad_input_fails_naming_the_no_5xx_requirement() -> None:
    outcome = run_suite(SELECTION, ("v2-500-on-bad-input",))
    _fails_naming(outcome, "V2Q-ERR-003")
    assert any(V2_FUZZ in nodeid for nodeid in outcome.failures_naming("V2Q-ERR-003"))


def test_dropped_required_field_fails_naming_the_event_table_requirement() -> None:
    outcome = run_suite(V2_FUZZ, ("v2-drop-required-field",))
    _fails_naming(outcome, "V2EV-SCHEMA-008")  # the finding names the dropped field's requirement
    assert any("user_type" in text for text in outcome.failed_tests.values()), outcome.describe()


def test_seconds_timestamps_fail_strict_and_pass_lenient() -> None:
    strict = run_suite(V2_FUZZ, ("var-e02-seconds-timestamps",))
    _fails_naming(strict, "V2EV-TIME-001")  # the finding names the timestamp's requirement
    assert any("E02" in text for text in strict.failed_tests.values()), strict.describe()
    lenient = run_suite(V2_FUZZ, ("var-e02-seconds-timestamps",), extra=("--profile=lenient",))
    assert lenient.exit_code == ExitCode.OK, lenient.describe()
