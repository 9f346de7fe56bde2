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


# the interfaces a conforming box must offer (issue 14: missing is failing), as the box profile names them
MANDATORY_INTERFACES = ("v2_events", "v1_events", "picture_search", "devices", "history_event_url")
INTERFACE_CALLS = {
    "v2_events": f"POST {V2_EVENTS_PATH}",
    "v1_events": f"GET {V1_EVENTS_PATH}",
    "picture_search": f"POST {PICTURE_SEARCH_PATH}",
    "devices": f"GET {DEVICES_PATH}",
    "history_event_url": f"GET {HISTORY_EVENT_URL_PATH}",
}


@dataclass(frozen=True)
class Capabilities:
    """Which mandatory interfaces the suite tests: every one the user did not declare absent.

    An interface that answered 404/405/501 at preflight is still tested (its tests fail): it is
    `missing`, not absent, unless the user declared it absent (box profile `interfaces`, --interfaces).
    """

    v2_events: bool = False
    v1_events: bool = False
    picture_search: bool = False
    history_event_url: bool = False
    devices: bool = False
    device_ids: tuple[str, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()  # (interface, what preflight saw) for 404/405/501 answers
    declared_absent: tuple[str, ...] = ()

    def tested(self, interface: str) -> bool:
        """True when the suite runs the interface's tests (it was not declared absent)."""
        return bool(getattr(self, interface))

    def missing_answer(self, interface: str) -> str | None:
        """What the interface answered at preflight when it was missing (e.g. `HTTP 404`), else None."""
        return dict(self.missing).get(interface)

    def describe(self) -> str:
        """One line for logs and the run summary."""
        present = [
            label
            for label, name in (
                ("v2", "v2_events"),
                ("v1", "v1_events"),
                ("picturesearch", "picture_search"),
                ("devices", "devices"),
                ("HistoryEventUrl", "history_event_url"),
            )
            if self.tested(name) and self.missing_answer(name) is None
        ]
        parts = [f"{', '.join(present) or 'none'}; {len(self.device_ids)} device(s)"]
        if self.missing:
            parts.append("MISSING " + ", ".join(f"{name} ({seen})" for name, seen in self.missing))
        if self.declared_absent:
            parts.append("declared absent " + ", ".join(self.declared_absent))
        return "; ".join(parts)


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
    interfaces: tuple[str, ...] = MANDATORY_INTERFACES  # what the firmware claims; others: declared absent
    devices: tuple[str, ...] = ()  # the devices to use; () = every device the box lists

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {self.profile!r}")
        unknown = [name for name in self.interfaces if name not in MANDATORY_INTERFACES]
        if unknown:
            raise ValueError(
                f"unknown interface {unknown[0]!r}: the interfaces are {', '.join(MANDATORY_INTERFACES)}"
            )
        for label, url in (("box URL", self.box_url), ("WebSocket URL", self.ws_url)):
            check_url(label, url, ("http", "https") if label == "box URL" else ("ws", "wss"))
        if self.control_url is not None:
            check_url("control URL", self.control_url, ("http", "https"))

    @property
    def declared_absent(self) -> tuple[str, ...]:
        """Mandatory interfaces the user says this firmware does not offer: their tests skip."""
        return tuple(name for name in MANDATORY_INTERFACES if name not in self.interfaces)

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
