"""The plugin's command-line options in one group, and their reading into one typed object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.target.box_profile import (
    DEFAULT_LIVE_WAIT_S,
    BoxProfile,
    load_box_profile,
    parse_interfaces,
)
from conformance.target.preflight import REACH_WINDOW_S
from conformance.target.target import MANDATORY_INTERFACES, PROFILES, TargetConfig, check_url

GROUP = "sophon-conformance"


def add_options(parser: pytest.Parser) -> None:
    """Register every option of the plugin in one group, like pytest-xdist does."""
    group = parser.getgroup(GROUP, "sophon-conformance: the box under test")
    group.addoption(
        "--conformance", action="store_true", help="run as the conformance suite (preflight, markers)"
    )
    group.addoption("--box-profile", help="TOML box profile (docs/box-profile.md); flags override its keys")
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
    group.addoption(
        "--interfaces",
        help=f"comma list of the interfaces the firmware claims ({','.join(MANDATORY_INTERFACES)})",
    )
    group.addoption("--device", action="append", default=[], help="a device to use (repeatable; default all)")
    group.addoption(
        "--live-wait", type=float, help=f"seconds to wait for live traffic (default {DEFAULT_LIVE_WAIT_S:g})"
    )
    group.addoption("--interactive", action="store_true", help="ask the operator when no recognition came")
    group.addoption("--search-photos", help="folder of face photos for picture search on a real box")
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
    live_wait_s: float = DEFAULT_LIVE_WAIT_S  # how long live-traffic tests wait for a recognition
    search_photos: Path | None = None  # face photos for picture search on a real box
    interactive: bool = False  # an operator at the terminal walks past a camera when no recognition came

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
    profile = str(config.getoption("profile"))
    try:
        box = read_box_profile(config.getoption("box_profile"))
        box_url = config.getoption("box_url") or box.box_url
        target = None if box_url is None else _target_config(config, str(box_url), profile, box)
        bind = _bind(config.getoption("receiver_bind") or box.receiver_bind or "127.0.0.1:0")
        advertise = config.getoption("receiver_advertise_url") or box.receiver_advertise_url
        if advertise:
            check_url("--receiver-advertise-url", advertise, ("http", "https"))
        live_wait = config.getoption("live_wait")
        live_wait = box.live_wait_s if live_wait is None else live_wait
        live_wait_s = DEFAULT_LIVE_WAIT_S if live_wait is None else float(live_wait)
        if live_wait_s < 0:
            raise ValueError(f"--live-wait must be 0 or more seconds, not {live_wait_s:g}")
        photos_flag = config.getoption("search_photos")
        search_photos = Path(photos_flag) if photos_flag else box.search_photos
        if search_photos is not None and not search_photos.is_dir():
            raise ValueError(f"--search-photos {str(search_photos)!r} is not a folder")
    except ValueError as exc:  # BoxProfileError included
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
        live_wait_s=live_wait_s,
        search_photos=search_photos,
        interactive=bool(config.getoption("interactive")),
    )


def read_box_profile(path: str | None) -> BoxProfile:
    """The --box-profile file, or an empty profile; a bad file raises BoxProfileError (a ValueError)."""
    return BoxProfile() if not path else load_box_profile(Path(path))


def _target_config(config: pytest.Config, box_url: str, profile: str, box: BoxProfile) -> TargetConfig:
    ws_url = config.getoption("ws_url") or box.ws_url or default_ws_url(box_url)
    username, password = config.getoption("username"), config.getoption("password")
    if username is None:
        username, profile_password = box.credentials()
        password = password if password is not None else profile_password
    interfaces = config.getoption("interfaces")
    return TargetConfig(
        box_url=box_url,
        ws_url=ws_url,
        control_url=config.getoption("control_url"),
        version_url=config.getoption("version_url") or box.version_url,
        profile=profile,
        username=username,
        password=password,
        faults=tuple(config.getoption("emulator_fault") or ()),
        interfaces=parse_interfaces(interfaces) if interfaces else _claimed(box),
        devices=tuple(config.getoption("device") or ()) or box.devices,
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


def _claimed(box: BoxProfile) -> tuple[str, ...]:
    """The profile's `interfaces` list; without one, the firmware claims every mandatory interface."""
    return MANDATORY_INTERFACES if box.interfaces is None else box.interfaces
