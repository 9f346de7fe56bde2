"""`sophon-conformance mutants`: the kill matrix — the suite against every fault and conforming variation."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.paths import REPORTS_DIR

BASELINE_TOOLS = ("schemathesis",)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma list of names")
    return names


def _jobs(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"--jobs must be a number from 1 to 16, not {text!r}")
    return int(text)


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand."""
    parser = subparsers.add_parser(
        "mutants",
        help="run the suite against every emulator fault and variation; print and write the kill matrix",
        description="Run the suite once clean and once per emulator fault (strict) and conforming variation "
        "(lenient), each against a fresh embedded emulator; write reports/mutants/<run>/matrix.{md,json}. "
        "Exit 1 when a fault survives, a variation raises a false alarm or the clean run fails.",
    )
    parser.add_argument("--faults", type=_names, help="comma list of faults (default: the whole catalog)")
    parser.add_argument("--variations", type=_names, help="comma list of variations (default: all)")
    parser.add_argument("--no-variations", action="store_true", help="run no variation")
    parser.add_argument("--jobs", type=_jobs, default=2, help="suite runs in parallel (default 2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few faults per area (unless --faults); each run keeps only the tests naming its requirements",
    )
    parser.add_argument("--baseline-tool", choices=BASELINE_TOOLS, help="also run this generic tool alone")
    parser.add_argument(
        "--baseline-examples", type=int, help="examples per operation for the baseline (default: the suite's)"
    )
    parser.add_argument("--hypothesis-profile", choices=("gate", "deep"), default="gate")
    parser.add_argument("--list", action="store_true", help="list the faults and variations and exit")
    parser.add_argument("--reports-dir", type=Path, default=REPORTS_DIR, help="reports/mutants/ goes here")


def _list() -> int:
    from conformance.mutants.fault_catalog import load_catalog

    catalog = load_catalog()
    for fault in catalog.faults():
        print(
            f"fault     {fault.name:32} {fault.area:15} {','.join(fault.requirements):40} {fault.description}"
        )
    for variation in catalog.variations():
        print(f"variation {variation.name:32} {','.join(variation.errata):15} {variation.description}")
    return ExitCode.OK


def run(args: argparse.Namespace) -> int:
    """Build the plan, run it, print and write the matrix; exit 1 unless everything is as it should be."""
    from conformance.mutants.matrix import totals
    from conformance.mutants.plan import PlanError, build_plan
    from conformance.mutants.report import render_markdown, write_report
    from conformance.mutants.runner import add_baseline, run_suite_matrix
    from conformance.suite.hypothesis_profiles import mean_schema_fuzz_examples

    if args.list:
        return _list()
    faults = args.faults
    if faults is None and args.quick:
        from conformance.mutants.fault_catalog import load_catalog

        faults = load_catalog().quick_faults()  # one or two per area, marked `quick` in the catalog
    variations = [] if args.no_variations else args.variations
    try:
        plan = build_plan(faults, variations, quick=args.quick)
    except PlanError as exc:
        print(f"sophon-conformance mutants: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    if args.baseline_examples is not None and args.baseline_examples < 1:
        print("sophon-conformance mutants: --baseline-examples must be at least 1", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + ("-quick" if args.quick else "")
    out_dir = args.reports_dir / "mutants" / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    command = "sophon-conformance mutants " + shlex.join(_argv_shown(args))

    def progress(message: str) -> None:
        print(f"mutants: {message}", file=sys.stderr, flush=True)

    progress(f"{len(plan)} runs, {args.jobs} at a time; work in {out_dir}")
    verdicts = run_suite_matrix(
        plan, out_dir, jobs=args.jobs, hypothesis_profile=args.hypothesis_profile, progress=progress
    )
    baseline = args.baseline_tool is not None
    if baseline:
        examples = args.baseline_examples or mean_schema_fuzz_examples()
        progress(f"baseline: schemathesis alone, {examples} examples per operation")
        verdicts = add_baseline(
            verdicts, plan, out_dir, jobs=args.jobs, max_examples=examples, progress=progress
        )
    summary = totals(verdicts)
    print(render_markdown(verdicts, summary, command, baseline=baseline))
    write_report(out_dir, verdicts, summary, command, baseline=baseline)
    print(out_dir / "matrix.md")
    return ExitCode.OK if summary.ok else ExitCode.CHECKS_FAILED


def _argv_shown(args: argparse.Namespace) -> list[str]:
    """The options that shape the matrix, for the report's 'command' line."""
    shown: list[str] = []
    if args.quick:
        shown.append("--quick")
    if args.faults:
        shown += ["--faults", ",".join(args.faults)]
    if args.no_variations:
        shown.append("--no-variations")
    elif args.variations:
        shown += ["--variations", ",".join(args.variations)]
    shown += ["--jobs", str(args.jobs)]
    if args.baseline_tool:
        shown += ["--baseline-tool", args.baseline_tool]
    if args.baseline_examples:
        shown += ["--baseline-examples", str(args.baseline_examples)]
    if args.hypothesis_profile != "gate":
        shown += ["--hypothesis-profile", args.hypothesis_profile]
    return shown
