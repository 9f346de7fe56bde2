"""Stranger or matched person in v2 events, v1 events and picture search items.

With the emulator's control plane the core scenario is the oracle: it knows which seeded events are
strangers and whom every other one matched, with which score. v2 events pair with it by event id; v1 events
and search items by (ms, device) (`identity_pairs`).

On a box without control plane the box's own history is the reference (`history_sample`, a window closed in
the past): a v2 event must say what its v1 twin says and the other way round, and a search item what the
stored v2 event at its time and device says, each reference taken only when it is self-consistent about its
match (stranger exactly when identity_id is ""), so a defect of one interface fails that interface's test.
V2EV-SCHEMA-026 needs no oracle and is judged on the box's newest events. E23 (identity_info of a matched
search item) follows the run's profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from conformance.checks import identity_checks
from conformance.checks.findings import Finding
from conformance.checks.identity_checks import Pair
from conformance.clients.exchange import Exchange
from conformance.clients.failures import fail_on, fail_unless
from conformance.clients.http_client import RecordingHttpClient
from conformance.suite.judgement import judged, not_exercised
from conformance.suite.support.identity_pairs import (
    by_unique_key,
    consistent_match,
    kinds_judged,
    pair_by_key,
    pair_by_time,
    require_both_kinds,
    twin_pairs,
)
from conformance.suite.support.query_calls import V1, V2
from conformance.suite.support.query_data import BoxWindow, CoreData
from conformance.suite.support.sample_search import SampleItems, search_the_sample
from conformance.suite.support.search_calls import photo_b64, run_chain
from conformance.target.target import Target

PAGE = 100
MARGIN_MS = 1_000
SEARCH_PERSON = "id-li"  # a core identity: the query photo only has to be a face
IdentityCheck = Callable[[list[Pair]], list[Finding]]


def _judged_pairs(request: pytest.FixtureRequest, pairs: list[Pair], what: str) -> str:
    """Record the pairs judged; not exercised when there are none. Returns what they were, for messages."""
    if not pairs:
        not_exercised(f"no {what} has a self-consistent counterpart to agree with")
    judged(request, "events", len(pairs))
    return kinds_judged(pairs)


def _judge_seeded(
    request: pytest.FixtureRequest,
    interface: str,
    pairs: list[Pair],
    exchanges: Sequence[Exchange],
    *,
    requirement: str,
    check: IdentityCheck,
) -> None:
    """The seeded oracle: the events of the core devices, strangers and matched persons both, against it."""
    require_both_kinds(pairs, f"{interface} events of the core devices", [requirement], exchanges)
    judged(request, "events", len(pairs))
    fail_on(check(pairs), f"{interface} identity fields", exchanges=exchanges[:3])


def _judge_against_twins(request: pytest.FixtureRequest, interface: str, check: IdentityCheck) -> None:
    """The box's own history: each sampled event of `interface` against its twin in the other interface
    (the twin as the stored match)."""
    items: SampleItems = request.getfixturevalue("sample_items")
    items.require("v2", "v1")
    other = "v1" if interface == "v2" else "v2"
    readings = {"v2": items.v2, "v1": items.v1}
    pairs = twin_pairs(readings[interface], readings[other])
    kinds = _judged_pairs(request, pairs, f"sampled {interface} event")
    fail_on(
        check(pairs),
        f"{interface} identity fields against their {other} twins ({kinds})",
        exchanges=items.exchanges,
        context=repr(items),
    )


@pytest.mark.req("V2EV-SCHEMA-002", "V2EV-SCHEMA-004")
def test_v2_identity_follows_the_match(
    request: pytest.FixtureRequest, target: Target, http_client: RecordingHttpClient
) -> None:
    """Strangers have identity_id and register_image_id ""; matched events the person's ids."""
    if target.has_control:  # the seeded oracle
        core_data: CoreData = request.getfixturevalue("core_data")
        result = V2.fetch_all(http_client, {"media_device_ids": core_data.device_ids}, size=PAGE)
        by_id = {event.id: event for event in core_data.events}
        pairs = [(by_id[str(i.get("event_id"))], i) for i in result.items if str(i.get("event_id")) in by_id]
        _judge_seeded(
            request,
            "v2",
            pairs,
            result.exchanges,
            requirement="V2EV-SCHEMA-002",
            check=identity_checks.v2_event,
        )
        return
    _judge_against_twins(request, "v2", identity_checks.v2_event)


@pytest.mark.req("V2EV-SCHEMA-026")
def test_v2_stranger_exactly_when_no_identity(
    request: pytest.FixtureRequest, box_window: BoxWindow, target: Target
) -> None:
    """user_type is "stranger" exactly when identity_id is ""; a stranger has no name or registered photo."""
    if box_window.empty:
        not_exercised("the box holds no events")
    judged(request, "events", len(box_window.events))
    fail_on(identity_checks.v2_stranger_rule(box_window.events), "v2 stranger fields")
    if target.config.control_url is not None:
        strangers = [e for e in box_window.events if e.get("identity_id") == ""]
        fail_unless(bool(strangers), "the newest events hold no stranger to judge", ["V2EV-SCHEMA-026"])


@pytest.mark.req("V1EV-SCHEMA-003")
def test_v1_identity_follows_the_match(
    request: pytest.FixtureRequest, http_client: RecordingHttpClient, target: Target
) -> None:
    """Strangers have common.identity_id ""; matched events the person's id."""
    if not target.capabilities.v1_events:
        pytest.skip("the box has no v1 events interface")
    if target.has_control:  # the seeded oracle
        core_data: CoreData = request.getfixturevalue("core_data")
        result = V1.fetch_all(http_client, {"streams": core_data.device_ids}, size=PAGE)
        pairs = pair_by_key(by_unique_key(core_data.events), result.items, "common", "ep_info", "device_id")
        _judge_seeded(
            request,
            "v1",
            pairs,
            result.exchanges,
            requirement="V1EV-SCHEMA-003",
            check=identity_checks.v1_event,
        )
        return
    _judge_against_twins(request, "v1", identity_checks.v1_event)


SEARCH_IDS = ("PS-SCHEMA-010", "PS-SCHEMA-012", "PS-SCHEMA-013", "PS-SCHEMA-017")


@pytest.mark.req(*SEARCH_IDS)
def test_search_items_carry_the_stored_match_and_score(
    request: pytest.FixtureRequest, http_client: RecordingHttpClient, target: Target
) -> None:
    """Threshold 0 over stored events: each item has its event's identity_id, identity_info and score."""
    if not target.capabilities.picture_search:
        pytest.skip("the box has no picture search interface")
    if target.has_control:  # the seeded oracle
        core_data: CoreData = request.getfixturevalue("core_data")
        control = request.getfixturevalue("control")
        times = [event.ts_ms for event in core_data.events]
        body = {
            "face_image_base64": photo_b64(control.face_jpeg(SEARCH_PERSON, variant=3)),
            "threshold": 0,
            "starttime": (min(times) - MARGIN_MS) / 1000,
            "endtime": (max(times) + MARGIN_MS) / 1000,
        }
        chain = run_chain(http_client, body, ["PS-SCHEMA-010"])
        found = [answer_item for answer in chain.answers for answer_item in answer.get("event_list") or []]
        pairs = pair_by_key(by_unique_key(core_data.events), found, "ep_info", "device_id")
        require_both_kinds(pairs, "search items of the core events", ["PS-SCHEMA-010"], chain.exchanges)
        judged(request, "searches", len(chain.exchanges))
        findings = identity_checks.search_item(pairs, profile=target.profile)
        fail_on(findings, "search item identity and score", exchanges=chain.exchanges)
        return
    items: SampleItems = request.getfixturevalue("sample_items")
    items.require("v2")
    search = search_the_sample(http_client, items, ["PS-SCHEMA-010"], lenient=target.profile == "lenient")
    stored = [event for event, _ in items.v2]
    pairs = [
        (event.as_scenario_event(), item)
        for event, item in pair_by_time(stored, search.items, "ep_info", "device_id")
        if consistent_match(event)
    ]
    judged(request, "searches", len(search.chain.exchanges))
    kinds = _judged_pairs(request, pairs, "search item")
    fail_on(
        identity_checks.search_item(pairs, profile=target.profile),
        f"search items against their stored v2 events ({kinds})",
        exchanges=search.exchanges,
        context=f"searched with the face of event {search.searched.id}; {items!r}",
    )
