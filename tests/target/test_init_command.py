"""`sophon-conformance init`: a profile from a preflight that reads back; one clear message on failure."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.target.box_profile import load_box_profile
from conformance.target.target import MANDATORY_INTERFACES
from tests.target.stub_box import stub_box


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_init_writes_a_profile_that_reads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "lab" / "box.toml"
    with stub_box({("POST", "/SophonMatch/api/picturesearch"): (404, {"error": "no"})}) as url:
        assert main(["init", "--box-url", url, "--output", str(output)]) == 0
    profile = load_box_profile(output)
    assert profile.box_url == url and profile.ws_url == "ws://127.0.0.1:5679"
    # a missing interface stays claimed: only the user may declare it absent
    assert profile.interfaces == MANDATORY_INTERFACES
    text = output.read_text(encoding="utf-8")
    seen = "POST /SophonMatch/api/picturesearch answered HTTP 404"
    assert f"# missing at preflight: picture_search ({seen})" in text
    assert '"dev-1", "dev-2"' in text and "password =" not in text.replace("# password_env", "")
    assert "picture_search" in capsys.readouterr().err


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "box.toml"
    output.write_text("kept", encoding="utf-8")
    with stub_box() as url:
        assert main(["init", "--box-url", url, "--output", str(output)]) == 2
        assert output.read_text(encoding="utf-8") == "kept"
        assert main(["init", "--box-url", url, "--output", str(output), "--force"]) == 0
    assert "exists; pass --force" in capsys.readouterr().err


def test_init_on_a_dead_box_is_one_message_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "box.toml"
    assert main(["init", "--box-url", f"http://127.0.0.1:{_closed_port()}", "--output", str(output)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "box unreachable" in err and "Traceback" not in err
    assert not output.exists()


def test_init_with_a_bad_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--box-url", "ftp://box"]) == 2
    assert "--box-url 'ftp://box' is not a http/https URL" in capsys.readouterr().err
