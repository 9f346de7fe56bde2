"""summary.md: the summary as a page read top-down (totals, failures first, then the full matrix)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conformance.report.matrix import Verdict

SUMMARY_MD_FILE = "summary.md"
VERDICT_COLUMNS = tuple(v.value for v in Verdict)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _totals_table(title: str, groups: Mapping[str, Mapping[str, int]]) -> list[str]:
    header = f"| {title} | " + " | ".join(VERDICT_COLUMNS) + " | total |"
    lines = [header, "|" + "---|" * (len(VERDICT_COLUMNS) + 2)]
    for group, counts in groups.items():
        lines.append(
            f"| {_cell(group)} | "
            + " | ".join(str(counts.get(v, 0)) for v in VERDICT_COLUMNS)
            + f" | {counts.get('total', 0)} |"
        )
    return lines


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
        f"- target: {summary.get('target', '')}; profile: {summary.get('profile', '')}",
        f"- exit code: {summary.get('exit_code', '')}; wall time: {summary.get('wall_s', 0)} s; "
        f"exchanges: {summary.get('exchanges', 0)}",
        f"- tests: {counts.get('tests', 0)} ({counts.get('passed', 0)} passed, "
        f"{counts.get('failed', 0)} failed, {counts.get('errors', 0)} errors, "
        f"{counts.get('skipped', 0)} skipped)",
        "",
        "## Totals",
        "",
        *_totals_table("level", summary.get("totals", {}).get("by_level", {})),
        "",
        *_totals_table("interface", summary.get("totals", {}).get("by_interface", {})),
        "",
    ]
    failing = [r for r in rows if r["verdict"] in (Verdict.FAIL, Verdict.ERROR)]
    if failing:
        lines += ["## Failing requirements", "", *_matrix(failing), ""]
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
