"""Picture field of push (seed 004) that its area leaves open: ext_data.spot_pic, when sent, is a base64
JPEG."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

import pytest

from conformance.checks.correlation import event_key
from conformance.checks.websocket_checks import message_key
from conformance.clients.failures import fail_unless
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.support.ws_events import GATE, LiveInjector
from conformance.suite.support.ws_session import collect, configure

JPEG_MAGIC = b"\xff\xd8\xff"


def _is_base64_jpeg(value: str) -> bool:
    try:
        return base64.b64decode(value, validate=True).startswith(JPEG_MAGIC)
    except (binascii.Error, ValueError):
        return False


@pytest.mark.req("WS-SCHEMA-011")
@pytest.mark.needs_control
def test_pushed_spot_pic_is_a_base64_jpeg(
    request: pytest.FixtureRequest, ws_connect: Callable[[], RecordingWebSocket]
) -> None:
    """ext_data.spot_pic may be left out; when sent it is the scene as a base64 JPEG."""
    injector: LiveInjector = request.getfixturevalue("live")  # the push area's cast, for this module
    socket = ws_connect()
    configure(socket, {"need_face": True, "need_register": False, "event_list": [GATE]})
    injected = injector.inject([(GATE, "id-live-emp")])[0]
    wanted = event_key(injected.event.ts_ms, injected.event.device_id)
    ours = [m for m in collect(socket, 1).events if message_key(m) == wanted]
    fail_unless(bool(ours), "the injected event was not pushed", ["WS-SCHEMA-011"], [socket.transcript])
    ext = ours[0].get("ext_data")
    spot_pic = ext.get("spot_pic") if isinstance(ext, dict) else None
    if spot_pic in (None, ""):
        return  # optional, and left out in welcome-screen mode
    fail_unless(
        isinstance(spot_pic, str) and _is_base64_jpeg(spot_pic),
        f"ext_data.spot_pic {str(spot_pic)[:60]!r} is not a base64 JPEG",
        ["WS-SCHEMA-011"],
        [socket.transcript],
    )
