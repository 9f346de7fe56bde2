"""`sophon-conformance run` refuses bad flags with one message and exit 2, before starting anything."""

from __future__ import annotations

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
