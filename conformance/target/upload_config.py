"""Point the box's uploads (HistoryEventUrl) at the run's receiver and put the old setting back afterwards.

Reference history-event-url-config: `GET /SophonFogSys/api/HistoryEventUrl` answers
`{"data": {"message": ..., <the setting>}}`; `POST` with a JSON body replaces the setting.
The saved setting is also written to a file before the box is changed, so a run that dies hard
(SIGKILL, power) leaves the user what to restore by hand. That file is also how the processes of one run
share the redirect (xdist): the first process that needs it applies it under a file lock, the others find
the file and adopt it, and the controlling process restores from it at the end.

The restore posts back every key the GET answered, exactly as read; a documented key the GET did not
answer is posted with its documented default (the picture flags: true), so a test that changed it does
not leave it changed. The restore reads the setting back and reports every key that did not come back.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from conformance.target.target import HISTORY_EVENT_URL_PATH

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
# what a POST must carry (reference: 必选); used when the box's GET answer lacks a key
REQUIRED_DEFAULTS: Mapping[str, Any] = {"content-type": "json", "reported_peroid": 60}
# optional keys with a documented default (reference: 默认为true); restored to it when the GET lacks them
DOCUMENTED_DEFAULTS: Mapping[str, Any] = {
    "history_need_reg_pic": True,
    "history_need_spot_pic": True,
    "history_need_recognize_face": True,
}
ANSWER_ONLY_KEYS = ("message",)


class UploadConfigError(Exception):
    """Reading or changing HistoryEventUrl failed; the message names the call and the answer."""


def _setting_of(answer: Any) -> dict[str, Any]:
    """Every key of a GET answer's `data` object (`message` dropped): what a restore posts back."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise UploadConfigError(
            f"GET {HISTORY_EVENT_URL_PATH} answered without a data object: {answer!r:.200}"
        )
    return {key: value for key, value in data.items() if key not in ANSWER_ONLY_KEYS}


def restore_body(previous: Mapping[str, Any]) -> dict[str, Any]:
    """The POST that puts `previous` back: every key as read, documented defaults for keys it lacks."""
    return {**REQUIRED_DEFAULTS, **DOCUMENTED_DEFAULTS, **previous}


def differing_keys(wanted: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """The keys of `wanted` that `got` lacks or answers with another value."""
    return sorted(key for key in wanted if key not in got or got[key] != wanted[key])


@contextmanager
def file_lock(path: Path | None) -> Iterator[None]:
    """An exclusive lock shared by the processes of one run (no lock without a path)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class HistoryEventUrlClient:
    """GET and POST the upload setting of one box."""

    def __init__(
        self, box_url: str, *, cookies: tuple[tuple[str, str], ...] = (), timeout_s: float = CALL_TIMEOUT_S
    ) -> None:
        self.url = box_url.rstrip("/") + HISTORY_EVENT_URL_PATH
        self.timeout_s = timeout_s
        self._cookies = dict(cookies)

    def read(self) -> dict[str, Any]:
        """The box's current setting."""
        answer = self._call("GET", None)
        return _setting_of(answer)

    def write(self, setting: Mapping[str, Any]) -> None:
        """Replace the setting (JSON body, as the reference allows)."""
        self._call("POST", dict(setting))

    def _call(self, method: str, body: dict[str, Any] | None) -> Any:
        try:
            with requests.Session() as session:
                session.trust_env = False
                response = session.request(
                    method, self.url, json=body, cookies=self._cookies, timeout=self.timeout_s
                )
        except requests.RequestException as exc:
            raise UploadConfigError(f"{method} {self.url}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise UploadConfigError(
                f"{method} {self.url}: HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            return response.json()
        except ValueError:
            raise UploadConfigError(
                f"{method} {self.url}: the answer is not JSON: {response.text[:200]!r}"
            ) from None


class UploadRedirect:
    """Apply once, restore once: the box uploads to `receiver_url` in between; thread-safe and idempotent."""

    def __init__(
        self, client: HistoryEventUrlClient, receiver_url: str, saved_path: Path | None = None
    ) -> None:
        self.client = client
        self.receiver_url = receiver_url
        self.saved_path = saved_path
        self.previous: dict[str, Any] | None = None
        self.applied = False
        self._lock = threading.Lock()

    def apply(self) -> dict[str, Any]:
        """Save the box's setting, then point its uploads at the receiver (JSON); returns the new setting.

        When another process of the run applied it already (the saved file exists), adopt its saved
        setting instead of reading the redirected one as the box's own.
        """
        with self._lock, file_lock(self.saved_path):
            if self.applied:
                return self.redirected_setting()
            if self.adopt_saved():
                return self.redirected_setting()
            self.previous = self.client.read()
            self._save(self.previous)
            setting = self.redirected_setting()
            self.client.write(setting)
            self.applied = True
            log.info(
                "box uploads now go to %s (was %s)",
                self.receiver_url,
                self.previous.get("history_upload_event_url"),
            )
            return setting

    def redirected_setting(self) -> dict[str, Any]:
        """The previous setting with the receiver as the only URL and JSON uploads."""
        setting = {**REQUIRED_DEFAULTS, **(self.previous or {})}
        setting["history_upload_event_url"] = [self.receiver_url]
        setting["content-type"] = "json"
        return setting

    def adopt_saved(self) -> bool:
        """Take the setting saved by this run (another process applied the redirect); False without one."""
        if self.saved_path is None or not self.saved_path.exists():
            return False
        record = json.loads(self.saved_path.read_text(encoding="utf-8"))
        self.previous = dict(record["setting"])
        self.applied = True
        return True

    def restore(self) -> bool:
        """Put the saved setting back, every key; True when it reads back so (or nothing had been changed)."""
        with self._lock, file_lock(self.saved_path):
            if not self.applied:
                self.adopt_saved()  # the controlling process restores what a worker applied
            if not self.applied or self.previous is None:
                return True
            setting = restore_body(self.previous)
            where = f"; the saved setting is in {self.saved_path}" if self.saved_path else ""
            try:
                self.client.write(setting)
                differs = differing_keys(self.previous, self.client.read())  # what was read comes back
            except UploadConfigError as exc:
                log.error("could not restore the box's HistoryEventUrl setting: %s%s", exc, where)
                return False
            if differs:
                log.error(
                    "the box's HistoryEventUrl setting did not come back as read: %s differ%s",
                    ", ".join(differs),
                    where,
                )
                return False
            self.applied = False
            log.info("box upload setting restored: %s", setting.get("history_upload_event_url"))
            if self.saved_path is not None:
                self.saved_path.unlink(missing_ok=True)
            return True

    def _save(self, setting: dict[str, Any]) -> None:
        if self.saved_path is None:
            return
        self.saved_path.parent.mkdir(parents=True, exist_ok=True)
        record = {"box": self.client.url, "setting": setting}
        self.saved_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
