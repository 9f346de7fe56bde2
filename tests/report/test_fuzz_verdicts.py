"""A schemathesis operation failing on one field fails only the requirements its findings name (issue 16.4).

One child `sophon-conformance run` of the v2 fuzz test against the emulator with a field dropped: before
verdicts came from findings, every id on the test's markers failed with it (twenty-odd requirements).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from schemathesis.core.failures import FailureGroup, ServerError

from conformance.clients.failures import ConformanceFailure
from conformance.exit_codes import ExitCode
from conformance.suite.support.schemathesis_findings import findings_of, raise_as_findings
from tests.suite.evidence_run import run_selection


def test_one_dropped_field_fails_only_its_requirements(tmp_path: Path) -> None:
    run = run_selection(
        tmp_path, "--no-html", "--fault", "v2-drop-required-field", "--", "-k", "test_v2_getevents_conforms"
    )
    assert run.exit_code == ExitCode.CHECKS_FAILED, run.output
    summary = json.loads((run.run_dir / "summary.json").read_text(encoding="utf-8"))
    carried = [row for row in summary["requirements"] if row["tests"]]
    failing = sorted(row["id"] for row in carried if row["verdict"] == "fail")
    assert failing == ["V2EV-SCHEMA-008", "V2EV-SCHEMA-025"], failing  # the fault's field requirements
    others = [row for row in carried if row["verdict"] != "fail"]
    assert len(others) > 10 and all(row["verdict"] == "not-exercised" for row in others)
    assert all(row["reasons"][0].startswith("not judged: ") for row in others)
    assert all(test["role"] == "not-judged" for row in others for test in row["tests"])


def test_schemathesis_failures_become_findings_and_a_crash_stays_a_crash() -> None:
    server_error = ServerError(operation="POST getevents", status_code=500, title="Server error")
    with pytest.raises(ConformanceFailure) as raised:
        raise_as_findings(FailureGroup([server_error], "1 failure"), "v2GetEvents")
    assert raised.value.requirement_ids == ("V2Q-ERR-003",)  # bad input got a 5xx: not the marker ids
    ours = ConformanceFailure.of("field missing", ["V2EV-SCHEMA-008"])
    assert [f.requirement_ids for f in findings_of(ours, "v2GetEvents")] == [("V2EV-SCHEMA-008",)]
    crash = ExceptionGroup("mixed", [KeyError("missing"), ValueError("x")])
    assert findings_of(crash, "v2GetEvents") == []
    with pytest.raises(ExceptionGroup):
        raise_as_findings(crash, "v2GetEvents")
