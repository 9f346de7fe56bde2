"""No invented requirements: a box without a page cap, or one refusing with 422, passes the error tests.

The suite's own error tests run against stub boxes (tests/target/paging_box.py): one that serves any page
size and ignores unknown user types, one that refuses both with HTTP 422 and the documented envelope, and
one that silently clamps pages while reporting the full total, which must fail.
"""

from __future__ import annotations

import pytest

from conformance.paths import PROJECT_ROOT
from tests.target.paging_box import v1_events, v2_getevents
from tests.target.stub_box import stub_box

pytest_plugins = ["pytester"]

ERROR_TESTS = PROJECT_ROOT / "conformance/suite/interfaces/query/test_query_errors.py"
SELECTION = (
    "huge or unknown_user_type or (test_v2_invalid_arguments and page_limit-string)"
    " or (test_v1_invalid_arguments and page-not-int)"
)


def _run(pytester: pytest.Pytester, policy: str) -> pytest.RunResult:
    answers = {
        ("POST", "/sophon/v2/face/getevents"): v2_getevents(policy),
        ("GET", "/SophonFace/api/events"): v1_events(policy),
    }
    with stub_box(answers) as url:
        options = ["--box-url", url, "-k", SELECTION, "-p", "no:randomly", f"--rootdir={PROJECT_ROOT}"]
        return pytester.runpytest(str(ERROR_TESTS), *options)


@pytest.mark.parametrize("policy", ["serve", "refuse"], ids=["no-page-cap", "cap-and-422"])
def test_a_conforming_box_passes_either_way(pytester: pytest.Pytester, policy: str) -> None:
    result = _run(pytester, policy)
    result.assert_outcomes(passed=7)  # huge page_index, page sizes, unknown user types, two type errors


def test_a_box_that_silently_clamps_pages_fails(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "clamp")
    result.assert_outcomes(passed=5, failed=2)
    result.stdout.fnmatch_lines(["*page size 1000000000000 answered 5 of total_count 1? matching events*"])
