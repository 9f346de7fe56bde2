"""The HistoryEventUrl redirect against a live emulator: applied once, restored once, refused if need be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.cli.run_cmd import SERVERS_PLUGIN
from conformance.emulator.server import EmulatorConfig, RunningEmulator, start_emulator_thread
from conformance.suite.options import ConformanceOptions
from conformance.suite.uploads import (
    NEEDS_WRITES,
    RunUploads,
    UploadSetupError,
    advertised_url,
    is_loopback,
    receiver_bind_for,
    route_address,
)
from conformance.target.target import HISTORY_EVENT_URL_PATH, Capabilities, Target, TargetConfig
from conformance.target.upload_config import HistoryEventUrlClient, UploadRedirect

pytest_plugins = ["pytester"]

TIMEOUT = 5.0
ORIGINAL = {
    "history_upload_event_url": ["http://192.0.2.10:9528/platform/original"],
    "content-type": "form-data",
    "reported_peroid": 30,
    "history_need_spot_pic": False,
}
RECEIVER = "http://127.0.0.1:9/HistoryEvent"
SERVERS = ("-p", SERVERS_PLUGIN)  # what `sophon-conformance run` loads: it starts the receiver


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[RunningEmulator]:
    running = start_emulator_thread(
        EmulatorConfig(http_port=0, ws_port=0, version_port=-1, db_path=tmp_path / "e.sqlite3", control=True)
    )
    try:
        set_setting(running.http_url, ORIGINAL)
        yield running
    finally:
        running.stop()


def set_setting(box_url: str, setting: dict[str, Any]) -> None:
    response = requests.post(box_url + HISTORY_EVENT_URL_PATH, json=setting, timeout=TIMEOUT)
    assert response.status_code == 200, response.text


def setting(box_url: str) -> dict[str, Any]:
    data: dict[str, Any] = requests.get(box_url + HISTORY_EVENT_URL_PATH, timeout=TIMEOUT).json()["data"]
    return data


def test_redirect_points_uploads_at_the_receiver_and_restores_the_setting(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.json"
    redirect = UploadRedirect(HistoryEventUrlClient(emulator.http_url), RECEIVER, saved_path=saved)
    redirect.apply()
    during = setting(emulator.http_url)
    assert during["history_upload_event_url"] == [RECEIVER]
    assert during["content-type"] == "json"
    assert during["reported_peroid"] == 30 and during["history_need_spot_pic"] is False  # kept
    assert (
        json.loads(saved.read_text())["setting"]["history_upload_event_url"]
        == ORIGINAL["history_upload_event_url"]
    )
    redirect.apply()  # a second apply changes nothing and keeps the true original
    assert redirect.previous is not None
    assert redirect.previous["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]
    assert redirect.restore() and redirect.restore()
    after = setting(emulator.http_url)
    assert {key: after[key] for key in ORIGINAL} == ORIGINAL
    assert not saved.exists()


def test_a_failed_restore_is_reported_and_keeps_the_saved_setting(
    emulator: RunningEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    saved = tmp_path / "saved.json"
    redirect = UploadRedirect(
        HistoryEventUrlClient(emulator.http_url, timeout_s=2.0), RECEIVER, saved_path=saved
    )
    redirect.apply()
    emulator.stop()
    assert redirect.restore() is False
    assert saved.exists()
    assert "could not restore" in caplog.text and str(saved) in caplog.text


def _options(**changes: Any) -> ConformanceOptions:
    base: dict[str, Any] = {
        "active": True,
        "target": TargetConfig(box_url="http://192.0.2.1:5555", ws_url="ws://192.0.2.1:5679"),
        "receiver_bind": ("127.0.0.1", 0),
        "receiver_advertise_url": None,
        "allow_writes": False,
        "configure_upload": True,
        "faults": (),
        "preflight_timeout_s": 1.0,
        "stats_path": None,
        "profile": "strict",
    }
    return ConformanceOptions(**{**base, **changes})


def _target(receiver_url: str | None, history: bool = True) -> Target:
    config = TargetConfig(box_url="http://192.0.2.1:5555", ws_url="ws://192.0.2.1:5679")
    return Target(config, Capabilities(history_event_url=history)).with_receiver(receiver_url)


def test_a_real_box_is_redirected_only_with_allow_writes() -> None:
    assert RunUploads(_options(), None).refusal(_target(RECEIVER)) == NEEDS_WRITES
    assert RunUploads(_options(allow_writes=True), None).refusal(_target(RECEIVER)) is None
    assert RunUploads(_options(target=None), None).refusal(_target(RECEIVER)) is None  # embedded
    assert "no upload receiver" in str(RunUploads(_options(target=None), None).refusal(_target(None)))
    assert "no HistoryEventUrl" in str(
        RunUploads(_options(allow_writes=True), None).refusal(_target(RECEIVER, history=False))
    )
    assert RunUploads(_options(configure_upload=False), None).refusal(_target(RECEIVER)) is None


@pytest.mark.parametrize(
    ("advertise", "expected"),
    [
        (None, "http://127.0.0.1:9528/HistoryEvent"),
        ("http://10.0.0.5:9528", "http://10.0.0.5:9528/HistoryEvent"),
        ("http://10.0.0.5:9528/", "http://10.0.0.5:9528/HistoryEvent"),
        ("https://harness.lan/relay/upload", "https://harness.lan/relay/upload"),
    ],
)
def test_advertised_url_adds_the_receiver_path_only_when_missing(
    advertise: str | None, expected: str
) -> None:
    assert advertised_url(advertise, "http://127.0.0.1:9528/HistoryEvent") == expected


PROBE = """
import pytest
import requests

@pytest.mark.req("UPC-CONFIG-001")
def test_probe(box_uploads_to_receiver, receiver, target):
    answer = requests.get(target.box_url + "/SophonFogSys/api/HistoryEventUrl", timeout=5).json()["data"]
    assert answer["history_upload_event_url"] == [receiver.url]
    assert box_uploads_to_receiver.receiver_url == receiver.url
    assert box_uploads_to_receiver.arranged_by == "{arranged_by}"
    assert receiver.stats()["received"] == 0
"""


def test_real_box_run_redirects_and_restores(pytester: pytest.Pytester, emulator: RunningEmulator) -> None:
    pytester.makepyfile(test_a=PROBE.format(arranged_by="this process"))
    url = emulator.http_url
    refused = pytester.runpytest(*SERVERS, "--box-url", url, "-rs")
    refused.assert_outcomes(skipped=1)
    refused.stdout.fnmatch_lines(["*--allow-writes*"])
    result = pytester.runpytest(*SERVERS, "--box-url", url, "--allow-writes")
    result.assert_outcomes(passed=1)
    assert setting(url)["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]


def test_under_xdist_the_controller_redirects_once(
    pytester: pytest.Pytester, emulator: RunningEmulator
) -> None:
    body = PROBE.format(arranged_by="controller")
    pytester.makepyfile(test_a=body + body.replace("def test_probe", "def test_probe_again"))
    result = pytester.runpytest_subprocess(
        *SERVERS, "--box-url", emulator.http_url, "--allow-writes", "-n", "2", "-p", "xdist"
    )
    result.assert_outcomes(passed=2)
    assert setting(emulator.http_url)["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]


def test_no_configure_upload_leaves_the_setting_alone(
    pytester: pytest.Pytester, emulator: RunningEmulator
) -> None:
    pytester.makepyfile(
        test_a="""
import pytest

@pytest.mark.req("UPC-CONFIG-001")
def test_untouched(box_uploads_to_receiver):
    assert box_uploads_to_receiver.arranged_by == "user"
"""
    )
    result = pytester.runpytest(*SERVERS, "--box-url", emulator.http_url, "--no-configure-upload")
    result.assert_outcomes(passed=1)
    assert setting(emulator.http_url)["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]


def test_wildcard_bind_without_advertise_url_is_a_usage_error(
    pytester: pytest.Pytester, emulator: RunningEmulator
) -> None:
    pytester.makepyfile(test_a=PROBE.format(arranged_by="this process"))
    result = pytester.runpytest(*SERVERS, "--box-url", emulator.http_url, "--receiver-bind", "0.0.0.0:0")
    assert result.ret == 2
    assert "--receiver-advertise-url" in result.stdout.str() + result.stderr.str()


ROUTED = "198.51.100.7"


def _no_route(_host: str) -> str:
    raise OSError("Network is unreachable")


@pytest.mark.parametrize(
    ("bind", "box_url", "advertise", "expected"),
    [
        (("127.0.0.1", 0), "http://192.0.2.10:80", None, (ROUTED, 0)),  # box elsewhere: the route to it
        (("127.0.0.1", 9528), "http://box.example:80", None, (ROUTED, 9528)),  # the given port is kept
        (("127.0.0.1", 0), "http://127.0.0.1:8080", None, ("127.0.0.1", 0)),  # box on loopback
        (("127.0.0.1", 0), "http://localhost:8080", None, ("127.0.0.1", 0)),
        (("127.0.0.1", 0), "http://192.0.2.10", "http://203.0.113.5:9528/", ("127.0.0.1", 0)),  # tunnel
        (("10.0.0.5", 0), "http://192.0.2.10", None, ("10.0.0.5", 0)),  # an address the user chose
    ],
)
def test_receiver_binds_the_address_that_routes_to_the_box(
    bind: tuple[str, int], box_url: str, advertise: str | None, expected: tuple[str, int]
) -> None:
    assert receiver_bind_for(bind, box_url, advertise, route=lambda _host: ROUTED) == expected


def test_no_route_to_the_box_is_one_clear_error() -> None:
    with pytest.raises(UploadSetupError, match=r"no route from this machine to the box at 192\.0\.2\.10"):
        receiver_bind_for(("127.0.0.1", 0), "http://192.0.2.10", None, route=_no_route)


def test_route_address_asks_the_operating_system() -> None:
    assert route_address("127.0.0.1") == "127.0.0.1"  # a UDP connect picks the source; nothing is sent
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.0.2.10") and not is_loopback("box.example")


EVERY_KEY = {
    "history_upload_event_url": ["http://192.0.2.10:9528/platform/a", "http://192.0.2.11:9528/b"],
    "history_need_reg_pic": False,
    "history_need_spot_pic": True,
    "history_need_recognize_face": False,
    "content-type": "form-data",
    "reported_peroid": 45,
}
CHANGED = {
    "history_upload_event_url": [RECEIVER],
    "history_need_reg_pic": True,
    "history_need_spot_pic": False,
    "history_need_recognize_face": True,
    "content-type": "json",
    "reported_peroid": 60,
}


def test_restore_puts_back_every_key_as_read(emulator: RunningEmulator) -> None:
    """A test that changes every key (flags, encoding, period) still finds each one restored as read."""
    set_setting(emulator.http_url, EVERY_KEY)
    redirect = UploadRedirect(HistoryEventUrlClient(emulator.http_url), RECEIVER)
    redirect.apply()
    set_setting(emulator.http_url, CHANGED)  # what the live-upload tests do in between
    assert redirect.restore()
    after = setting(emulator.http_url)
    assert {key: after[key] for key in EVERY_KEY} == EVERY_KEY


class _FlaglessClient(HistoryEventUrlClient):
    """A box whose GET omits the optional picture flags (the documents mark them optional)."""

    def read(self) -> dict[str, Any]:
        return {k: v for k, v in super().read().items() if not k.startswith("history_need_")}


def test_restore_gives_keys_the_box_did_not_answer_their_default(emulator: RunningEmulator) -> None:
    set_setting(emulator.http_url, ORIGINAL)
    redirect = UploadRedirect(_FlaglessClient(emulator.http_url), RECEIVER)
    redirect.apply()
    set_setting(emulator.http_url, {**CHANGED, "history_need_reg_pic": False})
    assert redirect.restore()
    after = setting(emulator.http_url)
    assert after["history_need_reg_pic"] is True and after["history_need_recognize_face"] is True
    assert after["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]


NO_UPLOADS = """
import pytest
import requests

@pytest.mark.req("UPC-CONFIG-010")
@pytest.mark.parametrize("n", range(4))
def test_reads_no_upload(target, n):
    answer = requests.get(target.box_url + "/SophonFogSys/api/HistoryEventUrl", timeout=5).json()["data"]
    assert answer["history_upload_event_url"] == {original!r}
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2", "-p", "xdist")], ids=["one-process", "xdist"])
def test_setting_is_redirected_only_when_a_test_reads_uploads(
    pytester: pytest.Pytester, emulator: RunningEmulator, workers: tuple[str, ...]
) -> None:
    """With --allow-writes but no upload test selected, the box's setting is never touched (also -n 2)."""
    pytester.makepyfile(test_a=NO_UPLOADS.format(original=ORIGINAL["history_upload_event_url"]))
    args = (*SERVERS, "--box-url", emulator.http_url, "--allow-writes", *workers)
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=4)
    assert setting(emulator.http_url)["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]


SILENT = """
import pytest

@pytest.mark.req("UPC-CONFIG-001")
def test_redirected(box_uploads_to_receiver):
    assert box_uploads_to_receiver.arranged_by == "this process"
"""


def test_a_box_that_uploaded_nothing_is_named_once(
    pytester: pytest.Pytester, emulator: RunningEmulator
) -> None:
    """The box was pointed at the receiver and sent nothing: one line names the URL it was given."""
    pytester.makepyfile(test_a=SILENT)
    result = pytester.runpytest(*SERVERS, "--box-url", emulator.http_url, "--allow-writes")
    result.assert_outcomes(passed=1)
    silence = "uploads: the box uploaded nothing to http://127.0.0.1:*/HistoryEvent during this run*"
    result.stdout.fnmatch_lines([silence])
    assert setting(emulator.http_url)["history_upload_event_url"] == ORIGINAL["history_upload_event_url"]
