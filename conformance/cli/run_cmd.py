"""`sophon-conformance run`: preflight, run the suite under pytest, write reports/<run-id>/."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from conformance.cli.site_box import add_site_options, run_on_site_box
from conformance.exit_codes import ExitCode
from conformance.paths import PROJECT_ROOT, REPORTS_DIR
from conformance.report.run_exit import run_exit_code
from conformance.suite.options import default_ws_url
from conformance.suite.uploads import SAVED_SETTING_FILE
from conformance.target.box_profile import BoxProfile, load_box_profile, parse_interfaces
from conformance.target.preflight import PreflightError, preflight
from conformance.target.target import MANDATORY_INTERFACES, PROFILES, TargetConfig

SUITE_DIR = Path(__file__).resolve().parent.parent / "suite" / "interfaces"
SERVERS_PLUGIN = "conformance.cli.embedded_box"  # starts the embedded box and the receiver in each process
INTERRUPT_GRACE_S = 30.0  # time pytest gets after a forwarded Ctrl-C to restore settings and stop
PYTEST_INTERRUPTED = 2
# Workers of a run against a box (docs/site-figures.md, "Workers"): its tests mostly wait on the box (live
# pushes, uploads), so more workers than cores pays; the tests that share its uploads go to one of them.
# as conformance.suite.hypothesis_profiles.PROFILES (not imported: the CLI starts without Hypothesis)
HYPOTHESIS_PROFILES = ("gate", "deep", "smoke")
BOX_WORKERS = "2"


class PytestChild(Protocol):
    """What `_run_pytest` needs of the pytest process: Popen's wait, send_signal and kill."""

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...

    def kill(self) -> None: ...


# How `_run_pytest` starts pytest (argv, environment, stdout: None or DEVNULL), in its own session, working
# in the project folder. None (always, for the commands) starts a new interpreter; the warm fork server of
# the project's own tests (tests/warm_launcher.py) sets a launcher that forks its warm process instead.
PYTEST_LAUNCHER: Callable[[list[str], dict[str, str], int | None], PytestChild] | None = None
PYTEST_TO_EXIT = {
    0: ExitCode.OK,
    1: ExitCode.CHECKS_FAILED,
    2: ExitCode.INTERRUPTED,
    4: ExitCode.USAGE_ERROR,
    5: ExitCode.USAGE_ERROR,  # nothing selected: a -k/-m that matches no test
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand; arguments after `--` go to pytest unchanged."""
    parser = subparsers.add_parser(
        "run",
        help="run the conformance suite (default: against the embedded emulator)",
        description="Run the conformance suite. Without --box-url the embedded emulator and upload receiver "
        "start on free ports. Arguments after `--` pass through to pytest (-k, -m, -x).",
    )
    parser.add_argument("--box-profile", type=Path, help="TOML box profile (docs/box-profile.md); flags win")
    parser.add_argument("--box-url", help="HTTP base URL of a real box, e.g. http://192.168.1.180:5555")
    parser.add_argument("--ws-url", help="WebSocket URL (default: the box host on port 5679)")
    parser.add_argument("--control-url", help="emulator control plane URL (oracle tests skip without it)")
    parser.add_argument("--version-url", help="firmware version URL (default: box host, port 8888)")
    parser.add_argument("--receiver-bind", help="HOST:PORT for the upload receiver (default 127.0.0.1:0)")
    parser.add_argument("--receiver-advertise-url", help="URL the box uploads to (default: the bind address)")
    parser.add_argument("--username", help="log in to the box (reference v2-login)")
    parser.add_argument("--password", help="password for --username")
    parser.add_argument("--profile", choices=PROFILES, default="strict", help="reading of the documents")
    parser.add_argument("--interfaces", help=f"claimed interfaces ({','.join(MANDATORY_INTERFACES)})")
    parser.add_argument("--device", action="append", default=[], help="a device to use (repeatable)")
    parser.add_argument("--live-wait", type=float, help="seconds to wait for live recognitions (default 60)")
    parser.add_argument("--search-photos", type=Path, help="folder of face photos for picture search")
    parser.add_argument("--interactive", action="store_true", help="ask the operator for a recognition")
    parser.add_argument("--hypothesis-profile", choices=HYPOTHESIS_PROFILES, default="gate")
    parser.add_argument(
        "-n",
        "--workers",
        default=None,
        help=f"pytest-xdist workers, a number or 'auto' (default: {BOX_WORKERS} against a box, whose tests "
        "mostly wait on it; 0, one process, for the embedded emulator and with --interactive)",
    )
    parser.add_argument("--fault", action="append", default=[], help="turn on a named emulator fault")
    parser.add_argument("--no-configure-upload", action="store_true", help="leave HistoryEventUrl alone")
    parser.add_argument("--allow-writes", action="store_true", help="let writes_box tests change a real box")
    parser.add_argument("--reports-dir", type=Path, default=REPORTS_DIR, help="where run folders go")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only the result line and the run folder"
    )
    parser.add_argument(
        "--no-html",
        action="store_true",
        help="skip the Allure HTML (junit, summaries and allure-results are still written)",
    )
    add_site_options(parser)
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then arguments for pytest")


def run(args: argparse.Namespace) -> int:
    """Run the suite and report; returns an ExitCode."""
    if getattr(args, "site_box", False):  # host a site-mode emulator and judge it as a real box
        return run_on_site_box(args, _run_on_target)
    return _run_on_target(args)


def _run_on_target(args: argparse.Namespace) -> int:
    """Run the suite against the box the options name (or the embedded emulator)."""
    extra = list(args.pytest_args)
    if extra and extra[0] == "--":
        extra = extra[1:]
    if args.workers is not None and args.workers != "auto" and not str(args.workers).isdigit():
        print(f"sophon-conformance run: -n must be a number or 'auto', not {args.workers!r}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    target_name = "emulator"
    try:  # the box profile fills what the flags leave out; credentials stay in the environment
        box = load_box_profile(args.box_profile) if args.box_profile else BoxProfile()
        for key in ("box_url", "ws_url", "version_url", "receiver_bind", "receiver_advertise_url"):
            setattr(args, key, getattr(args, key) or getattr(box, key))
        username, password = (args.username, args.password) if args.username else box.credentials()
        interfaces = parse_interfaces(args.interfaces) if args.interfaces else box.interfaces
    except ValueError as exc:  # BoxProfileError included
        print(f"sophon-conformance run: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    if not args.box_url and (args.receiver_bind or args.receiver_advertise_url):
        print(
            "sophon-conformance run: --receiver-bind/--receiver-advertise-url apply to a real box "
            "(--box-url); the embedded emulator uploads to a receiver on 127.0.0.1",
            file=sys.stderr,
        )
        return ExitCode.USAGE_ERROR
    unknown = _unknown_faults(args.fault)
    if unknown:
        print(f"sophon-conformance run: {unknown}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    if args.box_url:
        try:
            config = TargetConfig(
                box_url=args.box_url,
                ws_url=args.ws_url or default_ws_url(args.box_url),
                control_url=args.control_url,
                version_url=args.version_url,
                profile=args.profile,
                username=username,
                password=password,
                interfaces=MANDATORY_INTERFACES if interfaces is None else interfaces,
                devices=tuple(args.device) or box.devices,
            )
        except ValueError as exc:
            print(f"sophon-conformance run: {exc}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
        target_name = config.name
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{target_name}"
    run_dir = args.reports_dir / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    if args.box_url:
        try:
            preflight(config)
        except PreflightError as exc:
            print(f"sophon-conformance run: {exc}", file=sys.stderr)
            _write_preflight_failure(run_dir, run_id, args, exc)
            print(run_dir / "summary.json")
            return exc.exit_code
    started = time.monotonic()
    started_epoch = time.time()
    pytest_exit = _run_pytest(_pytest_argv(args, run_dir, extra), quiet=args.quiet)
    stats = _read_json(run_dir / "stats.json")
    exit_code = run_exit_code(_exit_code(pytest_exit, stats), run_dir)  # harness errors: their own code
    saved_setting = run_dir / SAVED_SETTING_FILE
    if saved_setting.exists():
        print(
            "sophon-conformance run: the box's HistoryEventUrl setting was NOT restored; "
            f"POST the setting in {saved_setting} back to the box",
            file=sys.stderr,
        )
    summary = _summary(
        args,
        run_id=run_id,
        run_dir=run_dir,
        exit_code=exit_code,
        stats=stats,
        wall=time.monotonic() - started,
    )
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    report_html = _finalize(args, run_dir, stats, started_epoch, exit_code)
    _point_latest(args.reports_dir, run_dir)
    counts = summary["counts"]
    print(
        f"sophon-conformance run: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['errors']} errors, {counts['skipped']} skipped; "
        f"HTTP exchanges: {summary['exchanges']}; wall {summary['wall_s']:.1f} s; exit {int(exit_code)}"
    )
    print(report_html)
    return exit_code


def _write_preflight_failure(
    run_dir: Path, run_id: str, args: argparse.Namespace, exc: PreflightError
) -> None:
    """Evidence for CI when no test could run: which box, why, and the exit code."""
    summary = {
        "run_id": run_id,
        "target": args.box_url,
        "profile": args.profile,
        "outcome": "preflight failed",
        "category": "transport",
        "message": str(exc),
        "exit_code": int(exc.exit_code),
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _finalize(
    args: argparse.Namespace, run_dir: Path, stats: dict[str, Any], started_epoch: float, exit_code: int
) -> Path:
    """Summary, requirement matrix and the Allure HTML; the path of report.html."""
    from conformance.report.environment import build_environment
    from conformance.report.finalize import finalize_run

    environment = build_environment(
        box_url=args.box_url,
        ws_url=args.ws_url,
        control_url=args.control_url,
        profile=args.profile,
        firmware_version=stats.get("firmware_version"),
        capabilities=stats.get("capabilities") or (),
        seed=args.hypothesis_profile,
        faults=args.fault,
    )
    return finalize_run(
        run_dir,
        catalog=None,
        environment=environment,
        started=started_epoch,
        exit_code=int(exit_code),
        html=not args.no_html,
    )


def _unknown_faults(names: list[str]) -> str | None:
    """The emulator's refusal of a fault name (it lists the known ones), or None when all are known."""
    if not names:
        return None
    from conformance.emulator.faults.catalog import CATALOG
    from conformance.emulator.faults.model import UnknownFaultError

    try:
        for name in names:
            CATALOG.get(name)
    except UnknownFaultError as exc:
        return str(exc)
    return None


def run_workers(args: argparse.Namespace) -> str:
    """The xdist workers of the run: -n as given; else BOX_WORKERS against a box, one process otherwise.

    The embedded emulator's tests are quick and each worker would seed its own emulator; an operator's
    prompts (--interactive) need the one terminal, which xdist workers do not have.
    """
    if args.workers is not None:
        return str(args.workers)
    return BOX_WORKERS if args.box_url and not args.interactive else "0"


def _pytest_argv(args: argparse.Namespace, run_dir: Path, extra: list[str]) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(SUITE_DIR),
        "-p",
        SERVERS_PLUGIN,
        "--conformance",
        f"--rootdir={PROJECT_ROOT}",
        f"--junitxml={run_dir / 'junit.xml'}",
        f"--alluredir={run_dir / 'allure-results'}",
        f"--conformance-stats={run_dir / 'stats.json'}",
        f"--conformance-records={run_dir / 'results.jsonl'}",
        f"--profile={args.profile}",
        f"--hypothesis-profile={args.hypothesis_profile}",
    ]
    if args.quiet:
        argv.append("-q")  # also silences the progress line, which is written to stderr
    workers = run_workers(args)
    if workers != "0":
        argv += ["-n", workers]
        if args.box_url:  # one shared box: the tests that share its uploads go to one worker (worker_groups)
            argv += ["--dist", "loadgroup"]
    for flag in (
        "box_url",
        "ws_url",
        "control_url",
        "version_url",
        "receiver_bind",
        "receiver_advertise_url",
    ):
        value = getattr(args, flag)
        if value:
            argv.append(f"--{flag.replace('_', '-')}={value}")
    if args.username:
        argv += [f"--username={args.username}", f"--password={args.password or ''}"]
    if args.box_profile:
        argv.append(f"--box-profile={args.box_profile.resolve()}")
    if args.search_photos is not None:  # pytest runs in the project folder: pass it absolute
        argv.append(f"--search-photos={args.search_photos.resolve()}")
    for flag in ("interfaces", "live_wait"):
        if getattr(args, flag) is not None:
            argv.append(f"--{flag.replace('_', '-')}={getattr(args, flag)}")
    argv += [f"--device={device}" for device in args.device]
    if not getattr(args, "hosted_faults", None):  # a hosted site box does not tell the suite its faults
        argv += [f"--emulator-fault={name}" for name in args.fault]
    if args.no_configure_upload:
        argv.append("--no-configure-upload")
    if args.allow_writes:
        argv.append("--allow-writes")
    if args.interactive:
        argv.append("--interactive")
    return argv + extra


def _run_pytest(argv: list[str], *, quiet: bool = False) -> int:
    """pytest in a child process, so each run starts clean (plugins, Hypothesis state, servers).

    The child runs in its own session, so a terminal's Ctrl-C reaches only this process, which passes
    one SIGINT on and waits for pytest to tear down (restoring the box's upload setting). A second
    Ctrl-C, or a child that does not stop within INTERRUPT_GRACE_S, ends it with SIGKILL.
    """
    env = dict(os.environ)  # bytecode goes to a PYTHONPYCACHEPREFIX cache if one is given, else nowhere
    if not env.get("PYTHONPYCACHEPREFIX"):
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    output = subprocess.DEVNULL if quiet else None
    if PYTEST_LAUNCHER is not None:  # a warm fork server's child (tests/warm_launcher.py), never a user's run
        child: PytestChild = PYTEST_LAUNCHER(argv, env, output)
    else:
        child = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=output, start_new_session=True)
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return _interrupt_child(child)
    finally:
        signal.signal(signal.SIGTERM, previous_term)


def _raise_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _interrupt_child(child: PytestChild) -> int:
    """Forward one SIGINT and wait for pytest's teardown; a second interrupt or the grace period kills it."""
    print(
        "sophon-conformance run: interrupted; letting the suite clean up (Ctrl-C again to kill)",
        file=sys.stderr,
    )
    child.send_signal(signal.SIGINT)
    try:
        child.wait(timeout=INTERRUPT_GRACE_S)
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        child.kill()
        child.wait()
        print("sophon-conformance run: the suite was killed before it cleaned up", file=sys.stderr)
    return PYTEST_INTERRUPTED


def _exit_code(pytest_exit: int, stats: dict[str, Any]) -> ExitCode:
    if stats.get("outcome") == "box_unreachable":
        return ExitCode.BOX_UNREACHABLE
    if stats.get("outcome") == "preflight_failed":
        return ExitCode(int(stats.get("exit_code", ExitCode.USAGE_ERROR)))
    return PYTEST_TO_EXIT.get(pytest_exit, ExitCode.HARNESS_ERROR)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _junit_counts(path: Path) -> dict[str, int]:
    counts = {"tests": 0, "passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return counts
    for suite in root.iter("testsuite"):
        counts["tests"] += int(suite.get("tests", 0))
        counts["failed"] += int(suite.get("failures", 0))
        counts["errors"] += int(suite.get("errors", 0))
        counts["skipped"] += int(suite.get("skipped", 0))
    counts["passed"] = counts["tests"] - counts["failed"] - counts["errors"] - counts["skipped"]
    return counts


def _summary(
    args: argparse.Namespace,
    *,
    run_id: str,
    run_dir: Path,
    exit_code: ExitCode,
    stats: dict[str, Any],
    wall: float,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "target": args.box_url or "emulator",
        "profile": args.profile,
        "hypothesis_profile": args.hypothesis_profile,
        "faults": list(args.fault),
        "exit_code": int(exit_code),
        "counts": _junit_counts(run_dir / "junit.xml"),
        "exchanges": int(stats.get("exchanges", 0)),
        "firmware_version": stats.get("firmware_version"),
        "wall_s": round(wall, 3),
    }


def _point_latest(reports_dir: Path, run_dir: Path) -> None:
    """`reports/latest` always names the newest run."""
    latest = reports_dir / "latest"
    temporary = reports_dir / f".latest-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(run_dir.name)
    temporary.replace(latest)
