"""Faults of the upload setting (HistoryEventUrl): its answers, its refusals, and how the uploader reads
the URLs and encoding it sets. Each fault carries its behaviour at the hook points."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.history_config import REQUIRED_KEYS, HistoryUploadConfig
from conformance.emulator.render_upload import CONTENT_FORM, CONTENT_JSON
from conformance.emulator.uploader import UploadConfig

FAMILY: Final = Family("upload_setting")

CALL: Final = "upload_setting"
PICTURE_FLAGS: Final = ("history_need_reg_pic", "history_need_spot_pic", "history_need_recognize_face")


def _missing_key_500(body: Any, *, call: str, **_: Any) -> Any:
    if call == CALL:
        for key in REQUIRED_KEYS:
            if key not in body:
                raise KeyError(key)  # the endpoint turns this into HTTP 500 INTERNAL_ERROR
    return body


def _get_returns_defaults(data: Any, *, call: str, **context: Any) -> Any:
    if call == CALL and not context["posted"]:
        return {"message": "success", **HistoryUploadConfig().as_json()}
    return data


def _urls_joined(data: Any, *, call: str, **_: Any) -> Any:
    if call == CALL:
        data["history_upload_event_url"] = ",".join(data.get("history_upload_event_url") or [])
    return data


def _period_string(data: Any, *, call: str, **_: Any) -> Any:
    if call == CALL:
        data["reported_peroid"] = str(data.get("reported_peroid"))
    return data


def _post_message_only(data: Any, *, call: str, **context: Any) -> Any:
    if call == CALL and context["posted"]:
        return {"message": data.get("message", "success")}
    return data


def _absent_flags_false(body: Any, *, call: str, **_: Any) -> Any:
    if call == CALL and isinstance(body, dict):
        for flag in PICTURE_FLAGS:
            body.setdefault(flag, False)
    return body


def _first_url_only(config: UploadConfig, **_: Any) -> UploadConfig:
    return dataclasses.replace(config, urls=config.urls[:1])


def _form_sends_json(config: UploadConfig, **_: Any) -> UploadConfig:
    return dataclasses.replace(config, content_type=CONTENT_JSON)


FAMILY.fault(
    "upc-missing-key-500",
    "errors",
    "HistoryEventUrl crashes with HTTP 500 on a JSON body that lacks a required key",
    ("UPC-ERR-002",),
    {hooks.CALL_REQUEST: _missing_key_500},
    caught_by="test_upload_setting_bad_body_is_refused and missing",
)
FAMILY.fault(
    "upc-get-returns-defaults",
    "uploads",
    "GET HistoryEventUrl answers the factory defaults instead of the configuration in force",
    ("UPC-CONFIG-010",),
    {hooks.CALL_ANSWER: _get_returns_defaults},
    caught_by="test_upload_setting_reads_back_as_set",
)
FAMILY.fault(
    "upc-urls-joined",
    "uploads",
    "HistoryEventUrl answers history_upload_event_url as one comma-joined string instead of a list",
    ("UPC-CONFIG-003",),
    {hooks.CALL_ANSWER: _urls_joined},
    caught_by="test_urls_answer_as_a_list_of_urls",
)
FAMILY.fault(
    "upc-period-string",
    "uploads",
    'HistoryEventUrl answers reported_peroid as a string ("60") instead of an integer',
    ("UPC-CONFIG-008",),
    {hooks.CALL_ANSWER: _period_string},
    caught_by="test_reported_peroid_answers_as_an_integer",
)
FAMILY.fault(
    "upc-post-message-only",
    "uploads",
    'a successful HistoryEventUrl POST answers data {"message": "success"} without the stored configuration',
    ("UPC-CONFIG-009",),
    {hooks.CALL_ANSWER: _post_message_only},
    caught_by="test_post_answer_holds_the_setting_as_set",
)
FAMILY.fault(
    "upload-first-url-only",
    "uploads",
    "uploads go to the first URL of history_upload_event_url only; the others receive nothing",
    ("UPC-UPLOAD-002",),
    {hooks.UPLOAD_CONFIG: _first_url_only},
    caught_by="test_every_configured_url_receives_the_uploads",
)
FAMILY.fault(
    "upload-form-sends-json",
    "uploads",
    'with content-type "form-data" the uploads are still sent as JSON',
    ("UPC-UPLOAD-001",),
    {hooks.UPLOAD_CONFIG: _form_sends_json},
    caught_by="test_live_uploads_follow_the_setting and form-data",
)


def _json_sends_form(config: UploadConfig, **_: Any) -> UploadConfig:
    return dataclasses.replace(config, content_type=CONTENT_FORM)


FAMILY.fault(
    "upload-json-sends-form",
    "uploads",
    'with content-type "json" the uploads are sent as multipart form-data',
    ("UP-UPLOAD-005", "UPC-CONFIG-007"),
    {hooks.UPLOAD_CONFIG: _json_sends_form},
    caught_by="test_live_uploads_follow_the_setting and unpictured",
)
FAMILY.fault(
    "upc-absent-flags-false",
    "uploads",
    "a HistoryEventUrl setting without the history_need_* flags turns every picture off (default: true)",
    ("UPC-CONFIG-004", "UPC-CONFIG-005", "UPC-CONFIG-006"),
    {hooks.CALL_REQUEST: _absent_flags_false},
    caught_by="test_upload_pictures_follow_the_flags and defaults",
)
