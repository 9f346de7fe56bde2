"""`sophon-conformance mutants`: bad input gets one message and exit 2; --list shows the catalog."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.cli.main import main
from conformance.paths import PROJECT_ROOT

CLI_TIMEOUT_S = 60


def test_list_shows_faults_and_variations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--list"]) == 0
    out = capsys.readouterr().out
    assert "fault     v2-page-one-based" in out and "variation var-keys-reversed" in out
    assert out.count("\nfault ") + out.startswith("fault ") >= 30


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--faults", "no-such-fault"], "unknown fault 'no-such-fault'"),
        (["--faults", "var-keys-reversed"], "wrong group"),
        (["--variations", "v2-page-one-based"], "wrong group"),
        (["--faults", "v2-page-one-based", "--baseline-examples", "0"], "--baseline-examples"),
        (["--no-faults", "--faults", "v2-page-one-based"], "--no-faults with --faults"),
        (["--no-faults", "--no-variations"], "nothing to run"),
    ],
)
def test_bad_names_are_a_usage_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    assert main(["mutants", *argv, "--reports-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("jobs", ["0", "x", "99"])
def test_bad_jobs_is_refused_by_the_parser(jobs: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "mutants", "--jobs", jobs],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 2 and "--jobs" in done.stderr and "Traceback" not in done.stderr


def test_blind_and_modes_exclude_each_other_and_unknown_modes_are_refused() -> None:
    for argv in (["--blind", "--modes", "control"], ["--modes", "psychic"]):
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "mutants", *argv],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--box-url", "http://127.0.0.1:1"], "drop --box-url"),
        (["--control-url", "http://127.0.0.1:1"], "no control plane"),
        (["--site-live-rate", "-1"], "0 or more"),
    ],
)
def test_a_hosted_site_box_is_the_box_and_has_no_control_plane(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    assert main(["run", "--site-box", *argv, "--reports-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
