"""Point the box's uploads (HistoryEventUrl) at the run's receiver and put the old setting back afterwards.

Reference history-event-url-config: `GET /SophonFogSys/api/HistoryEventUrl` answers
`{"data": {"message": ..., <the setting>}}`; `POST` with a JSON body replaces the setting.
The saved setting is also written to a file before the box is changed, so a run that dies hard
(SIGKILL, power) leaves the user what to restore by hand.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from conformance.target.target import HISTORY_EVENT_URL_PATH

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 10.0
# what a POST must carry (reference: 必选); used when the box's GET answer lacks a key
REQUIRED_DEFAULTS: Mapping[str, Any] = {"content-type": "json", "reported_peroid": 60}
SETTING_KEYS = (
    "history_upload_event_url",
    "history_need_reg_pic",
    "history_need_spot_pic",
    "history_need_recognize_face",
    "content-type",
    "reported_peroid",
)


class UploadConfigError(Exception):
    """Reading or changing HistoryEventUrl failed; the message names the call and the answer."""


def _setting_of(answer: Any) -> dict[str, Any]:
    """The documented keys of a GET answer's `data` object (`message` dropped)."""
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise UploadConfigError(
            f"GET {HISTORY_EVENT_URL_PATH} answered without a data object: {answer!r:.200}"
        )
    return {key: data[key] for key in SETTING_KEYS if key in data}


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
        """Save the box's setting, then point its uploads at the receiver (JSON); returns the new setting."""
        with self._lock:
            if self.applied:
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

    def restore(self) -> bool:
        """Put the saved setting back; True when it was restored (or nothing had been changed)."""
        with self._lock:
            if not self.applied or self.previous is None:
                return True
            setting = {**REQUIRED_DEFAULTS, **self.previous}
            try:
                self.client.write(setting)
            except UploadConfigError as exc:
                where = f"; the saved setting is in {self.saved_path}" if self.saved_path else ""
                log.error("could not restore the box's HistoryEventUrl setting: %s%s", exc, where)
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
