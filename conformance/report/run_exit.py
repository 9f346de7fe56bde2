"""The exit code of a finished run from its records, so CI can tell a box defect from a harness error."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.report.records import RECORDS_FILE, TestRecord, read_records
from conformance.spec.loader import SpecFileError


def exit_code_from_records(pytest_code: ExitCode, records: Sequence[TestRecord]) -> ExitCode:
    """Checks failed only when a failure carried a finding; failures without one are harness errors.

    Any failure with a finding (a deviation or a transport failure of the box) gives CHECKS_FAILED; when
    every failure is a harness error the run ends with TEST_HARNESS_ERRORS. Other codes pass unchanged.
    """
    if pytest_code != ExitCode.CHECKS_FAILED:
        return pytest_code
    failing = [record for record in records if record.failing]
    if failing and all(record.harness_error for record in failing):
        return ExitCode.TEST_HARNESS_ERRORS
    return pytest_code


def run_exit_code(pytest_code: ExitCode, run_dir: Path) -> ExitCode:
    """`exit_code_from_records` over a run folder's results.jsonl (unreadable records change nothing)."""
    try:
        records = read_records(run_dir / RECORDS_FILE)
    except SpecFileError:
        return pytest_code
    return exit_code_from_records(pytest_code, records)
