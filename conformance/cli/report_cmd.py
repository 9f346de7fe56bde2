"""`sophon-conformance report RUN_DIR`: rebuild a finished run's summaries and HTML without rerunning it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.report.allure_html import RESULTS_DIR, AllureError
from conformance.report.finalize import regenerate
from conformance.spec.loader import SpecFileError


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="regenerate summary and HTML (allure-report/, report.html) of a run folder",
        description="Rebuild reports/<run-id>/ from its allure-results and results.jsonl; nothing is rerun.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder, e.g. reports/latest")


def run(args: argparse.Namespace) -> int:
    """Regenerate; returns an ExitCode."""
    run_dir: Path = args.run_dir
    if not run_dir.is_dir():
        print(f"sophon-conformance report: {run_dir} is not a run folder", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    if not (run_dir / RESULTS_DIR).is_dir():
        print(
            f"sophon-conformance report: {run_dir} has no {RESULTS_DIR}/ to build a report from",
            file=sys.stderr,
        )
        return ExitCode.USAGE_ERROR
    try:
        path = regenerate(run_dir)
    except SpecFileError as exc:
        print(f"sophon-conformance report: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except AllureError as exc:
        print(f"sophon-conformance report: {exc}", file=sys.stderr)
        return ExitCode.HARNESS_ERROR
    print(path)
    return ExitCode.OK
