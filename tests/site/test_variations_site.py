"""No false alarm on a box that looks real: the whole suite, run as a user runs it against a box without a
control plane, passes against the emulator in site mode with every compatible real-box variation on at once (a
busy gate at 5 recognitions a second, microsecond times, gzip-coded answers, extra fields that change on every
call, 422 for invalid arguments, keys in another order): no failing test, no harness error. The quiet box
conflicts with the busy gate (both set the live rate), so it gets the second run, with the other variations.

Before each run the box is probed for every variation it must show, so a run against a box that did not
show them cannot pass this test.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Any

import requests

from conformance.emulator.faults.catalog import CATALOG
from conformance.exit_codes import ExitCode
from conformance.mutants.child_run import ChildRunSpec, SuiteOutcome, run_child
from tests.site_box import BUSY_GATE as BUSY
from tests.site_box import QUIET_BOX as QUIET
from tests.site_box import REAL_BOX_VARIATIONS as REAL_BOX
from tests.site_box import SiteBox, start_site_box

QUIET_BOX = (QUIET, *(name for name in REAL_BOX if name != BUSY))
TIMEOUT = 10
LIVE_DEADLINE_S = 20.0
MIN_PASSED = 150  # a whole-suite site run passes some 180 tests; far fewer means it did not run the suite
V2_EVENTS = "/sophon/v2/face/getevents"
V1_EVENTS = "/SophonFace/api/events"


def _v2(box: SiteBox, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{box.http_url}{V2_EVENTS}", json=body, timeout=TIMEOUT)


def _total(box: SiteBox) -> int:
    return int(_v2(box, {"page_limit": 1}).json()["pagination"]["total_count"])


def _shows_the_answer_variations(box: SiteBox) -> None:
    """gzip when asked, extras changing per call, keys reversed, 422, microsecond times: all visible."""
    answer = _v2(box, {"page_limit": 1})
    assert answer.headers.get("content-encoding") == "gzip", answer.headers  # requests asks for gzip
    raw = requests.post(
        f"{box.http_url}{V2_EVENTS}", json={"page_limit": 1}, timeout=TIMEOUT, stream=True
    ).raw.read()
    assert gzip.decompress(raw)  # the bytes on the wire are gzip
    first, second = answer.json()["events"][0], _v2(box, {"page_limit": 1}).json()["events"][0]
    assert first["serve_seq"] != second["serve_seq"]  # an undocumented field, changed on every call
    assert list(first)[-1] == "event_id"  # keys reversed: the table's first key comes last
    refused = requests.get(f"{box.http_url}{V1_EVENTS}?per_page=x", timeout=TIMEOUT)
    assert refused.status_code == 422 and refused.json()["error"]["status"] == "INVALID_ARGUMENTS"
    v1 = requests.get(f"{box.http_url}{V1_EVENTS}", params={"per_page": 50}, timeout=TIMEOUT).json()["data"]
    assert any(round(e["timestamp"] * 1_000_000) % 1000 for e in v1)  # microseconds past the millisecond


def _shows_live_traffic(box: SiteBox) -> None:
    before = _total(box)
    deadline = time.monotonic() + LIVE_DEADLINE_S
    while _total(box) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _total(box) > before, "no live recognition arrived"


def _whole_suite(box: SiteBox, workdir: Path, *extra: str) -> SuiteOutcome:
    """The whole suite against the box, as a user would run it against a real one (writes allowed)."""
    run_args = (
        f"--box-url={box.http_url}",
        f"--ws-url={box.ws_url}",
        f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
        "--allow-writes",
        "--profile",
        "lenient",
        *extra,
    )
    return run_child(ChildRunSpec(run_args=run_args), workdir)


def _assert_no_false_alarm(outcome: SuiteOutcome) -> None:
    assert not outcome.problem, outcome.describe()
    harness = [t.nodeid for t in outcome.tests if t.category == "harness"]
    assert not harness, f"harness errors: {harness}\n{outcome.describe()}"
    assert not outcome.failed_tests, outcome.describe()
    assert outcome.exit_code == ExitCode.OK, outcome.describe()
    assert len(outcome.passed) >= MIN_PASSED, outcome.describe()


def test_the_variations_are_conforming_and_compatible_as_grouped() -> None:
    for name in (*REAL_BOX, QUIET):
        assert CATALOG.get(name).kind == "variation", name
    assert CATALOG.conflicting(REAL_BOX) == [] and CATALOG.conflicting(QUIET_BOX) == []
    assert CATALOG.conflicting([BUSY, QUIET]) == [(BUSY, QUIET)]  # hence two runs


def test_a_busy_real_looking_box_raises_no_false_alarm(tmp_path: Path) -> None:
    with start_site_box(tmp_path, variations=REAL_BOX) as box:
        _shows_the_answer_variations(box)
        _shows_live_traffic(box)
        outcome = _whole_suite(box, tmp_path / "busy")
    _assert_no_false_alarm(outcome)


def test_a_quiet_real_looking_box_raises_no_false_alarm(tmp_path: Path) -> None:
    """The quiet box gives the live tests nothing: they end *not exercised* (a short wait), none fails."""
    with start_site_box(tmp_path, variations=QUIET_BOX) as box:
        _shows_the_answer_variations(box)
        before = _total(box)
        time.sleep(1.5)  # at the site's default 2 a second, some 3 recognitions would have come
        assert _total(box) == before
        outcome = _whole_suite(box, tmp_path / "quiet", "--live-wait=2")
    _assert_no_false_alarm(outcome)
