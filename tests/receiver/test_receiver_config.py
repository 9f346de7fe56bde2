"""Receiver settings, loopback default and the wide-bind warning, form shaping, and the CLI subcommand."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.cli import receiver_cmd
from conformance.exit_codes import ExitCode
from conformance.receiver.config import ReceiverConfig, ReceiverConfigError
from conformance.receiver.decode import parse_json_text
from conformance.receiver.form_shape import coerce_form_fields, field_types_from_schema
from conformance.receiver.server import ReceiverStartError, start_receiver_thread, warn_if_exposed
from conformance.receiver.validation import UploadJudge, no_validation

from .conftest import GOOD_UPLOAD


def test_defaults_match_the_vendor_receiver_on_loopback() -> None:
    config = ReceiverConfig()
    assert (config.host, config.port, config.path) == ("127.0.0.1", 9528, "/HistoryEvent")
    assert config.max_body == 20 * 1024 * 1024 and config.profile == "strict" and not config.exposed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 70000}, "port must be"),
        ({"path": "HistoryEvent"}, "upload path must start with '/'"),
        ({"path": "/_receiver/x"}, "not with '/_receiver'"),
        ({"profile": "loose"}, "profile must be one of strict, lenient"),
        ({"max_body": 10}, "max_body must be at least"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ReceiverConfigError, match=message):
        ReceiverConfig(**changes).check()


def test_wide_bind_warns_and_loopback_does_not(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="conformance.receiver"):
        assert warn_if_exposed(ReceiverConfig(host="0.0.0.0")) is True
        assert warn_if_exposed(ReceiverConfig(host="127.0.0.1")) is False
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "receiver bound to 0.0.0.0" in warnings[0]


def test_busy_port_is_a_clear_start_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ReceiverStartError, match=f"cannot bind 127.0.0.1:{port}"):
            start_receiver_thread(
                ReceiverConfig(port=port, log_path=tmp_path / "u.jsonl"), judge=no_validation()
            )


def test_unwritable_log_is_a_clear_start_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReceiverStartError, match="cannot open upload log"):
        start_receiver_thread(ReceiverConfig(port=0, log_path=blocker / "u.jsonl"), judge=no_validation())


def test_accept_invalid_answers_200_but_logs_invalid(tmp_path: Path) -> None:
    judge = UploadJudge(lambda payload: [{"instance_path": "", "message": "always wrong"}])
    config = ReceiverConfig(port=0, log_path=tmp_path / "u.jsonl", reject_invalid=False)
    running = start_receiver_thread(config, judge=judge)
    try:
        response = requests.post(running.url, json=GOOD_UPLOAD, timeout=10)
        assert response.status_code == 200
        assert requests.get(f"{running.base_url}/_receiver/stats", timeout=10).json()["invalid"] == 1
    finally:
        running.stop()


def test_crashing_validator_becomes_a_harness_finding() -> None:
    def explode(payload: Any) -> list[dict[str, Any]]:
        raise KeyError("boom")

    findings = UploadJudge(explode).findings({})
    assert len(findings) == 1 and findings[0]["message"].startswith("harness: validator failed: KeyError")


def test_form_fields_take_the_declared_types() -> None:
    types = {"n": "integer", "f": "number", "o": "object", "b": "boolean", "s": "string"}
    fields = [
        ("n", "12"),
        ("f", "0.5"),
        ("o", '{"a": [1]}'),
        ("b", "true"),
        ("s", "007"),
        ("x", "[1]"),
        ("x", "2"),
    ]
    shaped = coerce_form_fields(fields, types, lambda text: parse_json_text(text, "form-data"))
    assert shaped == {"n": 12, "f": 0.5, "o": {"a": [1]}, "b": True, "s": "007", "x": [[1], "2"]}
    assert coerce_form_fields([("n", "1.5"), ("o", "nope")], types, lambda text: text) == {
        "n": "1.5",
        "o": "nope",
    }


def test_field_types_follow_the_schema_over_the_seed_table() -> None:
    schema = {
        "properties": {
            "timestamp": {"anyOf": [{"type": "integer"}, {"type": "number"}]},
            "person_type": {"type": ["string", "null"]},
            "extra": {"$ref": "common.json#/x"},
        }
    }
    types = field_types_from_schema(schema)
    assert types["timestamp"] == "integer" and types["person_type"] == "string"
    assert types["ep_info"] == "object" and "extra" not in types


def _args(**overrides: Any) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    receiver_cmd.add_parser(parser.add_subparsers())
    argv = ["receiver"] + [item for key, value in overrides.items() for item in (f"--{key}", str(value))]
    return parser.parse_args(argv)


def test_cli_flags_build_the_config(tmp_path: Path) -> None:
    args = _args(host="127.0.0.1", port=0, path="/Up", log=tmp_path / "x.jsonl", profile="none")
    config = receiver_cmd.config_from_args(args)
    assert (config.port, config.path, config.log_path, config.profile) == (
        0,
        "/Up",
        tmp_path / "x.jsonl",
        None,
    )
    assert receiver_cmd.config_from_args(_args()).port == 9528


def test_cli_bad_path_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert receiver_cmd.run(_args(path="nope", port=0)) == ExitCode.USAGE_ERROR
    assert "upload path must start with '/'" in capsys.readouterr().err


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "cli.jsonl"
    command = [sys.executable, "-m", "conformance.cli.main", "receiver", "--port", "0", "--log", str(log)]
    with subprocess.Popen(
        [*command, "--profile", "none"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            assert first.startswith("receiving uploads at http://127.0.0.1:"), first
            url = first.split()[3]
            assert requests.post(url, json=GOOD_UPLOAD, timeout=10).status_code == 200
            os.kill(process.pid, signal.SIGTERM)
            _, errors = process.communicate(timeout=20)
            assert process.returncode == 0, errors
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate(timeout=10)
    assert log.read_text().count("\n") == 1
