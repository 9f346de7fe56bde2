"""Picture field of push (seed 004) that its area leaves open: ext_data.spot_pic, when sent, is a base64
JPEG. Judged on an injected event (control plane) or on live pushes (any box); a box that sends no spot_pic
leaves the check *not exercised*."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks.correlation import event_key
from conformance.checks.pictures import jpeg_problem
from conformance.checks.websocket_checks import message_key
from conformance.clients.failures import fail_unless
from conformance.clients.ws_client import RecordingWebSocket
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.ws_events import GATE, LiveInjector
from conformance.suite.support.ws_live import MIN_PUSHES, LiveBox
from conformance.suite.support.ws_session import collect, configure
from conformance.suite.support.ws_witness import every_camera
from conformance.target.target import Target


@pytest.mark.req("WS-SCHEMA-011")
def test_pushed_spot_pic_is_a_base64_jpeg(
    request: pytest.FixtureRequest, ws_connect: Callable[[], RecordingWebSocket], target: Target
) -> None:
    """ext_data.spot_pic may be left out; when sent it is the scene as a decodable base64 JPEG."""
    socket = ws_connect()
    if target.config.control_url is None:
        live_box: LiveBox = request.getfixturevalue("live_box")
        configure(socket, every_camera(live_box, need_face=True))
        ours = live_box.wait_for_pushes(socket, MIN_PUSHES, devices=live_box.device_ids).events
        if not ours:
            not_exercised(f"no live push came within {live_box.wait_s:g} s (--live-wait) with need_face")
    else:
        injector: LiveInjector = request.getfixturevalue("live")  # the push area's cast, for this module
        configure(socket, {"need_face": True, "need_register": False, "event_list": [GATE]})
        injected = injector.inject([(GATE, "id-live-emp")])[0]
        wanted = event_key(injected.event.ts_ms, injected.event.device_id)
        ours = [m for m in collect(socket, 1).events if message_key(m) == wanted]
        fail_unless(bool(ours), "the injected event was not pushed", ["WS-SCHEMA-011"], [socket.transcript])
    sent = [p for p in (_spot_pic(m) for m in ours) if p not in (None, "")]
    if not sent:
        not_exercised(
            f"none of {len(ours)} push(es) carried ext_data.spot_pic (optional; welcome-screen mode)"
        )
    judged(request, "pushes", len(sent))
    bad = [p for p in sent if jpeg_problem(p) is not None]
    fail_unless(
        not bad,
        f"{len(bad)} of {len(sent)} ext_data.spot_pic value(s) are no base64 JPEG, e.g. {str(bad[:1])[:60]}",
        ["WS-SCHEMA-011"],
        [socket.transcript],
    )


def _spot_pic(message: dict[str, object]) -> object:
    ext = message.get("ext_data")
    return ext.get("spot_pic") if isinstance(ext, dict) else None
