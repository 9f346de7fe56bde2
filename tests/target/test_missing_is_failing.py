"""A box answering 404 for a mandatory interface fails the presence test; declared absent, it skips."""

from __future__ import annotations

import pytest

from conformance.paths import PROJECT_ROOT
from tests.target.stub_box import stub_box

pytest_plugins = ["pytester"]

PRESENCE_TESTS = PROJECT_ROOT / "conformance/suite/interfaces/small/test_interface_presence.py"
NO_SEARCH = {("POST", "/SophonMatch/api/picturesearch"): (404, {"error": "not found"})}


def test_a_missing_interface_fails_its_requirement(pytester: pytest.Pytester) -> None:
    with stub_box(NO_SEARCH) as url:
        result = pytester.runpytest(str(PRESENCE_TESTS), "--box-url", url, f"--rootdir={PROJECT_ROOT}")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*mandatory interface picture_search is missing: "
            "POST /SophonMatch/api/picturesearch answered HTTP 404*",
        ]
    )
    assert "PS-SCHEMA-001" in result.stdout.str()


def test_a_declared_absent_interface_skips_and_says_why(pytester: pytest.Pytester) -> None:
    claimed = "v2_events,v1_events,devices,history_event_url"
    with stub_box(NO_SEARCH) as url:
        result = pytester.runpytest(
            str(PRESENCE_TESTS), "--box-url", url, "--interfaces", claimed, "-rs", f"--rootdir={PROJECT_ROOT}"
        )
    result.assert_outcomes(passed=4, skipped=1)
    result.stdout.fnmatch_lines(["*picture_search declared absent by the user*"])


def test_a_complete_box_passes(pytester: pytest.Pytester) -> None:
    with stub_box() as url:
        result = pytester.runpytest(str(PRESENCE_TESTS), "--box-url", url, f"--rootdir={PROJECT_ROOT}")
    result.assert_outcomes(passed=5)
