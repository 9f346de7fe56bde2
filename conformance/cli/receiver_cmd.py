"""`sophon-conformance receiver`: run the upload receiver in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from conformance.exit_codes import ExitCode
from conformance.receiver.config import (
    DEFAULT_MAX_BODY,
    DEFAULT_PATH,
    DEFAULT_PORT,
    PROFILES,
    ReceiverConfig,
    ReceiverConfigError,
)
from conformance.receiver.server import ReceiverStartError, start_receiver_thread

HELP = "run the upload receiver (catches the box's HistoryEvent uploads and logs them as JSONL)"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the subcommand and its flags."""
    defaults = ReceiverConfig()
    parser: argparse.ArgumentParser = subparsers.add_parser("receiver", help=HELP, description=HELP)
    parser.add_argument(
        "--host", default=defaults.host, help="address to bind (default %(default)s; wider binds warn)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s; 0 = any free)"
    )
    parser.add_argument(
        "--path", default=DEFAULT_PATH, help="upload path the box posts to (default %(default)s)"
    )
    parser.add_argument(
        "--log", type=Path, default=defaults.log_path, help="JSONL upload log (default %(default)s)"
    )
    parser.add_argument(
        "--profile",
        choices=[*PROFILES, "none"],
        default="strict",
        help="schema profile for validating uploads; none logs without validating (default %(default)s)",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        help="largest accepted body in bytes (default %(default)s)",
    )
    parser.add_argument(
        "--accept-invalid",
        action="store_true",
        help="answer 200 to decodable uploads with schema findings (they are still logged as invalid)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> ReceiverConfig:
    """Build the receiver settings from parsed flags."""
    return ReceiverConfig(
        host=args.host,
        port=args.port,
        path=args.path,
        log_path=args.log,
        profile=None if args.profile == "none" else args.profile,
        max_body=args.max_body,
        reject_invalid=not args.accept_invalid,
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; bad settings exit 2, a receiver that cannot start exits 4."""
    try:
        config = config_from_args(args).check()
    except ReceiverConfigError as exc:
        print(f"sophon-conformance receiver: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    try:
        running = start_receiver_thread(config)
    except ReceiverStartError as exc:
        print(f"sophon-conformance receiver: {exc}", file=sys.stderr)
        return ExitCode.HARNESS_ERROR
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _on_signal)
    print(f"receiving uploads at {running.url} (log: {config.log_path}, profile: {config.profile or 'none'})")
    print(f"wait API: {running.base_url}/_receiver/uploads?since=0&wait=10")
    print(f"stats: {running.base_url}/_receiver/stats")
    sys.stdout.flush()
    try:
        while running.alive and not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        running.stop()
    print("receiver stopped")
    return ExitCode.OK
