"""Kill tests of the small-call faults (conformance/emulator/faults/v2_small_calls.py: getevent,
getspotimage, devices, login, version): each fault with a kill selection fails it in a strict child run,
naming its requirement; without faults the selections pass; E30's lenient reading passes under lenient.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see catalog_kills.py).
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults.catalog import CATALOG
from conformance.emulator.faults.model import Fault
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import run_suite
from tests.kill.catalog_kills import LENIENT, assert_caught, assert_clean, family_faults

FAMILY = "v2_small_calls"
FAULTS = family_faults(FAMILY)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_caught_and_named(fault: Fault) -> None:
    """A strict run with the fault fails its selection, and a failure names the broken requirement."""
    assert_caught(fault)


def test_clean_run_passes() -> None:
    """Without faults every catching test of the family passes (the shared clean run; nothing skips)."""
    assert_clean(FAMILY)


def test_seconds_only_image_box_passes_under_lenient() -> None:
    """E30: a box that wants getspotimage timestamps in seconds fails strict (above) and passes lenient."""
    seconds_only = CATALOG.get("img-timestamp-seconds-only")
    face_served = CATALOG.get("img-face-id-not-served")
    selection = f"{seconds_only.caught_by} or {face_served.caught_by}"
    outcome = run_suite(selection, [seconds_only.name], run_args=LENIENT)
    assert outcome.exit_code == ExitCode.OK and len(outcome.passed) == 2, outcome.describe()
