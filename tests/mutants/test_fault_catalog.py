"""The fault catalog: enough faults, every area covered, real requirement ids, names the emulator honours."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.emulator.faults import (
    FAULT,
    REGISTRY,
    VARIATION,
    DuplicateFaultError,
    Fault,
    FaultRegistry,
    FaultSwitchboard,
    UnknownFaultError,
)
from conformance.spec.requirements import load_requirements

CHILD_TIMEOUT_S = 60
AREAS = {"pagination", "filters", "timestamps", "picture-search", "websocket", "uploads", "errors", "schema"}


def _known_ids() -> set[str]:
    return set(load_requirements().ids)


def test_the_catalog_holds_at_least_30_faults_over_every_area() -> None:
    faults = REGISTRY.faults()
    assert len(faults) >= 30
    assert {f.area for f in faults} == AREAS


def test_every_fault_names_known_requirements_and_one_line() -> None:
    known = _known_ids()
    for fault in REGISTRY.faults():
        assert fault.requirements, fault.name
        assert set(fault.requirements) <= known, (fault.name, set(fault.requirements) - known)
        assert fault.description and "\n" not in fault.description, fault.name


def test_every_variation_names_what_it_exercises() -> None:
    variations = REGISTRY.variations()
    assert len(variations) >= 5
    for variation in variations:
        assert variation.kind == VARIATION and variation.errata and not variation.requirements
        for implied in variation.implies:
            assert REGISTRY.get(implied).kind == FAULT


def test_the_emulator_honours_registered_names_only() -> None:
    """The WebSocket and upload modules check faults by name: each name must be in the catalog."""
    from conformance.emulator.uploader import UPLOAD_FAULTS
    from conformance.emulator.websocket_server import WS_FAULTS

    for name in (*WS_FAULTS, *UPLOAD_FAULTS):
        assert REGISTRY.get(name).kind == FAULT


def test_picture_search_faults_are_found_without_importing_their_module_first() -> None:
    code = (
        "import sys; from conformance.emulator.faults import REGISTRY; "
        "assert 'conformance.emulator.routes_picture_search' not in sys.modules; "
        "print(REGISTRY.get('ps-threshold-wrong-scale').area)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "picture-search", done.stderr


def test_unknown_and_duplicate_names_are_refused() -> None:
    with pytest.raises(UnknownFaultError, match="v2-page-one-based"):
        REGISTRY.get("no-such-fault")
    registry = FaultRegistry()
    registry.register(Fault("a", "one", ("V2Q-PAGE-001",), "pagination"))
    with pytest.raises(DuplicateFaultError):
        registry.register(Fault("a", "two", ("V2Q-PAGE-001",), "pagination"))


def test_a_variation_switches_on_what_it_implies_and_off_again() -> None:
    registry = FaultRegistry()
    registry.register(Fault("f", "fault", ("V2Q-PAGE-001",), "pagination"))
    registry.register(Fault("v", "variation", (), "variation", VARIATION, ("E01",), ("f",)))
    board = FaultSwitchboard(registry)
    assert not board.active("f")
    board.enable(["v"])
    assert board.active("f") and board.active_names() == ["v"]
    board.disable(["v"])
    assert not board.active("f")
    with pytest.raises(UnknownFaultError):
        board.enable(["v", "nope"])
    assert board.active_names() == []
