"""The plugin's command-line options in one group, and their reading into one typed object."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance.target.preflight import REACH_WINDOW_S
from conformance.target.target import PROFILES, TargetConfig, check_url

GROUP = "sophon-conformance"


def add_options(parser: pytest.Parser) -> None:
    """Register every option of the plugin in one group, like pytest-xdist does."""
    group = parser.getgroup(GROUP, "sophon-conformance: the box under test")
    group.addoption(
        "--conformance", action="store_true", help="run as the conformance suite (preflight, markers)"
    )
    group.addoption("--box-url", help="HTTP base URL of a real box (default: start the embedded emulator)")
    group.addoption("--ws-url", help="WebSocket URL of the box (default: the box host on port 5679)")
    group.addoption("--control-url", help="emulator control plane URL; without it oracle tests skip")
    group.addoption("--version-url", help="firmware version URL (default: box host, port 8888)")
    group.addoption("--receiver-bind", help="HOST:PORT the upload receiver listens on (default 127.0.0.1:0)")
    group.addoption(
        "--receiver-advertise-url", help="URL the box should upload to (default: the bind address)"
    )
    group.addoption("--username", help="log in to the box with this user (reference v2-login)")
    group.addoption("--password", help="password for --username")
    group.addoption("--profile", choices=PROFILES, default="strict", help="reading of the documents (strict)")
    group.addoption("--allow-writes", action="store_true", help="let writes_box tests change a real box")
    group.addoption(
        "--no-configure-upload", action="store_true", help="leave the box's HistoryEventUrl setting untouched"
    )
    group.addoption("--emulator-fault", action="append", default=[], help="turn on a named emulator fault")
    group.addoption(
        "--preflight-timeout",
        type=float,
        default=REACH_WINDOW_S,
        help=f"seconds to keep retrying an unreachable box (default {REACH_WINDOW_S:.0f})",
    )
    group.addoption("--conformance-stats", help="write run statistics (exchanges, outcome) to this JSON file")
    group.addoption(
        "--conformance-records", help="write one JSON line per test (outcome, requirement ids, category) here"
    )


@dataclass(frozen=True)
class ConformanceOptions:
    """The options as the plugin uses them."""

    active: bool
    target: TargetConfig | None  # None when the embedded emulator will be started
    receiver_bind: tuple[str, int]
    receiver_advertise_url: str | None
    allow_writes: bool
    configure_upload: bool
    faults: tuple[str, ...]
    preflight_timeout_s: float
    stats_path: str | None
    profile: str

    @property
    def embedded(self) -> bool:
        """True when the suite starts its own emulator."""
        return self.target is None

    @property
    def has_control(self) -> bool:
        """The embedded emulator always has a control plane; a real box only with --control-url."""
        return self.target is None or self.target.control_url is not None


def read_options(config: pytest.Config) -> ConformanceOptions:
    """Read and check the options; a bad value is a usage error with one message."""
    box_url = config.getoption("box_url")
    profile = str(config.getoption("profile"))
    try:
        target = None if box_url is None else _target_config(config, str(box_url), profile)
        bind = _bind(config.getoption("receiver_bind") or "127.0.0.1:0")
        advertise = config.getoption("receiver_advertise_url")
        if advertise:
            check_url("--receiver-advertise-url", advertise, ("http", "https"))
    except ValueError as exc:
        raise pytest.UsageError(f"sophon-conformance: {exc}") from None
    timeout = float(config.getoption("preflight_timeout"))
    if not 0 < timeout <= 14:
        raise pytest.UsageError("sophon-conformance: --preflight-timeout must be in (0, 14] seconds")
    return ConformanceOptions(
        active=bool(config.getoption("conformance")) or box_url is not None,
        target=target,
        receiver_bind=bind,
        receiver_advertise_url=advertise,
        allow_writes=bool(config.getoption("allow_writes")),
        configure_upload=not config.getoption("no_configure_upload"),
        faults=tuple(config.getoption("emulator_fault") or ()),
        preflight_timeout_s=timeout,
        stats_path=config.getoption("conformance_stats"),
        profile=profile,
    )


def _target_config(config: pytest.Config, box_url: str, profile: str) -> TargetConfig:
    ws_url = config.getoption("ws_url") or default_ws_url(box_url)
    return TargetConfig(
        box_url=box_url,
        ws_url=ws_url,
        control_url=config.getoption("control_url"),
        version_url=config.getoption("version_url"),
        profile=profile,
        username=config.getoption("username"),
        password=config.getoption("password"),
        faults=tuple(config.getoption("emulator_fault") or ()),
    )


def default_ws_url(box_url: str) -> str:
    """The documented WebSocket: the box's host on port 5679."""
    check_url("--box-url", box_url, ("http", "https"))
    from urllib.parse import urlsplit

    parts = urlsplit(box_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.hostname}:5679"


def _bind(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--receiver-bind {text!r} is not HOST:PORT")
    return host, int(port)
