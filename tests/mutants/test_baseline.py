"""The schemathesis-alone baseline: findings from its JUnit report, kills judged against the clean run."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conformance.mutants.baseline import (
    BaselineRun,
    new_findings,
    read_findings,
    run_baseline,
    schemathesis_argv,
)
from conformance.mutants.standalone import EmulatorStartError, StandaloneEmulator

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="schemathesis">
  <testcase name="POST /sophon/v2/face/getevents"><failure type="failure" message="ST204">x</failure>
    <failure type="failure" message="ST100">y</failure></testcase>
  <testcase name="GET /SophonFace/api/events"/>
</testsuite></testsuites>
"""


def test_findings_are_operation_and_check_code(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(JUNIT, encoding="utf-8")
    findings = read_findings(path)
    assert findings == {
        ("POST /sophon/v2/face/getevents", "ST204"),
        ("POST /sophon/v2/face/getevents", "ST100"),
    }
    clean = BaselineRun("clean", 1, frozenset({("POST /sophon/v2/face/getevents", "ST204")}))
    assert new_findings(BaselineRun("f", 1, findings), clean) == {("POST /sophon/v2/face/getevents", "ST100")}


def test_the_command_never_fuzzes_the_upload_url_and_uses_all_checks(tmp_path: Path) -> None:
    argv = schemathesis_argv("http://127.0.0.1:1", tmp_path / "j.xml", 7)
    assert argv[argv.index("--checks") + 1] == "all" and argv[argv.index("--max-examples") + 1] == "7"
    assert argv[argv.index("--exclude-operation-id") + 1] == "setHistoryEventUrl"


def test_standalone_emulator_serves_with_its_fault_and_stops(tmp_path: Path) -> None:
    with StandaloneEmulator(tmp_path / "emu", ["v2-500-on-bad-input"]) as emulator:
        response = requests.post(
            f"{emulator.url}/sophon/v2/face/getevents", json={"page_limit": "x"}, timeout=10
        )
        assert response.status_code == 500
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{emulator.url}/sophon/v2/face/getevents", json={}, timeout=5)


def test_standalone_emulator_reports_a_failed_start(tmp_path: Path) -> None:
    with pytest.raises(EmulatorStartError, match="exited before serving"):
        StandaloneEmulator(tmp_path / "emu", ["no-such-fault"]).__enter__()


def test_schemathesis_alone_notices_a_5xx_fault_but_not_the_clean_box(tmp_path: Path) -> None:
    clean = run_baseline("clean", (), tmp_path, max_examples=5)
    faulty = run_baseline("v2-500-on-bad-input", ("v2-500-on-bad-input",), tmp_path, max_examples=5)
    assert not clean.problem and not faulty.problem
    assert any(op == "POST /sophon/v2/face/getevents" for op, _ in new_findings(faulty, clean)), faulty


def test_the_blind_baseline_fuzzes_a_site_mode_emulator(tmp_path: Path) -> None:
    argv = StandaloneEmulator(tmp_path, ["v2-500-on-bad-input"], site=True).argv()
    assert "--site" in argv and "--scenario" not in argv and "--clock" not in argv and "--control" not in argv
    assert argv[argv.index("--fault") + 1] == "v2-500-on-bad-input"
    assert "--scenario" in StandaloneEmulator(tmp_path).argv()  # control mode: the frozen scenario
