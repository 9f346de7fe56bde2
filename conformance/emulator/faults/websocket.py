"""Faults of the WebSocket push (seed 004): configuration handling, which clients get which events and
pictures, and the fields of a push message. Each fault carries its behaviour at the hook points."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final

from conformance.emulator.faults import hooks
from conformance.emulator.faults.model import Family
from conformance.emulator.model import EventRecord
from conformance.emulator.websocket_server import ConfigReply, PushTarget
from conformance.emulator.ws_config import ProtocolState, WsConfig

FAMILY: Final = Family("websocket")

BAD_CONFIG_REASON: Final = "emulator fault ws-dies-on-bad-config"
REPLAYED: Final = 8  # ws-replays-recent-events: the latest events a first configuration is sent again


def _dies_on_bad_config(reply: ConfigReply, **_: Any) -> ConfigReply:
    return dataclasses.replace(reply, close_everyone=BAD_CONFIG_REASON) if reply.error is not None else reply


def _reconfig_ignored(reply: ConfigReply, *, configured: bool, **_: Any) -> ConfigReply:
    return dataclasses.replace(reply, config=None) if configured and reply.config is not None else reply


def _no_event_list_all(reply: ConfigReply, *, frame: str | bytes, **_: Any) -> ConfigReply:
    if reply.config is None or isinstance(frame, bytes):
        return reply
    data = json.loads(frame)
    follows_all = reply.follows_all or (isinstance(data, dict) and "event_list" not in data)
    return dataclasses.replace(reply, follows_all=follows_all)


def _empty_event_list_all(reply: ConfigReply, *, frame: str | bytes, **_: Any) -> ConfigReply:
    if reply.config is None or isinstance(frame, bytes):
        return reply
    data = json.loads(frame)
    follows_all = reply.follows_all or (isinstance(data, dict) and data.get("event_list") == [])
    return dataclasses.replace(reply, follows_all=follows_all)


def _malformed_follows_all(reply: ConfigReply, **_: Any) -> ConfigReply:
    return ConfigReply(config=WsConfig(), follows_all=True) if reply.error is not None else reply


def _flags_swapped(target: PushTarget | None, **_: Any) -> PushTarget | None:
    if target is None:
        return None
    config, every_device = target
    swapped = dataclasses.replace(config, need_face=config.need_register, need_register=config.need_face)
    return swapped, every_device


def _push_before_config(target: PushTarget | None, *, state: ProtocolState, **_: Any) -> PushTarget | None:
    if target is None and state is ProtocolState.AWAITING_CONFIG:
        return WsConfig(), True
    return target


def _ignore_event_list(target: PushTarget | None, *, state: ProtocolState, **_: Any) -> PushTarget | None:
    if target is not None and state is ProtocolState.CONFIGURED:
        return target[0], True
    return target


def _replays_recent_events(reply: ConfigReply, *, configured: bool, **_: Any) -> ConfigReply:
    if configured or reply.config is None:
        return reply
    return dataclasses.replace(reply, replay=REPLAYED)


def _one_event_list(target: PushTarget | None, *, latest: WsConfig | None, **_: Any) -> PushTarget | None:
    if target is None or latest is None:
        return target
    return dataclasses.replace(target[0], event_list=latest.event_list), target[1]


def _pictures_unrequested(target: PushTarget | None, **_: Any) -> PushTarget | None:
    if target is None:
        return None
    return dataclasses.replace(target[0], need_face=True, need_register=True), target[1]


def _without_event_ids(message: dict[str, Any], **_: Any) -> dict[str, Any]:
    del message["event_id"], message["video_id"]
    return message


def spot_pic_path(image_id: str) -> str:
    """Where a firmware keeps a scene picture, sent instead of its base64 JPEG."""
    return f"/data/sophon/spot/{image_id}.jpg"


def _spot_pic_path(message: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    if message["ext_data"]["spot_pic"]:
        message["ext_data"]["spot_pic"] = spot_pic_path(record.spot_image_id)
    return message


FAMILY.fault(
    "ws-dies-on-bad-config",
    "websocket",
    "a malformed configuration message takes the push server down for every client",
    ("WS-WS-011",),
    {hooks.WS_CONFIG: _dies_on_bad_config},
    caught_by="test_live_malformed_configuration_disturbs_no_one",
)
FAMILY.fault(
    "ws-reconfig-ignored",
    "websocket",
    "a second configuration message is ignored; the first one stays in force",
    ("WS-WS-010",),
    {hooks.WS_CONFIG: _reconfig_ignored},
    caught_by="test_live_second_configuration_takes_effect",
)
FAMILY.fault(
    "ws-no-event-list-all",
    "websocket",
    "a WebSocket configuration without event_list follows every device instead of none (default [])",
    ("WS-WS-012",),
    {hooks.WS_CONFIG: _no_event_list_all},
    caught_by="test_omitted_keys_take_their_defaults and without-event-list",
)
FAMILY.fault(
    "ws-push-before-config",
    "websocket",
    "the push starts right after connecting, before the client sent its configuration",
    ("WS-WS-002",),
    {hooks.WS_TARGET: _push_before_config},
    caught_by="test_nothing_arrives_before_the_configuration",
    quick=True,
)
FAMILY.fault(
    "ws-ignore-event-list",
    "websocket",
    "events of every device are pushed, whatever event_list says",
    ("WS-WS-006", "WS-WS-007"),
    {hooks.WS_TARGET: _ignore_event_list},
    caught_by="test_live_pushes_follow_event_list",
)
FAMILY.fault(
    "ws-pictures-unrequested",
    "websocket",
    "recognize_face and reg_pic are sent although need_face / need_register are false",
    ("WS-WS-004", "WS-WS-005"),
    {hooks.WS_TARGET: _pictures_unrequested},
    caught_by="test_pictures_follow_the_flags and off",
)
FAMILY.fault(
    "ws-without-event-ids",
    "websocket",
    "WebSocket pushes carry neither event_id nor video_id (only the table's fields)",
    ("WS-WS-016",),
    {hooks.WS_PUSH: _without_event_ids},
    caught_by="test_every_message_validates or test_the_seeds_sample_client_works",
)
FAMILY.fault(
    "ws-spot-pic-path",
    "websocket",
    "pushed ext_data.spot_pic holds the picture's file path on the box instead of a base64 JPEG",
    ("WS-SCHEMA-011",),
    {hooks.WS_PUSH: _spot_pic_path},
    caught_by="test_pushed_spot_pic_is_a_base64_jpeg",
)

FAMILY.fault(
    "ws-replays-recent-events",
    "websocket",
    "a client's first configuration is answered with the latest events already recorded (of its devices), "
    "before the new ones: events from before the configuration are replayed",
    ("WS-WS-009",),
    {hooks.WS_CONFIG: _replays_recent_events},
    caught_by="test_nothing_arrives_before_the_configuration or test_live_nothing_before_the_configuration",
)
FAMILY.fault(
    "ws-one-event-list",
    "websocket",
    "one event_list for the whole server: the latest configuration's devices govern every configured client "
    "(picture flags stay per connection)",
    ("WS-WS-013",),
    {hooks.WS_TARGET: _one_event_list},
    caught_by="test_each_client_gets_exactly_its_events or test_live_clients_get_their_own_streams",
)
FAMILY.fault(
    "ws-empty-event-list-all",
    "websocket",
    "a configuration with event_list [] follows every device instead of none",
    ("WS-WS-006",),
    {hooks.WS_CONFIG: _empty_event_list_all},
    caught_by="test_only_listed_devices_are_pushed and empty",
)
FAMILY.fault(
    "ws-malformed-follows-all",
    "websocket",
    "a malformed configuration is not refused but taken as following every device: that client is pushed all",
    ("WS-WS-011",),
    {hooks.WS_CONFIG: _malformed_follows_all},
    caught_by="test_malformed_configurations_disturb_no_one",
)
FAMILY.fault(
    "ws-flags-swapped",
    "websocket",
    "need_face governs reg_pic and need_register the face crop (the two picture flags swapped)",
    ("WS-WS-004", "WS-WS-005"),
    {hooks.WS_TARGET: _flags_swapped},
    caught_by="test_pictures_follow_the_flags[face] or test_pictures_follow_the_flags[register]",
)

# --- judged from live recognitions against the v2 history (test_ws_live.py; no control plane needed) ----
LIVE_HISTORY: Final = "test_live_pushes_are_in_the_history"
LIVE_PICTURES: Final = "test_live_pictures_follow_the_flags"


def _event_list_first_only(reply: ConfigReply, *, frame: str | bytes, **_: Any) -> ConfigReply:
    if reply.config is None or isinstance(frame, bytes):
        return reply
    listed = json.loads(frame).get("event_list") or []
    first = frozenset(str(d) for d in listed[:1])
    return dataclasses.replace(reply, config=dataclasses.replace(reply.config, event_list=first))


def _score_is_pose_score(message: dict[str, Any], *, record: EventRecord, **_: Any) -> dict[str, Any]:
    message["score"] = record.pose_score
    return message


def _identity_is_image_id(message: dict[str, Any], **_: Any) -> dict[str, Any]:
    image_id = message["identity_info"].get("image_id")
    if image_id:
        message["identity_id"] = image_id
    return message


def _timestamp_whole_seconds(message: dict[str, Any], **_: Any) -> dict[str, Any]:
    message["timestamp"] = message["timestamp"] // 1000 * 1000
    return message


def _need_face_ignored(target: PushTarget | None, **_: Any) -> PushTarget | None:
    return None if target is None else (dataclasses.replace(target[0], need_face=False), target[1])


def _need_register_ignored(target: PushTarget | None, **_: Any) -> PushTarget | None:
    return None if target is None else (dataclasses.replace(target[0], need_register=False), target[1])


FAMILY.fault(
    "ws-event-list-first-only",
    "websocket",
    "only the first device id of event_list is followed; the other listed devices' events are never pushed",
    ("WS-WS-008", "WS-WS-006"),
    {hooks.WS_CONFIG: _event_list_first_only},
    caught_by=LIVE_HISTORY,
)
FAMILY.fault(
    "ws-score-is-pose-score",
    "websocket",
    "pushed score is the face's pose (quality) score, not the comparison score the history holds",
    ("WS-SCHEMA-007",),
    {hooks.WS_PUSH: _score_is_pose_score},
    caught_by=LIVE_HISTORY,
)
FAMILY.fault(
    "ws-identity-is-image-id",
    "websocket",
    "pushed identity_id of a matched person is the registration image id, not the person id of the history",
    ("WS-SCHEMA-001",),
    {hooks.WS_PUSH: _identity_is_image_id},
    caught_by=LIVE_HISTORY,
)
FAMILY.fault(
    "ws-timestamp-whole-seconds",
    "websocket",
    "pushed timestamp is in ms but cut to the whole second (…000): not the event's time in the history",
    ("WS-TIME-001",),
    {hooks.WS_PUSH: _timestamp_whole_seconds},
    caught_by=LIVE_HISTORY,
)
FAMILY.fault(
    "ws-need-face-ignored",
    "websocket",
    "need_face true still sends no face crop (ext_data.recognize_face and spot_pic empty)",
    ("WS-WS-004",),
    {hooks.WS_TARGET: _need_face_ignored},
    caught_by=LIVE_PICTURES,
)
FAMILY.fault(
    "ws-need-register-ignored",
    "websocket",
    "need_register true still sends no registered photo (reg_pic empty for matched persons)",
    ("WS-WS-005",),
    {hooks.WS_TARGET: _need_register_ignored},
    caught_by=LIVE_PICTURES,
)
