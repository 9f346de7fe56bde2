"""Faults proved in batches on site boxes: one box and one child run for faults that bend different tests,
run as a user runs the suite against a real box, and read back test by test."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conformance.mutants.child_run import SuiteOutcome, TestOutcome, run_suite
from tests.site_box import SiteBox, start_site_box

LIVE_RATE = 2.0  # recognitions a second: live traffic between any two calls of a run
HISTORY_DAYS = 3


@dataclass(frozen=True)
class BatchBox:
    """The site box of one batch: the faults (or conforming variations) on from the start."""

    faults: tuple[str, ...] = ()
    variations: tuple[str, ...] = ()
    history_per_day: int = 1000

    def start(self, tmp_path: Path) -> SiteBox:
        """Start it on free ports, 2 live recognitions a second over 3 days of history."""
        return start_site_box(
            tmp_path,
            live_rate=LIVE_RATE,
            history_days=HISTORY_DAYS,
            faults=self.faults,
            variations=self.variations,
            history_per_day=self.history_per_day,
        )


def run_at(box: SiteBox, selection: str, *options: str, pytest_args: Sequence[str] = ()) -> SuiteOutcome:
    """The selection against the site box through the real-box path (no control plane), with `options`
    of `sophon-conformance run`."""
    return run_suite(
        selection,
        [],
        list(pytest_args),
        run_args=[
            f"--box-url={box.http_url}",
            f"--ws-url={box.ws_url}",
            f"--version-url={box.version_url}/sophon/v2/system/getsoftwareversion",
            *options,
        ],
    )


def node_name(nodeid: str) -> str:
    """A test's name with its parameters, without its module."""
    return nodeid.rsplit("::", 1)[-1]


def by_node(outcome: SuiteOutcome) -> dict[str, TestOutcome]:
    """The run's tests by name."""
    return {node_name(test.nodeid): test for test in outcome.tests}


def k_term(test: str) -> str:
    """A -k term selecting one test (and one parameter of it)."""
    name, _, param = test.partition("[")
    return f"({name} and {param.rstrip(']')})" if param else name


def k_selection(tests: Iterable[str]) -> str:
    """A -k expression selecting each test (and parameter) named."""
    return " or ".join(sorted({k_term(test) for test in tests}))


def assert_each_fault_caught(outcome: SuiteOutcome, expected: Iterable[tuple[str, tuple[str, str]]]) -> None:
    """Each (fault, (test, requirement)): the test failed, a finding of the failure naming the requirement."""
    failed = {node_name(test.nodeid): test for test in outcome.failed()}
    for fault, (test, requirement) in expected:
        assert test in failed, f"{fault}: {test} did not fail\n{outcome.describe()}"
        named = failed[test].finding_requirements
        assert requirement in named, (
            f"{fault}: the findings of {test} name {named}, not {requirement}\n{outcome.describe()}"
        )
