"""The upload setting (reference history-event-url-config): a POST of a full configuration is answered with
data holding message and the configuration as set; the POST and GET answers give the URL list as
http(s)://ip:port/path strings and reported_peroid as an integer; every configured URL receives uploads.

Tests that change the setting carry `writes_box`; the setting in force before is put back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.checks import upload_setting
from conformance.checks.findings import Finding
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordedResponse, RecordingHttpClient
from conformance.suite.fixtures import RunReceiver
from conformance.suite.judgement import judged
from conformance.suite.support.device_lookup import upload_ms, uploads_at
from conformance.suite.support.search_sandbox import read_upload_setting, write_upload_setting
from conformance.suite.support.upload_own_paths import every_url_receives
from conformance.suite.support.upload_site import own_setting
from conformance.suite.support.upload_tap import UploadTap
from conformance.suite.support.upload_wait import UPLOAD_DEADLINE_S
from conformance.suite.support.upload_wait import upload_setting as one_url_setting
from conformance.suite.support.ws_events import CAM, GATE, STRANGER, LiveInjector
from conformance.suite.uploads import UploadRoute
from conformance.target.target import HISTORY_EVENT_URL_PATH, Target

LAG_S = 5.0  # once one URL has every event, the other is waited for this long (deliveries run in parallel)
FULL_SETTING: dict[str, Any] = {
    "history_upload_event_url": ["http://127.0.0.1:9/sophon-conformance/a", "http://127.0.0.1:9/b"],
    "history_need_reg_pic": False,
    "history_need_spot_pic": True,
    "history_need_recognize_face": False,
    "content-type": "form-data",
    "reported_peroid": 45,
}


@dataclass(frozen=True)
class Posted:
    """The full setting as sent, the POST's answer and the GET's answer right after it."""

    sent: dict[str, Any]
    post: RecordedResponse
    get: RecordedResponse

    @staticmethod
    def data(answer: RecordedResponse) -> Any:
        """The answer's `data` member (None when the body has none)."""
        body = answer.json()
        return body.get("data") if isinstance(body, dict) else None


@pytest.fixture(scope="module")
def posted(target: Target, http_client: RecordingHttpClient) -> Iterator[Posted]:
    """POST FULL_SETTING once and GET it back; the setting in force before is put back afterwards."""
    if not target.capabilities.history_event_url:
        pytest.skip("the box has no HistoryEventUrl interface")
    saved = read_upload_setting(http_client)
    answer = http_client.post_json(HISTORY_EVENT_URL_PATH, FULL_SETTING)
    yield Posted(dict(FULL_SETTING), answer, http_client.get(HISTORY_EVENT_URL_PATH))
    if saved is not None:
        write_upload_setting(http_client, saved)


def _judge_carriers(
    request: pytest.FixtureRequest,
    posted: Posted,
    key: str,
    findings_of: Any,
    ids: Sequence[str],
    *,
    what: str,
) -> None:
    """Judge `key` in every answer (POST, GET) whose data carries it; skip when neither does."""
    fail_unless(
        posted.post.status == 200,
        f"HTTP {posted.post.status} for a valid setting",
        ids,
        [posted.post.exchange],
    )
    carriers = [a for a in (posted.post, posted.get) if isinstance(d := Posted.data(a), dict) and key in d]
    if not carriers:
        pytest.skip(f"neither the POST nor the GET answer carries {key}")
    findings: list[Finding] = [f for answer in carriers for f in findings_of(Posted.data(answer))]
    judged(request, "exchanges", len(carriers))  # made by the module's `posted` fixture, judged here
    fail_on(findings, what, exchanges=[a.exchange for a in carriers])


@pytest.mark.req("UPC-CONFIG-003")
@pytest.mark.writes_box
def test_urls_answer_as_a_list_of_urls(request: pytest.FixtureRequest, posted: Posted) -> None:
    """Two http://ip:port/path URLs are accepted and answered as a list of such URLs."""
    _judge_carriers(
        request, posted, "history_upload_event_url", upload_setting.urls, ["UPC-CONFIG-003"], what="URL list"
    )


@pytest.mark.req("UPC-CONFIG-008")
@pytest.mark.writes_box
def test_reported_peroid_answers_as_an_integer(request: pytest.FixtureRequest, posted: Posted) -> None:
    """reported_peroid sent as an integer is accepted and answered as an integer."""
    _judge_carriers(
        request, posted, "reported_peroid", upload_setting.period, ["UPC-CONFIG-008"], what="reported_peroid"
    )


@pytest.mark.req("UPC-CONFIG-009")
@pytest.mark.writes_box
def test_post_answer_holds_the_setting_as_set(request: pytest.FixtureRequest, posted: Posted) -> None:
    """The successful POST's data has message and every posted key with the posted value."""
    ids = ["UPC-CONFIG-009"]
    fail_unless(
        posted.post.status == 200,
        f"HTTP {posted.post.status} for a valid setting",
        ids,
        [posted.post.exchange],
    )
    findings = upload_setting.as_set(posted.sent, Posted.data(posted.post))
    judged(request, "exchanges", 1)  # the POST made by the module's `posted` fixture
    fail_on(findings, "HistoryEventUrl POST answer", exchanges=[posted.post.exchange])


@pytest.mark.req("UPC-UPLOAD-002")
@pytest.mark.writes_box
def test_every_configured_url_receives_the_uploads(
    request: pytest.FixtureRequest, target: Target, receiver: RunReceiver, http_client: RecordingHttpClient
) -> None:
    """With the receiver and a second endpoint configured, each event reaches both."""
    if target.config.control_url is None:  # the box's own recognitions
        request.getfixturevalue("uploads_in_turn")
        route: UploadRoute = request.getfixturevalue("box_uploads_to_receiver")
        own_setting(route)
        traffic, restored = request.getfixturevalue("traffic"), request.getfixturevalue("restored_setting")
        every_url_receives(request, route, receiver, http_client, traffic, restored)
        return
    live: LiveInjector = request.getfixturevalue("live")
    ids = ["UPC-UPLOAD-002"]
    with UploadTap(urlsplit(receiver.url).hostname or "127.0.0.1") as tap:
        setting = {
            **one_url_setting(receiver.url, "json"),
            "history_upload_event_url": [receiver.url, tap.url],
        }
        fail_unless(write_upload_setting(http_client, setting), f"HistoryEventUrl refused {setting}", ids)
        since = receiver.last_seq()
        times = {i.event.ts_ms for i in live.inject([(GATE, "id-live-emp"), (CAM, STRANGER)])}
        uploads = uploads_at(receiver, since, times)
        receiver_done = times <= {upload_ms(u) for u in uploads}
        at_tap = tap.wait_for(times, LAG_S if receiver_done else UPLOAD_DEADLINE_S)
    write_upload_setting(http_client, one_url_setting(receiver.url, "json"))
    missing = {
        url: sorted(times - got)
        for url, got in ((receiver.url, {upload_ms(u) for u in uploads}), (tap.url, at_tap))
        if times - got
    }
    fail_unless(not missing, f"events missing per configured URL: {missing}", ids, list(uploads[:2]))
