"""The box under test as the suite sees it, so tests ask one object instead of reading options."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

PROFILES = ("strict", "lenient")
DEVICES_PATH = "/SophonDevice/api/Devices"
V2_EVENTS_PATH = "/sophon/v2/face/getevents"
V1_EVENTS_PATH = "/SophonFace/api/events"
PICTURE_SEARCH_PATH = "/SophonMatch/api/picturesearch"
HISTORY_EVENT_URL_PATH = "/SophonFogSys/api/HistoryEventUrl"
LOGIN_PATH = "/sophon/v2/face/login"
VERSION_PATH = "/sophon/v2/system/getsoftwareversion"
VERSION_PORT = 8888


@dataclass(frozen=True)
class Capabilities:
    """Which documented interfaces the box answers; tests of an absent interface skip instead of failing."""

    v2_events: bool = False
    v1_events: bool = False
    picture_search: bool = False
    history_event_url: bool = False
    device_ids: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for logs and the run summary."""
        present = [
            name
            for name, flag in (
                ("v2", self.v2_events),
                ("v1", self.v1_events),
                ("picturesearch", self.picture_search),
                ("HistoryEventUrl", self.history_event_url),
            )
            if flag
        ]
        return f"{', '.join(present) or 'none'}; {len(self.device_ids)} device(s)"


@dataclass(frozen=True)
class TargetConfig:
    """What the user told us about the box, before we talk to it."""

    box_url: str
    ws_url: str
    control_url: str | None = None
    version_url: str | None = None
    profile: str = "strict"
    username: str | None = None
    password: str | None = None
    embedded: bool = False
    faults: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {self.profile!r}")
        for label, url in (("box URL", self.box_url), ("WebSocket URL", self.ws_url)):
            check_url(label, url, ("http", "https") if label == "box URL" else ("ws", "wss"))
        if self.control_url is not None:
            check_url("control URL", self.control_url, ("http", "https"))

    @property
    def name(self) -> str:
        """A short name for run ids and reports: `emulator` or the box's host."""
        if self.embedded:
            return "emulator"
        host = urlsplit(self.box_url).hostname or "box"
        return host.replace(".", "-").replace(":", "-")

    @property
    def default_version_url(self) -> str:
        """Where the firmware version lives: given explicitly, or the box host on port 8888."""
        if self.version_url:
            return self.version_url
        parts = urlsplit(self.box_url)
        return f"{parts.scheme}://{parts.hostname}:{VERSION_PORT}{VERSION_PATH}"


@dataclass(frozen=True)
class Target:
    """A box after preflight: its configuration plus what we learned from it."""

    config: TargetConfig
    capabilities: Capabilities = field(default_factory=Capabilities)
    firmware_version: str | None = None
    auth_cookies: tuple[tuple[str, str], ...] = ()
    receiver_url: str | None = None  # where the box uploads to (advertised to the box)
    receiver_api_url: str | None = None  # where the suite reads what arrived (the receiver's own API)

    @property
    def has_control(self) -> bool:
        """Oracle tests need a control plane to seed data; without one they skip."""
        return self.config.control_url is not None

    @property
    def box_url(self) -> str:
        """Base URL of the box's HTTP API, without a trailing slash."""
        return self.config.box_url.rstrip("/")

    @property
    def ws_url(self) -> str:
        """URL of the box's WebSocket."""
        return self.config.ws_url

    @property
    def profile(self) -> str:
        """`strict` or `lenient`: which reading of the documents the checks apply."""
        return self.config.profile

    @property
    def name(self) -> str:
        """Short name of the target for run ids and reports."""
        return self.config.name

    def url(self, path: str) -> str:
        """An absolute URL on the box for a documented path."""
        return self.box_url + path

    def with_receiver(self, receiver_url: str | None, api_url: str | None = None) -> Target:
        """The same target with the upload receiver attached: the URL the box uploads to and its API."""
        return replace(self, receiver_url=receiver_url, receiver_api_url=api_url or receiver_url)


def check_url(label: str, url: str, schemes: tuple[str, ...]) -> None:
    """Reject a URL the harness cannot use, naming the option it came from."""
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{label} {url!r} is not a {'/'.join(schemes)} URL with a host")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError(f"{label} {url!r} has an invalid port") from None
