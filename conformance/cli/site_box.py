"""`sophon-conformance run --site-box`: the run judges a site-mode emulator it hosts, as it would a real box.

The emulator runs in the `run` process (history recorded before the start, live recognitions on, no
control plane, the `--fault` names switched on from the start) and the suite meets it through the
real-box path: `--box-url`, `--ws-url`, `--version-url`, writes allowed (the box is the run's own), its
upload setting redirected and restored. The suite is not told which faults are on: a real box does not
say. This is how `mutants --blind` proves the suite without a control plane.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conformance.cli.emulator_cmd import non_negative_problem
from conformance.exit_codes import ExitCode
from conformance.target.target import VERSION_PATH

# Cheap defaults: two days of history (a 24-hour default window leaves events out) for the checks to sample.
DEFAULT_LIVE_RATE = 2.0
DEFAULT_HISTORY_DAYS = 2.0
DEFAULT_HISTORY_PER_DAY = 1000
EMULATOR_LOGGERS = ("conformance.emulator", "websockets", "uvicorn")  # quieted to warnings while hosted
# what a site box cannot be combined with: it is the box, and it has no control plane
CONFLICTS = ("box_url", "ws_url", "version_url", "control_url", "box_profile")
#: the site box's settings that count something, each 0 or more: (flag, what it counts)
SITE_COUNTS = (
    ("site-live-rate", "recognitions a second"),
    ("site-history-days", "days"),
    ("site-history-per-day", "recognitions a day"),
)


@dataclass(frozen=True)
class HostedSiteBox:
    """A site-mode emulator hosted by the run: its three URLs and stop()."""

    box_url: str
    ws_url: str
    version_url: str
    stop: Callable[[], None]


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """The `run` options that make the run host and judge a site-mode emulator."""
    site = parser.add_argument_group("site-mode emulator (judged like a real box, no control plane)")
    site.add_argument(
        "--site-box",
        action="store_true",
        help="judge a site-mode emulator this run hosts (history, live recognitions, --fault on from the "
        "start) through the real-box path, without a control plane",
    )
    site.add_argument(
        "--site-live-rate",
        type=float,
        default=DEFAULT_LIVE_RATE,
        metavar="R",
        help=f"its live recognitions a second (default {DEFAULT_LIVE_RATE:g}; 0 = a quiet box)",
    )
    site.add_argument(
        "--site-history-days",
        type=float,
        default=DEFAULT_HISTORY_DAYS,
        metavar="D",
        help=f"days of history recorded before the start (default {DEFAULT_HISTORY_DAYS:g})",
    )
    site.add_argument(
        "--site-history-per-day",
        type=int,
        default=DEFAULT_HISTORY_PER_DAY,
        metavar="N",
        help=f"recognitions a day in that history (default {DEFAULT_HISTORY_PER_DAY})",
    )


def site_box_problem(args: argparse.Namespace) -> str:
    """Why these `run` options cannot host a site box ("" when they can)."""
    given = [name for name in CONFLICTS if getattr(args, name, None)]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        return f"--site-box is the box under test and has no control plane: drop {flags}"
    for flag, what in SITE_COUNTS:  # checked here, so that a bad one ends the run with exit 2, not SystemExit
        problem = non_negative_problem(getattr(args, flag.replace("-", "_")), what)
        if problem:
            return f"--{flag}: {problem}"
    return ""


def start_hosted_site_box(args: argparse.Namespace, workdir: Path) -> HostedSiteBox:
    """Start the site-mode emulator on free 127.0.0.1 ports with the run's faults on."""
    from conformance.emulator.server import EmulatorConfig, start_emulator_thread  # only when asked

    for name in EMULATOR_LOGGERS:  # a line per request or connection would drown the run's output
        logging.getLogger(name).setLevel(logging.WARNING)
    running = start_emulator_thread(
        EmulatorConfig(
            http_port=0,
            ws_port=0,
            version_port=0,
            db_path=workdir / "site-box.sqlite3",
            faults=list(args.fault),
            site=True,
            live_rate=args.site_live_rate,
            history_days=args.site_history_days,
            history_per_day=args.site_history_per_day,
        )
    )
    return HostedSiteBox(running.http_url, running.ws_url, running.version_url + VERSION_PATH, running.stop)


def run_on_site_box(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """Host the site box for the whole of `run(args)`, pointed at it as at a real box; stop it after."""
    problem = site_box_problem(args)
    if problem:
        print(f"sophon-conformance run: {problem}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    with tempfile.TemporaryDirectory(prefix="site-box-") as workdir:
        try:
            box = start_hosted_site_box(args, Path(workdir))
        except (ValueError, OSError, RuntimeError) as exc:  # a bad fault name, no free port
            print(f"sophon-conformance run: the site box did not start: {exc}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
        try:
            hosted = argparse.Namespace(**vars(args))
            hosted.site_box = False
            hosted.box_url, hosted.ws_url, hosted.version_url = box.box_url, box.ws_url, box.version_url
            hosted.allow_writes = True  # the box is the run's own
            hosted.hosted_faults = list(args.fault)  # on in the box, not told to the suite
            return run(hosted)
        finally:
            box.stop()
