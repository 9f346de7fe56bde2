"""The embedded box comes from the CLI layer: the suite declares hooks, `conformance.cli.embedded_box`
implements them, and `sophon-conformance run` loads it into every pytest process; the suite gets URLs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.cli import embedded_box, run_cmd
from conformance.exit_codes import ExitCode
from conformance.suite import hookspecs
from conformance.suite.fixtures import NO_EMBEDDED_BOX
from conformance.suite.options import ConformanceOptions
from conformance.suite.uploads import NO_RECEIVER, RunUploads
from conformance.target.target import Capabilities, Target, TargetConfig

pytest_plugins = ["pytester"]

SERVERS = ("-p", run_cmd.SERVERS_PLUGIN)
USES_THE_BOX = """
import pytest


@pytest.mark.req("DEV-SCHEMA-001")
def test_embedded(target, control, receiver):
    assert target.config.embedded
    for url in (target.box_url, target.config.control_url, target.receiver_url, target.receiver_api_url):
        assert url.startswith("http://127.0.0.1:"), url
    assert target.ws_url.startswith("ws://127.0.0.1:")
    assert receiver.stats()["received"] == 0
"""


def test_the_cli_plugin_implements_the_suites_hooks() -> None:
    manager = pytest.PytestPluginManager()
    manager.add_hookspecs(hookspecs)
    manager.register(embedded_box)  # pluggy refuses an implementation whose arguments the spec lacks
    for name in ("pytest_conformance_embedded_box", "pytest_conformance_upload_receiver"):
        caller = getattr(manager.hook, name)
        assert [impl.plugin for impl in caller.get_hookimpls()] == [embedded_box], name
        assert caller.spec is not None and caller.spec.opts["firstresult"], name


def test_run_loads_the_plugin_into_pytest(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    run_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["run", "-n", "2"])
    argv = run_cmd._pytest_argv(args, tmp_path, [])
    assert argv[argv.index("-p") + 1] == "conformance.cli.embedded_box"
    assert "-n" in argv  # xdist workers get the -p from the invocation, so each starts its own box


def test_with_the_plugin_the_suite_receives_urls_of_its_own_box(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=USES_THE_BOX)
    result = pytester.runpytest_subprocess(*SERVERS, "--conformance", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_without_the_plugin_there_is_no_embedded_box(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=USES_THE_BOX)
    result = pytester.runpytest_subprocess("--conformance", "-p", "no:randomly")
    assert result.ret == ExitCode.USAGE_ERROR
    assert "sophon-conformance run" in NO_EMBEDDED_BOX
    result.stdout.fnmatch_lines(["*no --box-url, and no embedded emulator in this process*"])


def test_a_real_box_without_a_receiver_leaves_upload_tests_to_skip() -> None:
    config = TargetConfig(box_url="http://192.0.2.1:5555", ws_url="ws://192.0.2.1:5679")
    options = ConformanceOptions(
        active=True,
        target=config,
        receiver_bind=("127.0.0.1", 0),
        receiver_advertise_url=None,
        allow_writes=True,
        configure_upload=True,
        faults=(),
        preflight_timeout_s=1.0,
        stats_path=None,
        profile="strict",
    )
    target = Target(config, Capabilities(history_event_url=True))
    for uploads in (RunUploads(options, None), RunUploads(options, None, start_receiver=_no_receiver)):
        unchanged = uploads.start_receiver_for(target)
        assert unchanged.receiver_url is None
        assert uploads.refusal(unchanged) == NO_RECEIVER  # the skip reason says how to get one


def _no_receiver(*, log_path: Path, host: str, port: int, profile: str) -> hookspecs.StartedReceiver | None:
    return None  # what the hook answers when no plugin implements it
