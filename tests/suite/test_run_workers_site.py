"""`run -n N` against a box without control plane (the emulator in site mode): the tests that share the box's
uploads (receiver, HistoryEventUrl setting, the outage) run on one worker, the others spread, and the run
gives the verdicts, requirement matrix and counts a serial run gives.

The narrowed run holds the upload tests that disturb the others (an outage, setting changes), the
cross-interface test that reads the uploads, live WebSocket tests and history-sample tests (session-wide
samples made per worker).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import build_parser
from conformance.cli.run_cmd import BOX_WORKERS, _pytest_argv
from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, run_child
from conformance.paths import PROJECT_ROOT
from conformance.suite.worker_groups import UPLOAD_GROUP, shares_the_uploads
from tests.site_box import SiteBox, start_site_box

pytest_plugins = ["pytester"]

SELECTION = " or ".join(
    (
        "test_live_uploads_survive_an_outage",
        "test_live_uploads_follow_the_setting",
        "test_live_uploads_conform_to_the_table",
        "test_one_event_is_the_same_everywhere",
        "test_live_pushes_are_in_the_history",
        "test_live_pictures_follow_the_flags",
        "test_v2_window_is_the_v1_window",
        "test_v2_and_v1_tell_one_story_of_the_window",
    )
)
GROUPED = ("test_live_uploads_", "test_one_event_is_the_same_everywhere")  # the box-uploads group's tests
LIVE_WAIT_S = "12"
LIVE_RATE = 3.0  # as the upload site tests: enough recognitions in 12 s, a backlog still drains
WORKER_LINE = re.compile(r"^\[(gw\d+)\].*?(PASSED|FAILED|SKIPPED|ERROR) (\S+)")


def _run(box: SiteBox, folder: Path, workers: tuple[str, ...]) -> tuple[SuiteOutcome, dict[str, Any], str]:
    """The narrowed selection against the site box; its outcome, summary.json and the whole log."""
    spec = ChildRunSpec(
        k_expr=SELECTION,
        run_args=(
            f"--box-url={box.http_url}",
            f"--ws-url={box.ws_url}",
            f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
            "--allow-writes",
            f"--live-wait={LIVE_WAIT_S}",
            *workers,
        ),
        pytest_args=("-v", "-v"),  # after the child's -q: one line per test, with its xdist worker
    )
    outcome = run_child(spec, folder)
    assert not outcome.problem, outcome.describe()
    summaries = sorted((folder / "runs").glob("*/summary.json"))
    assert summaries, outcome.describe()
    summary: dict[str, Any] = json.loads(summaries[-1].read_text(encoding="utf-8"))
    return outcome, summary, Path(outcome.log_path).read_text(encoding="utf-8", errors="replace")


def _verdicts(outcome: SuiteOutcome) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {t.nodeid: (t.outcome, t.finding_requirements) for t in outcome.tests}


def test_workers_give_the_serial_verdicts_on_a_site_box(tmp_path: Path) -> None:
    """Serial and `-n 2` runs of the narrowed selection against one site box agree test by test, in the
    requirement matrix and in the counts; every grouped test ran on one worker."""
    with start_site_box(tmp_path, live_rate=LIVE_RATE, history_days=0.2, history_per_day=500) as box:
        serial, serial_summary, _ = _run(box, tmp_path / "serial", ("-n", "0"))
        parallel, parallel_summary, log = _run(box, tmp_path / "workers", ("-n", "2"))
    assert serial.exit_code == 0 and not serial.failed(), serial.describe()
    assert _verdicts(parallel) == _verdicts(serial), parallel.describe()
    assert len(serial.passed) == len(serial.tests) >= 8, serial.describe()  # every test judged the box
    matrix = {r["id"]: r["verdict"] for r in serial_summary["requirements"]}
    assert {r["id"]: r["verdict"] for r in parallel_summary["requirements"]} == matrix
    assert parallel_summary["counts"] == serial_summary["counts"]
    assert parallel_summary["totals"] == serial_summary["totals"]
    assert parallel_summary["exchanges"] > 0 and serial_summary["exchanges"] > 0

    ran_on = {match[3]: match[1] for line in log.splitlines() if (match := WORKER_LINE.match(line))}
    assert set(ran_on) == set(_verdicts(parallel)), log[-3000:]  # node ids carry no "@group" suffix
    grouped = {n: w for n, w in ran_on.items() if any(name in n for name in GROUPED)}
    assert len(grouped) >= 4 and len(set(grouped.values())) == 1, grouped
    assert len(set(ran_on.values())) == 2, ran_on  # the other tests went to the other worker too


BOX = ["run", "--box-url", "http://127.0.0.1:9"]


@pytest.mark.parametrize(
    ("argv", "workers", "loadgroup"),
    [
        (BOX, BOX_WORKERS, True),  # the default against a box: several workers, grouped
        ([*BOX, "-n", "3"], "3", True),
        ([*BOX, "-n", "0"], None, False),
        ([*BOX, "--interactive"], None, False),  # the operator's prompts need the one terminal
        (["run", "-n", "2"], "2", False),  # the embedded emulator: every worker has its own box
        (["run"], None, False),
    ],
)
def test_workers_by_default_only_against_a_box(
    argv: list[str], workers: str | None, loadgroup: bool, tmp_path: Path
) -> None:
    """Against a box the run uses BOX_WORKERS unless told; `--dist loadgroup` goes with workers on one box."""
    parser, _ = build_parser()
    pytest_argv = _pytest_argv(parser.parse_args(argv), tmp_path, [])
    given = pytest_argv[pytest_argv.index("-n") + 1] if "-n" in pytest_argv else None
    assert given == workers
    assert ("--dist" in pytest_argv and "loadgroup" in pytest_argv) is loadgroup


def test_the_upload_sharing_tests_are_grouped(pytester: pytest.Pytester) -> None:
    """The upload area and the tests reading the run's receiver carry the upload group; the WebSocket and
    query tests do not."""
    grouped: list[str] = []
    ungrouped: list[str] = []

    class Collector:
        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
            for item in items:
                mark = item.get_closest_marker("xdist_group")
                assert mark is None or mark.args == (UPLOAD_GROUP,)
                assert (mark is not None) is shares_the_uploads(item)
                (grouped if mark else ungrouped).append(item.nodeid)

    suite = PROJECT_ROOT / "conformance" / "suite" / "interfaces"
    pytester.inline_run(str(suite), "--collect-only", "-q", "--conformance", plugins=[Collector()])
    assert any("test_one_event_is_the_same_everywhere" in n for n in grouped)
    assert any("test_uploads_name_their_device" in n for n in grouped)
    assert sum("/upload/" in n for n in grouped) >= 25
    assert not [n for n in grouped if "/upload/" not in n and "/cross/" not in n]
    assert not [n for n in ungrouped if "/upload/" in n]
    assert [n for n in ungrouped if "/push/" in n] and [n for n in ungrouped if "/query/" in n]
