"""The box profile in use: `run` refuses a bad file with one message (exit 2); its keys reach the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli.main import main
from tests.target.stub_box import stub_box

pytest_plugins = ["pytester"]

LOGIN = {("POST", "/sophon/v2/face/login"): (200, {"result": True})}
READS_THE_PROFILE = """
import pytest
from conformance.suite.fixtures import conformance_session

@pytest.mark.req("DEV-SCHEMA-001")
def test_profile_values(target, request):
    options = conformance_session(request.config).options
    seen = (target.config.interfaces, target.capabilities.device_ids, target.config.username,
            target.config.password, options.live_wait_s, options.search_photos)
    print("SEEN", repr(seen))
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("box_url = ", "is not TOML"),
        ("box_url = 1", "box_url must be a string"),
        ('boxurl = "http://x"', "unknown key boxurl"),
        ('[credentials]\npassword = "admin"', "holds a secret value in credentials.password"),
    ],
    ids=["missing", "not-toml", "wrong-type", "unknown-key", "password"],
)
def test_run_with_a_bad_profile_is_one_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, message: str
) -> None:
    profile = tmp_path / "box.toml"
    if text is not None:
        profile.write_text(text, encoding="utf-8")
    reports = tmp_path / "reports"
    assert main(["run", "--box-profile", str(profile), "--reports-dir", str(reports), "--no-html"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not reports.exists()


def test_profile_keys_reach_the_session(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "photos").mkdir()
    profile = tmp_path / "box.toml"
    monkeypatch.setenv("STUB_BOX_PASSWORD", "pw")
    pytester.makepyfile(test_a=READS_THE_PROFILE)
    with stub_box(LOGIN) as url:
        profile.write_text(
            f'box_url = "{url}"\ninterfaces = ["v2_events", "devices"]\ndevices = ["dev-2"]\n'
            'search_photos = "photos"\nlive_wait_s = 5\n'
            '[credentials]\nusername = "qa"\npassword_env = "STUB_BOX_PASSWORD"\n',
            encoding="utf-8",
        )
        from_profile = pytester.runpytest("--box-profile", str(profile), "-s")
        overridden = pytester.runpytest(
            "--box-profile",
            str(profile),
            "-s",
            "--live-wait",
            "0",
            "--interfaces",
            "v1_events",
            "--device",
            "dev-1",
            "--username",
            "admin",
            "--password",
            "admin",
        )
    from_profile.assert_outcomes(passed=1)
    photos = (tmp_path / "photos").resolve()
    seen = f"(('v2_events', 'devices'), ('dev-2',), 'qa', 'pw', 5.0, {photos!r})"
    from_profile.stdout.fnmatch_lines([f"*SEEN {seen}*"])
    overridden.assert_outcomes(passed=1)
    flags_win = f"(('v1_events',), ('dev-1',), 'admin', 'admin', 0.0, {photos!r})"
    overridden.stdout.fnmatch_lines([f"*SEEN {flags_win}*"])


def test_an_unset_password_variable_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    profile = tmp_path / "box.toml"
    profile.write_text(
        'box_url = "http://127.0.0.1:9"\n'
        '[credentials]\nusername = "qa"\npassword_env = "NO_SUCH_VARIABLE_X"\n',
        encoding="utf-8",
    )
    pytester.makepyfile(test_a=READS_THE_PROFILE)
    result = pytester.runpytest("--box-profile", str(profile))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "environment variable NO_SUCH_VARIABLE_X" in result.stderr.str()
