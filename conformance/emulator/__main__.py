"""`python -m conformance.emulator …` runs the same command as `sophon-conformance emulator …`."""

from __future__ import annotations

import argparse
import logging
import sys

from conformance.cli import emulator_cmd


def main(argv: list[str] | None = None) -> int:
    """Parse emulator flags and run it."""
    parser = argparse.ArgumentParser(prog="python -m conformance.emulator")
    subparsers = parser.add_subparsers(dest="command", required=True)
    emulator_cmd.add_parser(subparsers)
    args = parser.parse_args(["emulator", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return emulator_cmd.run(args)


if __name__ == "__main__":
    sys.exit(main())
