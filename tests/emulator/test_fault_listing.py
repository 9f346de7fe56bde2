"""The catalog is data the box serves: GET /_emulator/faults and `emulator --list-faults` give the same JSON,
and `emulator --fault NAME` switches a fault on at start (for a box without control plane)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conformance.cli.main import build_parser
from conformance.emulator.faults.catalog import CATALOG
from conformance.exit_codes import ExitCode
from conformance.paths import PROJECT_ROOT
from tests.emulator.conftest import Box

CHILD_TIMEOUT_S = 120


def _emulator_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", "emulator", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )


def test_the_control_plane_serves_the_catalog(box: Box) -> None:
    listing = box.ok("GET", "faults")
    assert listing == json.loads(json.dumps(CATALOG.listing([])))
    assert set(listing) == {"active", "known", "faults"}
    entry = next(f for f in listing["faults"] if f["name"] == "ws-spot-pic-path")
    assert entry["requirements"] == ["WS-SCHEMA-011"] and entry["family"] == "websocket"
    assert entry["observable_without_control"] is True and not entry["blind_reason"]  # live pushes show it
    switched = box.ok("POST", "faults", {"enable": ["var-e01-filters-in-seconds"]})
    assert switched["active"] == ["var-e01-filters-in-seconds"]
    assert switched["faults"] == listing["faults"]


def test_list_faults_prints_what_the_control_plane_serves() -> None:
    done = _emulator_cli("--list-faults", "--fault", "v2-page-one-based")
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads(done.stdout) == json.loads(json.dumps(CATALOG.listing(["v2-page-one-based"])))


def test_list_faults_refuses_an_unknown_fault() -> None:
    done = _emulator_cli("--list-faults", "--fault", "no-such-fault")
    assert done.returncode == ExitCode.USAGE_ERROR
    assert "no-such-fault" in done.stderr and "v2-page-one-based" in done.stderr


@pytest.mark.parametrize("names", [["ws-spot-pic-path"], ["v2-page-one-based", "var-keys-reversed"]])
def test_fault_flags_switch_faults_on_at_start(names: list[str]) -> None:
    from conformance.cli.emulator_cmd import emulator_config

    parser, _ = build_parser()
    argv = ["emulator", "--http-port", "0"]
    for name in names:
        argv += ["--fault", name]
    assert emulator_config(parser.parse_args(argv)).faults == names
