"""Validate control-plane JSON (devices, identities, event specs) with messages that name the exact path."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from conformance.emulator.errors import ControlError
from conformance.emulator.model import (
    DEVICE_TYPES,
    PERSON_TYPE_TO_USER_TYPE,
    WS_DEVICE_TYPES,
    DeviceRecord,
    IdentityRecord,
)
from conformance.emulator.request_values import BadValueError, json_int, json_string

T = TypeVar("T")
MAX_ID_CHARS = 256


def bad(path: str, problem: str) -> ControlError:
    """A 400 naming the JSON path of the bad value."""
    return ControlError(HTTPStatus.BAD_REQUEST, "INVALID_ARGUMENTS", f"{path}: {problem}")


def field(obj: dict[str, Any], key: str, path: str, convert: Callable[[Any], T], default: T) -> T:
    """obj[key] converted, or `default` when absent; a wrong type is a 400 naming path.key."""
    if key not in obj:
        return default
    try:
        return convert(obj[key])
    except BadValueError as exc:
        raise bad(f"{path}.{key}", str(exc)) from None


def required(obj: dict[str, Any], key: str, path: str, convert: Callable[[Any], T]) -> T:
    """obj[key] converted; absent is a 400."""
    if key not in obj:
        raise bad(f"{path}.{key}", "is required")
    try:
        return convert(obj[key])
    except BadValueError as exc:
        raise bad(f"{path}.{key}", str(exc)) from None


def object_list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """body[key] as a non-empty list of objects."""
    items = body.get(key)
    if not isinstance(items, list) or not items:
        raise bad(key, "expected a non-empty list of objects")
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad(f"{key}[{n}]", "expected an object")
    return items


def identifier(value: Any) -> str:
    """A non-empty id string of at most 256 characters."""
    text = json_string(value)
    if not text or len(text) > MAX_ID_CHARS:
        raise BadValueError(f"expected a non-empty string of at most {MAX_ID_CHARS} characters")
    return text


def one_of(*allowed: str) -> Callable[[Any], str]:
    """A string from a closed vocabulary."""

    def convert(value: Any) -> str:
        text = json_string(value)
        if text not in allowed:
            raise BadValueError(f"expected one of {', '.join(repr(a) for a in allowed)}")
        return text

    return convert


def person_type(value: Any) -> int:
    """A person_type code 1-5 (6 = car, v2 only)."""
    code = json_int(value)
    if code not in PERSON_TYPE_TO_USER_TYPE:
        raise BadValueError("expected a person_type code 1-6")
    return code


def seed_value(value: Any) -> int:
    """A face seed: an integer 0 <= n < 2**31."""
    number = json_int(value)
    if not 0 <= number < 2**31:
        raise BadValueError("expected an integer 0 <= n < 2**31")
    return number


def parse_device(obj: dict[str, Any], path: str) -> DeviceRecord:
    """A device from POST /_emulator/devices."""
    device_type = field(obj, "device_type", path, one_of(*DEVICE_TYPES), "rtsp")
    ws_default = {"photo": "1", "rtsp": "3", "card": "0"}[device_type]
    device_ip = field(obj, "device_ip", path, json_string, "192.168.1.100")
    key_default = f"rtsp://{device_ip}:554/ch1" if device_type == "rtsp" else device_ip
    return DeviceRecord(
        device_id=required(obj, "device_id", path, identifier),
        device_name=field(obj, "device_name", path, json_string, ""),
        device_ip=device_ip,
        device_type=device_type,
        ws_device_type=field(obj, "ws_device_type", path, one_of(*WS_DEVICE_TYPES), ws_default),
        device_key=field(obj, "device_key", path, json_string, key_default),
        group_id=field(obj, "group_id", path, json_string, ""),
        permission_id=field(obj, "permission_id", path, json_string, ""),
    )


def parse_identity(obj: dict[str, Any], path: str, default_seed: int) -> IdentityRecord:
    """An identity from POST /_emulator/identities; face_seed defaults to a stable value per identity."""
    ptype = field(obj, "person_type", path, person_type, 1)
    if ptype == 4:
        raise bad(f"{path}.person_type", "4 (stranger) is not a registered identity")
    return IdentityRecord(
        identity_id=required(obj, "identity_id", path, identifier),
        name=field(obj, "name", path, json_string, ""),
        person_type=ptype,
        group_id=field(obj, "group_id", path, json_string, ""),
        group_name=field(obj, "group_name", path, json_string, ""),
        room=field(obj, "room", path, json_string, ""),
        face_seed=field(obj, "face_seed", path, seed_value, default_seed),
    )
