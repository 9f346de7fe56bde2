"""`sophon-conformance` dispatcher: subcommands load lazily and no traceback ever reaches the user."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from types import ModuleType

from conformance import __version__
from conformance.exit_codes import ExitCode
from conformance.spec.loader import SpecFileError

# subcommand name -> module exposing add_parser(subparsers) and run(args) -> int
SUBCOMMANDS: dict[str, str] = {
    "run": "conformance.cli.run_cmd",
    "emulator": "conformance.cli.emulator_cmd",
    "receiver": "conformance.cli.receiver_cmd",
    "validate": "conformance.cli.validate_cmd",
    "gate": "conformance.cli.gate_cmd",
    "report": "conformance.cli.report_cmd",
    "mutants": "conformance.cli.mutants_cmd",
    "init": "conformance.cli.init_cmd",
}


def _load(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None  # subcommand not part of this build
        raise


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """Build the top-level parser from whichever subcommand modules exist."""
    parser = argparse.ArgumentParser(
        prog="sophon-conformance",
        description="Conformance harness and emulator for Sophon face-recognition boxes.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, ModuleType] = {}
    for name, module_name in SUBCOMMANDS.items():
        module = _load(module_name)
        if module is not None:
            module.add_parser(subparsers)
            modules[name] = module
    return parser, modules


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the subcommand, and turn every failure into a message and an exit code."""
    # A parent that ignores SIGINT (CI runners, pytest-xdist workers) makes Python skip its Ctrl-C
    # handler; restore it so an interrupt always ends the command cleanly (and restores the box).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE_ERROR
    try:
        return int(modules[args.command].run(args))
    except SpecFileError as exc:
        print(f"sophon-conformance: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except KeyboardInterrupt:
        print("sophon-conformance: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"sophon-conformance: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for details)",
            file=sys.stderr,
        )
        return ExitCode.HARNESS_ERROR


if __name__ == "__main__":
    sys.exit(main())
