"""Session fixtures of the suite: the target, recording clients, the control plane and seeded scenarios."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from conformance.clients.exchange import HttpExchange
from conformance.clients.exchange_log import ExchangeLog
from conformance.clients.http_client import RecordingHttpClient
from conformance.clients.receiver_client import ReceiverClient
from conformance.clients.ws_client import RecordingWebSocket
from conformance.exit_codes import ExitCode
from conformance.scenarios.loader import load_named
from conformance.suite.evidence import WS_SESSIONS
from conformance.suite.session import ConformanceSession
from conformance.suite.uploads import UploadRefusedError, UploadRoute, UploadSetupError
from conformance.target.control_client import ControlClient
from conformance.target.preflight import PreflightError, preflight
from conformance.target.scenario_seeding import SeededScenario, seed_scenario
from conformance.target.target import Target

SESSION_KEY = pytest.StashKey[ConformanceSession]()
NO_EMBEDDED_BOX = (
    "sophon-conformance: no --box-url, and no embedded emulator in this process: run the suite with "
    "`sophon-conformance run` (or pass -p conformance.cli.embedded_box to pytest)"
)


def conformance_session(config: pytest.Config) -> ConformanceSession:
    """The run's session object; using suite fixtures outside a conformance run is a usage error."""
    session = config.stash.get(SESSION_KEY, None)
    if session is None:
        raise pytest.UsageError("sophon-conformance fixtures need a conformance run: pass --conformance")
    return session


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The box under test after preflight: the real one, or an embedded emulator started for this process."""
    session = conformance_session(request.config)
    if session.target is not None:
        yield session.target
        return
    workdir: Path = tmp_path_factory.mktemp("embedded-box")
    box = request.config.hook.pytest_conformance_embedded_box(
        workdir=workdir, profile=session.options.profile, faults=session.options.faults
    )
    if box is None:
        pytest.exit(NO_EMBEDDED_BOX, returncode=int(ExitCode.USAGE_ERROR))
    try:
        try:
            found = preflight(box.config, reach_window_s=5.0)
        except PreflightError as exc:
            pytest.exit(f"sophon-conformance: embedded emulator failed preflight: {exc}", returncode=4)
        session.target = found.with_receiver(box.receiver_url, box.receiver_api_url)
        yield session.target
    finally:
        box.stop()


@pytest.fixture(scope="session")
def http_log(request: pytest.FixtureRequest) -> ExchangeLog[HttpExchange]:
    """One log for every recording HTTP client of this process, so the run can count its exchanges."""
    log: ExchangeLog[HttpExchange] = ExchangeLog()
    conformance_session(request.config).logs.append(log)
    return log


@pytest.fixture(scope="session")
def http_client(target: Target, http_log: ExchangeLog[HttpExchange]) -> Iterator[RecordingHttpClient]:
    """A recording HTTP client on the box's base URL, logged in when credentials were given."""
    cookie = "; ".join(f"{name}={value}" for name, value in target.auth_cookies)
    yield RecordingHttpClient(target.box_url, log=http_log, headers={"Cookie": cookie} if cookie else None)


@pytest.fixture(scope="session")
def counted_session(request: pytest.FixtureRequest, target: Target) -> Iterator[requests.Session]:
    """A requests.Session for schemathesis calls; every response counts toward the run's exchanges."""
    session = requests.Session()
    session.trust_env = False
    session.hooks["response"].append(conformance_session(request.config).extra.hook)
    for name, value in target.auth_cookies:
        session.cookies.set(name, value)
    yield session
    session.close()


@pytest.fixture
def ws_connect(target: Target, request: pytest.FixtureRequest) -> Iterator[Callable[[], RecordingWebSocket]]:
    """Open recording WebSocket connections to the box; all are closed after the test.

    Their transcripts go into the test's stash, so the test's Allure result shows each session.
    """
    opened: list[RecordingWebSocket] = []
    transcripts = request.node.stash.setdefault(WS_SESSIONS, [])

    def connect() -> RecordingWebSocket:
        socket = RecordingWebSocket(target.ws_url)
        opened.append(socket)
        transcripts.append(socket.transcript)
        return socket.connect()

    yield connect
    for socket in opened:
        socket.close()


@pytest.fixture(scope="session")
def control(target: Target) -> Iterator[ControlClient]:
    """The emulator's control plane; tests that use it carry `needs_control` and skip without one."""
    if target.config.control_url is None:
        pytest.skip("needs the emulator control plane: the target has none (give --control-url)")
    with ControlClient(target.config.control_url) as client:
        yield client


@pytest.fixture(scope="session")
def core_scenario(control: ControlClient, target: Target) -> SeededScenario:
    """`scenarios/core.yaml` seeded once per process (the hard cases); tests only read it."""
    return seed_scenario(control, load_named("core"), keep_faults=target.config.faults)


class RunReceiver(ReceiverClient):
    """The run's upload receiver: `.url` is where the box uploads to, the client reads what arrived."""

    def __init__(self, url: str, api_url: str) -> None:
        super().__init__(api_url)
        self.url = url


@pytest.fixture(scope="session")
def receiver(target: Target) -> Iterator[RunReceiver]:
    """A client of the upload receiver this run started (`.url` = the URL the box uploads to)."""
    if target.receiver_url is None or target.receiver_api_url is None:
        pytest.skip("no upload receiver in this run")
    client = RunReceiver(target.receiver_url, target.receiver_api_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def box_uploads_to_receiver(request: pytest.FixtureRequest, target: Target) -> Iterator[UploadRoute]:
    """The box's HistoryEventUrl points at the receiver while upload tests run; the old setting comes back."""
    uploads = conformance_session(request.config).uploads
    try:
        route = uploads.ensure_route(target)
    except UploadRefusedError as exc:
        pytest.skip(str(exc))
    except UploadSetupError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield route
    if route.arranged_by == "this process" and not uploads.restore():
        pytest.fail("the box's HistoryEventUrl setting could not be restored (see the log)", pytrace=False)
