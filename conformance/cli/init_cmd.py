"""`sophon-conformance init`: preflight a box and write a box profile for it (docs/box-profile.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from conformance.exit_codes import ExitCode
from conformance.suite.options import default_ws_url
from conformance.target.box_profile import DEFAULT_LIVE_WAIT_S, BoxProfileError, load_box_profile
from conformance.target.preflight import PreflightError, preflight
from conformance.target.target import MANDATORY_INTERFACES, Target, TargetConfig

DEFAULT_OUTPUT = Path("box-profile.toml")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the subcommand."""
    parser = subparsers.add_parser(
        "init",
        help="preflight a box and write a box profile for it (TOML)",
        description="Reach the box, find its interfaces and devices, and write a box profile that "
        "`run --box-profile FILE` reads. Credentials are named by environment variable, never written.",
    )
    parser.add_argument("--box-url", required=True, help="HTTP base URL of the box (http://HOST:5555)")
    parser.add_argument("--ws-url", help="WebSocket URL (default: the box host on port 5679)")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"file to write (default {DEFAULT_OUTPUT})"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing profile file")


def run(args: argparse.Namespace) -> int:
    """Preflight the box and write the profile; returns an ExitCode."""
    output: Path = args.output
    if output.exists() and not args.force:
        return _usage(f"{output} exists; pass --force to overwrite it")
    try:
        config = TargetConfig(box_url=args.box_url, ws_url=args.ws_url or default_ws_url(args.box_url))
    except ValueError as exc:
        return _usage(str(exc))
    try:
        target = preflight(config)
    except PreflightError as exc:
        print(f"sophon-conformance init: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_profile(target), encoding="utf-8")
        load_box_profile(output)  # what we write must read back
    except (OSError, BoxProfileError) as exc:
        return _usage(f"cannot write {output}: {exc}")
    missing = ", ".join(name for name, _seen in target.capabilities.missing)
    if missing:
        print(f"sophon-conformance init: missing at preflight (tests will fail): {missing}", file=sys.stderr)
    print(output)
    return ExitCode.OK


def render_profile(target: Target) -> str:
    """The profile as TOML text: what preflight found, and commented keys for what it cannot know."""
    capabilities = target.capabilities
    lines = [
        "# sophon-conformance box profile, written by `sophon-conformance init` (docs/box-profile.md).",
        "# Command-line flags of `sophon-conformance run` override every key.",
        f"# firmware (app_gate_version): {target.firmware_version or 'not reported'}",
        "",
        f"box_url = {_string(target.box_url)}",
        f"ws_url = {_string(target.ws_url)}",
        "",
        "# The mandatory interfaces this firmware claims. Remove one ONLY if the firmware does not claim it:",
        "# its tests then skip. A claimed interface that answers 404/405/501 fails its requirements.",
    ]
    for name, seen in capabilities.missing:
        lines.append(f"# missing at preflight: {name} ({seen})")
    lines.append("interfaces = [" + ", ".join(_string(name) for name in MANDATORY_INTERFACES) + "]")
    lines += [
        "",
        "# The devices to use (default: every device the box lists). The box lists:",
        "# devices = [" + ", ".join(_string(device) for device in capabilities.device_ids) + "]",
        "",
        "# A folder of face photos for picture search (relative to this file).",
        '# search_photos = "photos"',
        "",
        "# Seconds to wait for live recognitions before a live-traffic test reports `not exercised`.",
        f"live_wait_s = {DEFAULT_LIVE_WAIT_S:g}",
        "",
        "[credentials]",
        "# Environment variable names only: a profile is shared, a secret is not.",
        '# username = "admin"',
        '# password_env = "SOPHON_PASSWORD"',
        "",
        "[receiver]",
        "# Where the upload receiver listens, and the URL the box should upload to (it must reach it).",
        '# bind = "0.0.0.0:9528"',
        '# advertise_url = "http://192.168.1.19:9528"',
        "",
    ]
    return "\n".join(lines)


def _string(value: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def _usage(message: str) -> int:
    print(f"sophon-conformance init: {message}", file=sys.stderr)
    return ExitCode.USAGE_ERROR
