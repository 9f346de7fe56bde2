"""`sophon-conformance emulator`: run the box emulator until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from conformance.exit_codes import ExitCode
from conformance.spec.loader import SpecFileError

if TYPE_CHECKING:
    from conformance.emulator.clock import ClockSetting
    from conformance.emulator.server import EmulatorConfig

LOG_LEVELS = ("debug", "info", "warning", "error")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not -1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 = free port)")
    return port


def non_negative_problem(value: float, what: str) -> str:
    """Why `value` is no finite number of 0 or more of `what` ("" when it is one): a site box's rates,
    days and counts (here and in `run --site-box`)."""
    return "" if 0 <= value < float("inf") else f"{what} must be 0 or more, not {value:g}"


def _non_negative(kind: type[int] | type[float], what: str) -> Callable[[str], float]:
    """An argparse type: a finite number >= 0 of `kind`, else one message naming what it counts."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            number = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"{text!r} is not a {number} of {what}") from None
        problem = non_negative_problem(value, what)
        if problem:
            raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
        return value

    return parse


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand and its flags."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the Sophon box emulator (HTTP :5555, WebSocket :5679, version :8888)",
        description="Run the Sophon box emulator. Binds 127.0.0.1 unless --host says otherwise.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--http-port", type=_port, default=5555, help="HTTP port (default 5555, 0 = free)")
    parser.add_argument("--ws-port", type=_port, default=5679, help="WebSocket port (default 5679, 0 = free)")
    parser.add_argument(
        "--version-port",
        type=_port,
        default=8888,
        help="getsoftwareversion port (default 8888, 0 = free, -1 = off)",
    )
    parser.add_argument(
        "--db", default="./emulator.sqlite3", help="SQLite database file (default ./emulator.sqlite3)"
    )
    parser.add_argument("--control", action="store_true", help="serve the /_emulator control plane")
    parser.add_argument(
        "--control-token", default=None, help="require 'Authorization: Bearer TOKEN' on the control plane"
    )
    parser.add_argument(
        "--fault", action="append", default=[], metavar="NAME", help="switch a named fault on (repeatable)"
    )
    parser.add_argument(
        "--list-faults",
        action="store_true",
        help="print the fault catalog as JSON (as GET /_emulator/faults answers) and exit",
    )
    parser.add_argument(
        "--scenario",
        default=None,
        metavar="FILE",
        help="seed a scenario file (the harness format, e.g. scenarios/core.yaml) into an empty store",
    )
    parser.add_argument(
        "--clock",
        default=None,
        help="real | frozen:<epoch ms> | offset:<ms> (default real; with --scenario, frozen at its origin)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for generated faces and events (default 0)")
    site = parser.add_argument_group("site mode (a stand-in for a box on site: no control plane)")
    site.add_argument(
        "--site",
        action="store_true",
        help="start with days of recorded history and keep recording live recognitions; no /_emulator",
    )
    site.add_argument(
        "--live-rate",
        type=_non_negative(float, "recognitions a second"),
        default=2.0,
        metavar="R",
        help="live recognitions a second, Poisson arrivals (default 2; 0 = a quiet box)",
    )
    site.add_argument(
        "--history-days",
        type=_non_negative(float, "days"),
        default=3.0,
        metavar="D",
        help="days of history recorded before the start (default 3)",
    )
    site.add_argument(
        "--history-per-day",
        type=_non_negative(int, "recognitions a day"),
        default=3000,
        metavar="N",
        help="recognitions a day in that history (default 3000)",
    )
    parser.add_argument("--dev-sno", default="", help="the box's dev_sno (uploads)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="log level (default info)")


def _clock(args: argparse.Namespace) -> ClockSetting:
    """--clock as given; without it, frozen at the scenario's origin (as the harness seeds) or real time."""
    from conformance.emulator.clock import ClockMode, ClockSetting
    from conformance.emulator.scenario import scenario_origin_ms

    if args.clock is not None:
        return ClockSetting.parse(args.clock)
    if args.scenario is not None and not args.site:
        return ClockSetting(ClockMode.FROZEN, now_ms=scenario_origin_ms(args.scenario))
    return ClockSetting()


class UsageError(ValueError):
    """Flags that cannot describe an emulator; the message is for the user."""


def emulator_config(args: argparse.Namespace) -> EmulatorConfig:
    """The EmulatorConfig the flags describe; UsageError when they cannot."""
    from conformance.emulator.clock import ClockSpecError
    from conformance.emulator.faults.catalog import CATALOG
    from conformance.emulator.faults.model import UnknownFaultError
    from conformance.emulator.server import EmulatorConfig

    try:
        clock = _clock(args)
        for name in args.fault:
            CATALOG.get(name)
    except (ClockSpecError, UnknownFaultError, SpecFileError) as exc:
        raise UsageError(str(exc)) from None
    if args.db == ":memory:":
        raise UsageError("--db :memory: is not supported; give a file path")
    if args.site and (args.control or args.control_token):
        raise UsageError("--site has no control plane: drop --control and --control-token")
    return EmulatorConfig(
        host=args.host,
        http_port=args.http_port,
        ws_port=args.ws_port,
        version_port=args.version_port,
        db_path=args.db,
        control=args.control,
        control_token=args.control_token,
        faults=list(args.fault),
        clock=clock,
        dev_sno=args.dev_sno,
        seed=args.seed,
        scenario=args.scenario,
        site=args.site,
        live_rate=args.live_rate,
        history_days=args.history_days,
        history_per_day=int(args.history_per_day),
    )


def _list_faults(active: list[str]) -> int:
    """Print the catalog JSON of GET /_emulator/faults, with the --fault names as the active ones."""
    from conformance.emulator.faults.catalog import CATALOG
    from conformance.emulator.faults.model import UnknownFaultError

    try:
        for name in active:
            CATALOG.get(name)
    except UnknownFaultError as exc:
        print(f"sophon-conformance emulator: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    print(json.dumps(CATALOG.listing(active), ensure_ascii=False, indent=2))
    return ExitCode.OK


def run(args: argparse.Namespace) -> int:
    """Build the configuration from the flags and serve until stopped."""
    from conformance.emulator.server import run_emulator

    logging.getLogger().setLevel(args.log_level.upper())
    logging.getLogger("conformance").setLevel(args.log_level.upper())
    if args.list_faults:
        return _list_faults(args.fault)
    try:
        config = emulator_config(args)
    except UsageError as exc:
        print(f"sophon-conformance emulator: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    try:
        run_emulator(config)
    except SpecFileError as exc:
        print(f"sophon-conformance emulator: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except OSError as exc:
        print(f"sophon-conformance emulator: cannot start: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    return ExitCode.OK
