"""A dead or hostile box ends the run in bounded time, as a transport problem, without a Python traceback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.checks.findings import FindingCategory
from conformance.clients.failures import ConformanceFailure
from conformance.clients.ws_client import RecordingWebSocket
from conformance.exit_codes import ExitCode
from tests.reliability.cli_runs import CliRun, failure_categories, finish_run, run_cli, start_run
from tests.reliability.hostile_servers import Behaviour, HostileServer

PREFLIGHT_BOUND_S = 60.0  # the bound; preflight's own deadline is 14 s
SUITE_BOUND_S = 90.0
WS_BOUND_S = 15.0
# the one message each preflight failure must carry, so the user learns what the box did
PREFLIGHT_CAUSES = {
    Behaviour.HANG: "timed out",
    Behaviour.RESET: "reset",
    Behaviour.INVALID_JSON: "not JSON",
    Behaviour.HUGE_BODY: "not JSON",
    Behaviour.DEVICES_THEN_HANG: "did not finish preflight",
}


@pytest.fixture(scope="module")
def preflight_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Behaviour, CliRun]]:
    """One CLI run per preflight-killing box, all at once (the slowest waits out preflight's 10 s window)."""
    servers = {behaviour: HostileServer(behaviour).start() for behaviour in PREFLIGHT_CAUSES}
    started = time.monotonic()
    folders = {b: tmp_path_factory.mktemp(f"reports-{b.value}") for b in servers}
    processes = {b: start_run(server.http_url, folders[b]) for b, server in servers.items()}
    try:
        yield {b: finish_run(process, folders[b], started) for b, process in processes.items()}
    finally:
        for server in servers.values():
            server.stop()


@pytest.mark.parametrize("behaviour", list(PREFLIGHT_CAUSES), ids=lambda b: b.value)
def test_preflight_failure_is_bounded_and_named(
    preflight_runs: dict[Behaviour, CliRun], behaviour: Behaviour
) -> None:
    run = preflight_runs[behaviour]
    run.print_figure(behaviour.value)
    assert run.exit_code == ExitCode.BOX_UNREACHABLE, run.describe()
    assert run.wall_s <= PREFLIGHT_BOUND_S, run.describe()
    assert "Traceback" not in run.output, run.describe()
    assert PREFLIGHT_CAUSES[behaviour] in run.output, run.describe()
    # a run folder, when written, must not call the box defective
    if run.run_dir is not None and (run.run_dir / "summary.json").exists():
        assert '"exit_code": 3' in (run.run_dir / "summary.json").read_text(encoding="utf-8")


def test_box_that_resets_after_preflight_gets_transport_findings(tmp_path: Path) -> None:
    """Preflight passes (a device list), every interface resets: failures are transport, never schema."""
    with HostileServer(Behaviour.DEVICES_THEN_RESET) as server:
        # the device-list fuzz test judges a real answer of this fake box; it is not a transport case
        run = run_cli(server.http_url, tmp_path, ["--", "-k", "not Devices"])
    run.print_figure(Behaviour.DEVICES_THEN_RESET.value)
    assert run.wall_s <= SUITE_BOUND_S, run.describe()
    assert run.exit_code not in (ExitCode.OK, ExitCode.HARNESS_ERROR), run.describe()
    assert run.run_dir is not None, run.describe()
    found = failure_categories(run.run_dir)
    assert found, run.describe()
    assert set(found.values()) == {"transport"}, found


def test_failure_categories_would_see_a_non_transport_failure(tmp_path: Path) -> None:
    """Negative case for the reader above: an invalid-JSON device list is categorised, not hidden."""
    results = tmp_path / "run" / "allure-results"
    results.mkdir(parents=True)
    (results / "a-result.json").write_text(
        '{"name": "t", "status": "failed", "statusDetails": {"message": "[schema] bad shape"}}',
        encoding="utf-8",
    )
    assert failure_categories(tmp_path / "run") == {"t": "schema"}


@pytest.mark.parametrize(
    "behaviour",
    [Behaviour.WS_NO_HANDSHAKE, Behaviour.WS_GARBAGE_HANDSHAKE, Behaviour.WS_GARBAGE_FRAMES],
    ids=lambda b: b.value,
)
def test_hostile_websocket_is_a_bounded_transport_failure(behaviour: Behaviour) -> None:
    started = time.monotonic()
    with HostileServer(behaviour) as server, pytest.raises(ConformanceFailure) as info:
        ws = RecordingWebSocket(server.ws_url, connect_timeout=3, recv_timeout=3)
        try:
            ws.connect()
            ws.send_json({"need_face": False, "need_register": False, "event_list": []})
            ws.recv()
        finally:
            ws.close()
    assert time.monotonic() - started <= WS_BOUND_S
    assert info.value.category is FindingCategory.TRANSPORT
    assert "[transport]" in str(info.value)


def test_silent_websocket_times_out_within_the_receive_bound() -> None:
    started = time.monotonic()
    with (
        HostileServer(Behaviour.WS_SILENT) as server,
        RecordingWebSocket(server.ws_url, recv_timeout=2) as ws,
    ):
        ws.send_json({"need_face": False, "need_register": False, "event_list": ["d"]})
        assert ws.recv() is None
    assert time.monotonic() - started <= WS_BOUND_S
    assert [f.text for f in ws.transcript.frames if f.opcode == "timeout"] == ["no frame within 2 s"]
