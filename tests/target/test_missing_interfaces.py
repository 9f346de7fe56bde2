"""Missing is failing: a mandatory interface answering 404/405/501 is still tested unless declared absent."""

from __future__ import annotations

import pytest

from conformance.exit_codes import ExitCode
from conformance.target.preflight import PreflightError, preflight
from conformance.target.target import MANDATORY_INTERFACES, Target, TargetConfig
from tests.target.stub_box import DROP, stub_box

V2 = ("POST", "/sophon/v2/face/getevents")
V1 = ("GET", "/SophonFace/api/events")
SEARCH = ("POST", "/SophonMatch/api/picturesearch")
DEVICES = ("GET", "/SophonDevice/api/Devices")
UPLOAD_SETTING = ("GET", "/SophonFogSys/api/HistoryEventUrl")
NOT_FOUND = (404, {"error": "not found"})


def _preflight(
    url: str, *, interfaces: tuple[str, ...] = MANDATORY_INTERFACES, devices: tuple[str, ...] = ()
) -> Target:
    config = TargetConfig(box_url=url, ws_url="ws://127.0.0.1:5679", interfaces=interfaces, devices=devices)
    return preflight(config, total_deadline_s=8)


def test_a_complete_box_has_every_interface_and_nothing_missing() -> None:
    with stub_box() as url:
        capabilities = _preflight(url).capabilities
    assert all(capabilities.tested(name) for name in MANDATORY_INTERFACES)
    assert capabilities.missing == () and capabilities.declared_absent == ()
    assert capabilities.device_ids == ("dev-1", "dev-2")


@pytest.mark.parametrize("status", [404, 405, 501])
@pytest.mark.parametrize("call", [V2, V1, SEARCH], ids=["v2", "v1", "search"])
def test_an_interface_answering_absent_is_missing_but_tested(call: tuple[str, str], status: int) -> None:
    name = {V2: "v2_events", V1: "v1_events", SEARCH: "picture_search"}[call]
    with stub_box({call: (status, {"error": "no"})}) as url:
        capabilities = _preflight(url).capabilities
    assert capabilities.tested(name), "a missing mandatory interface must be tested (and fail), not skipped"
    assert capabilities.missing_answer(name) == f"{call[0]} {call[1]} answered HTTP {status}"
    assert "MISSING" in capabilities.describe()


def test_missing_devices_do_not_end_the_run_and_are_tested() -> None:
    with stub_box({DEVICES: NOT_FOUND}) as url:
        capabilities = _preflight(url).capabilities
    assert capabilities.tested("devices") and capabilities.device_ids == ()
    assert capabilities.missing_answer("devices") == "GET /SophonDevice/api/Devices answered HTTP 404"


def test_a_declared_absent_interface_is_not_tested_and_not_missing() -> None:
    claimed = tuple(name for name in MANDATORY_INTERFACES if name != "picture_search")
    with stub_box({SEARCH: NOT_FOUND}) as url:
        capabilities = _preflight(url, interfaces=claimed).capabilities
    assert not capabilities.tested("picture_search")
    assert capabilities.missing == () and capabilities.declared_absent == ("picture_search",)


def test_a_transport_error_is_left_to_the_tests_not_called_missing() -> None:
    with stub_box({V1: DROP}) as url:
        capabilities = _preflight(url).capabilities
    assert capabilities.tested("v1_events") and capabilities.missing_answer("v1_events") is None


def test_upload_setting_is_post_only_so_405_on_get_is_present() -> None:
    with stub_box({UPLOAD_SETTING: (405, {"error": "POST only"})}) as url:
        capabilities = _preflight(url).capabilities
    assert capabilities.tested("history_event_url") and capabilities.missing == ()


def test_nothing_answering_is_not_a_sophon_box() -> None:
    nothing = {call: NOT_FOUND for call in (V2, V1, SEARCH, DEVICES, UPLOAD_SETTING)}
    with stub_box(nothing) as url, pytest.raises(PreflightError) as caught:
        _preflight(url)
    assert caught.value.exit_code == ExitCode.BOX_UNREACHABLE
    assert "HTTP 404; is this a Sophon box?" in str(caught.value)


def test_chosen_devices_must_be_on_the_box() -> None:
    with stub_box() as url:
        assert _preflight(url, devices=("dev-2",)).capabilities.device_ids == ("dev-2",)
        with pytest.raises(PreflightError) as caught:
            _preflight(url, devices=("dev-9",))
    assert caught.value.exit_code == ExitCode.USAGE_ERROR and "'dev-9'" in str(caught.value)


def test_unknown_interface_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown interface 'v3_events'"):
        TargetConfig(box_url="http://box:5555", ws_url="ws://box:5679", interfaces=("v3_events",))
