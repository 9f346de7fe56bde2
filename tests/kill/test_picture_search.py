"""Kill tests of the picture-search faults (conformance/emulator/faults/picture_search.py): each fault with a
kill selection fails it in a strict child run, naming its requirement; without faults the selections pass;
E23's lenient reading (matched persons without face_ids/image_id) passes under lenient.

Picture search, WebSocket and upload faults act on separate interfaces: their runs are batched with at most
one fault per family (catalog_kills.batches), so the three families share their child runs.
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.model import Fault
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import run_suite
from tests.kill.catalog_kills import (
    BATCHED_FAMILIES,
    LENIENT,
    assert_caught,
    assert_clean,
    batches,
    family_faults,
    selected_tests,
)

FAMILY = "picture_search"
FAULTS = family_faults(FAMILY)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_caught_and_named(fault: Fault) -> None:
    """A strict run with the fault fails its selection, and a failure names the broken requirement."""
    assert_caught(fault)


def test_clean_run_passes() -> None:
    """Without faults every catching test of the family passes (the shared clean run; nothing skips)."""
    assert_clean(FAMILY)


def test_batches_cover_every_push_side_fault_once() -> None:
    grouped = [fault.name for group in batches() for fault in group]
    expected = [f.name for family in BATCHED_FAMILIES for f in family_faults(family)]
    assert sorted(grouped) == sorted(expected)
    for group in batches():
        assert len({f.family for f in group}) == len(group), f"two faults of one family in {group}"
        names = [n for f in group for n in set(selected_tests(f.caught_by))]
        assert len(names) == len(set(names)), f"two faults of {group} are caught by one test"
    assert len(batches()) < len(grouped), "batching saves no run"


def test_bare_matched_info_passes_under_lenient() -> None:
    """E23: matched persons without face_ids/image_id fail strict (above) and pass lenient."""
    search, upload = CATALOG.get("ps-matched-info-empty"), CATALOG.get("upload-matched-info-empty")
    outcome = run_suite(
        f"{search.caught_by} or {upload.caught_by}", [search.name, upload.name], run_args=LENIENT
    )
    assert outcome.exit_code == ExitCode.OK and len(outcome.passed) == 2, outcome.describe()
