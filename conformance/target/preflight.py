"""Reach the box before any test runs, so a dead box ends the run in seconds with one clear message.

Preflight also finds which mandatory interfaces answer. One that answers 404/405/501 is *missing*:
its tests still run and fail (issue 14, missing is failing) unless the user declared it absent. A
transport error on a probe is left to the tests, which report it as a transport failure.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import requests

from conformance.exit_codes import ExitCode
from conformance.target.target import (
    DEVICES_PATH,
    HISTORY_EVENT_URL_PATH,
    LOGIN_PATH,
    MANDATORY_INTERFACES,
    PICTURE_SEARCH_PATH,
    V1_EVENTS_PATH,
    V2_EVENTS_PATH,
    Capabilities,
    Target,
    TargetConfig,
)

log = logging.getLogger(__name__)

REACH_WINDOW_S = 10.0  # keep retrying a refused connection this long (a box may still be booting)
TOTAL_DEADLINE_S = 14.0  # everything preflight does fits in the 15 s the issue allows
CALL_TIMEOUT_S = 5.0
RETRY_PAUSE_S = 0.5
ABSENT_STATUSES = frozenset({404, 405, 501})
# HistoryEventUrl is documented as POST; preflight reads it with GET (no write), so 405 there means present
PRESENT_ON_405 = frozenset({"history_event_url"})


class PreflightError(Exception):
    """Preflight could not establish the target; carries the exit code the run ends with."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.BOX_UNREACHABLE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class _Clock:
    """A deadline that every call's timeout is cut to."""

    deadline: float

    def timeout(self, wanted: float = CALL_TIMEOUT_S) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return min(wanted, left)


def preflight(
    config: TargetConfig,
    *,
    reach_window_s: float = REACH_WINDOW_S,
    total_deadline_s: float = TOTAL_DEADLINE_S,
) -> Target:
    """Reach the box, read its devices, discover capabilities, read the firmware, log in when asked."""
    clock = _Clock(time.monotonic() + total_deadline_s)
    with requests.Session() as session:
        try:
            devices = _reach(session, config, clock, min(reach_window_s, total_deadline_s))
            cookies = _login(session, config, clock)
            capabilities = _discover(session, config, clock, devices)
            firmware = _firmware_version(session, config, clock)
        except TimeoutError:
            raise PreflightError(
                f"box at {config.box_url} did not finish preflight within {total_deadline_s:.0f} s"
            ) from None
    log.info("preflight: %s answers; capabilities: %s", config.box_url, capabilities.describe())
    return Target(config=config, capabilities=capabilities, firmware_version=firmware, auth_cookies=cookies)


def _reach(
    session: requests.Session, config: TargetConfig, clock: _Clock, window_s: float
) -> dict[str, Any] | int:
    """GET the device list, retrying refused connections until the reach window closes.

    Returns the device list body, or the status when the box answered 404/405/501 (devices missing).
    """
    url = config.box_url.rstrip("/") + DEVICES_PATH
    give_up = time.monotonic() + window_s
    last_error = "no attempt"
    while True:
        try:
            response = session.get(url, timeout=clock.timeout())
        except requests.RequestException as exc:
            last_error = _short_error(exc)
        else:
            if response.status_code in ABSENT_STATUSES:
                return response.status_code
            return _devices_body(response, url)
        if time.monotonic() + RETRY_PAUSE_S >= give_up:
            raise PreflightError(f"box unreachable: GET {url} failed for {window_s:.0f} s ({last_error})")
        time.sleep(RETRY_PAUSE_S)


def _devices_body(response: requests.Response, url: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise PreflightError(
            f"box answered GET {url} with HTTP {response.status_code}; is this a Sophon box?"
        )
    try:
        body = response.json()
    except json.JSONDecodeError:
        raise PreflightError(f"box answered GET {url} with a body that is not JSON") from None
    if not isinstance(body, dict):
        raise PreflightError(f"box answered GET {url} with JSON that is not an object")
    return body


def _device_ids(devices: dict[str, Any]) -> tuple[str, ...]:
    data = devices.get("data")
    listed = data.get("devices_list") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return ()
    return tuple(str(item["device_id"]) for item in listed if isinstance(item, dict) and "device_id" in item)


def _login(session: requests.Session, config: TargetConfig, clock: _Clock) -> tuple[tuple[str, str], ...]:
    """Log in when credentials are given; a refused login is the user's problem, not the box's."""
    if config.username is None:
        return ()
    url = config.box_url.rstrip("/") + LOGIN_PATH
    body = {"username": config.username, "password": config.password or ""}
    try:
        response = session.post(url, json=body, timeout=clock.timeout())
    except requests.RequestException as exc:
        raise PreflightError(f"login failed: POST {url}: {_short_error(exc)}") from None
    try:
        answer = response.json()
    except json.JSONDecodeError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict) or answer.get("result") is not True:
        raise PreflightError(
            f"login as {config.username!r} refused: HTTP {response.status_code} {response.text[:200]!r}",
            ExitCode.USAGE_ERROR,
        )
    return tuple(sorted(session.cookies.get_dict().items()))


def _discover(
    session: requests.Session, config: TargetConfig, clock: _Clock, devices: dict[str, Any] | int
) -> Capabilities:
    """Probe each mandatory interface with a harmless request; 404/405/501 means the box lacks it."""
    base = config.box_url.rstrip("/")
    probes: dict[str, tuple[str, str, dict[str, Any]]] = {
        "v2_events": ("POST", V2_EVENTS_PATH, {"json": {"page_limit": 1, "page_index": 0}}),
        "v1_events": ("GET", V1_EVENTS_PATH, {"params": {"per_page": 1, "page": 0}}),
        # an empty body asks for nothing: a box with the interface rejects it, one without answers 404
        "picture_search": ("POST", PICTURE_SEARCH_PATH, {"json": {}}),
        "history_event_url": ("GET", HISTORY_EVENT_URL_PATH, {}),
    }
    missing: dict[str, str] = {}
    if isinstance(devices, int):
        missing["devices"] = f"GET {DEVICES_PATH} answered HTTP {devices}"
    for name, (method, path, kwargs) in probes.items():
        try:
            response = session.request(method, base + path, timeout=clock.timeout(), **kwargs)
        except requests.RequestException as exc:
            # not proof of absence: the tests meet the same transport error and report it as one
            log.warning("preflight: %s %s failed: %s", method, path, _short_error(exc))
            continue
        status = response.status_code
        if status in ABSENT_STATUSES and not (status == 405 and name in PRESENT_ON_405):
            missing[name] = f"{method} {path} answered HTTP {status}"
    if len(missing) == len(MANDATORY_INTERFACES):
        _refuse_a_box_without_interfaces(config, missing)
    declared = config.declared_absent
    for name, seen in missing.items():
        if name not in declared:
            log.warning("preflight: mandatory interface %s is missing (%s)", name, seen)
    return Capabilities(
        device_ids=_chosen_devices(config, devices),
        missing=tuple((name, seen) for name, seen in missing.items() if name not in declared),
        declared_absent=declared,
        **{name: name not in declared for name in MANDATORY_INTERFACES},
    )


def _chosen_devices(config: TargetConfig, devices: dict[str, Any] | int) -> tuple[str, ...]:
    """The devices to use: those the user named (each must be on the box's list), else all listed."""
    listed = _device_ids(devices) if isinstance(devices, dict) else ()
    if not config.devices:
        return listed
    unknown = [device for device in config.devices if listed and device not in listed]
    if unknown:
        raise PreflightError(
            f"device {unknown[0]!r} (box profile `devices` / --device) is not in the box's device list "
            f"({', '.join(listed)})",
            ExitCode.USAGE_ERROR,
        )
    return config.devices


def _refuse_a_box_without_interfaces(config: TargetConfig, missing: dict[str, str]) -> None:
    """Every mandatory interface answering 404/405/501 means a wrong URL, not a box to judge."""
    status = missing["devices"].rsplit(" ", 1)[-1]
    url = config.box_url.rstrip("/") + DEVICES_PATH
    raise PreflightError(
        f"box answered GET {url} with HTTP {status}; is this a Sophon box? "
        "(no documented interface answers: every probe got 404, 405 or 501)"
    )


def _firmware_version(session: requests.Session, config: TargetConfig, clock: _Clock) -> str | None:
    """Read `app_gate_version` where the box offers it; its absence is normal and only logged."""
    url = config.default_version_url
    try:
        response = session.post(url, json={}, timeout=clock.timeout(2.0))
        body = response.json()
    except (requests.RequestException, json.JSONDecodeError) as exc:
        log.info("preflight: no firmware version at %s (%s)", url, type(exc).__name__)
        return None
    if response.status_code != 200 or not isinstance(body, dict):
        return None
    version = body.get("app_gate_version")
    return str(version) if version is not None else None


def _short_error(exc: requests.RequestException) -> str:
    """The innermost reason of a transport error, without the urllib3 pool noise."""
    reason: BaseException = exc
    while reason.__context__ is not None and len(str(reason.__context__)) < len(str(reason)):
        reason = reason.__context__
    text = str(reason)
    for marker in ("Connection refused", "timed out", "Name or service not known", "No route to host"):
        if marker in str(exc):
            return marker
    return f"{type(exc).__name__}: {text[:160]}"
