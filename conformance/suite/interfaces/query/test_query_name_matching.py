"""Filters area, the fuzzy name match of v2 `identity_name` and v1 `name`: one reading of letter case,
applied alike (the documents do not say which), and a name's substring finds at least what the name finds.

`test_name_case_is_one_consistent_reading` judges by `query_oracle` (the seeded core scenario with a control
plane, the box's own history sample without); the substring test relates queries over the box's newest
events.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from conformance.checks import metamorphic
from conformance.checks.filter_oracle import compare_result, expected_ids
from conformance.checks.requirement_ids import requirements_for
from conformance.clients.failures import fail, fail_on
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.support.history_name_case import judge_name_case
from conformance.suite.support.history_sample import HistorySample
from conformance.suite.support.query_calls import APIS, QueryApi
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.query_filter_oracle import parsed_filter, run_query
from conformance.suite.support.query_window_ids import window_event_ids, window_ids


@pytest.mark.req("V2Q-FILT-004", "V1Q-FILT-003")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_name_case_is_one_consistent_reading(
    api_name: str,
    query_oracle: CoreData | HistorySample,
    http_client: RecordingHttpClient,
    request: pytest.FixtureRequest,
) -> None:
    """The documents do not say whether the fuzzy name match ignores case: either reading, applied alike."""
    if isinstance(query_oracle, HistorySample):
        judge_name_case(http_client, query_oracle, "v2" if api_name == "v2" else "v1", request)
        return
    core_data = query_oracle
    api = APIS[api_name]
    key = "identity_name" if api.is_v2 else "name"
    readings: dict[str, set[bool]] = {}
    for query in ("alice", "ALICE", "Alice"):
        result = run_query(api, http_client, {key: query})
        got = frozenset(core_data.restrict(result.ids))
        matching = {
            sensitive
            for sensitive in (True, False)
            if got == _expected_set(api, core_data, {key: query}, case_sensitive=sensitive)
        }
        if not matching:
            fail(
                f"{api.name} {key}={query!r} matches neither case-sensitively nor case-insensitively",
                ["V2Q-FILT-004" if api.is_v2 else "V1Q-FILT-003"],
                exchanges=result.exchanges,
            )
        readings[query] = matching
    common = set.intersection(*readings.values())
    if not common:
        fail(
            f"{api.name} name matching ignores case for some queries and not for others: {readings}",
            ["V2Q-FILT-004" if api.is_v2 else "V1Q-FILT-003"],
        )
    reading = "case-sensitive" if common == {True} else "case-insensitive"
    request.node.user_properties.append(("name_case", reading if len(common) == 1 else "undecided"))


def _expected_set(
    api: QueryApi, core: CoreData, filters: dict[str, Any], *, case_sensitive: bool
) -> frozenset[str]:
    return expected_ids(core.events, parsed_filter(api, filters), case_sensitive=case_sensitive).required


@pytest.mark.req("V2Q-FILT-004", "V1Q-FILT-003")
@pytest.mark.parametrize("api_name", ["v2", "v1"])
def test_name_substring_returns_a_superset(
    api_name: str, box_window: BoxWindow, http_client: RecordingHttpClient
) -> None:
    """A name's inner substring finds at least what the name finds, including the event the name came from."""
    names = [str(n) for n in box_window.values("identity_name") if len(str(n)) >= 2][:3]
    if not names:
        pytest.skip("no named events in the window: the box has recognised nobody")
    api = APIS[api_name]
    key = "identity_name" if api.is_v2 else "name"
    ids = requirements_for("meta.name_substring", api.name)
    base = window_ids(api, http_client, box_window, {})  # what the window itself returns, whatever its bounds
    findings = []
    for name in names:
        substring = name[1:] if len(name) > 2 else name[:1]
        longer = window_ids(api, http_client, box_window, {key: name})
        shorter = window_ids(api, http_client, box_window, {key: substring})
        findings += metamorphic.name_substring(shorter, longer, requirements=ids)
        owners = window_event_ids(box_window, "identity_name", name) & base
        for query, got in ((name, longer), (substring, shorter)):
            if api.is_v2 and not owners <= got:  # v1 ids need not equal v2 ids: v2 only
                missing = compare_result(owners, sorted(got & owners), requirements=ids)
                findings += [replace(f, message=f"{key}={query!r}: {f.message}") for f in missing]
    fail_on(findings, title=f"{api.name} fuzzy name match", context=f"names {names}")
