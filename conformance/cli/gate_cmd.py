"""`sophon-conformance gate`: compare a run with a baseline and exit 0 only when the release may go."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.report.gate import FORMATS, compare, render
from conformance.report.summary import load_summary
from conformance.report.waivers import load_waivers
from conformance.spec.loader import SpecFileError


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand."""
    parser = subparsers.add_parser(
        "gate",
        help="compare two run summaries; exit 1 when a MUST requirement regressed or fails unwaived",
        description="Compare two summaries requirement by requirement. Exit 0: release allowed; 1: a MUST "
        "requirement fails without a valid waiver, a waiver expired, or too few MUST requirements were "
        "exercised (fewer than the baseline, or below --min-must-exercised); 2: bad input.",
    )
    parser.add_argument(
        "--baseline", required=True, type=Path, help="summary.json (or run folder) to compare with"
    )
    parser.add_argument(
        "--current", required=True, type=Path, help="summary.json (or run folder) of this run"
    )
    parser.add_argument("--waivers", type=Path, help="waivers.yaml: requirement, reason, owner, expires")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--output", type=Path, help="write the output to this file instead of stdout")
    parser.add_argument("--today", help="evaluate waiver expiry as of this date (YYYY-MM-DD; default today)")
    parser.add_argument(
        "--min-must-exercised",
        type=_share,
        metavar="SHARE",
        help="fail when fewer than this share (0..1, e.g. 0.8) of MUST requirements were exercised",
    )
    parser.add_argument(
        "--allow-fewer-exercised",
        action="store_true",
        help="do not fail when the run exercised fewer MUST requirements than the baseline did",
    )


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a share is between 0 and 1, not {value}")
    return value


def _known_ids(*summaries: dict[str, object]) -> set[str]:
    known: set[str] = set()
    for summary in summaries:
        rows = summary.get("requirements", [])
        if isinstance(rows, list):
            known |= {str(row["id"]) for row in rows if isinstance(row, dict)}
    try:
        from conformance.spec.requirements import load_requirements

        known |= set(load_requirements().ids)
    except SpecFileError:
        pass  # gating archived summaries must not depend on today's catalog loading
    return known


def run(args: argparse.Namespace) -> int:
    """Load, compare, print; returns an ExitCode."""
    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"sophon-conformance gate: bad --today {args.today!r} (use YYYY-MM-DD)", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    try:
        baseline = load_summary(args.baseline)
        current = load_summary(args.current)
        waivers = load_waivers(args.waivers, _known_ids(baseline, current)) if args.waivers else {}
    except SpecFileError as exc:
        print(f"sophon-conformance gate: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    result = compare(
        baseline,
        current,
        waivers,
        today=today,
        min_must_exercised=args.min_must_exercised,
        against_baseline=not args.allow_fewer_exercised,
    )
    output = render(result, args.format)
    if args.output:
        try:
            args.output.write_text(output, encoding="utf-8")
        except OSError as exc:
            print(f"sophon-conformance gate: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
        print(f"sophon-conformance gate: {'passed' if result.passed else 'FAILED'}; wrote {args.output}")
    else:
        sys.stdout.write(output)
    return ExitCode.OK if result.passed else ExitCode.CHECKS_FAILED
