"""summary.json: the run's verdicts per requirement, the one file the gate and people read."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.report.matrix import MatrixRow, Verdict, build_matrix, totals, unknown_requirement_ids
from conformance.report.records import TestRecord
from conformance.spec.loader import SpecFileError
from conformance.spec.requirements import Requirement

SUMMARY_FILE = "summary.json"
SUMMARY_FORMAT = "sophon-conformance-summary/1"
LEVELS = ("MUST", "SHOULD", "MAY")


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
    return {
        "tests": len(records),
        "passed": counted["passed"] + counted["xpassed"],
        "failed": counted["failed"],
        "errors": counted["error"],
        "skipped": counted["skipped"] + counted["xfailed"],
    }


def build_summary(
    requirements: Iterable[Requirement],
    records: Sequence[TestRecord],
    *,
    environment: Mapping[str, Any],
    started: float,
    exit_code: int,
    base: Mapping[str, Any] | None = None,
    finished: float | None = None,
) -> dict[str, Any]:
    """The full summary; `base` (run_cmd's minimal summary) keeps its keys unless recomputed here."""
    catalog = list(requirements)
    rows = build_matrix(catalog, records)
    end = time.time() if finished is None else finished
    summary: dict[str, Any] = dict(base or {})
    summary.update(
        {
            "format": SUMMARY_FORMAT,
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
    counted = Counter(row.verdict.value for row in rows)
    return {verdict.value: counted.get(verdict.value, 0) for verdict in Verdict} | {
        "total": sum(counted.values())
    }


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
