"""upload_setting: URL list shape, integer period and the POST answer holding the configuration as set."""

from __future__ import annotations

import pytest

from conformance.checks import upload_setting
from conformance.checks.upload_setting import url_problem

URLS = ["http://10.0.0.5:9528/a", "https://10.0.0.6:443/b/c"]
SENT = {
    "history_upload_event_url": URLS,
    "history_need_reg_pic": False,
    "content-type": "form-data",
    "reported_peroid": 30,
}


@pytest.mark.parametrize("url", ["http://10.0.0.5:9528/a", "https://box.local:8443/", "http://[::1]:80/x"])
def test_url_problem_accepts_ip_port_path(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url", ["ftp://10.0.0.5:21/a", "http://10.0.0.5/a", "http://10.0.0.5:99999/a", "http://:80/a", 7]
)
def test_url_problem_names_the_rest(url: object) -> None:
    assert url_problem(url)


def test_urls_must_be_a_list_of_urls() -> None:
    assert upload_setting.urls(SENT) == []
    joined = upload_setting.urls({"history_upload_event_url": ",".join(URLS)})
    assert len(joined) == 1 and joined[0].requirement_ids == ("UPC-CONFIG-003",)
    assert len(upload_setting.urls({"history_upload_event_url": ["10.0.0.5:9528/a"]})) == 1


@pytest.mark.parametrize(("value", "ok"), [(60, True), ("60", False), (True, False), (60.0, False)])
def test_period_is_an_integer(value: object, ok: bool) -> None:
    found = upload_setting.period({"reported_peroid": value})
    assert (found == []) is ok
    assert all(f.requirement_ids == ("UPC-CONFIG-008",) for f in found)


def test_as_set_wants_message_and_every_posted_value() -> None:
    assert upload_setting.as_set(SENT, {"message": "success", **SENT, "history_need_spot_pic": True}) == []
    only_message = upload_setting.as_set(SENT, {"message": "success"})
    assert len(only_message) == 1 and only_message[0].requirement_ids == ("UPC-CONFIG-009",)
    assert only_message[0].evidence["keys"] == sorted(SENT)
    typed = upload_setting.as_set(
        {"history_need_reg_pic": True}, {"message": "ok", "history_need_reg_pic": 1}
    )
    assert typed and typed[0].evidence["keys"] == ["history_need_reg_pic"]
    assert len(upload_setting.as_set(SENT, {**SENT})) == 1
    assert upload_setting.as_set(SENT, None)
