"""Gate logic over hand-made summaries, and the `gate` command's exit codes and formats."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.report.gate import Change, classify, compare, render
from conformance.report.waivers import Waiver
from tests.report.summaries import summary, write

TODAY = dt.date(2026, 6, 1)


def waiver(requirement: str, expires: dt.date) -> dict[str, Waiver]:
    return {requirement: Waiver(requirement, "vendor fix in 2.4", "alice", expires)}


def test_regression_of_a_must_blocks() -> None:
    result = compare(summary(A_B_001=("MUST", "pass")), summary(A_B_001=("MUST", "fail")), today=TODAY)
    assert [c.id for c in result.of(Change.REGRESSION)] == ["A-B-001"]
    assert not result.passed
    assert [c.id for c in result.blocking] == ["A-B-001"]


def test_unchanged_pass_passes() -> None:
    result = compare(summary(A_B_001=("MUST", "pass")), summary(A_B_001=("MUST", "pass")), today=TODAY)
    assert result.passed
    assert result.of(Change.UNCHANGED)


def test_fix_is_reported_and_passes() -> None:
    result = compare(summary(A_B_001=("MUST", "fail")), summary(A_B_001=("MUST", "pass")), today=TODAY)
    assert [c.id for c in result.of(Change.FIX)] == ["A-B-001"]
    assert result.passed


def test_still_failing_must_blocks_even_without_regression() -> None:
    result = compare(summary(A_B_001=("MUST", "fail")), summary(A_B_001=("MUST", "fail")), today=TODAY)
    assert result.of(Change.STILL_FAILING) and not result.passed


def test_harness_error_on_a_must_blocks() -> None:
    result = compare(summary(A_B_001=("MUST", "pass")), summary(A_B_001=("MUST", "error")), today=TODAY)
    assert not result.passed


def test_should_regression_is_reported_but_does_not_block() -> None:
    result = compare(summary(A_B_001=("SHOULD", "pass")), summary(A_B_001=("SHOULD", "fail")), today=TODAY)
    assert result.of(Change.REGRESSION)
    assert result.passed


def test_waived_failure_passes() -> None:
    result = compare(
        summary(A_B_001=("MUST", "pass")),
        summary(A_B_001=("MUST", "fail")),
        waiver("A-B-001", TODAY),  # valid through its expiry day
        today=TODAY,
    )
    assert result.passed
    (change,) = result.of(Change.REGRESSION)
    assert change.waived and not change.blocking


def test_expired_waiver_fails_the_gate() -> None:
    result = compare(
        summary(A_B_001=("MUST", "pass")),
        summary(A_B_001=("MUST", "fail")),
        waiver("A-B-001", TODAY - dt.timedelta(days=1)),
        today=TODAY,
    )
    assert not result.passed
    assert [w.requirement for w in result.expired_waivers] == ["A-B-001"]
    assert result.blocking[0].waiver_expired


def test_expired_waiver_fails_even_when_the_requirement_passes() -> None:
    result = compare(
        summary(A_B_001=("MUST", "pass")),
        summary(A_B_001=("MUST", "pass")),
        waiver("A-B-001", TODAY - dt.timedelta(days=1)),
        today=TODAY,
    )
    assert not result.passed and not result.blocking


def test_new_requirement_not_covered_passes_and_is_listed() -> None:
    result = compare(
        summary(A_B_001=("MUST", "pass")),
        summary(A_B_001=("MUST", "pass"), A_B_002=("MUST", "not-covered")),
        today=TODAY,
    )
    assert [c.id for c in result.of(Change.NEW_REQUIREMENT)] == ["A-B-002"]
    assert result.passed


def test_new_requirement_that_fails_blocks() -> None:
    result = compare(
        summary(A_B_001=("MUST", "pass")),
        summary(A_B_001=("MUST", "pass"), A_B_002=("MUST", "fail")),
        today=TODAY,
    )
    assert [c.id for c in result.of(Change.NEW_FAILURE)] == ["A-B-002"]
    assert not result.passed


def test_newly_covered_requirement() -> None:
    result = compare(summary(A_B_001=("MUST", "not-covered")), summary(A_B_001=("MUST", "pass")), today=TODAY)
    assert [c.id for c in result.of(Change.NEWLY_COVERED)] == ["A-B-001"]


def test_removed_requirement_is_listed_and_does_not_block() -> None:
    result = compare(
        summary(A_B_001=("MUST", "fail"), A_B_002=("MUST", "pass")),
        summary(A_B_002=("MUST", "pass")),
        today=TODAY,
    )
    assert [c.id for c in result.of(Change.REMOVED)] == ["A-B-001"]
    assert result.passed


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("pass", "skipped", Change.COVERAGE_LOST),
        ("skipped", "skipped", Change.UNCHANGED),
        (None, "skipped", Change.NEW_REQUIREMENT),
        ("error", "fail", Change.STILL_FAILING),
        ("not-covered", "fail", Change.NEW_FAILURE),
    ],
)
def test_classify(before: str | None, after: str, change: Change) -> None:
    assert classify(before, after) is change


def test_formats() -> None:
    result = compare(summary(A_B_001=("MUST", "pass")), summary(A_B_001=("MUST", "fail")), today=TODAY)
    assert "Regressions (pass -> fail): 1" in render(result, "text")
    assert "GATE FAILED" in render(result, "text")
    data = json.loads(render(result, "json"))
    assert data["passed"] is False and data["blocking"] == ["A-B-001"]
    suite = ET.fromstring(render(result, "junit")).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


# --- the command -----------------------------------------------------------------------------------


def gate(tmp_path: Path, baseline: dict[str, object], current: dict[str, object], *extra: str) -> int:
    old = write(tmp_path / "old.json", baseline)
    new = write(tmp_path / "new.json", current)
    return main(["gate", "--baseline", str(old), "--current", str(new), "--today", "2026-06-01", *extra])


def test_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    passing = summary(V2Q_PAGE_001=("MUST", "pass"))
    failing = summary(V2Q_PAGE_001=("MUST", "fail"))
    assert gate(tmp_path, passing, passing) == 0
    assert gate(tmp_path, passing, failing) == 1
    assert "V2Q-PAGE-001" in capsys.readouterr().out


def test_command_waivers_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - {requirement: V2Q-PAGE-001, reason: r, owner: bob, expires: 2026-06-30}\n",
        encoding="utf-8",
    )
    old, new = summary(V2Q_PAGE_001=("MUST", "pass")), summary(V2Q_PAGE_001=("MUST", "fail"))
    assert gate(tmp_path, old, new, "--waivers", str(waivers), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["changes"]["regression"][0]["waived"] is True


def test_command_junit_to_file(tmp_path: Path) -> None:
    out = tmp_path / "gate.xml"
    old, new = summary(V2Q_PAGE_001=("MUST", "pass")), summary(V2Q_PAGE_001=("MUST", "fail"))
    assert gate(tmp_path, old, new, "--format", "junit", "--output", str(out)) == 1
    assert ET.parse(out).getroot().tag == "testsuites"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "summary not found"),
        ("{not json", "corrupt summary"),
        ("[1, 2]", "top level must be a JSON object"),
        ('{"run_id": "x"}', "no 'requirements' list"),
        ('{"requirements": [{"id": "A-B-001", "level": "MUST", "verdict": "great"}]}', "'verdict' must be"),
    ],
)
def test_bad_summary_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    good = write(tmp_path / "good.json", summary(V2Q_PAGE_001=("MUST", "pass")))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    assert main(["gate", "--baseline", str(good), "--current", str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{requirement: V2Q-PAGE-999, reason: r, owner: o, expires: 2026-01-01}", "unknown requirement id"),
        ("{requirement: V2Q-PAGE-001, reason: r, owner: o, expires: 2026-13-45}", "bad date"),
        ("{requirement: V2Q-PAGE-001, reason: r, owner: o, expires: soon}", "bad date"),
        ("{requirement: V2Q-PAGE-001, reason: r, expires: 2026-01-01}", "missing owner"),
    ],
)
def test_bad_waiver_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str, message: str
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"waivers:\n  - {entry}\n", encoding="utf-8")
    passing = summary(V2Q_PAGE_001=("MUST", "pass"))
    assert gate(tmp_path, passing, passing, "--waivers", str(waivers)) == 2
    err = capsys.readouterr().err
    assert message in err and "waivers.yaml:2" in err and "Traceback" not in err


def test_unparsable_waiver_yaml_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: [unclosed\n", encoding="utf-8")
    passing = summary(V2Q_PAGE_001=("MUST", "pass"))
    assert gate(tmp_path, passing, passing, "--waivers", str(waivers)) == 2
    assert "invalid YAML" in capsys.readouterr().err
