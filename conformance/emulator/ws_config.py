"""Parse the seed 004 WebSocket configuration message and track the connection's protocol state.

Seed 004: after connecting the box sends nothing until the client sends a configuration with
`need_face` (bool, default False), `need_register` (bool, default False) and `event_list`
(list of device ids, default []). This module decides what a valid configuration is; the server
decides what to do with an invalid one (see docs/emulator.md).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

CONFIG_KEYS = ("need_face", "need_register", "event_list")
MAX_EVENT_LIST = 1000
MAX_DEVICE_ID_CHARS = 256
MAX_CONFIG_BYTES = 256 * 1024
MAX_CLOSE_REASON_BYTES = 123
CLOSE_UNSUPPORTED_DATA = 1003  # a binary frame
CLOSE_POLICY_VIOLATION = 1008  # a text frame that is not a valid configuration


class WsConfigError(ValueError):
    """A configuration message the box refuses; the server closes the connection with `close_code`."""

    def __init__(self, message: str, close_code: int = CLOSE_POLICY_VIOLATION) -> None:
        super().__init__(message)
        self.close_code = close_code

    @property
    def close_reason(self) -> str:
        """The message cut to the 123 bytes a close frame can carry."""
        reason = str(self)
        while len(reason.encode("utf-8")) > MAX_CLOSE_REASON_BYTES:
            reason = reason[:-2] + "…"
        return reason


@dataclass(frozen=True)
class WsConfig:
    """One client's push configuration: which devices it follows and which pictures it wants."""

    need_face: bool = False
    need_register: bool = False
    event_list: frozenset[str] = frozenset()

    def wants(self, device_id: str) -> bool:
        """True when events of this device are pushed to the client."""
        return device_id in self.event_list

    @property
    def picture_flags(self) -> tuple[bool, bool]:
        """(need_face, need_register): clients with equal flags receive byte-identical messages."""
        return (self.need_face, self.need_register)


def _require_bool(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise WsConfigError(f"{key} must be a boolean (true/false), got {type(value).__name__}")
    return value


def _require_event_list(data: dict[str, Any]) -> frozenset[str]:
    value = data.get("event_list", [])
    if not isinstance(value, list):
        raise WsConfigError(f"event_list must be a list of device id strings, got {type(value).__name__}")
    if len(value) > MAX_EVENT_LIST:
        raise WsConfigError(f"event_list has {len(value)} entries; at most {MAX_EVENT_LIST} are accepted")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise WsConfigError(f"event_list[{index}] must be a string, got {type(item).__name__}")
        if not item or len(item) > MAX_DEVICE_ID_CHARS:
            raise WsConfigError(f"event_list[{index}] must be 1 to {MAX_DEVICE_ID_CHARS} characters long")
    return frozenset(value)


def parse_ws_config(frame: str | bytes) -> WsConfig:
    """Turn one received frame into a WsConfig or raise WsConfigError naming the broken rule.

    Rules: a text frame holding one JSON object; keys other than the three documented ones are
    ignored (schemas/json/ws-config.json); booleans are JSON booleans (not 0/1 or "true");
    `event_list` is a list of at most MAX_EVENT_LIST non-empty strings.
    """
    if isinstance(frame, bytes):
        raise WsConfigError(
            "binary frame; send the configuration as a JSON text frame", CLOSE_UNSUPPORTED_DATA
        )
    if len(frame) > MAX_CONFIG_BYTES:
        raise WsConfigError(f"configuration is larger than {MAX_CONFIG_BYTES} characters")
    try:
        data = json.loads(frame)
    except (json.JSONDecodeError, RecursionError) as exc:
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise WsConfigError(f"configuration is not valid JSON: {detail}") from None
    if not isinstance(data, dict):
        raise WsConfigError(f"configuration must be a JSON object, got {type(data).__name__}")
    return WsConfig(
        need_face=_require_bool(data, "need_face"),
        need_register=_require_bool(data, "need_register"),
        event_list=_require_event_list(data),
    )


class ProtocolState(enum.Enum):
    """Where one connection is in the seed 004 exchange."""

    AWAITING_CONFIG = "awaiting_config"
    CONFIGURED = "configured"
    CLOSED = "closed"


class ProtocolStateError(RuntimeError):
    """An action attempted in the wrong protocol state; names the expected and the actual state."""

    def __init__(self, action: str, expected: tuple[ProtocolState, ...], actual: ProtocolState) -> None:
        names = " or ".join(state.name for state in expected)
        super().__init__(f"cannot {action}: expected state {names}, actual state {actual.name}")
        self.expected = expected
        self.actual = actual


class WsSession:
    """The per-connection state machine: AWAITING_CONFIG → CONFIGURED (→ CONFIGURED …) → CLOSED."""

    def __init__(self) -> None:
        self.state = ProtocolState.AWAITING_CONFIG
        self.config: WsConfig | None = None

    def _expect(self, action: str, *expected: ProtocolState) -> None:
        if self.state not in expected:
            raise ProtocolStateError(action, expected, self.state)

    def configure(self, config: WsConfig) -> None:
        """Apply a (re)configuration; a new one replaces the old one entirely."""
        self._expect("configure", ProtocolState.AWAITING_CONFIG, ProtocolState.CONFIGURED)
        self.config = config
        self.state = ProtocolState.CONFIGURED

    def push_config(self) -> WsConfig:
        """The configuration an event push must follow; pushing before configuration is an error."""
        self._expect("push an event", ProtocolState.CONFIGURED)
        assert self.config is not None
        return self.config

    def close(self) -> None:
        """Mark the connection closed; idempotent."""
        self.state = ProtocolState.CLOSED
        self.config = None
