"""The box profile file: good ones load, each bad one is one clear BoxProfileError, secrets are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.target.box_profile import BoxProfileError, load_box_profile, parse_interfaces

GOOD = """
box_url = "http://192.168.1.180:5555"
ws_url = "ws://192.168.1.180:5679"
interfaces = ["v2_events", "v1_events", "devices", "history_event_url"]
devices = ["dev-1"]
search_photos = "photos"
live_wait_s = 30

[credentials]
username = "admin"
password_env = "SOPHON_PASSWORD"

[receiver]
bind = "0.0.0.0:9528"
advertise_url = "http://192.168.1.19:9528"
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "photos").mkdir(exist_ok=True)
    path = tmp_path / "box.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_profile_loads(tmp_path: Path) -> None:
    profile = load_box_profile(_write(tmp_path, GOOD))
    assert profile.box_url == "http://192.168.1.180:5555" and profile.ws_url == "ws://192.168.1.180:5679"
    assert profile.interfaces == ("v2_events", "v1_events", "devices", "history_event_url")
    assert profile.devices == ("dev-1",) and profile.live_wait_s == 30.0
    assert profile.search_photos == (tmp_path / "photos").resolve()
    assert (profile.receiver_bind, profile.receiver_advertise_url) == (
        "0.0.0.0:9528",
        "http://192.168.1.19:9528",
    )
    assert profile.credentials({"SOPHON_PASSWORD": "s3cret"}) == ("admin", "s3cret")


def test_an_empty_profile_claims_everything(tmp_path: Path) -> None:
    profile = load_box_profile(_write(tmp_path, ""))
    assert profile.interfaces is None and profile.devices == () and profile.credentials({}) == (None, None)


def test_credentials_named_but_unset_are_refused(tmp_path: Path) -> None:
    profile = load_box_profile(_write(tmp_path, '[credentials]\nusername_env = "U"\npassword_env = "P"\n'))
    assert profile.credentials({"U": "qa", "P": "pw"}) == ("qa", "pw")
    with pytest.raises(BoxProfileError, match=r"environment variable P named by credentials\.password_env"):
        profile.credentials({"U": "qa"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('box_url = "http://x', "is not TOML"),
        ("box_url = 5555", "box_url must be a string, not int 5555"),
        ('interfaces = "v2_events"', "interfaces must be a list of strings"),
        ("interfaces = [1]", "interfaces must be a list of strings"),
        ('interfaces = ["v3_events"]', "unknown interface 'v3_events'"),
        ('live_wait_s = "60"', "live_wait_s must be a number"),
        ("live_wait_s = true", "live_wait_s must be a number"),
        ("live_wait_s = -1", "live_wait_s must be 0 or more"),
        ("live_wait_s = inf", "live_wait_s must be 0 or more"),
        ("live_wait_s = nan", "live_wait_s must be 0 or more"),
        ('search_photo = "photos"', "unknown key search_photo"),
        ('search_photos = "nowhere"', "search_photos 'nowhere' is not a folder"),
        ("[receiver]\nport = 9528", "unknown key receiver.port"),
        ('credentials = "admin"', "credentials must be a table"),
        ('[credentials]\nusername = "a"\nusername_env = "U"', "not both"),
        ('[credentials]\npassword_env = "hunter 2"', "must name an environment variable"),
    ],
)
def test_bad_profiles_get_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(BoxProfileError) as caught:
        load_box_profile(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    "text", ['[credentials]\npassword = "admin"', 'password = "admin"', '[receiver]\napi_token = "t"']
)
def test_a_secret_value_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(BoxProfileError, match="holds a secret value") as caught:
        load_box_profile(_write(tmp_path, text))
    assert "_env" in str(caught.value) and "admin" not in str(caught.value)


def test_a_missing_file_is_one_message(tmp_path: Path) -> None:
    with pytest.raises(BoxProfileError, match="no such file"):
        load_box_profile(tmp_path / "absent.toml")


def test_interfaces_flag() -> None:
    assert parse_interfaces("v2_events, devices") == ("v2_events", "devices")
    with pytest.raises(ValueError, match="unknown interface 'v2'"):
        parse_interfaces("v2")
