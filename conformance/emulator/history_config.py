"""The upload configuration (reference history-event-url-config): parsed from JSON or form data, stored.

The uploader (engineer F) reads it with `load_history_config(store)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from conformance.emulator.errors import invalid, missing
from conformance.emulator.request_values import (
    BadValueError,
    json_int,
    json_string,
    json_string_list,
    text_bool,
    text_int,
    text_list,
)
from conformance.emulator.store.database import Store

SETTINGS_KEY: Final = "history_event_url"
CONTENT_TYPES: Final = ("json", "form-data")
MAX_URLS: Final = 16
MAX_PERIOD_S: Final = 86_400
PIC_FLAGS: Final = ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face")
REQUIRED_KEYS: Final = ("history_upload_event_url", "content-type", "reported_peroid")

T = TypeVar("T")


@dataclass(frozen=True)
class HistoryUploadConfig:
    """Where the box uploads stored events and what it includes; field names as documented."""

    history_upload_event_url: list[str] = field(default_factory=list)
    history_need_reg_pic: bool = True
    history_need_spot_pic: bool = True
    history_need_recognize_face: bool = True
    content_type: str = "json"
    reported_peroid: int = 60

    def as_json(self) -> dict[str, Any]:
        """The documented representation (note the key `content-type` and the typo `reported_peroid`)."""
        data = asdict(self)
        data["content-type"] = data.pop("content_type")
        return data


def load_history_config(store: Store) -> HistoryUploadConfig:
    """The stored configuration, or the defaults when none was set."""
    raw = store.settings_get(SETTINGS_KEY)
    if not isinstance(raw, dict):
        return HistoryUploadConfig()
    return HistoryUploadConfig(
        history_upload_event_url=list(raw.get("history_upload_event_url", [])),
        history_need_reg_pic=bool(raw.get("history_need_reg_pic", True)),
        history_need_spot_pic=bool(raw.get("history_need_spot_pic", True)),
        history_need_recognize_face=bool(raw.get("history_need_recognize_face", True)),
        content_type=str(raw.get("content-type", "json")),
        reported_peroid=int(raw.get("reported_peroid", 60)),
    )


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadValueError(f"{text[:80]!r} is not an http(s)://host[:port]/path URL")
    try:
        _ = parts.port
    except ValueError:
        raise BadValueError(f"{text[:80]!r} has an invalid port") from None
    return text


def _convert(key: str, value: T, convert: Callable[[T], Any]) -> Any:
    try:
        return convert(value)
    except BadValueError as exc:
        raise invalid(key, v1=True, detail=str(exc)) from None


def _urls(values: list[str]) -> list[str]:
    if len(values) > MAX_URLS:
        raise BadValueError(f"at most {MAX_URLS} URLs")
    return [_url(v) for v in values]


def _json_urls(value: Any) -> list[str]:
    return _urls([value] if isinstance(value, str) else json_string_list(value))


def _json_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadValueError("expected true or false")
    return value


def _period(value: int) -> int:
    if not 1 <= value <= MAX_PERIOD_S:
        raise BadValueError(f"expected an integer between 1 and {MAX_PERIOD_S}")
    return value


def _content_type(value: str) -> str:
    if value not in CONTENT_TYPES:
        raise BadValueError("expected 'json' or 'form-data'")
    return value


def parse_json_config(body: dict[str, Any]) -> HistoryUploadConfig:
    """A JSON request body: urls a list (a single string is taken as a list of one), flags booleans."""
    for key in REQUIRED_KEYS:
        if key not in body:
            raise missing(key, v1=True)
    flags = {k: _convert(k, body[k], _json_bool) for k in PIC_FLAGS if k in body}
    return HistoryUploadConfig(
        history_upload_event_url=_convert(
            "history_upload_event_url", body["history_upload_event_url"], _json_urls
        ),
        content_type=_convert("content-type", body["content-type"], lambda v: _content_type(json_string(v))),
        reported_peroid=_convert("reported_peroid", body["reported_peroid"], lambda v: _period(json_int(v))),
        **flags,
    )


def parse_form_config(form: dict[str, list[str]]) -> HistoryUploadConfig:
    """A form-data or urlencoded body: lists as repeated keys, comma lists or JSON text (E05)."""
    for key in REQUIRED_KEYS:
        if not form.get(key):
            raise missing(key, v1=True)
    flags = {k: _convert(k, form[k][0], text_bool) for k in PIC_FLAGS if form.get(k)}
    return HistoryUploadConfig(
        history_upload_event_url=_convert(
            "history_upload_event_url", form["history_upload_event_url"], lambda v: _urls(text_list(v))
        ),
        content_type=_convert("content-type", form["content-type"][0], _content_type),
        reported_peroid=_convert(
            "reported_peroid", form["reported_peroid"][0], lambda v: _period(text_int(v))
        ),
        **flags,
    )
