"""The gate on coverage: a minimum share of MUST requirements exercised, and never fewer than the baseline."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.report.gate import Change, compare, render
from tests.report.summaries import summary, write

PASS, SHOULD_PASS = ("MUST", "pass"), ("SHOULD", "pass")
BASELINE = summary(A_B_001=PASS, A_B_002=("MUST", "fail"), A_B_003=PASS, A_B_004=SHOULD_PASS)
ALL_PASS = summary(A_B_001=PASS, A_B_002=PASS, A_B_003=PASS, A_B_004=SHOULD_PASS)


def test_the_same_coverage_passes() -> None:
    result = compare(BASELINE, ALL_PASS, {}, against_baseline=True)
    assert result.coverage is not None and result.coverage.current == 3 and result.coverage.must_total == 3
    assert not result.coverage_problems and result.passed


def test_fewer_must_exercised_than_the_baseline_fails_even_without_a_failure() -> None:
    quieter = summary(
        A_B_001=PASS,
        A_B_002=PASS,
        A_B_003=("MUST", "not-exercised"),  # a quiet box: not a failure, but less was judged
        A_B_004=SHOULD_PASS,
    )
    result = compare(BASELINE, quieter, {})
    assert [c.id for c in result.of(Change.COVERAGE_LOST)] == ["A-B-003"]
    assert not result.blocking and not result.passed
    assert "fewer MUST requirements exercised than in the baseline: 2 of the 3" in render(result, "text")
    assert compare(BASELINE, quieter, {}, against_baseline=False).passed


def test_a_should_losing_coverage_does_not_count() -> None:
    lost_should = summary(A_B_001=PASS, A_B_002=PASS, A_B_003=PASS, A_B_004=("SHOULD", "skipped"))
    assert compare(BASELINE, lost_should, {}).passed


@pytest.mark.parametrize(("minimum", "passed"), [(0.66, True), (0.67, False), (None, True)])
def test_minimum_share_of_must_exercised(minimum: float | None, passed: bool) -> None:
    thin = summary(A_B_001=PASS, A_B_002=PASS, A_B_003=("MUST", "not-covered"))
    baseline = summary(A_B_001=PASS, A_B_002=PASS)
    result = compare(baseline, thin, {}, min_must_exercised=minimum)
    assert result.passed is passed, result.coverage_problems
    if not passed:
        assert "2/3 (67%) below the minimum 67%" in result.coverage_problems[0]


def test_coverage_in_json_and_junit() -> None:
    quiet = summary(A_B_001=("MUST", "not-exercised"), A_B_002=("MUST", "fail"), A_B_003=("MUST", "pass"))
    result = compare(BASELINE, quiet, {}, min_must_exercised=0.9)
    data = json.loads(render(result, "json"))
    assert data["passed"] is False and data["coverage"]["must_exercised"] == 2
    assert len(data["coverage"]["problems"]) == 2
    suite = ET.fromstring(render(result, "junit")).find("testsuite")
    assert suite is not None
    case = next(c for c in suite.iter("testcase") if c.get("classname") == "gate.coverage")
    assert len(case.findall("failure")) == 2


def test_command_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", BASELINE)
    quiet = summary(A_B_001=PASS, A_B_002=("MUST", "fail"), A_B_003=("MUST", "skipped"), A_B_004=SHOULD_PASS)
    new = write(tmp_path / "new.json", quiet)
    base = ["gate", "--baseline", str(old), "--current", str(new), "--today", "2026-06-01"]
    # A-B-002 fails in both runs and blocks on its own; waive it to see coverage decide
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {requirement: A-B-002, reason: r, owner: bob, expires: 2026-06-30}\n", encoding="utf-8"
    )
    with_waiver = [*base, "--waivers", str(waivers)]
    assert main(with_waiver) == 1
    assert "fewer MUST requirements exercised" in capsys.readouterr().out
    assert main([*with_waiver, "--allow-fewer-exercised"]) == 0
    assert main([*with_waiver, "--allow-fewer-exercised", "--min-must-exercised", "0.9"]) == 1
    assert "below the minimum 90%" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main([*base, "--min-must-exercised", "1.5"])
    assert refused.value.code == 2
