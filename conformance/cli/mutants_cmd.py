"""`sophon-conformance mutants`: the kill matrix — the suite against every fault and conforming variation."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from conformance.cli.run_cmd import HYPOTHESIS_PROFILES
from conformance.exit_codes import ExitCode
from conformance.paths import REPORTS_DIR

if TYPE_CHECKING:
    from conformance.mutants.matrix import Verdict

BASELINE_TOOLS = ("schemathesis",)
MODES = ("control", "blind")  # as conformance.mutants.child_run.MODES (not imported: the CLI loads lazily)
PARTIAL_FILE = (
    "matrix-partial.md"  # rewritten after every finished run, so a cut-short matrix says what it found
)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma list of names")
    return names


def _modes(text: str) -> list[str]:
    modes = _names(text)
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown mode {unknown[0]!r}; known: {', '.join(MODES)}")
    return list(dict.fromkeys(modes))


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
        "(lenient), each against a fresh emulator: with its control plane (mode control) or in site mode, "
        "judged as a real box (mode blind); write reports/mutants/<run>/matrix.{md,json}, a column per mode. "
        "A fault is killed only by a finding naming one of its requirements. Exit 1 when a fault expected in "
        "its mode survives, a variation raises a false alarm, a run has harness errors only or a clean run "
        "fails.",
    )
    parser.add_argument("--faults", type=_names, help="comma list of faults (default: the whole catalog)")
    parser.add_argument("--variations", type=_names, help="comma list of variations (default: all)")
    parser.add_argument("--no-variations", action="store_true", help="run no variation")
    parser.add_argument(
        "--no-faults",
        action="store_true",
        help="run no fault: the variations' false-alarm sweep alone (no clean run with --quick, whose "
        "variations run combined: a failure there is a false alarm)",
    )
    parser.add_argument("--jobs", type=_jobs, default=2, help="suite runs in parallel (default 2)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a few faults per area (unless --faults); each run keeps only the tests naming its requirements",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--blind",
        action="store_const",
        const=["blind"],
        dest="modes",
        help="judge a site-mode emulator in every run (history, live recognitions, no control plane), as "
        "the suite meets a real box; a fault counts only when the catalog says it is observable so",
    )
    modes.add_argument(
        "--modes",
        type=_modes,
        help="comma list of modes, a matrix column each: control, blind (default control)",
    )
    parser.add_argument(
        "--narrow",
        action="store_true",
        help="run each fault on the tests naming its requirements only (a kill must name one); clean and "
        "variation runs keep the whole suite",
    )
    parser.add_argument("--baseline-tool", choices=BASELINE_TOOLS, help="also run this generic tool alone")
    parser.add_argument(
        "--baseline-only",
        action="store_true",
        help="with --baseline-tool: run only the tool (its column beside an earlier matrix of the same plan)",
    )
    parser.add_argument(
        "--baseline-examples", type=int, help="examples per operation for the baseline (default: the suite's)"
    )
    parser.add_argument(
        "--from-runs",
        type=Path,
        metavar="DIR",
        help="run nothing: judge the runs an earlier matrix of the same plan finished in DIR (its output "
        "folder) with the current catalog; runs it did not finish are rows not-run",
    )
    parser.add_argument("--hypothesis-profile", choices=HYPOTHESIS_PROFILES, default="gate")
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
    from conformance.mutants.matrix import not_run, totals_by_mode
    from conformance.mutants.plan import PlanError, build_plans
    from conformance.mutants.report import render_markdown, write_report
    from conformance.mutants.runner import add_baseline, finished_verdicts, run_suite_matrix
    from conformance.suite.hypothesis_profiles import mean_schema_fuzz_examples

    if args.list:
        return _list()
    modes = args.modes or ["control"]
    variations = [] if args.no_variations else args.variations
    try:
        plan = build_plans(_faults_by_mode(args, modes), variations, quick=args.quick, narrow=args.narrow)
    except PlanError as exc:
        print(f"sophon-conformance mutants: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    problem = _usage_problem(args)
    if problem:
        print(f"sophon-conformance mutants: {problem}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + ("-quick" if args.quick else "")
    run_id += "".join(f"-{mode}" for mode in modes if mode != "control")
    out_dir = args.reports_dir / "mutants" / run_id
    out_dir.mkdir(parents=True, exist_ok=True)
    command = "sophon-conformance mutants " + shlex.join(_argv_shown(args))

    def progress(message: str) -> None:
        print(f"mutants: {message}", file=sys.stderr, flush=True)

    def partial(verdicts: list[Verdict]) -> None:
        text = render_markdown(
            verdicts, command + f"  [partial: {len(verdicts)}/{len(plan)} runs]", baseline=False
        )
        (out_dir / PARTIAL_FILE).write_text("# Kill matrix (partial)\n\n" + text, encoding="utf-8")

    started = time.monotonic()
    progress(f"{len(plan)} runs ({', '.join(modes)}), {args.jobs} at a time; work in {out_dir}")
    if args.from_runs is not None:  # judge the runs an earlier (maybe cut short) matrix finished
        verdicts = finished_verdicts(plan, args.from_runs)
    elif args.baseline_only:  # the suite's side comes from a matrix run before (the same plan)
        verdicts = [not_run(m) for m in plan]
    else:
        verdicts = run_suite_matrix(
            plan,
            out_dir,
            jobs=args.jobs,
            hypothesis_profile=args.hypothesis_profile,
            progress=progress,
            finished=partial,
        )
        progress(f"suite runs done in {time.monotonic() - started:.0f} s")
    baseline = args.baseline_tool is not None
    if baseline:
        examples = args.baseline_examples or mean_schema_fuzz_examples()
        progress(f"baseline: schemathesis alone, {examples} examples per operation")
        verdicts = add_baseline(
            verdicts, plan, out_dir, jobs=args.jobs, max_examples=examples, progress=progress
        )
    print(render_markdown(verdicts, command, baseline=baseline))
    write_report(out_dir, verdicts, command, baseline=baseline)
    (out_dir / PARTIAL_FILE).unlink(missing_ok=True)
    print(out_dir / "matrix.md")
    progress(f"wall {time.monotonic() - started:.0f} s")
    ok = args.baseline_only or all(t.ok for t in totals_by_mode(verdicts).values())
    if args.from_runs is not None and any(v.status == "not-run" for v in verdicts):
        ok = False  # a matrix cut short proves nothing about the runs it did not make
    return ExitCode.OK if ok else ExitCode.CHECKS_FAILED


def _usage_problem(args: argparse.Namespace) -> str:
    """What is wrong with a combination of options ("" when nothing is)."""
    if args.no_faults and args.faults is not None:
        return "--no-faults with --faults: which?"
    if args.no_faults and args.no_variations:
        return "--no-faults with --no-variations: nothing to run"
    if args.baseline_only and args.baseline_tool is None:
        return "--baseline-only needs --baseline-tool"
    if args.baseline_examples is not None and args.baseline_examples < 1:
        return "--baseline-examples must be at least 1"
    return ""


def _faults_by_mode(args: argparse.Namespace, modes: list[str]) -> dict[str, list[str] | None]:
    """Each mode's faults: the named ones; quick: the catalog's quick faults (blind: one per area of those
    observable without a control plane); else None (every fault)."""
    if args.no_faults:
        return {mode: [] for mode in modes}
    if args.faults is not None or not args.quick:
        return dict.fromkeys(modes, args.faults)
    from conformance.mutants.fault_catalog import load_catalog
    from conformance.mutants.plan import blind_quick_faults

    catalog = load_catalog()
    return {
        mode: blind_quick_faults(catalog) if mode == "blind" else catalog.quick_faults() for mode in modes
    }


def _argv_shown(args: argparse.Namespace) -> list[str]:
    """The options that shape the matrix, for the report's 'command' line."""
    shown: list[str] = []
    if args.quick:
        shown.append("--quick")
    if args.modes == ["blind"]:
        shown.append("--blind")
    elif args.modes:
        shown += ["--modes", ",".join(args.modes)]
    if args.narrow:
        shown.append("--narrow")
    if args.no_faults:
        shown.append("--no-faults")
    elif args.faults:
        shown += ["--faults", ",".join(args.faults)]
    if args.no_variations:
        shown.append("--no-variations")
    elif args.variations:
        shown += ["--variations", ",".join(args.variations)]
    shown += ["--jobs", str(args.jobs)]
    if args.baseline_tool:
        shown += ["--baseline-tool", args.baseline_tool]
    if args.baseline_only:
        shown.append("--baseline-only")
    if args.from_runs is not None:
        shown += ["--from-runs", str(args.from_runs)]
    if args.baseline_examples:
        shown += ["--baseline-examples", str(args.baseline_examples)]
    if args.hypothesis_profile != "gate":
        shown += ["--hypothesis-profile", args.hypothesis_profile]
    return shown
