"""Records, the requirement matrix and summary.json/.md built from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.checks.findings import FindingCategory
from conformance.report.matrix import Verdict, build_matrix, verdict_of
from conformance.report.records import (
    ObservedReading,
    Outcome,
    RecordWriter,
    TestRecord,
    read_records,
)
from conformance.report.summary import build_summary, load_summary, render_summary_md, write_summary
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import load_requirements

CATALOG = list(load_requirements())
FIRST, SECOND, THIRD = (r.id for r in CATALOG[:3])


def rec(
    outcome: Outcome,
    *ids: str,
    category: FindingCategory | None = None,
    reason: str = "",
    named: tuple[str, ...] = (),
    exchanges: int = 1,
) -> TestRecord:
    """A record; a failure's findings name `named`, and every test made `exchanges` exchanges."""
    return TestRecord(
        f"t.py::{outcome}-{'-'.join(ids)}-{category}",
        outcome,
        ids,
        category,
        skip_reason=reason,
        exchanges=exchanges,
        findings=len(named),
        finding_requirement_ids=named,
    )


SCHEMA, HARNESS, TRANSPORT = FindingCategory.SCHEMA, FindingCategory.HARNESS, FindingCategory.TRANSPORT


@pytest.mark.parametrize(
    ("records", "verdict"),
    [
        ([], Verdict.NOT_COVERED),
        ([rec(Outcome.PASSED, "X")], Verdict.PASS),
        ([rec(Outcome.PASSED, "X"), rec(Outcome.FAILED, "X", category=SCHEMA, named=("X",))], Verdict.FAIL),
        ([rec(Outcome.PASSED, "X"), rec(Outcome.ERROR, "X", category=HARNESS)], Verdict.PASS),
        ([rec(Outcome.ERROR, "X", category=HARNESS), rec(Outcome.SKIPPED, "X")], Verdict.HARNESS_ERROR),
        ([rec(Outcome.SKIPPED, "X", reason="no v1")], Verdict.SKIPPED),
        ([rec(Outcome.FAILED, "X", category=TRANSPORT, named=("X",))], Verdict.FAIL),
        ([rec(Outcome.FAILED, "X", category=TRANSPORT, named=("Y",))], Verdict.NOT_EXERCISED),
        ([rec(Outcome.FAILED, "X", category=TRANSPORT)], Verdict.NOT_EXERCISED),
        ([rec(Outcome.PASSED, "X", exchanges=0)], Verdict.NOT_EXERCISED),
        (
            [rec(Outcome.NOT_EXERCISED, "X", reason="no push"), rec(Outcome.SKIPPED, "X")],
            Verdict.NOT_EXERCISED,
        ),
    ],
)
def test_verdict_of(records: list[TestRecord], verdict: Verdict) -> None:
    assert verdict_of("X", records)[0] is verdict


def test_harness_error_is_not_a_box_failure() -> None:
    verdict, reasons = verdict_of("X", [rec(Outcome.FAILED, "X", category=HARNESS)])
    assert verdict is Verdict.HARNESS_ERROR and "not a box defect" in reasons[0]


def test_matrix_covers_every_catalog_requirement() -> None:
    rows = build_matrix(CATALOG, [rec(Outcome.PASSED, FIRST), rec(Outcome.SKIPPED, SECOND, reason="no box")])
    assert len(rows) == len(CATALOG)
    by_id = {row.id: row for row in rows}
    assert by_id[FIRST].verdict is Verdict.PASS and by_id[FIRST].tests[0].nodeid.startswith("t.py::")
    assert by_id[SECOND].verdict is Verdict.SKIPPED and by_id[SECOND].reasons == ("no box",)
    assert by_id[THIRD].verdict is Verdict.NOT_COVERED


def test_records_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    record = TestRecord(
        "t.py::a",
        Outcome.FAILED,
        (FIRST,),
        FindingCategory.UNIT,
        "",
        0.5,
        3,
        "boom",
        (ObservedReading("E02", "s"),),
    )
    RecordWriter(path).write_many([record, rec(Outcome.PASSED, SECOND)])
    assert read_records(path)[0] == record
    assert len(read_records(path)) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "bad test record"),
        ('{"nodeid": "a", "outcome": "exploded"}', "'outcome' must be one of"),
        ('{"nodeid": "a", "outcome": "failed", "category": "cosmic"}', "'category' must be one of"),
        ('{"nodeid": "a", "outcome": "passed", "exchanges": -1}', "'exchanges'"),
    ],
)
def test_bad_record_line_names_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"nodeid": "ok", "outcome": "passed"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(SpecFileError, match=message) as caught:
        read_records(path)
    assert caught.value.line == 2


def test_summary_totals_errata_and_markdown(tmp_path: Path) -> None:
    records = [
        TestRecord(
            "t.py::a",
            Outcome.PASSED,
            (FIRST,),
            exchanges=4,
            observed=(ObservedReading("E02", "seconds, float"),),
        ),
        TestRecord(
            "t.py::b",
            Outcome.FAILED,
            (SECOND,),
            FindingCategory.SCHEMA,
            exchanges=2,
            failure_text="curl -X",
            findings=1,
            finding_requirement_ids=(SECOND,),
        ),
        TestRecord("t.py::c", Outcome.PASSED, ("NOPE-SCHEMA-001",)),
    ]
    summary = build_summary(
        CATALOG,
        records,
        environment={"profile": "strict"},
        started=1_780_000_000.0,
        finished=1_780_000_012.5,
        exit_code=1,
        base={"run_id": "r1", "exchanges": 3},
    )
    assert summary["run_id"] == "r1" and summary["wall_s"] == 12.5
    assert summary["exchanges"] == 6
    assert summary["counts"] == {
        "tests": 3,
        "passed": 2,
        "passed_judging_nothing": 1,
        "failed": 1,
        "errors": 0,
        "harness_errors": 0,
        "not_exercised": 0,
        "skipped": 0,
    }
    assert summary["totals"]["all"]["pass"] == 1 and summary["totals"]["all"]["fail"] == 1
    assert summary["totals"]["all"]["total"] == len(CATALOG)
    assert summary["errata_observed"] == [
        {"erratum": "E02", "reading": "seconds, float", "tests": ["t.py::a"]}
    ]
    assert summary["unknown_requirement_ids"] == ["NOPE-SCHEMA-001"]
    page = render_summary_md(summary)
    assert "## Failing requirements" in page and SECOND in page.split("## Requirement matrix")[0]
    assert "E02: seconds, float" in page
    write_summary(tmp_path, summary)
    assert load_summary(tmp_path)["requirements"][1]["verdict"] == "fail"
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["format"]


def test_load_summary_refuses_duplicate_ids(tmp_path: Path) -> None:
    row = {"id": "A-B-001", "level": "MUST", "verdict": "pass"}
    (tmp_path / "summary.json").write_text(json.dumps({"requirements": [row, row]}), encoding="utf-8")
    with pytest.raises(SpecFileError, match="duplicate id"):
        load_summary(tmp_path)


@pytest.mark.parametrize(("control_plane", "mode"), [(True, "control plane"), (False, "no control plane")])
def test_summary_opens_with_what_was_exercised_and_the_mode(control_plane: bool, mode: str) -> None:
    records = [
        TestRecord("t.py::a", Outcome.PASSED, (FIRST,), exchanges=2),
        TestRecord("t.py::b", Outcome.NOT_EXERCISED, (SECOND,), skip_reason="no live recognition"),
    ]
    summary = build_summary(
        CATALOG, records, environment={}, started=0.0, finished=1.0, exit_code=0, control_plane=control_plane
    )
    assert summary["mode"] == mode
    assert summary["totals"]["all"]["exercised"] == 1
    assert summary["totals"]["all"]["not-exercised"] == 1
    level = next(r.level.value for r in CATALOG if r.id == FIRST)
    assert summary["totals"]["by_level"][level]["exercised"] == 1
    first_lines = render_summary_md(summary).splitlines()[:5]
    assert first_lines[2].startswith(f"**Requirements exercised: 1/{len(CATALOG)} (")
    assert first_lines[4].startswith(f"- mode: {mode}")
    regenerated = build_summary(CATALOG, records, environment={}, started=0.0, exit_code=0, base=summary)
    assert regenerated["mode"] == mode  # `report` keeps the mode of the run
