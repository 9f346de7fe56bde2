"""summary.json (what the gate reads) and summary.md (the page people read): verdicts per requirement."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.report.judged_evidence import NO_DATA_REASON
from conformance.report.matrix import (
    MatrixRow,
    Verdict,
    build_matrix,
    totals,
    unknown_requirement_ids,
    verdict_counts,
)
from conformance.report.records import Outcome, TestRecord
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import Requirement

SUMMARY_FILE = "summary.json"
SUMMARY_FORMAT = "sophon-conformance-summary/1"
LEVELS = ("MUST", "SHOULD", "MAY")
CONTROL_MODE = "control plane"  # the emulator's oracles were available
BLIND_MODE = "no control plane"  # as on a real box: judged from the box's own data only


def run_mode(control_plane: bool | None) -> str | None:
    """Which mode ran, as the summary names it (None: unknown, e.g. an old run folder)."""
    return None if control_plane is None else CONTROL_MODE if control_plane else BLIND_MODE


def observed_readings(records: Iterable[TestRecord]) -> list[dict[str, Any]]:
    """Errata readings the box was seen to follow, with the tests that saw them."""
    seen: dict[tuple[str, str], list[str]] = {}
    for record in records:
        for reading in record.observed:
            seen.setdefault((reading.erratum, reading.reading), []).append(record.nodeid)
    return [
        {"erratum": erratum, "reading": reading, "tests": tests}
        for (erratum, reading), tests in sorted(seen.items())
    ]


def outcome_counts(records: Sequence[TestRecord]) -> dict[str, int]:
    """Tests per outcome, in the keys run_cmd's minimal summary already uses."""
    counted = Counter(record.outcome.value for record in records)
    passed = [r for r in records if r.outcome in (Outcome.PASSED, Outcome.XPASSED)]
    return {
        "tests": len(records),
        "passed": len(passed),
        "passed_judging_nothing": sum(1 for r in passed if not r.evidence),
        "failed": counted["failed"],
        "errors": counted["error"],
        "harness_errors": sum(1 for r in records if r.harness_error),
        "not_exercised": counted["not-exercised"],
        "skipped": counted["skipped"] + counted["xfailed"],
    }


def _harness_errors(records: Sequence[TestRecord]) -> list[dict[str, str]]:
    return [
        {"nodeid": r.nodeid, "outcome": r.outcome.value, "text": r.failure_text[:500]}
        for r in records
        if r.harness_error
    ]


def _not_exercised_tests(records: Sequence[TestRecord]) -> list[dict[str, str]]:
    """Tests that ended not exercised, and passed tests that judged no data, each with the why."""
    listed = []
    for record in records:
        if record.outcome == Outcome.NOT_EXERCISED:
            listed.append({"nodeid": record.nodeid, "reason": record.skip_reason})
        elif record.outcome in (Outcome.PASSED, Outcome.XPASSED) and not record.evidence:
            listed.append({"nodeid": record.nodeid, "reason": NO_DATA_REASON})
    return listed


def build_summary(
    requirements: Iterable[Requirement],
    records: Sequence[TestRecord],
    *,
    environment: Mapping[str, Any],
    started: float,
    exit_code: int,
    base: Mapping[str, Any] | None = None,
    finished: float | None = None,
    control_plane: bool | None = None,
) -> dict[str, Any]:
    """The full summary; `base` (run_cmd's minimal summary) keeps its keys unless recomputed here.

    `control_plane` says which mode ran (None keeps the base's `mode`).
    """
    catalog = list(requirements)
    rows = build_matrix(catalog, records)
    end = time.time() if finished is None else finished
    summary: dict[str, Any] = dict(base or {})
    summary.update(
        {
            "format": SUMMARY_FORMAT,
            "mode": run_mode(control_plane) or summary.get("mode"),
            "exit_code": int(exit_code),
            "started_at": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
            "wall_s": round(max(0.0, end - started), 3),
            "exchanges": max(int(summary.get("exchanges", 0) or 0), sum(r.exchanges for r in records)),
            "environment": dict(environment),
            "totals": {
                "all": _all_totals(rows),
                "by_interface": totals(rows, "interface"),
                "by_level": {level: counts for level, counts in sorted(totals(rows, "level").items())},
            },
            "harness_errors": _harness_errors(records),
            "not_exercised_tests": _not_exercised_tests(records),
            "errata_observed": observed_readings(records),
            "unknown_requirement_ids": unknown_requirement_ids((r.id for r in catalog), records),
            "tests_without_requirements": [r.nodeid for r in records if not r.requirement_ids],
            "requirements": [row.to_dict() for row in rows],
        }
    )
    if records or "counts" not in summary:
        summary["counts"] = outcome_counts(records)
    return summary


def _all_totals(rows: Iterable[MatrixRow]) -> dict[str, int]:
    return verdict_counts(rows)


def write_summary(run_dir: Path, summary: Mapping[str, Any]) -> Path:
    """Write summary.json atomically (a reader never sees half a file)."""
    path = run_dir / SUMMARY_FILE
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def _check_row(path: Path, index: int, row: Any) -> None:
    if not isinstance(row, dict):
        raise SpecFileError(path, f"requirements[{index}] is not an object")
    if not isinstance(row.get("id"), str) or not row["id"]:
        raise SpecFileError(path, f"requirements[{index}] has no string 'id'")
    if row.get("level") not in LEVELS:
        raise SpecFileError(
            path, f"requirements[{index}] ({row['id']}): 'level' must be one of {', '.join(LEVELS)}"
        )
    if row.get("verdict") not in set(Verdict):
        known = ", ".join(Verdict)
        raise SpecFileError(path, f"requirements[{index}] ({row['id']}): 'verdict' must be one of {known}")


def load_summary(path: Path) -> dict[str, Any]:
    """Read a summary.json (or the summary of a run folder); any defect is one SpecFileError."""
    file = path / SUMMARY_FILE if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(
            file, "summary not found (did the run finish? give a run folder or summary.json)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecFileError(file, f"cannot read summary: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecFileError(file, f"corrupt summary, invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise SpecFileError(file, "corrupt summary: the top level must be a JSON object")
    rows = data.get("requirements")
    if not isinstance(rows, list):
        raise SpecFileError(
            file,
            "summary has no 'requirements' list (a minimal summary from an unfinished run cannot be gated)",
        )
    seen: set[str] = set()
    for index, row in enumerate(rows):
        _check_row(file, index, row)
        if row["id"] in seen:
            raise SpecFileError(file, f"requirements[{index}]: duplicate id {row['id']}")
        seen.add(row["id"])
    return data


# --- summary.md: totals, failures first, then the full matrix ------------------------------------

SUMMARY_MD_FILE = "summary.md"
VERDICT_COLUMNS = tuple(v.value for v in Verdict)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _totals_table(title: str, groups: Mapping[str, Mapping[str, int]]) -> list[str]:
    header = f"| {title} | exercised | " + " | ".join(VERDICT_COLUMNS) + " | total |"
    lines = [header, "|" + "---|" * (len(VERDICT_COLUMNS) + 3)]
    for group, counts in groups.items():
        lines.append(
            f"| {_cell(group)} | {_share(counts)} | "
            + " | ".join(str(counts.get(v, 0)) for v in VERDICT_COLUMNS)
            + f" | {counts.get('total', 0)} |"
        )
    return lines


def _share(counts: Mapping[str, int]) -> str:
    """`12/40 (30%)`: requirements exercised (passed or failed on data) out of all."""
    exercised, total = counts.get("exercised", 0), counts.get("total", 0)
    return f"{exercised}/{total} ({round(100 * exercised / total) if total else 0}%)"


def _opening(summary: Mapping[str, Any]) -> list[str]:
    """What was judged at all, and in which mode, before any verdict."""
    all_totals = summary.get("totals", {}).get("all", {})
    by_level = summary.get("totals", {}).get("by_level", {})
    levels = "; ".join(f"{level} {_share(counts)}" for level, counts in by_level.items())
    mode = summary.get("mode") or "unknown"
    return [
        f"**Requirements exercised: {_share(all_totals)}** ({levels})",
        "",
        f"- mode: {mode}"
        + (" (the emulator's oracles were used)" if mode == CONTROL_MODE else "")
        + (" (judged from the box's own data, as on a real box)" if mode == BLIND_MODE else ""),
    ]


def _tests_cell(row: Mapping[str, Any]) -> str:
    tests = row.get("tests", [])
    return "<br>".join(f"`{_cell(t['nodeid'])}` ({t['outcome']})" for t in tests) or "—"


def _matrix(rows: list[Mapping[str, Any]]) -> list[str]:
    lines = ["| requirement | level | verdict | source | tests | reason |", "|---|---|---|---|---|---|"]
    for row in rows:
        source = row.get("source", {})
        where = f"{source.get('file', '')}:{source.get('line', '')} §{source.get('section', '')}"
        lines.append(
            f"| {row['id']} | {row['level']} | **{row['verdict']}** | {_cell(where)} | {_tests_cell(row)} | "
            f"{_cell('; '.join(row.get('reasons', [])))} |"
        )
    return lines


def render_summary_md(summary: Mapping[str, Any]) -> str:
    """The Markdown page of a summary."""
    rows: list[Mapping[str, Any]] = summary.get("requirements", [])
    counts = summary.get("counts", {})
    lines = [
        f"# Conformance run {summary.get('run_id', '')}",
        "",
        *_opening(summary),
        f"- target: {summary.get('target', '')}; profile: {summary.get('profile', '')}",
        f"- exit code: {summary.get('exit_code', '')}; wall time: {summary.get('wall_s', 0)} s; "
        f"exchanges: {summary.get('exchanges', 0)}",
        f"- tests: {counts.get('tests', 0)} ({counts.get('passed', 0)} passed, of which "
        f"{counts.get('passed_judging_nothing', 0)} judged no data; {counts.get('failed', 0)} failed, "
        f"{counts.get('errors', 0)} errors, {counts.get('harness_errors', 0)} harness errors, "
        f"{counts.get('not_exercised', 0)} not exercised, {counts.get('skipped', 0)} skipped)",
        "",
        "## Totals",
        "",
        *_totals_table("level", summary.get("totals", {}).get("by_level", {})),
        "",
        *_totals_table("interface", summary.get("totals", {}).get("by_interface", {})),
        "",
    ]
    failing = [r for r in rows if r["verdict"] in (Verdict.FAIL, Verdict.HARNESS_ERROR)]
    if failing:
        lines += ["## Failing requirements", "", *_matrix(failing), ""]
    harness = summary.get("harness_errors", [])
    if harness:
        lines += ["## Harness errors (not box defects: fix the harness and rerun)", ""]
        lines += [f"- `{_cell(h['nodeid'])}` ({h['outcome']})" for h in harness]
        lines.append("")
    quiet = [r for r in rows if r["verdict"] == Verdict.NOT_EXERCISED]
    if quiet:
        lines += ["## Not exercised (tests ran but judged nothing of these)", "", *_matrix(quiet), ""]
    observed = summary.get("errata_observed", [])
    if observed:
        lines += ["## Errata readings the box follows", ""]
        lines += [
            f"- {o['erratum']}: {o['reading']} (seen by {len(o.get('tests', []))} test(s))" for o in observed
        ]
        lines.append("")
    for key, title in (
        ("unknown_requirement_ids", "Requirement ids named by tests but missing from the catalog"),
        ("tests_without_requirements", "Tests that name no requirement"),
    ):
        if summary.get(key):
            lines += [f"## {title}", "", *[f"- `{item}`" for item in summary[key]], ""]
    environment = summary.get("environment", {})
    if environment:
        lines += ["## Environment", "", "| key | value |", "|---|---|"]
        lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in environment.items()]
        lines.append("")
    lines += ["## Requirement matrix", "", *_matrix(rows), ""]
    return "\n".join(lines)


def write_summary_md(run_dir: Path, summary: Mapping[str, Any]) -> Path:
    """Write summary.md next to summary.json."""
    path = run_dir / SUMMARY_MD_FILE
    path.write_text(render_summary_md(summary), encoding="utf-8")
    return path
