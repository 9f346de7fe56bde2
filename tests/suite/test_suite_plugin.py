"""The plugin in real pytest sessions: marker rule, skip reasons, dead-box exit code, stats, inertness."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DEVICES = {"data": {"devices_list": [{"device_id": "dev-1", "device_type": "rtsp"}]}}
ANSWERS = {
    ("GET", "/SophonDevice/api/Devices"): (200, DEVICES),
    ("POST", "/sophon/v2/face/getevents"): (200, {"events": [], "pagination": {}}),
    ("POST", "/sophon/v2/face/login"): (200, {"result": True}),
}


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length) if length else b""
        status, body = ANSWERS.get((method, self.path.split("?")[0]), (404, {"error": "not found"}))
        if self.path == "/sophon/v2/face/login" and json.loads(sent or b"{}").get("password") != "admin":
            body = {"result": False}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def running_fake_box() -> Iterator[str]:
    """Serve a stand-in box (preflight answers only) on a free 127.0.0.1 port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


GOOD = """
import pytest

@pytest.mark.req("V2Q-SCHEMA-001")
def test_documented():
    pass
"""

UNMARKED = """
def test_without_requirement():
    pass
"""

CONTROL_AND_WRITES = """
import pytest

@pytest.mark.req("V2Q-FILT-001")
@pytest.mark.needs_control
def test_oracle():
    pass

@pytest.mark.req("UPC-CONFIG-001")
@pytest.mark.writes_box
def test_configures_upload():
    pass

@pytest.mark.req("V2Q-PAGE-001")
def test_observational():
    pass
"""


@pytest.fixture
def box_url() -> Iterator[str]:
    with running_fake_box() as url:
        yield url


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unmarked_test_is_refused_at_collection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=UNMARKED)
    result = pytester.runpytest("--conformance", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_a.py::test_without_requirement: no @pytest.mark.req*"])


def test_marked_test_is_accepted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=GOOD)
    result = pytester.runpytest("--conformance", "--collect-only")
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    "marker", ["@pytest.mark.req()", '@pytest.mark.req("v2q-schema-1")', "@pytest.mark.req(7)"]
)
def test_empty_or_malformed_requirement_ids_are_refused(pytester: pytest.Pytester, marker: str) -> None:
    pytester.makepyfile(test_a=f"import pytest\n\n{marker}\ndef test_x():\n    pass\n")
    result = pytester.runpytest("--conformance", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "test_x" in result.stderr.str()


def test_plugin_is_inert_without_conformance_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=UNMARKED)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_oracle_and_writing_tests_skip_on_a_real_box_without_control(
    pytester: pytest.Pytester, box_url: str
) -> None:
    pytester.makepyfile(test_a=CONTROL_AND_WRITES)
    result = pytester.runpytest("--box-url", box_url, "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*needs the emulator control plane*--control-url*",
            "*changes box settings: pass --allow-writes*",
        ]
    )


def test_control_url_and_allow_writes_run_them(pytester: pytest.Pytester, box_url: str) -> None:
    pytester.makepyfile(test_a=CONTROL_AND_WRITES)
    result = pytester.runpytest(
        "--box-url", box_url, "--control-url", f"{box_url}/_emulator", "--allow-writes"
    )
    result.assert_outcomes(passed=3)


def test_dead_box_ends_the_run_with_exit_code_3(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_a=GOOD)
    stats = tmp_path / "stats.json"
    url = f"http://127.0.0.1:{_closed_port()}"
    result = pytester.runpytest(
        "--box-url", url, "--preflight-timeout", "1", "--conformance-stats", str(stats)
    )
    assert result.ret == 3
    assert "box unreachable" in result.stdout.str() + result.stderr.str()
    assert "passed" not in result.stdout.str()
    assert json.loads(stats.read_text())["outcome"] == "box_unreachable"


def test_live_box_passes_preflight_and_counts_exchanges(
    pytester: pytest.Pytester, box_url: str, tmp_path: Path
) -> None:
    pytester.makepyfile(
        test_a="""
import pytest

@pytest.mark.req("DEV-SCHEMA-001")
def test_devices(http_client, target):
    assert target.capabilities.v2_events and target.capabilities.missing_answer("v1_events") is not None
    assert target.capabilities.device_ids == ("dev-1",)
    assert http_client.get("/SophonDevice/api/Devices").status == 200
"""
    )
    stats = tmp_path / "stats.json"
    result = pytester.runpytest("--box-url", box_url, "--conformance-stats", str(stats))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*HTTP exchanges: 1 against http://127.0.0.1:*"])
    assert json.loads(stats.read_text())["exchanges"] == 1


def test_rejected_login_is_a_usage_error(pytester: pytest.Pytester, box_url: str) -> None:
    pytester.makepyfile(test_a=GOOD)
    refused = pytester.runpytest("--box-url", box_url, "--username", "admin", "--password", "wrong")
    assert refused.ret == 2
    assert "login as 'admin' refused" in refused.stdout.str() + refused.stderr.str()
    accepted = pytester.runpytest("--box-url", box_url, "--username", "admin", "--password", "admin")
    accepted.assert_outcomes(passed=1)


def test_box_that_is_not_a_sophon_box_fails_preflight(pytester: pytest.Pytester, box_url: str) -> None:
    pytester.makepyfile(test_a=GOOD)
    result = pytester.runpytest("--box-url", box_url + "/elsewhere")
    assert result.ret == 3
    assert "HTTP 404; is this a Sophon box?" in result.stdout.str() + result.stderr.str()


def test_workers_each_count_and_the_controller_sums(pytester: pytest.Pytester, box_url: str) -> None:
    body = "\n".join(
        f"@pytest.mark.req('DEV-SCHEMA-001')\ndef test_{i}(http_client):\n"
        f"    assert http_client.get('/SophonDevice/api/Devices').status == 200\n"
        for i in range(4)
    )
    pytester.makepyfile(test_a="import pytest\n\n" + body)
    result = pytester.runpytest_subprocess("--box-url", box_url, "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*HTTP exchanges: 4 against*"])


def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=GOOD)
    result = pytester.runpytest("--box-url", "ftp://box", "--conformance")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "not a http/https URL" in result.stderr.str()
