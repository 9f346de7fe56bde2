"""`sophon-conformance run` refuses bad flags with one message and exit 2, before starting anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.exit_codes import ExitCode


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--fault", "no-such-fault"], "unknown fault 'no-such-fault'"),
        (["run", "--receiver-bind", "0.0.0.0:9528"], "apply to a real box"),
        (["run", "--receiver-advertise-url", "http://10.0.0.5:9528"], "apply to a real box"),
        (["run", "-n", "many"], "-n must be a number"),
        (["run", "--box-url", "ftp://box"], "not a http/https URL"),
    ],
)
def test_bad_flags_are_usage_errors(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    assert main([*argv, "--reports-dir", str(tmp_path)]) == ExitCode.USAGE_ERROR
    assert fragment in capsys.readouterr().err


def test_known_fault_names_pass_the_check() -> None:
    from conformance.cli.run_cmd import _unknown_faults

    assert _unknown_faults(["v2-500-on-bad-input", "var-e02-seconds-timestamps"]) is None
    assert _unknown_faults([]) is None


def test_no_html_skips_the_allure_html_and_ends_with_the_summary(tmp_path: Path) -> None:
    """Child runs (kill tests, mutants) skip the HTML; the run still writes junit and the summaries."""
    argv = [sys.executable, "-m", "conformance", "run", "--no-html", "-q", "--reports-dir", str(tmp_path)]
    argv += ["--", "-k", "test_software_version_is_a_json_object", "-p", "no:randomly"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    run_dir = next(path for path in tmp_path.iterdir() if path.is_dir() and not path.is_symlink())
    assert done.stdout.strip().splitlines()[-1] == str(run_dir / "summary.md")
    assert (run_dir / "junit.xml").is_file() and (run_dir / "summary.json").is_file()
    assert not (run_dir / "report.html").exists() and not (run_dir / "allure-report").exists()
