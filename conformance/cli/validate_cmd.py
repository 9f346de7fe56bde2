"""`sophon-conformance validate`: check that the specification data loads and agrees with itself."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.paths import ASYNCAPI_PATH, OPENAPI_PATH, PROJECT_ROOT
from conformance.spec.loader import SpecFileError

ASYNCAPI_TIMEOUT_S = 60


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand."""
    parser = subparsers.add_parser(
        "validate", help="validate schemas, OpenAPI, AsyncAPI, errata and requirements"
    )
    parser.add_argument("--skip-asyncapi", action="store_true", help="do not run the Node AsyncAPI parser")
    only = parser.add_mutually_exclusive_group()
    only.add_argument(
        "--trace",
        metavar="ID",
        help="print what carries one requirement: statement, schema nodes, checks, tests, faults, kill tests",
    )
    only.add_argument(
        "--trace-index",
        metavar="FILE",
        type=Path,
        help="write the trace index of every interface (docs/trace-index.md) and exit",
    )


def _check_schemas() -> str:
    from conformance.spec.catalog import Profile, load_spec

    counts = []
    for profile in Profile:
        spec = load_spec(profile)
        for name in spec.names():
            spec.schema(name)
        counts.append(f"{profile.value}: {len(spec.names())} schemas")
    return ", ".join(counts)


def _check_openapi() -> str:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, base_uri = read_from_filename(str(OPENAPI_PATH))
    validate(document, base_uri=base_uri)
    return f"{OPENAPI_PATH.relative_to(PROJECT_ROOT)} is valid OpenAPI {document.get('openapi')}"


def _check_asyncapi() -> str:
    script = PROJECT_ROOT / "scripts" / "validate-asyncapi.mjs"
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed; run scripts/setup.sh")
    done = subprocess.run(
        [node, str(script), str(ASYNCAPI_PATH)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=ASYNCAPI_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError((done.stdout + done.stderr).strip() or f"exit {done.returncode}")
    return f"{ASYNCAPI_PATH.relative_to(PROJECT_ROOT)} is valid AsyncAPI"


def _check_catalog() -> str:
    from conformance.spec.errata import load_errata
    from conformance.spec.requirements import load_requirements
    from conformance.spec.schema_requirements import all_linked_ids, unknown_linked_ids

    catalog = load_requirements()
    errata = load_errata()
    unknown = unknown_linked_ids(catalog)
    if unknown:
        raise RuntimeError(unknown[0])
    linked = len(all_linked_ids())
    return f"{len(list(catalog))} requirements ({linked} linked to schema nodes), {len(list(errata))} errata"


def _trace(requirement_id: str) -> int:
    from conformance.cli.requirement_trace import render_trace, trace
    from conformance.spec.requirements import UnknownRequirement

    try:
        found = trace(requirement_id)
    except UnknownRequirement as exc:
        print(f"sophon-conformance validate: {exc}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    print(render_trace(found), end="")
    return ExitCode.OK


def _trace_index(path: Path) -> int:
    from conformance.cli.trace_index import write_trace_index

    print(f"wrote {write_trace_index(path)}")
    return ExitCode.OK


def run(args: argparse.Namespace) -> int:
    """Run every check, print one line per check, and exit non-zero when any fails (or trace, see flags)."""
    if args.trace is not None:
        return _trace(args.trace)
    if args.trace_index is not None:
        return _trace_index(args.trace_index)
    checks: list[tuple[str, Callable[[], str]]] = [
        ("schemas", _check_schemas),
        ("openapi", _check_openapi),
        ("catalog", _check_catalog),
    ]
    if not args.skip_asyncapi:
        checks.append(("asyncapi", _check_asyncapi))
    failed = 0
    for name, check in checks:
        try:
            print(f"ok    {name}: {check()}")
        except SpecFileError as exc:
            failed += 1
            print(f"FAIL  {name}: {exc}")
        except Exception as exc:
            failed += 1
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"FAIL  {name}: {first_line}")
    return ExitCode.USAGE_ERROR if failed else ExitCode.OK
