"""The end of a run: summaries, Allure categories and environment, the HTML; also `report` (rebuild only)."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance.report.allure_html import REPORT_HTML, RESULTS_DIR, AllureError, generate_html
from conformance.report.categories import write_categories
from conformance.report.environment import write_environment
from conformance.report.records import RECORDS_FILE, read_records
from conformance.report.summary import (
    SUMMARY_FILE,
    build_summary,
    render_summary_md,
    write_summary,
    write_summary_md,
)
from conformance.spec.requirements import Requirement, load_requirements

log = logging.getLogger(__name__)
STATS_FILE = "stats.json"  # written by the suite plugin (conformance.suite.session)


def _existing_summary(run_dir: Path) -> dict[str, Any]:
    """run_cmd's minimal summary, if readable; a missing or broken one is simply replaced."""
    try:
        data = json.loads((run_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _control_plane(run_dir: Path) -> bool | None:
    """Whether the run had the emulator's control plane, as the suite wrote it in stats.json."""
    try:
        stats = json.loads((run_dir / STATS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = stats.get("control_plane") if isinstance(stats, dict) else None
    return value if isinstance(value, bool) else None


def _fallback_html(run_dir: Path, summary: Mapping[str, Any], error: str) -> Path:
    """A plain self-contained page from the summary when Allure cannot run, so there is always a report."""
    body = html.escape(render_summary_md(summary))
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>sophon-conformance {html.escape(str(summary.get('run_id', '')))}</title></head><body>"
        f"<p><strong>The Allure report could not be generated:</strong> {html.escape(error)}</p>"
        f"<pre>{body}</pre></body></html>\n"
    )
    path = run_dir / REPORT_HTML
    path.write_text(page, encoding="utf-8")
    return path


def _html(run_dir: Path, summary: dict[str, Any]) -> Path:
    try:
        path = generate_html(run_dir)
    except AllureError as exc:
        log.warning("Allure HTML not generated: %s", exc)
        summary["report_error"] = str(exc)
        write_summary(run_dir, summary)
        return _fallback_html(run_dir, summary, str(exc))
    if summary.pop("report_error", None) is not None:
        write_summary(run_dir, summary)
    return path


def finalize_run(
    run_dir: Path,
    *,
    catalog: Iterable[Requirement] | None,
    environment: dict[str, Any],
    started: float,
    exit_code: int,
    html: bool = True,
) -> Path:
    """Write summary.json/.md, Allure categories/environment, allure-report/, report.html; return report.html.

    `started` is the run's start as epoch seconds (`time.time()`); `catalog` None loads the default catalog.
    Without `html` the Allure HTML is skipped (`report` can build it later); summary.md is returned.
    """
    requirements = list(catalog) if catalog is not None else list(load_requirements())
    records = read_records(run_dir / RECORDS_FILE)
    summary = build_summary(
        requirements,
        records,
        environment=environment,
        started=started,
        exit_code=exit_code,
        base=_existing_summary(run_dir),
        control_plane=_control_plane(run_dir),
    )
    write_summary(run_dir, summary)
    write_summary_md(run_dir, summary)
    results_dir = run_dir / RESULTS_DIR
    write_categories(results_dir)
    write_environment(results_dir, environment)
    return _html(run_dir, summary) if html else run_dir / "summary.md"


def _started_epoch(summary: Mapping[str, Any]) -> float | None:
    try:
        return datetime.fromisoformat(str(summary["started_at"])).timestamp()
    except (KeyError, ValueError):
        return None


def regenerate(run_dir: Path, *, catalog: Iterable[Requirement] | None = None) -> Path:
    """Rebuild a finished run's summaries (given results.jsonl) and HTML; AllureError on failure."""
    summary = _existing_summary(run_dir)
    started = _started_epoch(summary)
    if (run_dir / RECORDS_FILE).exists() and started is not None:
        requirements = list(catalog) if catalog is not None else list(load_requirements())
        summary = build_summary(
            requirements,
            read_records(run_dir / RECORDS_FILE),
            environment=summary.get("environment", {}),
            started=started,
            exit_code=int(summary.get("exit_code", 0)),
            base=summary,
            finished=started + float(summary.get("wall_s", 0.0)),
        )
        write_summary(run_dir, summary)
        write_summary_md(run_dir, summary)
    results_dir = run_dir / RESULTS_DIR
    if summary.get("environment"):
        write_environment(results_dir, summary["environment"])
    if results_dir.is_dir():
        write_categories(results_dir)
    return generate_html(run_dir)
