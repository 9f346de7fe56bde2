"""Kill tests of the error-envelope faults (conformance/emulator/faults/error_envelopes.py): each fault with a
kill selection fails it in a strict child run, naming its requirement; without faults the selections pass.

Every case runs `sophon-conformance run` in a child process against a fresh emulator (see catalog_kills.py).
"""

from __future__ import annotations

import pytest

from conformance.emulator.faults.model import Fault
from tests.kill.catalog_kills import assert_caught, assert_clean, family_faults

FAMILY = "error_envelopes"
FAULTS = family_faults(FAMILY)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_caught_and_named(fault: Fault) -> None:
    """A strict run with the fault fails its selection, and a failure names the broken requirement."""
    assert_caught(fault)


def test_clean_run_passes() -> None:
    """Without faults every catching test of the family passes (the shared clean run; nothing skips)."""
    assert_clean(FAMILY)
